"""The design matrix: the fast path for plain sums equals formulaic's; formulas with transforms still work."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import flexemp
from flexemp.core.errors import DroppedRowsWarning
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


def _mixed_numeric_frame() -> pd.DataFrame:
    rng = np.random.default_rng(9)
    n = 400
    out = pd.DataFrame({
        "a": rng.normal(size=n), "i": rng.integers(-5, 5, n), "g": rng.integers(0, 30, n),
        "nb": pd.array(rng.integers(0, 9, n), dtype="Int64"), "f32": rng.normal(size=n).astype(np.float32),
        "w": rng.integers(1, 4, n).astype(float),
    })
    out["y"] = (rng.random(n) < 0.4).astype(float)
    out.loc[[3, 50], "a"] = np.nan
    out.loc[7, "nb"] = pd.NA
    out.loc[9, "y"] = np.nan
    return out


@pytest.mark.parametrize("formula", ["y ~ a + i + nb", "y ~ nb + a + f32", "y ~ f32", "y ~ a + i + nb + f32 - 1"])
def test_whole_frame_conversion_equals_column_selection(monkeypatch, formula):
    """Small frames of numeric columns only are converted whole and the columns picked (a slice when they
    are consecutive, a gather otherwise); the arrays, dropped rows and clusters equal the per-column path."""
    df = _mixed_numeric_frame()
    with pytest.warns(DroppedRowsWarning):
        whole = dm.build_design(formula, df, outcome="binary", weights="w", cluster="g")
    monkeypatch.setattr(dm, "_WHOLE_FRAME_CELLS", 0)
    with pytest.warns(DroppedRowsWarning):
        cols = dm.build_design(formula, df, outcome="binary", weights="w", cluster="g")
    for name in ("X", "y", "w", "groups"):
        np.testing.assert_array_equal(getattr(whole, name), getattr(cols, name))
    assert whole.dropped == cols.dropped and whole.terms == cols.terms and whole.index.equals(cols.index)


def test_frames_with_text_columns_take_the_column_path():
    df = _mixed_numeric_frame().assign(province=lambda d: np.where(d["i"] > 0, "浙江", "广东"))
    assert dm._simple_formula("y ~ a + i", df)[5] is False
    with pytest.warns(DroppedRowsWarning):
        d = dm.build_design("y ~ i", df, outcome="binary")
    np.testing.assert_array_equal(d.X[:, 1], df.loc[d.index, "i"].to_numpy(dtype=float))


def test_design_arrays_are_read_only_and_own_their_memory():
    """Results keep the design and hash it on demand: no array can change afterwards, not even through
    the caller's frame (outcome and weights, which pandas may hand over as views, are copied)."""
    df = _mixed_numeric_frame().dropna()
    d = dm.build_design("y ~ a + i", df, outcome="binary", weights="w")
    for arr in (d.X, d.y, d.w):
        assert not arr.flags.writeable
        for col in ("y", "w", "a"):
            assert not np.shares_memory(arr, df[col].to_numpy())
    with pytest.raises(ValueError, match="read-only"):
        d.X[0, 0] = 1.0
