"""psm's Abadie-Imbens (2016) SE: Stata's printed teffects psmatch output (ATE and ATET),
brute force, invariances, symmetry, coverage."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from flexemp.core.errors import UnsupportedOptionError
from flexemp.models._numerics.ai2016 import (
    ai2016_ate_correction,
    ai2016_att_terms,
    covariate_nn_mean,
    matched_covariance,
    score_nn_mean,
)
from flexemp.models._numerics.binary import binary_pdf
from flexemp.models.psm import psm

REF_DIR = Path(__file__).resolve().parents[1] / "reference"
#: Stata's log, cited in the JSON: https://github.com/cmg777/starter-academic-v501/blob/
#: c2242b0cc1e56785d9d02dacd59166b41649f654/content/post/stata_matching/analysis.log
STATA = json.loads((REF_DIR / "psm_ai2016_stata.json").read_text(encoding="utf-8"))
CATTANEO = pd.read_csv(REF_DIR / "psm_ai2016_cattaneo2.csv")
COVS = ["mmarried", "mage", "fage", "medu", "prenatal1"]
#: Stata prints 7 significant digits: half a unit in the last printed place
HALF_ULP_EST = 0.5e-4
HALF_ULP_SE = 0.5e-5
#: Stata ties distances equal up to rounding; any value in 1e-12..1e-10 reproduces its matches
STATA_TIE_TOL = 1e-10


def _cattaneo(estimand: str) -> object:
    return psm(
        CATTANEO,
        treat="mbsmoke",
        outcome="bweight",
        covariates=COVS,
        estimand=estimand,
        tie_tolerance=STATA_TIE_TOL,
    )


def test_reference_data_is_statas_cattaneo2() -> None:
    s = STATA["data_summary_printed"]
    assert len(CATTANEO) == s["n"]
    assert CATTANEO["bweight"].std() == pytest.approx(s["bweight_sd"], abs=0.5e-4)
    for col in ("mbsmoke", "mage", "fage", "medu", "mmarried", "prenatal1"):
        assert CATTANEO[col].mean() == pytest.approx(s[f"{col}_mean"], abs=0.5e-7 * 1e3)


def test_ate_matches_stata_teffects_psmatch() -> None:
    ref = STATA["cases"]["ate"]
    res = _cattaneo("ate")
    assert res.estimate == pytest.approx(ref["estimate"], abs=HALF_ULP_EST)
    assert res.se_ai2016 == pytest.approx(ref["se_ai_robust"], abs=HALF_ULP_SE)
    assert res.se_ai2016_reason == ""
    assert res.se_ai2016 < res.se_ai2006  # the ATE adjustment is a reduction
    assert res.table_row(se="ai2016")["std_error"].iloc[0] == res.se_ai2016


def test_att_matches_stata_teffects_psmatch_atet() -> None:
    ref = STATA["cases"]["atet"]
    res = _cattaneo("att")
    assert res.estimate == pytest.approx(ref["estimate"], abs=HALF_ULP_EST)
    assert res.se_ai2016 == pytest.approx(ref["se_ai_robust"], abs=HALF_ULP_SE)
    assert res.se_ai2016_reason == ""
    assert res.table_row(se="ai2016")["std_error"].iloc[0] == res.se_ai2016


def test_att_needs_every_term_and_the_euclidean_covariate_metric() -> None:
    """Dropping either part of Theorem 2's adjustment, or matching on standardised covariates
    for dτ/dθ, moves the SE off Stata's printed value (so the reference test discriminates)."""
    res = _cattaneo("att")
    df = CATTANEO
    y, t = df["bweight"].to_numpy(float), df["mbsmoke"].to_numpy(float)
    Z = df[COVS].to_numpy(float)
    X = np.column_stack([np.ones(len(df)), Z])
    p = res.pscore.to_numpy()
    xb = np.log(p) - np.log1p(-p)
    ref = STATA["cases"]["atet"]["se_ai_robust"]
    v06 = res.se_ai2006**2

    def se(ZZ: np.ndarray) -> tuple[float, float, float]:
        tm = ai2016_att_terms(p, xb, X, ZZ, y, t, "logit", res.estimate, 1, STATA_TIE_TOL)
        return np.sqrt(v06 + tm.adjustment), tm.c_v_c, tm.d_v_d

    s, cvc, dvd = se(Z)
    assert s == pytest.approx(ref, abs=HALF_ULP_SE)
    for other in (np.sqrt(v06 - cvc), np.sqrt(v06 + dvd), se(Z / Z.std(axis=0))[0]):
        assert abs(other - ref) > 100 * HALF_ULP_SE


def test_atc_is_the_att_with_the_groups_swapped() -> None:
    """ATC = −ATT of (1 − T) with the same score model (logit is symmetric): same SE."""
    atc = _cattaneo("atc")
    flipped = CATTANEO.assign(mbsmoke=1 - CATTANEO["mbsmoke"])
    att = psm(
        flipped,
        treat="mbsmoke",
        outcome="bweight",
        covariates=COVS,
        estimand="att",
        tie_tolerance=STATA_TIE_TOL,
    )
    assert atc.se_ai2016 is not None and att.se_ai2016 is not None
    assert atc.estimate == pytest.approx(-att.estimate, rel=1e-12)
    assert atc.se_ai2016 == pytest.approx(att.se_ai2016, rel=1e-9)
    assert atc.se_ai2016 != pytest.approx(atc.se_ai2006, rel=1e-6)


@pytest.mark.parametrize(
    ("kw", "needle"),
    [
        ({"caliper": 0.05}, "caliper"),
        ({"common_support": True}, "common_support"),
        ({"estimand": "att", "replace": False}, "replace=False"),
    ],
)
def test_undefined_cases_give_reasons(kw: dict[str, object], needle: str) -> None:
    base: dict[str, object] = {"estimand": "ate"}
    base.update(kw)
    res = psm(CATTANEO, treat="mbsmoke", outcome="bweight", covariates=COVS, **base)  # type: ignore[arg-type]
    assert res.se_ai2016 is None and needle in res.se_ai2016_reason
    assert res.to_dict()["se_ai2016"] is None


# ------------------------------------------------------------------ brute force
def _brute_covariance(
    p: np.ndarray, X: np.ndarray, y: np.ndarray, members: np.ndarray
) -> np.ndarray:
    idx = np.flatnonzero(members)
    out = np.empty(X.shape)
    for i in range(p.size):
        d = np.abs(p[idx] - p[i])
        second = np.sort(d)[1]
        h = idx[d <= second]
        xc = X[h] - X[h].mean(axis=0)
        out[i] = xc.T @ (y[h] - y[h].mean()) / (h.size - 1)
    return out


@pytest.mark.parametrize("link", ["logit", "probit"])
def test_correction_equals_loop_over_units(link: str) -> None:
    rng = np.random.default_rng(7)
    n = 60
    X = np.column_stack([np.ones(n), rng.normal(size=n), rng.integers(0, 3, n)])
    t = (rng.uniform(size=n) < 0.4).astype(float)
    y = X[:, 1] ** 2 + t * X[:, 2] + rng.normal(size=n)
    xb = X @ np.array([-0.3, 0.7, 0.4])
    p = expit(xb) if link == "logit" else __import__("scipy").special.ndtr(xb)
    for g in (t == 1, t == 0):
        np.testing.assert_allclose(
            matched_covariance(p, X, y, g), _brute_covariance(p, X, y, g), rtol=1e-10, atol=1e-12
        )
    f = binary_pdf(xb, link)  # type: ignore[arg-type]
    c1, c0 = _brute_covariance(p, X, y, t == 1), _brute_covariance(p, X, y, t == 0)
    c = sum(f[i] * (c1[i] / p[i] + c0[i] / (1 - p[i])) for i in range(n)) / n
    info = sum(f[i] ** 2 / (p[i] * (1 - p[i])) * np.outer(X[i], X[i]) for i in range(n)) / n
    corr, c_fast, _ = ai2016_ate_correction(p, xb, X, y, t, link)  # type: ignore[arg-type]
    np.testing.assert_allclose(c_fast, c, rtol=1e-10)
    assert corr == pytest.approx(float(c @ np.linalg.solve(info, c)) / n, rel=1e-10)


def _brute_score_mean(p: np.ndarray, y: np.ndarray, members: np.ndarray) -> np.ndarray:
    out = np.empty(p.size)
    for i in range(p.size):
        idx = np.flatnonzero(members & (np.arange(p.size) != i))
        d = np.abs(p[idx] - p[i])
        out[i] = y[idx[d <= np.sort(d)[1]]].mean()
    return out


def _brute_cov_mean(zt: np.ndarray, zd: np.ndarray, yd: np.ndarray, m: int) -> np.ndarray:
    out = np.empty(len(zt))
    for i in range(len(zt)):
        d = np.sqrt(((zd - zt[i]) ** 2).sum(axis=1))
        out[i] = yd[d <= np.sort(d)[m - 1]].mean()
    return out


@pytest.mark.parametrize(("link", "m"), [("logit", 1), ("probit", 3)])
def test_att_terms_equal_loop_over_units(link: str, m: int) -> None:
    """c_t, d_t and the adjustment against a unit-by-unit loop; covariates with many exact
    ties (integers) so the tie sets in covariate space are large."""
    rng = np.random.default_rng(11)
    n = 80
    Z = np.column_stack([rng.integers(0, 3, n), rng.integers(0, 2, n), rng.normal(size=n)])
    Z[:20, 2] = 0.0  # exact duplicates of covariate rows
    X = np.column_stack([np.ones(n), Z])
    t = (rng.uniform(size=n) < 0.4).astype(float)
    y = Z[:, 0] + Z[:, 2] ** 2 + t * (1 + Z[:, 1]) + rng.normal(size=n)
    xb = X @ np.array([-0.4, 0.3, 0.5, 0.6])
    p = expit(xb) if link == "logit" else __import__("scipy").special.ndtr(xb)
    t1 = t == 1
    y1, y0 = _brute_score_mean(p, y, t1), _brute_score_mean(p, y, ~t1)
    np.testing.assert_allclose(score_nn_mean(p, y, t1), y1, rtol=1e-12)
    np.testing.assert_allclose(score_nn_mean(p, y, ~t1), y0, rtol=1e-12)
    ybz = np.empty(n)
    ybz[t1] = _brute_cov_mean(Z[t1], Z[~t1], y[~t1], m)
    ybz[~t1] = _brute_cov_mean(Z[~t1], Z[t1], y[t1], m)
    np.testing.assert_allclose(covariate_nn_mean(Z[t1], Z[~t1], y[~t1], m), ybz[t1], rtol=1e-12)
    np.testing.assert_allclose(covariate_nn_mean(Z[~t1], Z[t1], y[t1], m), ybz[~t1], rtol=1e-12)
    att = 0.7
    f = binary_pdf(xb, link)  # type: ignore[arg-type]
    cv1, cv0 = _brute_covariance(p, X, y, t1), _brute_covariance(p, X, y, ~t1)
    n1 = t1.sum()
    c = (
        sum(
            X[i] * f[i] * (y1[i] - y0[i] - att) + f[i] * (cv1[i] + p[i] / (1 - p[i]) * cv0[i])
            for i in range(n)
        )
        / n1
    )
    d = sum(X[i] * f[i] * ((1 if t1[i] else -1) * (y[i] - ybz[i]) - att) for i in range(n)) / n1
    info = sum(f[i] ** 2 / (p[i] * (1 - p[i])) * np.outer(X[i], X[i]) for i in range(n))
    tm = ai2016_att_terms(p, xb, X, Z, y, t, link, att, m)  # type: ignore[arg-type]
    np.testing.assert_allclose(tm.c, c, rtol=1e-10)
    np.testing.assert_allclose(tm.d, d, rtol=1e-10)
    want = float(d @ np.linalg.solve(info, d) - c @ np.linalg.solve(info, c))
    assert tm.adjustment == pytest.approx(want, rel=1e-10)


def test_att_adjustment_vanishes_when_the_score_identifies_discrete_cells() -> None:
    """Discrete covariates, every cell with ≥ 3 treated and ≥ 3 controls: matching on any score
    that separates the cells is exact matching on X, so the ATT does not depend on θ̂ and the two
    parts of the adjustment cancel (c_t = dτ/dθ); a continuous covariate breaks this."""
    rng = np.random.default_rng(5)
    cells = np.array([[a, b] for a in range(3) for b in range(2)], dtype=float)
    Z = np.repeat(cells, 20, axis=0)
    n = len(Z)
    t = np.tile(np.r_[np.ones(8), np.zeros(12)], len(cells))
    y = Z[:, 0] * 2 + t * (1 + Z[:, 1]) + rng.normal(size=n)
    X = np.column_stack([np.ones(n), Z])
    xb = X @ np.array([-0.5, 0.3, 0.7])
    p = expit(xb)
    tm = ai2016_att_terms(p, xb, X, Z, y, t, "logit", 1.3, 1)
    assert tm.d_v_d > 1e-3
    assert tm.adjustment == pytest.approx(0.0, abs=1e-12 * tm.d_v_d)
    Zc = np.column_stack([Z, rng.normal(size=n)])
    Xc = np.column_stack([X, Zc[:, 2]])
    xbc = Xc @ np.array([-0.5, 0.3, 0.7, 0.2])
    tmc = ai2016_att_terms(expit(xbc), xbc, Xc, Zc, y, t, "logit", 1.3, 1)
    assert abs(tmc.adjustment) > 1e-3 * tmc.d_v_d


def test_correction_invariances() -> None:
    """Zero for a constant outcome; shift-invariant, scales with y²; invariant to rescaling X."""
    rng = np.random.default_rng(3)
    n = 400
    X = np.column_stack([np.ones(n), rng.normal(size=(n, 2))])
    xb = X @ np.array([0.1, 0.8, -0.8])
    p = expit(xb)
    t = (rng.uniform(size=n) < p).astype(float)
    y = X[:, 1] + X[:, 2] + t + rng.normal(size=n)
    corr, _, _ = ai2016_ate_correction(p, xb, X, y, t, "logit")
    assert corr > 0
    assert ai2016_ate_correction(p, xb, X, np.full(n, 3.0), t, "logit")[0] == pytest.approx(
        0, abs=1e-20
    )
    assert ai2016_ate_correction(p, xb, X, 5 + 2 * y, t, "logit")[0] == pytest.approx(
        4 * corr, rel=1e-9
    )
    Xs = X * np.array([1.0, 10.0, 0.1])  # same score, reparametrised θ
    assert ai2016_ate_correction(p, xb, Xs, y, t, "logit")[0] == pytest.approx(corr, rel=1e-9)


# ------------------------------------------------------------------ simulation
@pytest.mark.slow
def test_coverage_with_known_ate() -> None:
    """200 × n = 1,000; ATE = E[1 + x1 + x2] = 1.  The outcome depends on x1 + x2, orthogonal to
    the score's index x1 − x2, so the estimated-score adjustment matters: AI (2016) covers about
    95 %, the known-score AI (2006) SE is too wide (Abadie and Imbens 2016, Theorem 1)."""
    rng = np.random.default_rng(20160)
    n, reps = 1000, 200
    est, s06, s16 = np.empty(reps), np.empty(reps), np.empty(reps)
    for r in range(reps):
        x1, x2 = rng.normal(size=(2, n))
        t = (rng.uniform(size=n) < expit(0.8 * x1 - 0.8 * x2)).astype(int)
        y = x1 + x2 + rng.normal(size=n) + t * (1 + x1 + x2)
        df = pd.DataFrame({"t": t, "y": y, "x1": x1, "x2": x2})
        res = psm(df, treat="t", outcome="y", covariates=["x1", "x2"], estimand="ate")
        assert res.se_ai2016 is not None
        est[r], s06[r], s16[r] = res.estimate, res.se_ai2006, res.se_ai2016
    cover16 = np.mean(np.abs(est - 1.0) <= 1.96 * s16)
    cover06 = np.mean(np.abs(est - 1.0) <= 1.96 * s06)
    assert 0.92 <= cover16 <= 0.98
    assert cover06 > 0.98
    sd = est.std(ddof=1)
    assert abs(s16.mean() - sd) < abs(s06.mean() - sd)
    assert np.all(s16 < s06)


def test_psm_table_shows_ai2016() -> None:
    from flexemp.present.robustness_tables import psm_table

    res = _cattaneo("ate")
    tab = psm_table(res, se="ai2016", lang="en")
    assert any("2016" in n for n in tab.notes)
    with pytest.raises(UnsupportedOptionError, match="not available"):
        psm_table(
            psm(CATTANEO, treat="mbsmoke", outcome="bweight", covariates=COVS, caliper=0.05),
            se="ai2016",
        )


@pytest.mark.slow
def test_coverage_with_known_att() -> None:
    """200 × n = 1,000; the effect 1 + x1 rises with the score's index v = 0.8(x1 − x2), so the
    ATT's own dependence on θ (Theorem 2's dτ/dθ term) is active.  ATT = 1 + E[x1 p(v)]/E[p]
    with E[x1 | v] = v/1.6 and E[p] = 1/2 (by symmetry), by quadrature.  AI (2016) covers about
    95 %; the known-score AI (2006) SE is too wide here."""
    from scipy import integrate, stats

    sv = np.sqrt(1.28)
    num = integrate.quad(
        lambda v: v / 1.6 * expit(v) * stats.norm.pdf(v, scale=sv), -np.inf, np.inf
    )[0]
    truth = 1.0 + num / 0.5
    rng = np.random.default_rng(20162)
    n, reps = 1000, 200
    est, s06, s16 = np.empty(reps), np.empty(reps), np.empty(reps)
    for r in range(reps):
        x1, x2 = rng.normal(size=(2, n))
        t = (rng.uniform(size=n) < expit(0.8 * x1 - 0.8 * x2)).astype(int)
        y = x1 + x2 + rng.normal(size=n) + t * (1 + x1)
        df = pd.DataFrame({"t": t, "y": y, "x1": x1, "x2": x2})
        res = psm(df, treat="t", outcome="y", covariates=["x1", "x2"], estimand="att")
        assert res.se_ai2016 is not None
        est[r], s06[r], s16[r] = res.estimate, res.se_ai2006, res.se_ai2016
    assert abs(est.mean() - truth) < 4 * est.std(ddof=1) / np.sqrt(reps)
    cover16 = np.mean(np.abs(est - truth) <= 1.96 * s16)
    cover06 = np.mean(np.abs(est - truth) <= 1.96 * s06)
    assert 0.92 <= cover16 <= 0.98
    assert cover06 > 0.97
    sd = est.std(ddof=1)
    assert abs(s16.mean() - sd) < abs(s06.mean() - sd)
