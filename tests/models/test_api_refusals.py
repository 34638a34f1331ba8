"""Every refusal path of the estimators: the exception class and a key phrase of the message."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import flexemp
from flexemp.core.errors import (
    EstimationError,
    SeparationError,
    SingularDesignError,
    UnknownVariableError,
    UnsupportedOptionError,
)


@pytest.fixture
def df():
    rng = np.random.default_rng(5)
    n = 400
    out = pd.DataFrame({"x": rng.normal(size=n), "d": rng.integers(0, 2, n).astype(float), "g": rng.integers(0, 10, n)})
    out["y"] = (rng.logistic(size=n) < out["x"]).astype(float)
    out["o"] = np.digitize(out["x"] + rng.normal(size=n), [-1.0, 0.0, 1.0]).astype(float)
    out["w"] = rng.uniform(0.5, 2, n)
    return out


@pytest.mark.parametrize(
    ("call", "exc", "phrase"),
    [
        (lambda d: flexemp.logit("y ~ x", d, vcov="sandwich"), UnsupportedOptionError, "use one of"),
        (lambda d: flexemp.logit("y ~ x", d, vcov="robus"), UnsupportedOptionError, "Did you mean 'robust'"),
        (lambda d: flexemp.logit("y ~ x", d, weights="w", weight_kind="prob"), UnsupportedOptionError, "sandwich"),
        (lambda d: flexemp.logit("y ~ x", d, weights="w", weight_kind="pweight"), UnsupportedOptionError, "weight_kind"),
        (lambda d: flexemp.logit("y ~ x", d, vcov="cluster"), UnsupportedOptionError, "needs cluster="),
        (lambda d: flexemp.logit("y ~ x", d, cluster="g"), UnsupportedOptionError, "pass vcov='cluster'"),
        (lambda d: flexemp.logit("y ~ x", d.assign(g=1), vcov="cluster", cluster="g"), EstimationError, "at least 2"),
        (lambda d: flexemp.logit("y ~ x", d.assign(g=np.where(d.index < 3, np.nan, 1.0)), vcov="cluster", cluster="g"),
         EstimationError, "is missing in 3 row"),
        (lambda d: flexemp.logit("y ~ xx", d), UnknownVariableError, "Did you mean 'x'"),
        (lambda d: flexemp.logit("o ~ x", d), EstimationError, "coded 0/1"),
        (lambda d: flexemp.logit("y ~ x", d, weights="w"), EstimationError, "whole numbers"),
        (lambda d: flexemp.logit("y ~ x", d.assign(w=-1.0), weights="w", weight_kind="prob", vcov="robust"),
         EstimationError, "negative"),
        (lambda d: flexemp.oprobit("y ~ x", d), EstimationError, "at least 3"),
        (lambda d: flexemp.mlogit("o ~ x", d, base=9), EstimationError, "is not a level"),
        (lambda d: flexemp.ols("y ~ x", d, base=1), TypeError, "unexpected keyword argument .base."),
        (lambda d: flexemp.ols("y x", d), EstimationError, "no '~'"),
        (lambda d: flexemp.ols("y ~ x", d.to_numpy()), EstimationError, "DataFrame"),
    ],
)
def test_refusals(df, call, exc, phrase):
    with pytest.raises(exc, match=phrase):
        call(df)


def test_collinear_regressor_is_named(df):
    df = df.assign(x2=2 * df["x"])
    with pytest.raises(SingularDesignError, match="x2"):
        flexemp.ols("y ~ x + x2", df)
    with pytest.raises(SingularDesignError, match="x2"):
        flexemp.logit("y ~ x + x2", df)


def test_separation_is_named(df):
    df = df.assign(sep=df["y"])
    with pytest.raises(SeparationError, match="sep"):
        flexemp.logit("y ~ x + sep", df)


def test_margins_refuses_ols_and_unknown_variables(df):
    with pytest.raises(EstimationError, match="coefficients are the marginal effects"):
        flexemp.margins(flexemp.ols("y ~ x", df), df)
    with pytest.raises(EstimationError, match="not a regressor"):
        flexemp.margins(flexemp.logit("y ~ x", df), df, variables=["d"])
