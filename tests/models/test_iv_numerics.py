"""The shortcuts of iv2sls's fast path give the numbers of the direct computations.

- ``meat_xr(X, r, ...)`` equals ``meat(X * r[:, None], ...)`` (no weights, frequency and
  probability weights, robust and cluster);
- ``rk_statistics`` (LM, Wald and Cragg-Donald in one pass) equals three ``rk_statistic`` calls'
  definitions: classical LM = Anderson's N·(smallest squared canonical correlation) for K2 = 1;
- plain-name formulas (the parts are column blocks of one design) and formulaic formulas (each
  part built on its own) give the same fit and diagnostics.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from flexemp.models._numerics.iv import rk_statistics
from flexemp.models.covariance import meat, meat_xr
from flexemp.models.iv import iv2sls


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 3000
    z = rng.normal(size=(n, 2))
    x = rng.normal(size=n)
    u = rng.normal(size=n)
    d = z @ [0.6, 0.3] + 0.2 * x + 0.5 * u + rng.normal(size=n)
    return pd.DataFrame(
        {
            "y": 1 + 0.5 * d + 0.3 * x + u,
            "d": d,
            "x": x,
            "z1": z[:, 0],
            "z2": z[:, 1],
            "g": rng.integers(0, 40, n),
            "w": rng.integers(1, 4, n).astype(float),
        }
    )


@pytest.mark.parametrize("weights", [None, "freq", "prob"])
@pytest.mark.parametrize("cluster", [False, True])
def test_meat_xr_equals_meat_of_scores(weights: str | None, cluster: bool) -> None:
    rng = np.random.default_rng(3)
    X, r = rng.normal(size=(70_000, 4)), rng.normal(size=70_000)  # > one row block
    w = None if weights is None else rng.uniform(0.5, 2.0, 70_000)
    g = rng.integers(0, 30, 70_000) if cluster else None
    kind = weights or "freq"
    want = meat(X * r[:, None], w, kind, g, 30 if cluster else None)
    got = meat_xr(X, r, w, kind, g, 30 if cluster else None)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)


def test_classical_rk_lm_is_anderson_canonical_correlation(sim: pd.DataFrame) -> None:
    # X1 = [1, x] partialled out by hand; Anderson's LM = N · squared canonical correlation (K2 = 1)
    X1 = np.column_stack([np.ones(len(sim)), sim["x"]])

    def resid(A: np.ndarray) -> np.ndarray:
        return A - X1 @ np.linalg.lstsq(X1, A, rcond=None)[0]

    x2t = resid(sim[["d"]].to_numpy())
    z2t = resid(sim[["z1", "z2"]].to_numpy())
    proj = z2t @ np.linalg.solve(z2t.T @ z2t, z2t.T @ x2t)
    r2 = float((proj.T @ proj)[0, 0] / (x2t.T @ x2t)[0, 0])
    lm, wald, cd = rk_statistics(
        x2t,
        z2t,
        vcov="classical",
        w=None,
        weight_kind="freq",
        groups=None,
        n_groups=None,
        nobs=float(len(sim)),
    )
    assert lm == pytest.approx(len(sim) * r2, rel=1e-10)
    assert wald == cd
    # Cragg-Donald Wald (K2 = 1): N · r²/(1 − r²)
    assert cd == pytest.approx(len(sim) * r2 / (1 - r2), rel=1e-10)


@pytest.mark.parametrize("vcov", ["classical", "robust", "cluster"])
@pytest.mark.parametrize("weights", [None, "w"])
def test_plain_names_and_formulaic_paths_agree(
    sim: pd.DataFrame, vcov: str, weights: str | None
) -> None:
    kw = {"vcov": vcov, "cluster": "g" if vcov == "cluster" else None, "weights": weights}
    fast = iv2sls("y ~ x + [d ~ z1 + z2]", sim, **kw)
    slow = iv2sls("y ~ I(x) + [d ~ z1 + z2]", sim, **kw)  # I() sends every part through formulaic
    np.testing.assert_allclose(fast.params.to_numpy(), slow.params.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(fast.vcov.to_numpy(), slow.vcov.to_numpy(), rtol=1e-10)
    for name, t in fast.diagnostics.items():
        if t.stat is not None:
            assert t.stat == pytest.approx(slow.diagnostics[name].stat, rel=1e-10), name
    assert fast.first_stage["d"].f.stat == pytest.approx(slow.first_stage["d"].f.stat, rel=1e-10)
