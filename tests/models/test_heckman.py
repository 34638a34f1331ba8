"""Heckman two-step and the probit control-function correction.

References: tests/reference/heckman.R (formulas written out, cross-checked against glm + lm),
Wooldridge's printed Example 17.5, closed forms and seeded simulations with known truth.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from flexemp.cli import app
from flexemp.cli_heckman import register
from flexemp.core.errors import (
    DroppedRowsWarning,
    EstimationError,
    UnknownVariableError,
    UnsupportedOptionError,
)
from flexemp.models._numerics.heckman import (
    generalized_residual,
    heckman_second_step,
    inverse_mills,
)
from flexemp.models.heckman import heckman2s, selection_correction
from tests.reference.load import load_reference, reference_data

# R's probit is Newton-refined to ~1e-14 and flexemp's converges to g'(-H)^{-1}g < 1e-10; the second
# step is closed form given the probit, so ML precision carries through (as in test_against_r.py).
RTOL_ML = 1e-6
# OLS second stages on both sides are closed form given the first stage.
RTOL_CLOSED_FORM = 1e-10

MROZ = reference_data("mroz")
OUT_1705 = "lwage ~ educ + exper + expersq"
SEL_1705 = "inlf ~ educ + exper + expersq + nwifeinc + age + kidslt6 + kidsge6"
CASES = {
    "mroz_heckman": (OUT_1705, SEL_1705),
    "mroz_heckman_city": (
        "lwage ~ educ + exper + expersq + city",
        "inlf ~ educ + exper + expersq + city + nwifeinc + age + kidslt6",
    ),
}


def _ref(case: str, model: str, quantity: str, vcov: str = "classical") -> pd.Series:
    f = load_reference("heckman")
    sel = f[
        (f["case"] == case)
        & (f["model"] == model)
        & (f["quantity"] == quantity)
        & (f["vcov"] == vcov)
    ]
    assert not sel.empty, (case, model, quantity)
    return sel.set_index("term")["value"]


# ------------------------------------------------------------------ heckman2s against R
@pytest.mark.parametrize("case", sorted(CASES))
def test_heckman2s_matches_r(case):
    res = heckman2s(*CASES[case], MROZ)
    out = res.outcome.coefficients.set_index("term")
    for q, col in (("estimate", "estimate"), ("std_error", "std_error")):
        ref = _ref(case, "heckman2s", q)
        np.testing.assert_allclose(out.loc[ref.index, col], ref, rtol=RTOL_ML)
        ref_sel = _ref(case, "probit", q)
        np.testing.assert_allclose(
            res.selection.coefficients.set_index("term").loc[ref_sel.index, col],
            ref_sel,
            rtol=RTOL_ML,
        )
    stat = _ref(case, "heckman2s", "rho")
    assert res.rho == pytest.approx(stat.iloc[0], rel=RTOL_ML)
    assert res.sigma == pytest.approx(_ref(case, "heckman2s", "sigma").iloc[0], rel=RTOL_ML)
    assert res.nobs == _ref(case, "heckman2s", "nobs").iloc[0]
    assert res.nobs_selected == _ref(case, "heckman2s", "nobs_selected").iloc[0]
    assert res.lambda_ == pytest.approx(_ref(case, "heckman2s", "estimate")["lambda"], rel=RTOL_ML)
    assert res.lambda_se == pytest.approx(
        _ref(case, "heckman2s", "std_error")["lambda"], rel=RTOL_ML
    )


# Wooldridge, Introductory Econometrics (7th ed.), Example 17.5, two-step column: estimates and SEs as
# printed, compared at the printed precision (half a unit of the last printed digit).
# The intercept's printed SE (.307) is not tested: the corrected formula, our R script and flexemp give
# .3050 (the full-precision value is tested in test_heckman2s_matches_r).
PRINTED_1705 = {
    "Intercept": (-0.578, 0.0005, None, None),
    "educ": (0.109, 0.0005, 0.016, 0.0005),
    "exper": (0.044, 0.0005, 0.016, 0.0005),
    "expersq": (-0.00086, 0.000005, 0.00044, 0.000005),
    "lambda": (0.032, 0.0005, 0.134, 0.0005),
}


@pytest.mark.parametrize("term", sorted(PRINTED_1705))
def test_heckman2s_wooldridge_example_17_5(term):
    res = heckman2s(OUT_1705, SEL_1705, MROZ)
    est, est_tol, se, se_tol = PRINTED_1705[term]
    row = res.outcome.coefficients.set_index("term").loc[term]
    assert abs(row["estimate"] - est) <= est_tol
    if se is not None:
        assert abs(row["std_error"] - se) <= se_tol
    assert (res.nobs, res.nobs_selected) == (
        753,
        428,
    )  # printed: 753 women, 428 in the labour force


def test_heckman2s_point_estimates_equal_probit_plus_ols_with_mills_ratio():
    import flexemp

    res = heckman2s(OUT_1705, SEL_1705, MROZ)
    pr = flexemp.probit(SEL_1705, MROZ)
    d = MROZ.assign(imr=inverse_mills(pr.state().X @ pr.state().params))
    ols = flexemp.ols(OUT_1705 + " + imr", d[d["inlf"] == 1])
    np.testing.assert_allclose(
        res.outcome.params.to_numpy(), ols.params.to_numpy(), rtol=RTOL_CLOSED_FORM
    )


def test_heckman2s_recovers_known_truth():
    rng = np.random.default_rng(11)
    n = 40_000
    x, z = rng.normal(size=n), rng.normal(size=n)
    u, v = rng.multivariate_normal(
        [0, 0], [[1.5**2, 0.6 * 1.5], [0.6 * 1.5, 1]], size=n
    ).T  # sigma 1.5, rho 0.6
    s = (0.2 + 0.5 * x + z + v > 0).astype(int)
    df = pd.DataFrame({"x": x, "z": z, "s": s, "y": np.where(s == 1, 1.0 - 0.7 * x + u, np.nan)})
    res = heckman2s("y ~ x", "s ~ x + z", df)
    p, se = res.outcome.params, res.outcome.std_errors
    assert abs(p["x"] + 0.7) < 4 * se["x"]
    assert abs(p["Intercept"] - 1.0) < 4 * se["Intercept"]
    assert abs(res.lambda_ - 0.9) < 4 * res.lambda_se  # beta_lambda = rho * sigma
    assert res.rho == pytest.approx(0.6, abs=0.06)
    assert res.sigma == pytest.approx(1.5, abs=0.05)


def test_rho_is_truncated_like_stata_closed_form():
    # y = X b + c * lambda exactly: e = 0, sigma^2 = c^2 mean(delta) < c^2, so rho = sign(c)/sqrt(mean delta)
    rng = np.random.default_rng(3)
    n = 300
    Z = np.column_stack([np.ones(n), rng.normal(size=n)])
    gamma = np.array([0.3, 0.8])
    lam = inverse_mills(Z @ gamma)
    X = np.column_stack([np.ones(n), rng.normal(size=n)])
    c = -0.5
    y = X @ np.array([1.0, 2.0]) + c * lam
    fit = heckman_second_step(y, X, Z, gamma, np.eye(2) * 0.01)
    mean_delta = float(np.mean(lam * (lam + Z @ gamma)))
    assert fit.rho_untruncated == pytest.approx(-1 / np.sqrt(mean_delta), rel=1e-10)
    assert fit.rho == -1.0
    assert fit.sigma == pytest.approx(0.5, rel=1e-10)  # sigma = beta_lambda / rho
    np.testing.assert_allclose(fit.params, [1.0, 2.0, c], rtol=1e-10)


def test_generalized_residual_closed_form():
    from scipy import stats

    zg = np.array([-9.0, -1.0, 0.0, 2.0, 9.0])
    d = np.array([1, 0, 1, 0, 0])
    expected = np.where(
        d == 1, stats.norm.pdf(zg) / stats.norm.cdf(zg), -stats.norm.pdf(zg) / stats.norm.sf(zg)
    )
    np.testing.assert_allclose(generalized_residual(d, zg), expected, rtol=1e-12)


def test_heckman2s_drops_rows_with_missing_regressors_and_counts_them():
    d = MROZ.copy()
    d.loc[d.index[:5], "educ"] = np.nan
    d["extra"] = np.random.default_rng(2).normal(size=len(d))
    d.loc[d.index[[100, 700, 750]], "extra"] = (
        np.nan
    )  # an outcome-only regressor, missing in 3 other rows
    with pytest.warns(DroppedRowsWarning):
        res = heckman2s(OUT_1705 + " + extra", SEL_1705, d)
    assert res.nobs == 745
    assert res.sample.dropped == {"missing educ": 5, "missing extra": 3}
    assert res.selection.nobs == 745  # Stata's sample: the probit is refitted without those rows
    assert MROZ["educ"].notna().all()  # the caller's frame is untouched


# ------------------------------------------------------------------ refusals
def test_heckman2s_refuses_selected_row_without_outcome():
    d = MROZ.copy()
    d.loc[d.index[0], "lwage"] = np.nan
    with pytest.raises(EstimationError, match="missing in 1 selected row"):
        heckman2s(OUT_1705, SEL_1705, d)


def test_heckman2s_refuses_unknown_outcome():
    with pytest.raises(UnknownVariableError, match="wage_typo"):
        heckman2s("wage_typo ~ educ", SEL_1705, MROZ)


def test_heckman2s_refuses_malformed_formula():
    with pytest.raises(UnsupportedOptionError, match="y ~ x1"):
        heckman2s("lwage educ", SEL_1705, MROZ)


def test_heckman2s_refuses_everyone_selected():
    d = MROZ[MROZ["inlf"] == 1]
    with pytest.raises(
        EstimationError, match="only the value 1"
    ):  # refused by the selection probit
        heckman2s(OUT_1705, "inlf ~ educ + age", d)


@pytest.mark.parametrize(
    ("kwargs", "phrase"),
    [
        ({"model": "tobit"}, "tobit"),
        ({"term": "educ"}, "already a column"),
        ({"bootstrap": 1}, "bootstrap must be"),
    ],
)
def test_selection_correction_refusals(kwargs, phrase):
    with pytest.raises(UnsupportedOptionError, match=phrase):
        selection_correction("city ~ nwifeinc + educ + age", "hours ~ city + educ", MROZ, **kwargs)


# ------------------------------------------------------------------ control function against R
CF_TREAT = "city ~ nwifeinc + educ + age + kidslt6 + kidsge6"


@pytest.mark.parametrize(
    ("model", "formula", "vcov", "rtol"),
    [
        ("ols", "hours ~ city + educ + exper + expersq", "classical", RTOL_ML),
        ("ols", "hours ~ city + educ + exper + expersq", "robust", RTOL_ML),
        ("probit", "inlf ~ city + educ + exper + age + kidslt6", "classical", RTOL_ML),
    ],
)
def test_selection_correction_matches_r(model, formula, vcov, rtol):
    res = selection_correction(CF_TREAT, formula, MROZ, model=model, vcov=vcov)
    second = res.second_stage.coefficients.set_index("term")
    for q in ("estimate", "std_error"):
        ref = _ref("mroz_control", model, q, vcov)
        np.testing.assert_allclose(second.loc[ref.index, q], ref, rtol=rtol)
        ref1 = _ref("mroz_control", "probit_first", q)
        np.testing.assert_allclose(
            res.first_stage.coefficients.set_index("term").loc[ref1.index, q], ref1, rtol=rtol
        )
    assert res.estimate == pytest.approx(
        _ref("mroz_control", model, "estimate", vcov)["imr"], rel=rtol
    )


def test_selection_correction_recovers_known_rho_in_a_linear_second_stage():
    # E[y | d, x, z] = 1 + 0.5 d + x + rho*sigma * generalized residual, so imr estimates rho*sigma = -0.4
    rng = np.random.default_rng(21)
    n = 50_000
    z, x = rng.normal(size=n), rng.normal(size=n)
    e, v = rng.multivariate_normal([0, 0], [[1, -0.4], [-0.4, 1]], size=n).T
    df = pd.DataFrame({"z": z, "x": x, "d": (0.2 + z + 0.5 * x + v > 0).astype(int)})
    df["y"] = 1 + 0.5 * df["d"] + x + e
    res = selection_correction("d ~ z + x", "y ~ d + x", df, model="ols")
    assert abs(res.estimate + 0.4) < 4 * res.std_error
    assert abs(res.second_stage.params["d"] - 0.5) < 4 * res.second_stage.std_errors["d"]
    naive = selection_correction(
        "d ~ z + x", "y ~ d + x", df, model="ols"
    )  # deterministic: same numbers
    assert naive.estimate == res.estimate


def test_selection_correction_platform_workers_negative_selection():
    # docs/datasets/platform_workers.md: contract index error and satisfaction error have rho = -0.15; the
    # contract index is education, full_time, works_local, age_z plus province components (which enter no
    # later equation: the excluded instruments)
    from flexemp.synth import get_dataset

    ds = get_dataset("platform_workers")
    assert ds.truth["selection"]["rho"] < 0
    df = ds.generate(n=100_000)
    controls = (
        "male + age + married + education + own_home + health + sleep + daily_hours + days_per_week + "
        "community + loan + night_work + central_west + has_loan + works_local + full_time"
    )
    res = selection_correction(
        "contract ~ education + full_time + works_local + age + C(province)",
        "life_sat ~ contract + training + training_days + skill_guidance + rule_briefing + "
        + controls,
        df,
        model="oprobit",
    )
    assert res.estimate < 0
    assert res.p_value < 0.001


def test_selection_correction_bootstrap_is_seeded():
    rng = np.random.default_rng(5)
    n = 2_000
    df = pd.DataFrame(
        {"z": rng.normal(size=n), "x": rng.normal(size=n), "g": rng.integers(0, 50, size=n)}
    )
    df["d"] = (df["z"] + rng.normal(size=n) > 0).astype(int)
    df["y"] = 1 + 0.5 * df["d"] + df["x"] + rng.normal(size=n)
    a = selection_correction("d ~ z + x", "y ~ d + x", df, model="ols", bootstrap=30, seed=1)
    b = selection_correction("d ~ z + x", "y ~ d + x", df, model="ols", bootstrap=30, seed=1)
    c = selection_correction("d ~ z + x", "y ~ d + x", df, model="ols", bootstrap=30, seed=2)
    assert a.bootstrap_se is not None and b.bootstrap_se is not None and c.bootstrap_se is not None
    pd.testing.assert_series_equal(a.bootstrap_se, b.bootstrap_se)
    assert not np.allclose(a.bootstrap_se, c.bootstrap_se)
    assert a.bootstrap_reps == 30
    # the x coefficient hardly depends on the first stage: bootstrap and analytic SEs agree roughly
    assert 0.6 < a.bootstrap_se["x"] / a.second_stage.std_errors["x"] < 1.6
    cl = selection_correction(
        "d ~ z + x", "y ~ d + x", df, model="ols", vcov="cluster", cluster="g", bootstrap=20, seed=1
    )
    assert cl.bootstrap_reps == 20 and cl.second_stage.n_clusters == 50


# ------------------------------------------------------------------ CLI
def _runner_app() -> typer.Typer:
    if "heckman" not in typer.main.get_command(app).commands:  # type: ignore[attr-defined]
        register(app)
    return app


def test_cli_heckman_json(tmp_path):
    path = tmp_path / "mroz.csv"
    MROZ.to_csv(path, index=False)
    res = CliRunner().invoke(
        _runner_app(),
        ["heckman", "--data", str(path), "--outcome", OUT_1705, "--select", SEL_1705, "--json"],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert set(out) >= {
        "outcome",
        "selection",
        "lambda",
        "lambda_se",
        "rho",
        "sigma",
        "nobs",
        "nobs_selected",
    }
    assert (out["nobs"], out["nobs_selected"]) == (753, 428)
    assert out["lambda"] == pytest.approx(
        _ref("mroz_heckman", "heckman2s", "estimate")["lambda"], rel=RTOL_ML
    )
    educ = next(r for r in out["outcome"] if r["term"] == "educ")
    assert educ["std_error"] == pytest.approx(
        _ref("mroz_heckman", "heckman2s", "std_error")["educ"], rel=RTOL_ML
    )
    assert {r["term"] for r in out["selection"]} >= {"nwifeinc", "kidslt6"}


def test_cli_heckman_control_variant_and_error(tmp_path):
    path = tmp_path / "mroz.csv"
    MROZ.to_csv(path, index=False)
    res = CliRunner().invoke(
        _runner_app(),
        [
            "heckman",
            "--data",
            str(path),
            "--outcome",
            "hours ~ city + educ + exper + expersq",
            "--select",
            CF_TREAT,
            "--variant",
            "control",
            "--second-stage",
            "ols",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["lambda"] == pytest.approx(
        _ref("mroz_control", "ols", "estimate")["imr"], rel=RTOL_ML
    )
    bad = CliRunner().invoke(
        _runner_app(),
        [
            "heckman",
            "--data",
            str(path),
            "--outcome",
            OUT_1705,
            "--select",
            SEL_1705,
            "--variant",
            "joint",
        ],
    )
    assert bad.exit_code == 1
    assert "Error" in bad.output and "twostep" in bad.output


def test_cli_heckman_table_and_twostep_refuses_control_options(tmp_path):
    path = tmp_path / "mroz.csv"
    MROZ.to_csv(path, index=False)
    args = ["heckman", "--data", str(path), "--outcome", OUT_1705, "--select", SEL_1705]
    res = CliRunner().invoke(_runner_app(), args)
    assert res.exit_code == 0, res.output
    assert "Outcome equation" in res.output and "lambda = 0.0322619" in res.output
    bad = CliRunner().invoke(_runner_app(), [*args, "--vcov", "robust"])
    assert bad.exit_code == 1
    assert "apply to --variant control" in bad.output
