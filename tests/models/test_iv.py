"""iv2sls against stored R references (AER::ivreg + sandwich; tests/reference/iv.R), textbook numbers,
closed forms of the weak-instrument statistics, a simulation with known truth, refusals and the CLI."""

from __future__ import annotations

import itertools
import json
import warnings

import numpy as np
import pandas as pd
import pytest
import typer.main
from typer.testing import CliRunner

from flexemp.core.errors import (
    DroppedRowsWarning,
    EstimationError,
    SingularDesignError,
    UnsupportedOptionError,
)
from flexemp.models.iv import iv2sls, parse_iv_formula
from tests.reference.load import HERE, load_reference, reference_value

#: R solves the normal equations, we use QR; expersq (up to 1,600) costs a few digits
RTOL_CLOSED_FORM = 1e-8
#: identities between two of our own computations (same arithmetic, different order)
RTOL_IDENTITY = 1e-9

REF = load_reference("iv")
FORMULAS = {
    "mroz_iv": "lwage ~ exper + expersq + [educ ~ motheduc + fatheduc]",
    "mroz_iv_just": "lwage ~ [educ ~ fatheduc]",
    "mroz_iv_two": "lwage ~ expersq + [educ + exper ~ motheduc + fatheduc + huseduc + age]",
}


@pytest.fixture(scope="module")
def mroz() -> pd.DataFrame:
    d = pd.read_csv(HERE / "data" / "mroz_iv.csv")
    return d[d["inlf"] == 1].reset_index(drop=True)


def _fit(mroz: pd.DataFrame, case: str, vcov: str, weights: str) -> object:
    w = {"none": None, "freq": "fw", "prob": "pw"}[weights]
    return iv2sls(
        FORMULAS[case],
        mroz,
        weights=w,
        weight_kind="prob" if weights == "prob" else "freq",
        vcov=vcov,
        cluster="age" if vcov == "cluster" else None,
    )


MATRIX = [(c, v, "none") for c in FORMULAS for v in ("classical", "robust", "cluster")]
MATRIX += [("mroz_iv", v, "freq") for v in ("classical", "robust", "cluster")]
MATRIX += [("mroz_iv", v, "prob") for v in ("robust", "cluster")]


@pytest.mark.parametrize(("case", "vcov", "weights"), MATRIX)
def test_coefficients_and_se_match_r(
    mroz: pd.DataFrame, case: str, vcov: str, weights: str
) -> None:
    res = _fit(mroz, case, vcov, weights)
    for term, est, se in zip(
        res.coefficients["term"],
        res.coefficients["estimate"],
        res.coefficients["std_error"],
        strict=True,
    ):
        ref_b = reference_value(REF, case, "estimate", term, vcov, weights)
        ref_se = reference_value(REF, case, "std_error", term, vcov, weights)
        assert est == pytest.approx(ref_b, rel=RTOL_CLOSED_FORM), term
        assert se == pytest.approx(ref_se, rel=RTOL_CLOSED_FORM), term


DIAG = MATRIX


@pytest.mark.parametrize(("case", "vcov", "weights"), DIAG)
def test_diagnostics_match_r(mroz: pd.DataFrame, case: str, vcov: str, weights: str) -> None:
    res = _fit(mroz, case, vcov, weights)
    d = res.diagnostics
    for name in ("kp_rk_lm", "kp_rk_wald_f", "cragg_donald_f", "endogeneity"):
        assert d[name].stat == pytest.approx(
            reference_value(REF, case, name, None, vcov, weights), rel=RTOL_CLOSED_FORM
        ), name
    over = "sargan" if vcov == "classical" else "hansen_j"
    sel = REF[
        (REF["case"] == case)
        & (REF["quantity"] == over)
        & (REF["vcov"] == vcov)
        & (REF["weights"] == weights)
    ]
    if len(sel):
        assert d[over].stat == pytest.approx(float(sel["value"].iloc[0]), rel=RTOL_CLOSED_FORM)
    else:
        assert not d[over].available
    for endog, fs in res.first_stage.items():
        assert fs.f.stat == pytest.approx(
            reference_value(REF, case, "fs_f", endog, vcov, weights), rel=RTOL_CLOSED_FORM
        )
        assert fs.partial_r2 == pytest.approx(
            reference_value(REF, case, "fs_partial_r2", endog, vcov, weights), rel=RTOL_CLOSED_FORM
        )
        for term, b, se in zip(
            fs.coefficients["term"],
            fs.coefficients["estimate"],
            fs.coefficients["std_error"],
            strict=True,
        ):
            t = f"{endog}:{term}"
            assert b == pytest.approx(
                reference_value(REF, case, "fs_estimate", t, vcov, weights), rel=RTOL_CLOSED_FORM
            )
            assert se == pytest.approx(
                reference_value(REF, case, "fs_std_error", t, vcov, weights), rel=RTOL_CLOSED_FORM
            )


def test_textbook_example_15_5(mroz: pd.DataFrame) -> None:
    # Wooldridge, Introductory Econometrics, Example 15.5 (eq. 15.40): educ .0614 (.0314), n = 428;
    # Example 15.1 (fatheduc alone, no other regressors): educ .059 (.035)
    res = iv2sls(FORMULAS["mroz_iv"], mroz)
    assert round(res.params["educ"], 4) == 0.0614
    assert round(res.std_errors["educ"], 4) == 0.0314
    assert res.nobs == 428
    just = iv2sls(FORMULAS["mroz_iv_just"], mroz)
    assert (round(just.params["educ"], 3), round(just.std_errors["educ"], 3)) == (0.059, 0.035)



def test_result_keeps_the_regressors_not_the_instruments(mroz: pd.DataFrame) -> None:
    """The result keeps the (n, K) regressor block for predictions and new covariances: its own array,
    not a view that would keep the whole design with the instruments alive."""
    res = iv2sls(FORMULAS["mroz_iv"], mroz)
    X = res.state().X
    assert X.shape == (res.nobs, len(res.params)) and X.base is None
    assert X.flags.c_contiguous and not X.flags.writeable


@pytest.mark.parametrize("vcov", ["robust", "cluster"])
def test_kp_wald_f_is_squared_robust_t_with_one_instrument(mroz: pd.DataFrame, vcov: str) -> None:
    # K2 = L2 = 1: rk Wald = π̂²/V_HC0(π̂) and rk F = rk Wald/N·(N−L) = π̂²/(N/(N−L)·V_HC0) = t²_HC1
    # (cluster: rk Wald/(N−1)·(N−L)·(G−1)/G = t²_CR1 since CR1 = G/(G−1)·(N−1)/(N−L)·V_CR0)
    res = iv2sls(
        FORMULAS["mroz_iv_just"], mroz, vcov=vcov, cluster="age" if vcov == "cluster" else None
    )
    t = res.first_stage["educ"].coefficients.set_index("term").loc["fatheduc", "statistic"]
    assert res.diagnostics["kp_rk_wald_f"].stat == pytest.approx(t**2, rel=RTOL_IDENTITY)


def test_classical_forms_reduce_to_anderson_and_cragg_donald(mroz: pd.DataFrame) -> None:
    res = iv2sls(FORMULAS["mroz_iv"], mroz)
    fs = res.first_stage["educ"]
    # Anderson's LM = N × partial R²; with K2 = 1 the Cragg-Donald F is the first-stage F
    assert res.diagnostics["kp_rk_lm"].stat == pytest.approx(428 * fs.partial_r2, rel=RTOL_IDENTITY)
    assert res.diagnostics["cragg_donald_f"].stat == pytest.approx(fs.f.stat, rel=RTOL_IDENTITY)
    # Stock-Yogo (2005) Table 5.2, L2 = 2, 10% maximal size
    assert res.diagnostics["stock_yogo_10"].stat == 19.93


def test_cragg_donald_is_stock_yogo_gmin_with_two_endogenous(mroz: pd.DataFrame) -> None:
    # g_min = mineig(Σ̂^{-1/2} X̃′P X̃ Σ̂^{-1/2}) / L2, Σ̂ = X̃′M X̃/(N − L) (Stock & Yogo 2005, eq. 3.5)
    res = iv2sls(FORMULAS["mroz_iv_two"], mroz)
    X1 = np.column_stack([np.ones(428), mroz["expersq"]])
    X2 = mroz[["educ", "exper"]].to_numpy(float)
    Z2 = mroz[["motheduc", "fatheduc", "huseduc", "age"]].to_numpy(float)
    M1 = np.eye(428) - X1 @ np.linalg.solve(X1.T @ X1, X1.T)
    xt, zt = M1 @ X2, M1 @ Z2
    P = zt @ np.linalg.solve(zt.T @ zt, zt.T)
    S = xt.T @ (np.eye(428) - P) @ xt / (428 - 6)
    Si = np.linalg.inv(np.linalg.cholesky(S))
    gmin = np.linalg.eigvalsh(Si @ xt.T @ P @ xt @ Si.T).min() / 4
    assert res.diagnostics["cragg_donald_f"].stat == pytest.approx(gmin, rel=RTOL_IDENTITY)
    # Stock-Yogo (2005) Table 5.2, two endogenous regressors, L2 = 4, 10% maximal size
    assert res.diagnostics["stock_yogo_10"].stat == 16.87
    assert res.diagnostics["kp_rk_lm"].df == 3.0


def test_stock_yogo_table_is_consistent() -> None:
    # a typo check of the transcribed table: the critical value falls with the tolerated size
    # and rises with L2, in every row and column of Stock & Yogo (2005) Table 5.2
    from flexemp.models.diagnostics.iv_tests import STOCK_YOGO_SIZE, STOCK_YOGO_SIZE_2

    levels = ["10%", "15%", "20%", "25%"]
    for table, first in ((STOCK_YOGO_SIZE, 1), (STOCK_YOGO_SIZE_2, 2)):
        assert sorted(table) == list(range(first, 31))
        for row in table.values():
            assert all(row[a] > row[b] for a, b in itertools.pairwise(levels))
        for lvl in levels:
            col = [table[k][lvl] for k in sorted(table)]
            assert all(a < b for a, b in itertools.pairwise(col))
    # with the same L2 a second endogenous regressor lowers every critical value
    assert all(
        STOCK_YOGO_SIZE_2[k][lvl] < STOCK_YOGO_SIZE[k][lvl]
        for k in STOCK_YOGO_SIZE_2
        for lvl in levels
    )


def test_simulation_recovers_effect_ols_does_not() -> None:
    rng = np.random.default_rng(20261123)
    n = 40_000
    z = rng.normal(size=(n, 2))
    u = rng.normal(size=n)
    d = z @ np.array([0.6, 0.4]) + 0.8 * u + rng.normal(size=n)
    x = rng.normal(size=n)
    df = pd.DataFrame(
        {"y": 1.0 + 0.5 * d - 0.3 * x + u, "d": d, "x": x, "z1": z[:, 0], "z2": z[:, 1]}
    )
    res = iv2sls("y ~ x + [d ~ z1 + z2]", df, vcov="robust")
    assert abs(res.params["d"] - 0.5) < 4 * res.std_errors["d"]
    from flexemp.models.api import ols

    o = ols("y ~ x + d", df, vcov="robust")
    assert abs(o.params["d"] - 0.5) > 20 * o.std_errors["d"]  # OLS bias cov(d,u)/var(d) ≈ 0.8/2.16
    assert res.diagnostics["endogeneity"].p_value < 1e-10
    assert res.diagnostics["hansen_j"].p_value > 1e-3  # valid instruments: J ~ χ²(1)


def test_dropped_rows_index_and_no_mutation(mroz: pd.DataFrame) -> None:
    d = mroz.copy()
    d.index = d.index * 10 + 3
    d.loc[d.index[:5], "motheduc"] = np.nan
    before = d.copy()
    with pytest.warns(DroppedRowsWarning, match="5 of 428"):
        res = iv2sls(FORMULAS["mroz_iv"], d)
    pd.testing.assert_frame_equal(d, before)
    assert res.sample.dropped == {"missing motheduc": 5}
    assert res.nobs == 423
    assert list(res.state().index[:2]) == [53, 63]
    shuffled = d.sample(frac=1.0, random_state=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DroppedRowsWarning)
        res2 = iv2sls(FORMULAS["mroz_iv"], shuffled)
    np.testing.assert_allclose(res2.params.to_numpy(), res.params.to_numpy(), rtol=RTOL_IDENTITY)


def test_parse_formula() -> None:
    assert parse_iv_formula("y ~ x1 + [d1 + d2 ~ z1 + z2 + z3] + x2") == (
        "y",
        "x1 + x2",
        "d1 + d2",
        "z1 + z2 + z3",
    )
    assert parse_iv_formula("y ~ [d ~ z]") == ("y", "1", "d", "z")


@pytest.mark.parametrize(
    ("formula", "exc", "phrase"),
    [
        ("lwage ~ exper + educ", EstimationError, "exactly one bracket"),
        ("lwage ~ [educ]", EstimationError, "endogenous ~ instruments"),
        ("lwage ~ [educ + exper ~ motheduc]", EstimationError, "underidentified"),
        ("lwage ~ exper + [educ ~ exper + motheduc]", EstimationError, "both outside and inside"),
        ("lwage ~ exper + [educ ~ motheduc + mother2]", SingularDesignError, "mother2"),
    ],
)
def test_refusals(mroz: pd.DataFrame, formula: str, exc: type[Exception], phrase: str) -> None:
    d = mroz.assign(mother2=2 * mroz["motheduc"])
    with pytest.raises(exc, match=phrase):
        iv2sls(formula, d)


def test_refuses_other_options(mroz: pd.DataFrame) -> None:
    with pytest.raises(UnsupportedOptionError, match="vcov"):
        iv2sls(FORMULAS["mroz_iv"], mroz, vcov="hc3")
    res = iv2sls(FORMULAS["mroz_iv"], mroz)
    with pytest.raises(EstimationError, match="refit"):
        res.with_vcov("robust")


def test_to_dict_carries_diagnostics(mroz: pd.DataFrame) -> None:
    d = json.loads(iv2sls(FORMULAS["mroz_iv"], mroz, vcov="robust").to_json())
    assert d["diagnostics"]["hansen_j"]["df"] == 1.0
    assert d["first_stage"]["educ"]["coefficients"][3]["term"] == "motheduc"


def test_cli_json_matches_api(mroz: pd.DataFrame, tmp_path: object) -> None:
    from flexemp.cli import app
    from flexemp.cli_iv import register

    if "iv" not in typer.main.get_command(app).commands:  # type: ignore[attr-defined]
        register(app)
    path = tmp_path / "m.csv"  # type: ignore[operator]
    mroz.to_csv(path, index=False)
    out = CliRunner().invoke(
        app,
        [
            "iv",
            "--data",
            str(path),
            "--formula",
            FORMULAS["mroz_iv"],
            "--vcov",
            "cluster",
            "--cluster",
            "age",
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    got = json.loads(out.output)
    res = iv2sls(FORMULAS["mroz_iv"], mroz, vcov="cluster", cluster="age")
    assert got["params"][3]["estimate"] == pytest.approx(res.params["educ"], rel=1e-12)
    assert got["first_stage"]["educ"]["f"] == pytest.approx(
        res.first_stage["educ"].f.stat, rel=1e-12
    )
    diag = got["diagnostics"]
    assert diag["kp_rk_wald_f"] == pytest.approx(
        reference_value(REF, "mroz_iv", "kp_rk_wald_f", None, "cluster", "none"),
        rel=RTOL_CLOSED_FORM,
    )
    assert {
        "kp_rk_lm",
        "kp_rk_lm_p",
        "cragg_donald_f",
        "hansen_j",
        "hansen_j_p",
        "endogeneity",
        "endogeneity_p",
    } <= set(diag)
    bad = CliRunner().invoke(app, ["iv", "--data", str(path), "--formula", "lwage ~ educ"])
    assert bad.exit_code == 1
    assert "exactly one bracket" in bad.output
