"""psm: agreement with R Matching::Match, closed-form matching cases, balance, simulation, CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import typer
from scipy import integrate, special, stats
from typer.testing import CliRunner

from flexemp.cli import app
from flexemp.cli_psm import register
from flexemp.core.errors import EstimationError, UnknownVariableError, UnsupportedOptionError
from flexemp.models._numerics.matching import (
    greedy_without_replacement,
    matching_effect,
    nearest_neighbours,
    own_group_variance,
)
from flexemp.models.api import logit
from flexemp.models.api import probit as probit_fit
from flexemp.models.psm import psm
from tests.reference.load import load_reference, reference_data, reference_value

#: Match's matching is exact arithmetic on the same sorted score; the score differs from glm's by
#: the ML tolerance only, so estimates and SEs agree to far better than this.
RTOL_MATCH = 1e-6
#: score-model coefficients: two ML fits to the same optimum
RTOL_ML = 1e-6
RTOL_CLOSED_FORM = 1e-12

MROZ = reference_data("mroz")
REF = load_reference("psm")
SPECS = {
    "cont": ["age", "educ", "exper", "nwifeinc", "kidslt6"],
    "ties": ["educ", "kidslt6", "kidsge6"],
}
CASES = [(s, e, m) for s in SPECS for e in ("att", "ate", "atc") for m in (1, 3)]


# ------------------------------------------------------------------ against R
@pytest.mark.parametrize(("spec", "estimand", "k"), CASES)
def test_matches_r_matching(spec: str, estimand: str, k: int) -> None:
    case = f"mroz_psm_{spec}_{estimand}_m{k}"
    res = psm(MROZ, treat="city", outcome="hours", covariates=SPECS[spec], k=k, estimand=estimand)
    assert res.estimate == pytest.approx(reference_value(REF, case, "estimate"), rel=RTOL_MATCH)
    assert res.se_ai2006 == pytest.approx(
        reference_value(REF, case, "std_error", vcov="ai2006"), rel=RTOL_MATCH
    )
    assert res.se_homoskedastic == pytest.approx(
        reference_value(REF, case, "std_error", vcov="homoskedastic"), rel=RTOL_MATCH
    )
    assert len(res.pairs) == reference_value(REF, case, "n_pairs")
    for term, b in res.pscore_params.items():
        assert b == pytest.approx(reference_value(REF, case, "pscore_coef", term=term), rel=RTOL_ML)
    if estimand == "ate":  # the estimated-score adjustment (tests/models/test_psm_ai2016.py)
        assert res.se_ai2016 is not None and res.se_ai2016 < res.se_ai2006
    else:  # the ATT adjustment can go either way (Abadie and Imbens 2016, Theorem 2)
        assert res.se_ai2016 is not None and res.se_ai2016 > 0 and res.se_ai2016_reason == ""


def test_ties_case_really_has_ties() -> None:
    res = psm(MROZ, treat="city", outcome="hours", covariates=SPECS["ties"], k=1)
    assert len(res.pairs) > 5 * res.n_target  # every treated has many equidistant controls
    first = psm(MROZ, treat="city", outcome="hours", covariates=SPECS["ties"], k=1, ties="first")
    assert len(first.pairs) == first.n_target
    assert first.estimate != res.estimate


def test_ate_is_weighted_mean_of_att_and_atc() -> None:
    kw = {"treat": "city", "outcome": "hours", "covariates": SPECS["ties"], "k": 3}
    att, atc, ate = (psm(MROZ, estimand=e, **kw) for e in ("att", "atc", "ate"))  # type: ignore[arg-type]
    expected = (att.n_treated * att.estimate + atc.n_control * atc.estimate) / (
        att.n_treated + att.n_control
    )
    assert ate.estimate == pytest.approx(expected, rel=RTOL_CLOSED_FORM)
    assert att.treated_mean - att.control_mean == pytest.approx(att.estimate, rel=RTOL_CLOSED_FORM)
    assert atc.treated_mean - atc.control_mean == pytest.approx(atc.estimate, rel=RTOL_CLOSED_FORM)
    assert ate.treated_mean - ate.control_mean == pytest.approx(ate.estimate, rel=RTOL_CLOSED_FORM)


# ------------------------------------------------------------------ closed-form matching
def test_nearest_neighbours_ties_and_first() -> None:
    xt = np.array([0.5, 0.9])
    xd = np.array([0.4, 0.6, 0.7, 0.1, 0.95])
    allp = nearest_neighbours(xt, xd, 1, "all")
    # 0.5 is 0.1 from both 0.4 and 0.6 (exact in binary? compare with the arithmetic used)
    d04, d06 = abs(0.5 - 0.4), abs(0.6 - 0.5)
    expect0 = {0, 1} if d04 == d06 else ({0} if d04 < d06 else {1})
    assert set(allp.donor[allp.target == 0]) == expect0
    assert list(allp.donor[allp.target == 1]) == [4]
    np.testing.assert_allclose(np.bincount(allp.target, weights=allp.weight), [1.0, 1.0])
    two = nearest_neighbours(np.array([0.5]), xd, 2, "first")
    assert sorted(two.donor) == [0, 1]
    eq = nearest_neighbours(
        np.array([0.5]), np.array([0.25, 0.75, 0.75]), 1, "all"
    )  # exact binary ties
    assert sorted(eq.donor) == [0, 1, 2] and np.allclose(eq.weight, 1 / 3)
    first = nearest_neighbours(np.array([0.5]), np.array([0.75, 0.25]), 1, "first")
    assert list(first.donor) == [1]  # the lower score wins a tie
    k3 = nearest_neighbours(np.array([0.5]), np.array([0.25, 0.75]), 3, "all")  # k capped at nd
    assert sorted(k3.donor) == [0, 1]


def test_nearest_neighbours_equals_brute_force() -> None:
    rng = np.random.default_rng(3)
    xt = rng.integers(0, 30, 200) / 30.0
    xd = rng.integers(0, 30, 150) / 30.0
    for k in (1, 2, 4):
        pr = nearest_neighbours(xt, xd, k, "all")
        dist = np.abs(xt[:, None] - xd[None, :])
        kth = np.sort(dist, axis=1)[:, k - 1]
        brute = {(i, j) for i, j in zip(*np.nonzero(dist <= kth[:, None]), strict=True)}
        assert set(zip(pr.target.tolist(), pr.donor.tolist(), strict=True)) == brute


def test_greedy_without_replacement_order() -> None:
    # both targets want donor 0.6; the higher-priority target (0.62) gets it, 0.58 takes 0.5
    pr = greedy_without_replacement(
        np.array([0.58, 0.62]), np.array([0.5, 0.6, 0.9]), 1, np.array([0.58, 0.62])
    )
    assert dict(zip(pr.target.tolist(), pr.donor.tolist(), strict=True)) == {0: 0, 1: 1}
    # k = 2: each target gets two distinct donors, no donor used twice
    pr2 = greedy_without_replacement(
        np.array([0.58, 0.62]), np.array([0.5, 0.6, 0.9, 0.7]), 2, np.array([0.58, 0.62])
    )
    assert len(set(pr2.donor.tolist())) == 4 and np.array_equal(np.bincount(pr2.target), [2, 2])
    # donors run out: the lower-priority target stays unmatched
    pr3 = greedy_without_replacement(
        np.array([0.1, 0.2]), np.array([0.15]), 1, np.array([0.1, 0.2])
    )
    assert pr3.target.tolist() == [1]


def test_own_group_variance_closed_form() -> None:
    x = np.array([0.0, 1.0, 3.0, 3.0])
    y = np.array([1.0, 3.0, 5.0, 9.0])
    s2 = own_group_variance(x, y)
    # unit 0 -> unit 1: var(1,3) = 2; unit 1 -> unit 0: 2; units 2,3 -> each other: var(5,9) = 8
    np.testing.assert_allclose(s2, [2.0, 2.0, 8.0, 8.0], rtol=RTOL_CLOSED_FORM)


def test_matching_effect_closed_form_att() -> None:
    # treated 0,1 (y 10, 12); controls 2,3 (y 4, 6); both treated matched to control 2
    y = np.array([10.0, 12.0, 4.0, 6.0])
    tr = np.array([1.0, 1.0, 0.0, 0.0])
    pairs = nearest_neighbours(np.array([0.1, 0.15]), np.array([0.12, 0.9]), 1)
    from flexemp.models._numerics.matching import Pairs

    full = Pairs(pairs.target, pairs.donor + 2, pairs.distance, pairs.weight)
    sigma2 = np.array([2.0, 2.0, 2.0, 2.0])
    eff = matching_effect(y, tr, tr == 1, full, None, sigma2)
    assert eff.estimate == pytest.approx(((10 - 4) + (12 - 4)) / 2, rel=RTOL_CLOSED_FORM)
    # V = [Σ(τi − τ)² + σ²(K² − K')]/N1² = [(6−7)² + (8−7)² + 2(4 − 2)]/4
    assert eff.var_ai2006 == pytest.approx((1 + 1 + 2 * 2) / 4, rel=RTOL_CLOSED_FORM)
    # simple: Var(10, 12)/2 + Var_w(y0)·ΣK²/N1², with one donor used (weight 2): Var_w = 0
    assert eff.var_simple == pytest.approx(2.0 / 2, rel=RTOL_CLOSED_FORM)


# ------------------------------------------------------------------ options
def test_common_support_and_caliper_drop_counts() -> None:
    base = psm(MROZ, treat="city", outcome="hours", covariates=SPECS["cont"])
    p, t = base.pscore, MROZ["city"] == 1
    off = int(((p[t] > p[~t].max()) | (p[t] < p[~t].min())).sum())
    cs = psm(MROZ, treat="city", outcome="hours", covariates=SPECS["cont"], common_support=True)
    assert cs.dropped["off_support"] == off and cs.n_target == base.n_treated - off
    cal = 0.002
    dists = base.pairs.groupby("target")["distance"].min()
    cl = psm(MROZ, treat="city", outcome="hours", covariates=SPECS["cont"], caliper=cal)
    assert cl.dropped["no_match_in_caliper"] == int((dists > cal).sum()) > 0
    assert (cl.pairs["distance"] <= cal).all()
    lp = np.log(p / (1 - p))
    cl2 = psm(
        MROZ,
        treat="city",
        outcome="hours",
        covariates=SPECS["cont"],
        caliper=0.01,
        caliper_scale="sd_logit",
    )
    gap = np.abs(lp[cl2.pairs["target"]].to_numpy() - lp[cl2.pairs["match"]].to_numpy())
    assert (gap <= 0.01 * lp.std(ddof=1)).all() and cl2.dropped["no_match_in_caliper"] > 0


def test_without_replacement_uses_each_control_once() -> None:
    df = MROZ.assign(kids=(MROZ["kidslt6"] + MROZ["kidsge6"] > 0).astype(int))
    res = psm(
        df,
        treat="kids",
        outcome="hours",
        covariates=["age", "educ"],
        replace=False,
        k=1,
        estimand="atc",
    )
    assert res.pairs["match"].is_unique and res.n_target == min(res.n_treated, res.n_control)
    probit = psm(MROZ, treat="city", outcome="hours", covariates=["age", "educ"], link="probit")
    assert probit.pscore_params["educ"] == pytest.approx(
        probit_fit("city ~ age + educ", MROZ).params["educ"], rel=RTOL_ML
    )


def test_refusals_and_no_mutation() -> None:
    df = MROZ.copy()
    before = df.copy()
    with pytest.raises(UnsupportedOptionError, match="replace=True"):
        psm(df, treat="city", outcome="hours", covariates=["age"], replace=False, estimand="ate")
    with pytest.raises(UnsupportedOptionError, match="k must be"):
        psm(df, treat="city", outcome="hours", covariates=["age"], k=0)
    with pytest.raises(UnsupportedOptionError, match="first"):
        psm(df, treat="city", outcome="hours", covariates=["age"], ties="nearest")
    with pytest.raises(UnknownVariableError, match="nope"):
        psm(df, treat="city", outcome="hours", covariates=["nope"])
    with pytest.raises(EstimationError, match="0/1"):
        psm(df, treat="kidslt6", outcome="hours", covariates=["age"])
    pd.testing.assert_frame_equal(df, before)
    df["age"] = df["age"].astype(float)
    df.loc[df.index[:3], "age"] = np.nan
    before = df.copy()
    res = psm(df, treat="city", outcome="hours", covariates=["age"])
    assert res.dropped["missing_values"] == 3 and res.n_treated + res.n_control == len(df) - 3
    pd.testing.assert_frame_equal(df, before)


# ------------------------------------------------------------------ balance (pstest)
def test_balance_before_closed_form() -> None:
    res = psm(MROZ, treat="city", outcome="hours", covariates=SPECS["cont"])
    tab = res.balance.table.set_index("covariate")
    t = MROZ["city"] == 1
    for c in SPECS["cont"]:
        a, b = MROZ.loc[t, c], MROZ.loc[~t, c]
        bias = 100 * (a.mean() - b.mean()) / np.sqrt((a.var() + b.var()) / 2)
        assert tab.loc[c, "std_bias_before"] == pytest.approx(bias, rel=RTOL_CLOSED_FORM)
        assert tab.loc[c, "t_before"] == pytest.approx(stats.ttest_ind(a, b).statistic, rel=1e-10)
        w = res.weights[~t]
        assert tab.loc[c, "mean_control_after"] == pytest.approx(
            np.average(b, weights=w), rel=RTOL_CLOSED_FORM
        )
        assert tab.loc[c, "variance_ratio_before"] == pytest.approx(
            a.var() / b.var(), rel=RTOL_CLOSED_FORM
        )
    full = logit("city ~ " + " + ".join(SPECS["cont"]), MROZ)
    assert res.balance.summary["pseudo_r2_before"] == pytest.approx(
        full.statistics["pseudo_r2"], rel=1e-9
    )
    assert res.balance.summary["mean_abs_bias_after"] < res.balance.summary["mean_abs_bias_before"]


def test_table_row_shape() -> None:
    res = psm(MROZ, treat="city", outcome="hours", covariates=SPECS["cont"])
    row = res.table_row()
    assert list(row.columns) == ["treat", "treated_mean", "control_mean", "att", "std_error", "t"]
    assert row["t"].iloc[0] == pytest.approx(res.estimate / res.se_ai2006, rel=RTOL_CLOSED_FORM)


# ------------------------------------------------------------------ simulation with known truth
def test_simulation_att_unbiased_and_ai_coverage() -> None:
    """y = 1 + x + (1 + x/2)·T + ε, P(T=1|x) = Λ(0.5x): ATT = 1 + E[x | T = 1]/2 (quadrature)."""
    num = integrate.quad(lambda x: x * stats.norm.pdf(x) * special.expit(0.5 * x), -12, 12)[0]
    den = integrate.quad(lambda x: stats.norm.pdf(x) * special.expit(0.5 * x), -12, 12)[0]
    truth = 1 + 0.5 * num / den
    rng = np.random.default_rng(20261123)
    reps, n = 200, 1000
    est, cover = np.empty(reps), np.empty(reps, dtype=bool)
    for r in range(reps):
        x = rng.normal(size=n)
        tr = (rng.logistic(size=n) < 0.5 * x).astype(float)
        y = 1 + x + (1 + 0.5 * x) * tr + rng.normal(size=n)
        res = psm(pd.DataFrame({"x": x, "t": tr, "y": y}), treat="t", outcome="y", covariates=["x"])
        est[r] = res.estimate
        cover[r] = abs(res.estimate - truth) <= 1.959964 * res.se_ai2006
    mc_se = est.std(ddof=1) / np.sqrt(reps)
    assert abs(est.mean() - truth) < 4 * mc_se
    assert 0.90 <= cover.mean() <= 0.99  # binomial SE at 95% over 200 reps ≈ 1.5 points


# ------------------------------------------------------------------ CLI
def _app() -> typer.Typer:
    if "psm" not in typer.main.get_command(app).commands:  # type: ignore[attr-defined]
        register(app)
    return app


def test_cli_json_equals_api(tmp_path) -> None:
    path = tmp_path / "mroz.csv"
    MROZ.to_csv(path, index=False)
    out = CliRunner().invoke(
        _app(),
        [
            "psm",
            "--data",
            str(path),
            "--treat",
            "city",
            "--outcome",
            "hours",
            "--covariates",
            "age",
            "educ",
            "exper",
            "--k",
            "3",
            "--estimand",
            "atc",
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    got = json.loads(out.output)
    api = psm(
        MROZ,
        treat="city",
        outcome="hours",
        covariates=["age", "educ", "exper"],
        k=3,
        estimand="atc",
    )
    assert got["estimand"] == "atc" and got["atc"] == pytest.approx(api.estimate, rel=1e-12)
    assert got["se_ai2006"] == pytest.approx(api.se_ai2006, rel=1e-12)
    assert got["se_ai2016"] == pytest.approx(api.se_ai2016, rel=1e-12)
    assert [b["covariate"] for b in got["balance"]] == ["age", "educ", "exper"]
    assert {
        "n_treated",
        "n_control",
        "n_control_matched",
        "treated_mean",
        "control_mean",
        "t",
        "se_simple",
        "pscore_params",
    } <= set(got)
    bad = CliRunner().invoke(
        _app(),
        [
            "psm",
            "--data",
            str(path),
            "--treat",
            "city",
            "--outcome",
            "hours",
            "--covariates",
            "age",
            "--ties",
            "any",
        ],
    )
    assert bad.exit_code != 0 and "Error:" in bad.output
