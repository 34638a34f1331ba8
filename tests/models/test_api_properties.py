"""Estimator API: weights, covariance switching, serialisation, dropped rows — properties with exact answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import flexemp
from flexemp.models.results import EstimationResult

# Replication and switching are algebraic identities; only floating-point round-off separates the two sides.
RTOL_IDENTITY = 1e-8

MODELS = ["ols", "logit", "probit", "oprobit", "ologit", "mlogit"]


def _data(n=1500, seed=11):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"x": rng.normal(size=n), "d": rng.integers(0, 2, n).astype(float), "g": rng.integers(0, 25, n)})
    df["z"] = 0.3 * df["x"] + rng.normal(size=n)
    eta = 0.6 * df["x"] - 0.5 * df["d"] + 0.2 * df["z"]
    df["yb"] = (rng.logistic(size=n) < eta).astype(float)
    df["yo"] = np.digitize(eta + rng.normal(size=n), [-1.0, 0.0, 1.0]).astype(float) + 1
    df["yc"] = 1 + eta + rng.normal(size=n)
    df["fw"] = rng.integers(1, 4, n).astype(float)
    df["pw"] = rng.uniform(0.5, 3.0, n)
    return df


OUTCOME = {"ols": "yc", "logit": "yb", "probit": "yb", "oprobit": "yo", "ologit": "yo", "mlogit": "yo"}


def _fit(model, df, **kw):
    return getattr(flexemp, model)(f"{OUTCOME[model]} ~ x + d + z", df, **kw)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("vcov", ["classical", "robust", "cluster"])
def test_frequency_weights_equal_replicated_rows(model, vcov):
    df = _data()
    rep = df.loc[df.index.repeat(df["fw"].astype(int))].reset_index(drop=True)
    cl = {"cluster": "g"} if vcov == "cluster" else {}
    a = _fit(model, df, weights="fw", vcov=vcov, **cl)
    b = _fit(model, rep, vcov=vcov, **cl)
    np.testing.assert_allclose(a.coefficients["estimate"], b.coefficients["estimate"], rtol=RTOL_IDENTITY, atol=1e-10)
    np.testing.assert_allclose(a.coefficients["std_error"], b.coefficients["std_error"], rtol=RTOL_IDENTITY)
    if a.loglik is not None:
        assert a.loglik == pytest.approx(b.loglik, rel=RTOL_IDENTITY)


@pytest.mark.parametrize("model", MODELS)
def test_with_vcov_equals_refit(model):
    df = _data()
    base = _fit(model, df)
    for vcov, kw in [("robust", {}), ("cluster", {"cluster": "g"})]:
        switched = base.with_vcov(vcov, data=df, **kw)
        direct = _fit(model, df, vcov=vcov, **kw)
        pd.testing.assert_frame_equal(switched.coefficients, direct.coefficients, rtol=RTOL_IDENTITY)
        assert switched.n_clusters == direct.n_clusters
    assert base.cov_type == "classical"  # the original is untouched


@pytest.mark.parametrize("model", MODELS)
def test_json_round_trip(model):
    res = _fit(model, _data(), vcov="robust")
    back = EstimationResult.from_dict(res.to_dict())
    pd.testing.assert_frame_equal(back.coefficients, res.coefficients)
    assert back.statistics == pytest.approx({k: v for k, v in res.statistics.items()}) or back.statistics == res.statistics
    assert back.to_json() == res.to_json()
    with pytest.raises(flexemp.core.errors.EstimationError, match="read back from JSON"):
        back.predict()


def test_ordered_terms_follow_stata():
    res = _fit("oprobit", _data())
    assert list(res.params.index) == ["x", "d", "z", "cut1", "cut2", "cut3"]
    assert res.outcome_levels == (1.0, 2.0, 3.0, 4.0)
    probs = res.predict()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-12)


def test_mlogit_base_choice_changes_reference():
    df = _data()
    a = _fit("mlogit", df, base=1)
    b = _fit("mlogit", df, base=3)
    assert a.params.index[0].startswith("2:") and b.params.index[0].startswith("1:")
    # log-odds of 3 vs 1 are the negative of 1 vs 3
    assert a.params["3:x"] == pytest.approx(-b.params["1:x"], rel=1e-7)
    assert a.loglik == pytest.approx(b.loglik, rel=1e-12)


def test_dropped_rows_are_counted_by_reason():
    df = _data()
    df.loc[[0, 1, 2], "x"] = np.nan
    df.loc[[2, 3], "z"] = np.nan
    with pytest.warns(flexemp.core.errors.DroppedRowsWarning, match="4 of 1500 rows dropped"):
        res = _fit("logit", df)
    assert res.sample.dropped == {"missing x": 3, "missing z": 1}
    assert res.nobs == 1496


def test_probability_weights_point_estimates_equal_frequency_weighting():
    df = _data()
    a = _fit("logit", df, weights="pw", weight_kind="prob", vcov="robust")
    # the pseudo-likelihood is the weighted likelihood: scaling weights does not move the estimates
    df2 = df.assign(pw=df["pw"] * 7.3)
    b = _fit("logit", df2, weights="pw", weight_kind="prob", vcov="robust")
    np.testing.assert_allclose(a.params, b.params, rtol=1e-9)
    np.testing.assert_allclose(a.std_errors, b.std_errors, rtol=1e-9)


def test_pseudo_r2_is_mcfadden():
    res = _fit("logit", _data())
    assert res.statistics["pseudo_r2"] == pytest.approx(1 - res.loglik / res.statistics["loglik_null"], rel=1e-12)
    p = _data()["yb"].mean()
    n = 1500
    assert res.statistics["loglik_null"] == pytest.approx(n * (p * np.log(p) + (1 - p) * np.log(1 - p)), rel=1e-12)
