"""loo_mean: closed-form small cases, a brute-force property check, NaN reporting and refusals."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from flexemp.core.errors import DroppedRowsWarning, EstimationError, UnknownVariableError
from flexemp.models.instruments import loo_mean

RTOL_SUMS = 1e-12  #: sums of a few hundred doubles, two orders of summation


def test_closed_form_small_example() -> None:
    df = pd.DataFrame(
        {"region": ["a", "a", "a", "b", "b"], "x": [1.0, 2.0, 6.0, 5.0, 7.0]},
        index=[10, 11, 12, 13, 14],
    )
    out = loo_mean(df, "x", "region")
    # a: (2+6)/2, (1+6)/2, (1+2)/2; b: 7, 5
    assert out.tolist() == [4.0, 3.5, 1.5, 7.0, 5.0]
    assert list(out.index) == [10, 11, 12, 13, 14]
    assert out.name == "loo_mean_x"


def test_exclude_same_employer() -> None:
    df = pd.DataFrame(
        {"region": [1, 1, 1, 1], "firm": ["f", "f", "g", "h"], "x": [1.0, 3.0, 10.0, 20.0]}
    )
    out = loo_mean(df, "x", "region", exclude="firm")
    # rows of firm f see g and h: 15; g sees f, f, h: (1+3+20)/3 = 8; h sees 1, 3, 10: 14/3
    np.testing.assert_allclose(out.to_numpy(), [15.0, 15.0, 8.0, 14 / 3], rtol=RTOL_SUMS)


def test_singletons_and_missing_give_nan_with_warning() -> None:
    df = pd.DataFrame({"g": [1, 1, 2, 3, 3, np.nan], "x": [1.0, np.nan, 4.0, 2.0, 8.0, 5.0]})
    before = df.copy()
    with pytest.warns(
        DroppedRowsWarning, match=r"2 row\(s\) have no other .* 1 row\(s\) have a missing g"
    ):
        out = loo_mean(df, "x", "g")
    pd.testing.assert_frame_equal(df, before)
    # row 0: the only other member of group 1 has no x -> NaN; row 1 (x missing) sees row 0: 1.0
    # row 2: singleton -> NaN; rows 3, 4: each other; row 5: missing group -> NaN
    np.testing.assert_array_equal(out.to_numpy(), [np.nan, 1.0, np.nan, 8.0, 2.0, np.nan])


def test_matches_brute_force_and_is_row_order_invariant() -> None:
    rng = np.random.default_rng(11)
    n = 400
    df = pd.DataFrame(
        {"prov": rng.integers(0, 12, n), "firm": rng.integers(0, 5, n), "x": rng.normal(size=n)}
    )
    with warnings.catch_warnings():  # every province has several firms: no NaN, so no warning
        warnings.simplefilter("error", DroppedRowsWarning)
        out = loo_mean(df, "x", "prov", exclude="firm")
    g, f, x = df["prov"].to_numpy(), df["firm"].to_numpy(), df["x"].to_numpy()
    brute = np.array([x[(g == g[i]) & (f != f[i])].mean() for i in range(n)])
    np.testing.assert_allclose(out.to_numpy(), brute, rtol=RTOL_SUMS)
    perm = rng.permutation(n)
    out2 = loo_mean(df.iloc[perm], "x", "prov", exclude="firm")
    np.testing.assert_allclose(out2.loc[df.index].to_numpy(), out.to_numpy(), rtol=RTOL_SUMS)


def test_refusals() -> None:
    df = pd.DataFrame({"g": [1, 1], "x": ["a", "b"]})
    with pytest.raises(UnknownVariableError, match="'region' is not in the data"):
        loo_mean(df, "x", "region")
    with pytest.raises(EstimationError, match="numeric"):
        loo_mean(df, "x", "g")


def test_as_instrument_in_iv2sls() -> None:
    # regional exposure instrument: the leave-one-out regional mean of d drives d, not u
    from flexemp.models.iv import iv2sls

    rng = np.random.default_rng(5)
    n, R = 20_000, 200
    region = rng.integers(0, R, n)
    shock = rng.normal(size=R)[region]
    u = rng.normal(size=n)
    d = shock + 0.7 * u + rng.normal(size=n)
    df = pd.DataFrame({"region": region, "d": d, "y": 2.0 + 1.0 * d + u})
    df["z"] = loo_mean(df, "d", "region")
    res = iv2sls("y ~ [d ~ z]", df, vcov="cluster", cluster="region")
    assert abs(res.params["d"] - 1.0) < 4 * res.std_errors["d"]
    assert res.diagnostics["kp_rk_wald_f"].stat > 10
