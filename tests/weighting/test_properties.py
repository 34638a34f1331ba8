"""Properties of raking and post-stratification on seeded synthetic data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from flexemp.weighting import poststratify, rake

# the raking loop stops below tol = 1e-12; summing 2,000 weights adds rounding of order 1e-13
ATOL_MARGIN = 1e-10
# the same arithmetic in another row order differs only by the order of floating-point sums
RTOL_REORDER = 1e-12
# one sweep of a single margin is the closed form; only rounding differs
RTOL_CLOSED_FORM = 1e-12

MARGINS: dict[str, dict[object, float]] = {
    "sex": {"f": 0.48, "m": 0.52},
    "age": {"16-29": 0.3, "30-44": 0.4, "45-59": 0.3},
    "platform": {1: 0.5, 2: 0.3, 3: 0.2},
}


def _sample(n: int = 2000, seed: int = 20261123) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "sex": rng.choice(["f", "m"], n, p=[0.3, 0.7]),
            "age": rng.choice(["16-29", "30-44", "45-59"], n, p=[0.5, 0.35, 0.15]),
            "platform": rng.choice([1, 2, 3], n, p=[0.6, 0.3, 0.1]),
            "w0": rng.uniform(0.5, 3.0, n),
        },
        index=pd.RangeIndex(1000, 1000 + n),
    )


def _weighted_shares(data: pd.DataFrame, w: pd.Series, var: str) -> pd.Series:
    return w.groupby(data[var]).sum() / w.sum()


@pytest.mark.parametrize("base_weight", [None, "w0"])
def test_raked_margins_equal_targets(base_weight):
    data = _sample()
    res = rake(data, MARGINS, base_weight=base_weight, tol=1e-12)
    assert res.converged
    for var, target in MARGINS.items():
        got = _weighted_shares(data, res.weights, var)
        for level, share in target.items():
            assert abs(got[level] - share) < ATOL_MARGIN, (var, level)
    after = res.margins_table.set_index(["variable", "level"])
    for var, target in MARGINS.items():
        for level, share in target.items():
            assert abs(after.loc[(var, level), "after"] - share) < ATOL_MARGIN
            assert after.loc[(var, level), "target"] == pytest.approx(share, rel=1e-15)
    assert res.max_abs_margin_error < 1e-12
    # shares are scaled to the total of the base weights
    total = len(data) if base_weight is None else data["w0"].sum()
    assert res.weights.sum() == pytest.approx(total, rel=1e-12)


def test_counts_are_population_totals():
    data = _sample()
    counts = {v: {k: 1e6 * s for k, s in m.items()} for v, m in MARGINS.items()}
    res = rake(data, counts, base_weight="w0", tol=1e-12)
    assert res.weights.sum() == pytest.approx(1e6, rel=1e-12)
    shares = rake(data, MARGINS, base_weight="w0", tol=1e-12)
    factor = 1e6 / data["w0"].sum()
    np.testing.assert_allclose(res.weights, shares.weights * factor, rtol=1e-9)


def test_invariance_to_row_order():
    data = _sample()
    res = rake(data, MARGINS, base_weight="w0", tol=1e-12)
    perm = np.random.default_rng(7).permutation(len(data))
    shuffled = data.iloc[perm]
    res2 = rake(shuffled, MARGINS, base_weight="w0", tol=1e-12)
    assert res2.weights.index.equals(shuffled.index)
    np.testing.assert_allclose(res2.weights.loc[data.index], res.weights, rtol=RTOL_REORDER, atol=0)


def test_invariance_to_margin_order():
    data = _sample()
    res = rake(data, MARGINS, base_weight="w0", tol=1e-13, max_iter=500)
    reordered = dict(reversed(list(MARGINS.items())))
    res2 = rake(data, reordered, base_weight="w0", tol=1e-13, max_iter=500)
    np.testing.assert_allclose(res2.weights, res.weights, rtol=1e-9, atol=0)


def test_single_margin_is_poststratification():
    data = _sample()
    cells = {"age": MARGINS["age"]}
    raked = rake(data, cells, base_weight="w0")
    post = poststratify(data, cells, base_weight="w0")
    # the closed form, written out here: w0 * T_c / sum_{c} w0
    share = data["age"].map(MARGINS["age"]).astype(float)
    cell_total = data.groupby("age")["w0"].transform("sum")
    closed = data["w0"] * share * data["w0"].sum() / cell_total
    np.testing.assert_allclose(post.weights, closed, rtol=RTOL_CLOSED_FORM, atol=0)
    np.testing.assert_allclose(raked.weights, closed, rtol=RTOL_CLOSED_FORM, atol=0)
    assert raked.iterations == 1 and raked.converged


def test_data_not_mutated():
    data = _sample()
    before = data.copy()
    rake(data, MARGINS, base_weight="w0")
    poststratify(data, {"sex": MARGINS["sex"]})
    pd.testing.assert_frame_equal(data, before)


@pytest.mark.parametrize("bounds", [(0.4, 3.0), (0.3, 2.5), (0.25, 4.0)])
def test_trim_bounds_respected_after_reraking(bounds):
    data = _sample()
    free = rake(data, MARGINS, base_weight="w0", tol=1e-12)
    g_free = free.weights / data["w0"]
    # the untrimmed adjustment exceeds these bounds, so trimming has work to do
    assert g_free.max() > bounds[1] or g_free.min() < bounds[0]
    res = rake(data, MARGINS, base_weight="w0", tol=1e-10, max_iter=2000, trim=bounds)
    assert res.converged
    g = res.weights / data["w0"]  # shares: the mean adjustment T / sum(w0) is 1
    assert g.min() >= bounds[0] * (1 - 1e-15) and g.max() <= bounds[1] * (1 + 1e-15)
    for var, target in MARGINS.items():
        got = _weighted_shares(data, res.weights, var)
        for level, share in target.items():
            assert abs(got[level] - share) < 1e-9
    assert res.diagnostics["after"]["deff_kish"] < free.diagnostics["after"]["deff_kish"]


def test_infeasible_trim_warns():
    from flexemp.core.errors import NonConvergenceWarning

    data = _sample()
    with pytest.warns(NonConvergenceWarning, match="widen them"):
        res = rake(data, MARGINS, base_weight="w0", trim=(0.99, 1.01), max_iter=50)
    assert not res.converged
    g = res.weights / data["w0"]
    assert g.max() <= 1.01 * (1 + 1e-15)
