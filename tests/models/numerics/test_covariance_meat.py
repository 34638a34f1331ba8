"""covariance.meat against its definition written out with explicit sums (closed forms).

The sparse cluster sums and the chunked weighted products must give Σ_g S_g S_g′,
Σ wᵢ sᵢsᵢ′ (frequency weights) and Σ (wᵢsᵢ)(wᵢsᵢ)′ (probability weights); n exceeds
the chunk size so that several chunks are summed.
"""

from __future__ import annotations

import numpy as np
import pytest

from flexemp.models import covariance
from flexemp.models.covariance import meat


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    n = covariance._CHUNK + 4321
    scores = rng.normal(size=(n, 4))
    w = rng.random(n) * 3
    groups = rng.integers(0, 37, n)
    return scores, w, groups


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("kind", ["freq", "prob"])
def test_cluster_meat_is_sum_of_cluster_outer_products(
    data: tuple[np.ndarray, np.ndarray, np.ndarray], weighted: bool, kind: str
) -> None:
    scores, w, groups = data
    wv = w if weighted else None
    g = scores * (w if weighted else np.ones(len(w)))[:, None]
    expected = np.zeros((4, 4))
    for c in range(37):  # loop over clusters, not rows
        s = g[groups == c].sum(axis=0)
        expected += np.outer(s, s)
    got = meat(scores, wv, kind, groups, 37)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-9)


def test_cluster_meat_counts_empty_trailing_clusters(
    data: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    scores, _, groups = data
    got = meat(scores, None, "freq", groups, 40)  # clusters 37-39 are empty
    assert got.shape == (4, 4)
    np.testing.assert_allclose(got, meat(scores, None, "freq", groups, 37), rtol=1e-14)


@pytest.mark.parametrize("kind", ["freq", "prob"])
def test_weighted_meat_over_chunks(
    data: tuple[np.ndarray, np.ndarray, np.ndarray], kind: str
) -> None:
    scores, w, _ = data
    wk = w if kind == "freq" else w**2
    expected = np.einsum("i,ij,ik->jk", wk, scores, scores)
    np.testing.assert_allclose(meat(scores, w, kind, None, None), expected, rtol=1e-12)
    np.testing.assert_allclose(meat(scores, None, kind, None, None), scores.T @ scores, rtol=1e-14)
