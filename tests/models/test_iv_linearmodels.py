"""iv2sls against linearmodels 7.1 (IV2SLS / IVGMM; stored by tests/reference/iv_linearmodels.py).

linearmodels is not needed here: the values are read from tests/reference/out/iv_linearmodels.json.
Where the two packages report a number in another form the mapping is written out (and documented
in docs/iv.md, "Agreement with linearmodels"): linearmodels' robust / clustered first-stage
``f.stat`` is the Wald χ² (= L2 × our F), its ``cragg_donald`` the χ² form (= L2 × our
``cragg_donald_f``) and its ``wooldridge_regression`` the χ² form of our ``endogeneity`` F (× K2).
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from flexemp.models.iv import IVResult, iv2sls
from tests.reference.load import HERE, reference_meta

#: linearmodels solves with its own QR / pinv; mroz_iv_two (expersq up to 1,600) costs digits
RTOL = 1e-8

META = reference_meta("iv_linearmodels")
REF = pd.DataFrame(META["rows"])
CASES: dict[str, str] = {c: spec["formula"] for c, spec in META["cases"].items()}
BLOCKS = sorted(set(zip(REF["case"], REF["vcov"], REF["weights"], strict=True)))


@pytest.fixture(scope="module")
def mroz() -> pd.DataFrame:
    d = pd.read_csv(HERE / "data" / "mroz_iv.csv")
    return d[d["inlf"] == 1].reset_index(drop=True)


def _fit(mroz: pd.DataFrame, case: str, vcov: str, weights: str) -> IVResult:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no rows are dropped in these cases
        return iv2sls(
            CASES[case],
            mroz,
            weights="pw" if weights == "prob" else None,
            weight_kind="prob",
            vcov=vcov,
            cluster="age" if vcov == "cluster" else None,
        )


def _ref(case: str, vcov: str, weights: str, quantity: str, term: str = "") -> float:
    sel = REF[
        (REF["case"] == case)
        & (REF["vcov"] == vcov)
        & (REF["weights"] == weights)
        & (REF["quantity"] == quantity)
        & (REF["term"] == term)
    ]
    assert len(sel) == 1, (case, vcov, weights, quantity, term)
    return float(sel["value"].iloc[0])


def test_reference_file_describes_its_cases() -> None:
    assert META["packages"]["linearmodels"] >= "7.1"
    assert len(BLOCKS) == 11  # 3 cases × 3 covariances + 2 probability-weighted
    assert set(REF["case"]) == set(CASES)


@pytest.mark.parametrize(("case", "vcov", "weights"), BLOCKS)
def test_second_and_first_stage_match_linearmodels(
    mroz: pd.DataFrame, case: str, vcov: str, weights: str
) -> None:
    res = _fit(mroz, case, vcov, weights)
    for term, b, se in zip(
        res.coefficients["term"],
        res.coefficients["estimate"],
        res.coefficients["std_error"],
        strict=True,
    ):
        assert b == pytest.approx(_ref(case, vcov, weights, "estimate", term), rel=RTOL), term
        assert se == pytest.approx(_ref(case, vcov, weights, "std_error", term), rel=RTOL), term
    L2 = res.statistics["n_instruments"]
    for endog, fs in res.first_stage.items():
        for term, b, se in zip(
            fs.coefficients["term"],
            fs.coefficients["estimate"],
            fs.coefficients["std_error"],
            strict=True,
        ):
            t = f"{endog}:{term}"
            assert b == pytest.approx(_ref(case, vcov, weights, "fs_estimate", t), rel=RTOL)
            assert se == pytest.approx(_ref(case, vcov, weights, "fs_std_error", t), rel=RTOL)
        assert fs.partial_r2 == pytest.approx(
            _ref(case, vcov, weights, "fs_partial_r2", endog), rel=RTOL
        )
        # linearmodels: F under "unadjusted", the Wald χ² (not divided by L2) otherwise
        lm_f = _ref(case, vcov, weights, "fs_f_stat", endog)
        assert fs.f.stat == pytest.approx(lm_f if vcov == "classical" else lm_f / L2, rel=RTOL)


@pytest.mark.parametrize(("case", "vcov", "weights"), BLOCKS)
def test_weak_identification_matches_linearmodels(
    mroz: pd.DataFrame, case: str, vcov: str, weights: str
) -> None:
    d = _fit(mroz, case, vcov, weights).diagnostics
    assert d["kp_rk_lm"].stat == pytest.approx(_ref(case, vcov, weights, "kp_rk_lm"), rel=RTOL)
    assert d["kp_rk_lm"].df == _ref(case, vcov, weights, "kp_rk_lm_df")
    assert d["kp_rk_wald_f"].stat == pytest.approx(
        _ref(case, vcov, weights, "kp_rk_wald_f"), rel=RTOL
    )
    cd = d["cragg_donald_f"]
    assert cd.stat == pytest.approx(_ref(case, vcov, weights, "cragg_donald_f"), rel=RTOL)
    # linearmodels' χ² form is L2 × the F form
    assert cd.stat * cd.df[0] == pytest.approx(_ref(case, vcov, weights, "cragg_donald"), rel=RTOL)


@pytest.mark.parametrize(("case", "vcov", "weights"), BLOCKS)
def test_overid_and_endogeneity_match_linearmodels(
    mroz: pd.DataFrame, case: str, vcov: str, weights: str
) -> None:
    res = _fit(mroz, case, vcov, weights)
    d = res.diagnostics
    K2 = res.statistics["n_endog"]
    over = REF[(REF["case"] == case) & (REF["quantity"] == "sargan")]
    if vcov == "classical":
        assert d["endogeneity"].stat == pytest.approx(
            _ref(case, vcov, weights, "wu_hausman"), rel=RTOL
        )
        if len(over):
            assert d["sargan"].stat == pytest.approx(_ref(case, vcov, weights, "sargan"), rel=RTOL)
        else:
            assert not d["sargan"].available
    elif len(over):
        # Hansen J = linearmodels' two-step IVGMM J with the same weight type
        assert d["hansen_j"].stat == pytest.approx(_ref(case, vcov, weights, "j_stat"), rel=RTOL)
    else:
        assert not d["hansen_j"].available
    # the regression test with the model's covariance: linearmodels reports χ² = K2 × our F
    assert d["endogeneity"].stat * K2 == pytest.approx(
        _ref(case, vcov, weights, "wooldridge_regression"), rel=RTOL
    )
