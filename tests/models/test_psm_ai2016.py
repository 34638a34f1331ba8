"""psm's Abadie-Imbens (2016) SE: Stata's printed teffects psmatch output, brute force, invariances, coverage."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from flexemp.core.errors import UnsupportedOptionError
from flexemp.models._numerics.ai2016 import ai2016_ate_correction, matched_covariance
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


def test_att_point_estimate_matches_stata_but_se_is_withheld() -> None:
    ref = STATA["cases"]["atet"]
    res = _cattaneo("att")
    assert res.estimate == pytest.approx(ref["estimate"], abs=HALF_ULP_EST)
    assert res.se_ai2016 is None
    assert "30.551" in res.se_ai2016_reason and "ate" in res.se_ai2016_reason
    with pytest.raises(UnsupportedOptionError, match="not available"):
        res.table_row(se="ai2016")


@pytest.mark.parametrize(
    ("kw", "needle"),
    [
        ({"caliper": 0.05}, "caliper"),
        ({"common_support": True}, "common_support"),
        ({"estimand": "atc"}, "ate"),
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
        psm_table(_cattaneo("att"), se="ai2016")
