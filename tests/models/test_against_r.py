"""Estimates, standard errors and log-likelihoods against R (scripts and outputs in tests/reference/).

One parametrized matrix per estimator family: spec × vcov × weights (× cluster).
"""

from __future__ import annotations

import numpy as np
import pytest

import flexemp
from tests.reference.load import reference_data, reference_scalar, reference_values

# Point estimates and SEs of ML models: R's side is Newton-refined to ~1e-13 and flexemp converges to
# g'(-H)^{-1}g < 1e-10, so 1e-6 relative is the issue's bar with margin.
RTOL_ML = 1e-6
# OLS is closed form on both sides.
RTOL_CLOSED_FORM = 1e-10
# Log-likelihoods at the optimum agree far more tightly than the parameters (first-order flat).
RTOL_LOGLIK = 1e-8

MROZ = reference_data("mroz")
X_1701 = "nwifeinc + educ + exper + expersq + age + kidslt6 + kidsge6"
VCOV_WEIGHTS = [(v, "none") for v in ("classical", "robust", "cluster")] + [
    (v, "freq") for v in ("classical", "robust", "cluster")] + [(v, "prob") for v in ("robust", "cluster")]


def _fit(model, formula, vcov, weights):
    kw = {"vcov": vcov}
    if vcov == "cluster":
        kw["cluster"] = "age"
    if weights == "freq":
        kw.update(weights="fw", weight_kind="freq")
    elif weights == "prob":
        kw.update(weights="pw", weight_kind="prob")
    return getattr(flexemp, model)(formula, MROZ, **kw)


def _compare(res, topic, case, vcov, weights, rtol):
    est = reference_values(topic, case, "estimate", vcov=vcov, weights=weights)
    se = reference_values(topic, case, "std_error", vcov=vcov, weights=weights)
    got = res.coefficients.set_index("term")
    assert list(got.index) == list(est.index)
    np.testing.assert_allclose(got["estimate"], est, rtol=rtol, atol=0)
    np.testing.assert_allclose(got["std_error"], se, rtol=rtol, atol=0)


@pytest.mark.parametrize(("vcov", "weights"), VCOV_WEIGHTS)
def test_ols_matrix(vcov, weights):
    res = _fit("ols", f"hours ~ {X_1701}", vcov, weights)
    _compare(res, "ols", "mroz_ols", vcov, weights, RTOL_CLOSED_FORM)


def test_ols_r2():
    res = flexemp.ols(f"hours ~ {X_1701}", MROZ)
    assert res.statistics["r2"] == pytest.approx(reference_scalar("ols", "mroz_ols", "r2"), rel=RTOL_CLOSED_FORM)


@pytest.mark.parametrize("link", ["logit", "probit"])
@pytest.mark.parametrize(("vcov", "weights"), VCOV_WEIGHTS)
def test_binary_matrix(link, vcov, weights):
    res = _fit(link, f"inlf ~ {X_1701}", vcov, weights)
    _compare(res, "binary", f"mroz_{link}", vcov, weights, RTOL_ML)
    ll_vcov = "robust" if weights == "prob" else "classical"
    if vcov == ll_vcov:
        ll = reference_scalar("binary", f"mroz_{link}", "loglik", vcov=ll_vcov, weights=weights)
        assert res.loglik == pytest.approx(ll, rel=RTOL_LOGLIK)


@pytest.mark.parametrize("link", ["logit", "probit"])
@pytest.mark.parametrize("vcov", ["classical", "cluster"])
def test_binary_margins(link, vcov):
    formula = "inlf ~ nwifeinc + educ + exper + age + kidslt6 + city"
    res = _fit(link, formula, vcov, "none")
    me = flexemp.margins(res, MROZ).table.set_index("term")
    ame = reference_values("binary", f"mroz_{link}_margins", "ame", vcov=vcov)
    se = reference_values("binary", f"mroz_{link}_margins", "ame_se", vcov=vcov)
    np.testing.assert_allclose(me.loc[ame.index, "estimate"], ame, rtol=RTOL_ML)
    np.testing.assert_allclose(me.loc[se.index, "std_error"], se, rtol=RTOL_ML)
    assert me.loc["city", "kind"] == "discrete"


X_ORDERED = "nwifeinc + educ + exper + age + kidslt6 + city"


@pytest.mark.parametrize("model", ["oprobit", "ologit"])
@pytest.mark.parametrize(("vcov", "weights"), VCOV_WEIGHTS)
def test_ordered_matrix(model, vcov, weights):
    res = _fit(model, f"hours_cat ~ {X_ORDERED}", vcov, weights)
    _compare(res, "ordered", f"mroz_{model}", vcov, weights, RTOL_ML)
    if vcov == "classical":
        ll = reference_scalar("ordered", f"mroz_{model}", "loglik", weights=weights)
        assert res.loglik == pytest.approx(ll, rel=RTOL_LOGLIK)


@pytest.mark.parametrize("model", ["oprobit", "ologit"])
@pytest.mark.parametrize("vcov", ["classical", "cluster"])
def test_ordered_margins_per_outcome(model, vcov):
    res = _fit(model, f"hours_cat ~ {X_ORDERED}", vcov, "none")
    me = flexemp.margins(res, MROZ).table
    me.index = me["outcome"] + ":" + me["term"]
    ame = reference_values("ordered", f"mroz_{model}", "ame", vcov=vcov)
    se = reference_values("ordered", f"mroz_{model}", "ame_se", vcov=vcov)
    assert sorted(me.index) == sorted(ame.index)
    np.testing.assert_allclose(me.loc[ame.index, "estimate"], ame, rtol=RTOL_ML, atol=1e-12)
    np.testing.assert_allclose(me.loc[se.index, "std_error"], se, rtol=RTOL_ML)


@pytest.mark.parametrize(("vcov", "weights"), VCOV_WEIGHTS)
def test_mlogit_matrix(vcov, weights):
    kw = {"vcov": vcov}
    if vcov == "cluster":
        kw["cluster"] = "age"
    if weights != "none":
        kw.update(weights="fw" if weights == "freq" else "pw", weight_kind=weights)
    res = flexemp.mlogit(f"work3 ~ {X_ORDERED}", MROZ, base=0, **kw)
    _compare(res, "mlogit", "mroz_mlogit", vcov, weights, RTOL_ML)
    if vcov == "classical":
        ll = reference_scalar("mlogit", "mroz_mlogit", "loglik", weights=weights)
        assert res.loglik == pytest.approx(ll, rel=RTOL_LOGLIK)


def test_mlogit_other_base():
    res = flexemp.mlogit(f"work3 ~ {X_ORDERED}", MROZ, base=2)
    _compare(res, "mlogit", "mroz_mlogit_base2", "classical", "none", RTOL_ML)


@pytest.mark.parametrize("vcov", ["classical", "cluster"])
def test_mlogit_margins_per_outcome(vcov):
    kw = {"cluster": "age"} if vcov == "cluster" else {}
    res = flexemp.mlogit(f"work3 ~ {X_ORDERED}", MROZ, base=0, vcov=vcov, **kw)
    me = flexemp.margins(res, MROZ).table
    me.index = me["outcome"] + ":" + me["term"]
    ame = reference_values("mlogit", "mroz_mlogit", "ame", vcov=vcov)
    se = reference_values("mlogit", "mroz_mlogit", "ame_se", vcov=vcov)
    assert sorted(me.index) == sorted(ame.index)
    np.testing.assert_allclose(me.loc[ame.index, "estimate"], ame, rtol=RTOL_ML, atol=1e-12)
    np.testing.assert_allclose(me.loc[se.index, "std_error"], se, rtol=RTOL_ML)


@pytest.mark.parametrize(("case", "formula"), [
    ("mroz_vif", f"hours ~ {X_1701}"),
    ("mroz_vif_uncentered", "hours ~ nwifeinc + educ + exper + age + kidslt6 - 1"),
])
def test_vif(case, formula):
    res = flexemp.vif(formula, MROZ)
    ref = reference_values("vif", case, "vif")
    np.testing.assert_allclose(res.vif.loc[ref.index], ref, rtol=RTOL_CLOSED_FORM)
    assert res.max == pytest.approx(reference_scalar("vif", case, "vif_max"), rel=RTOL_CLOSED_FORM)
    assert res.mean == pytest.approx(reference_scalar("vif", case, "vif_mean"), rel=RTOL_CLOSED_FORM)
    assert res.centered == (case == "mroz_vif")


WAGE1 = reference_data("wage1")
HOUSING = reference_data("housing")
FISHING = reference_data("fishing")
X_WAGE1 = "educ + exper + expersq + tenure + female + married + nonwhite"
X_HOUSING = "infl_medium + infl_high + type_apartment + type_atrium + type_terrace + cont_high"


@pytest.mark.parametrize(("vcov", "weights"), VCOV_WEIGHTS)
def test_wage1_ols_matrix(vcov, weights):
    kw = {"vcov": vcov, **({"cluster": "cell"} if vcov == "cluster" else {})}
    if weights != "none":
        kw.update(weights="fw" if weights == "freq" else "pw", weight_kind=weights)
    res = flexemp.ols(f"lwage ~ {X_WAGE1}", WAGE1, **kw)
    _compare(res, "ols", "wage1_ols", vcov, weights, RTOL_CLOSED_FORM)


@pytest.mark.parametrize("model", ["oprobit", "ologit", "mlogit"])
@pytest.mark.parametrize("vcov", ["classical", "robust"])
def test_housing_with_real_frequency_weights(model, vcov):
    # MASS's housing data: 72 cells with counts, the textbook example for frequency weights
    kw = {"base": 0} if model == "mlogit" else {}
    res = getattr(flexemp, model)(f"sat ~ {X_HOUSING}", HOUSING, weights="freq", vcov=vcov, **kw)
    _compare(res, "ordered" if model != "mlogit" else "mlogit", f"housing_{model}", vcov, "freq", RTOL_ML)
    topic = "ordered" if model != "mlogit" else "mlogit"
    assert res.statistics["sum_weights"] == reference_scalar(topic, f"housing_{model}", "nobs", weights="freq")
    if vcov == "classical":
        assert res.loglik == pytest.approx(reference_scalar(topic, f"housing_{model}", "loglik", weights="freq"),
                                           rel=RTOL_LOGLIK)


@pytest.mark.parametrize("vcov", ["classical", "robust"])
def test_fishing_mlogit_and_margins(vcov):
    # Cameron & Trivedi's fishing-mode choice: mlogit mode income_k, baseoutcome(1)
    res = flexemp.mlogit("mode ~ income_k", FISHING, base=1, vcov=vcov)
    _compare(res, "mlogit", "fishing_mlogit", vcov, "none", RTOL_ML)
    me = flexemp.margins(res, FISHING).table
    me.index = me["outcome"] + ":" + me["term"]
    ame = reference_values("mlogit", "fishing_mlogit", "ame", vcov=vcov)
    se = reference_values("mlogit", "fishing_mlogit", "ame_se", vcov=vcov)
    np.testing.assert_allclose(me.loc[ame.index, "estimate"], ame, rtol=RTOL_ML)
    np.testing.assert_allclose(me.loc[se.index, "std_error"], se, rtol=RTOL_ML)


@pytest.mark.parametrize(("case", "data", "formula"), [
    ("wage1_vif", "wage1", f"lwage ~ {X_WAGE1}"),
])
def test_vif_other_data(case, data, formula):
    res = flexemp.vif(formula, reference_data(data))
    ref = reference_values("vif", case, "vif")
    np.testing.assert_allclose(res.vif.loc[ref.index], ref, rtol=RTOL_CLOSED_FORM)
