"""The design matrix: the fast path for plain sums equals formulaic's; formulas with transforms still work."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import flexemp
from flexemp.models import design_matrix as dm


@pytest.fixture
def df():
    rng = np.random.default_rng(3)
    n = 600
    out = pd.DataFrame({"x": rng.normal(size=n), "d": rng.integers(0, 2, n), "r": rng.integers(1, 4, n)})
    out["y"] = (rng.logistic(size=n) < out["x"] + 0.5 * out["d"]).astype(float)
    out["o"] = np.digitize(out["x"] + rng.normal(size=n), [-0.5, 0.5]).astype(float)
    return out


@pytest.mark.parametrize(("formula", "outcome", "intercept"), [
    ("y ~ x + d", "binary", True), ("o ~ x + d", "categorical", False), ("y ~ x + d - 1", "binary", True)])
def test_fast_path_equals_formulaic(df, monkeypatch, formula, outcome, intercept):
    fast = dm.build_design(formula, df, outcome=outcome, intercept=intercept)
    assert isinstance(fast.rhs_spec, dm.SimpleSpec)
    monkeypatch.setattr(dm, "_simple_formula", lambda f, d: None)
    slow = dm.build_design(formula, df, outcome=outcome, intercept=intercept)
    assert fast.terms == slow.terms
    np.testing.assert_array_equal(fast.X, slow.X)
    np.testing.assert_array_equal(fast.y, slow.y)


def test_transforms_interactions_and_categoricals(df):
    res = flexemp.logit("y ~ x + I(x**2) + C(r) + x:d", df)
    assert list(res.params.index) == ["Intercept", "x", "I(x ** 2)", "C(r)[T.2]", "C(r)[T.3]", "x:d"]
    me = flexemp.margins(res, df, variables=["x"])
    # margins differentiates through the square and the interaction: compare with a numerical derivative
    p = res.params
    h = 1e-5
    def prob(x):
        xb = p["Intercept"] + p["x"] * x + p["I(x ** 2)"] * x**2 + p["x:d"] * x * df["d"] + \
            np.where(df["r"] == 2, p["C(r)[T.2]"], 0) + np.where(df["r"] == 3, p["C(r)[T.3]"], 0)
        return 1 / (1 + np.exp(-xb))
    expected = float(np.mean((prob(df["x"] + h) - prob(df["x"] - h)) / (2 * h)))
    assert me.table["estimate"].iloc[0] == pytest.approx(expected, rel=1e-6)
