"""The speed paths give the same numbers as the plain computations they replace.

Each reference below is the straightforward formula written out in the test
(dense one-hot products, a fresh score computation, hashlib over the arrays,
pandas' factorize), so a fast path that drifts from it fails.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
from scipy import special

import flexemp
from flexemp.core.errors import DroppedRowsWarning
from flexemp.models._numerics import binary, ordered
from flexemp.models.design_matrix import _cluster_codes, build_design


def _ordered_data(n: int = 1500, k: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, k))
    y = np.digitize(X @ np.linspace(-0.5, 0.5, k) + rng.normal(size=n), [-1.0, 0.0, 1.0])
    return y.astype(np.intp), X


def _dense_cross_block(y: np.ndarray, X: np.ndarray, theta: np.ndarray, J: int) -> np.ndarray:
    """−X′E with E built from the one-hot of y (the formula before the scatter)."""
    k = X.shape[1]
    ext = np.concatenate([[-np.inf], theta[k:], [np.inf]])
    xb = X @ theta[:k]
    a, u = ext[y] - xb, ext[y + 1] - xb
    p = special.ndtr(u) - special.ndtr(a)
    phi = lambda z: np.exp(-0.5 * z**2) / np.sqrt(2 * np.pi)  # noqa: E731
    g_u, g_a = phi(u) / p, phi(a) / p
    u_f, a_f = np.where(y < J - 1, u, 0.0), np.where(y > 0, a, 0.0)
    d_uu = -g_u * u_f - g_u**2
    d_aa = g_a * a_f - g_a**2
    d_ua = g_u * g_a
    onehot = np.zeros((len(y), J))
    onehot[np.arange(len(y)), y] = 1.0
    E = onehot[:, : J - 1] * (d_uu + d_ua)[:, None] + onehot[:, 1:] * (d_ua + d_aa)[:, None]
    return -(X.T @ E)


@pytest.mark.parametrize("link", ["probit", "logit"])
def test_ordered_scores_at_optimum_equal_a_fresh_computation(link: str) -> None:
    y, X = _ordered_data()
    fit = ordered.fit_ordered(y, X, link=link)  # scores reuse the last derivative evaluation
    _, score_fn = ordered._objective(y, X, np.ones(len(y)), link, 4)  # a fresh closure: no cache
    np.testing.assert_array_equal(fit.scores, score_fn(fit.params))
    # each row's cutpoint scores sit in its own two columns: upper cut y, lower cut y − 1
    k = X.shape[1]
    cut_scores = fit.scores[:, k:]
    assert np.all(cut_scores[y == 0, 1:] == 0)
    assert np.all(cut_scores[y == 3, :2] == 0)
    assert np.all(cut_scores[y == 0, 0] > 0) and np.all(cut_scores[y == 3, 2] < 0)


def test_ordered_cross_block_equals_dense_one_hot_product() -> None:
    y, X = _ordered_data(n=800)
    theta = np.concatenate([[0.3, -0.1, 0.2], [-0.9, 0.1, 1.1]])
    _, _, H = ordered.ordered_loglik(theta, y, X, link="probit")
    np.testing.assert_allclose(H[:3, 3:], _dense_cross_block(y, X, theta, 4), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("model", ["ordered", "binary"])
def test_unit_weight_shortcut_matches_weighted_path_exactly(model: str) -> None:
    """Weights of 2 double the log-likelihood, gradient and Hessian exactly (×2 is exact in floating point)."""
    y, X = _ordered_data(n=900)
    w2 = np.full(len(y), 2.0)
    if model == "ordered":
        theta = np.array([0.2, 0.0, -0.3, -0.8, 0.2, 1.0])
        ll1, g1, H1 = ordered.ordered_loglik(theta, y, X)
        ll2, g2, H2 = ordered.ordered_loglik(theta, y, X, w=w2)
    else:
        yb = (y >= 2).astype(float)
        Xc = np.column_stack([np.ones(len(y)), X])
        theta = np.array([0.1, 0.4, -0.2, 0.3])
        ll1, g1, H1 = binary.binary_loglik(theta, yb, Xc, link="logit")
        ll2, g2, H2 = binary.binary_loglik(theta, yb, Xc, w=w2, link="logit")
    assert ll2 == pytest.approx(2 * ll1, rel=1e-14)
    np.testing.assert_array_equal(g2, 2 * g1)
    np.testing.assert_array_equal(H2, 2 * H1)


@pytest.mark.parametrize("link", ["logit", "probit"])
def test_binary_scores_at_optimum_equal_a_fresh_computation(link: str) -> None:
    rng = np.random.default_rng(3)
    X = np.column_stack([np.ones(2000), rng.normal(size=(2000, 2))])
    y = (rng.logistic(size=2000) < X @ [0.2, 0.8, -0.5]).astype(float)
    fit = binary.fit_binary(y, X, link=link)
    xb = X @ fit.params
    _, d1, _ = binary._terms(y, xb, link)
    np.testing.assert_array_equal(fit.linear_predictor, xb)
    np.testing.assert_array_equal(fit.scores, X * d1[:, None])


@pytest.mark.parametrize("n", [300, 12_000])  # inline hash, and a design over 1 MB hashed in a thread
def test_data_hash_is_sha256_of_design_outcome_weights(n: int) -> None:
    rng = np.random.default_rng(5)
    df = pd.DataFrame(rng.normal(size=(n, 12)), columns=[f"x{j}" for j in range(12)])
    df["y"] = (rng.normal(size=n) < df["x0"]).astype(int)
    df["w"] = rng.integers(1, 4, n).astype(float)
    df.loc[3, "x2"] = np.nan  # a dropped row: the hash covers the rows used
    formula = "y ~ " + " + ".join(f"x{j}" for j in range(12))
    with pytest.warns(DroppedRowsWarning):
        res = flexemp.logit(formula, df, weights="w", vcov="robust")
    X = np.column_stack([np.ones(n - 1), df.drop(index=3)[[f"x{j}" for j in range(12)]].to_numpy()])
    h = hashlib.sha256()
    for arr in (X, df["y"].drop(index=3).to_numpy(dtype=float), df["w"].drop(index=3).to_numpy()):
        h.update(np.ascontiguousarray(arr).tobytes())
    # a small design is hashed when the provenance is first read: changing the caller's frame in place
    # in between changes nothing (the design's arrays are read-only copies)
    df.loc[df.index[-1], ["x1", "w"]] = [99.0, 7.0]
    df.iloc[0, df.columns.get_loc("y")] = 1 - df.iloc[0, df.columns.get_loc("y")]
    assert res.provenance["data_hash"] == h.hexdigest()


@pytest.mark.parametrize(
    "values",
    [
        [7, 3, 3, 9, -2, 7, 0],
        np.array([5, 1, 5, 2], dtype=np.int32),
        ["b", "a", "c", "a"],
        [2.5, -1.0, 2.5, 0.0],
        [10**12, 5, 10**12, -7],  # a wide range: the sorting path
        np.array([300, 299, 300, 301, 299], dtype=np.uint16),  # unsigned, dense: the presence table
        list(np.random.default_rng(4).integers(-50, 3000, 5000)),  # dense, with values absent from the range
    ],
)
def test_cluster_codes_equal_sorted_factorize(values: list[object]) -> None:
    col = pd.Series(values)
    codes, G = _cluster_codes(col)
    ref_codes, ref_uniques = pd.factorize(col, sort=True)
    np.testing.assert_array_equal(codes, ref_codes)
    assert codes.dtype == np.int64
    assert len(ref_uniques) == G


def test_design_without_dropped_rows_uses_whole_columns() -> None:
    df = pd.DataFrame({"y": [0.0, 1, 0, 1, 1, 0], "x": [1.0, 2, 3, 4, 5, 6], "g": [3, 1, 3, 2, 1, 2]},
                      index=[10, 11, 12, 13, 14, 15])
    d = build_design("y ~ x", df, outcome="binary", cluster="g")
    assert d.index.equals(df.index) and d.n_groups == 3
    np.testing.assert_array_equal(d.groups, [2, 0, 2, 1, 0, 1])


def test_design_filled_at_once_equals_column_by_column() -> None:
    """Mixed numeric dtypes (int, float, nullable Int64 with a missing value): same X as stacking columns."""
    rng = np.random.default_rng(8)
    n = 400
    df = pd.DataFrame({"y": (rng.uniform(size=n) < 0.5).astype(float), "a": rng.integers(-5, 5, n),
                       "b": rng.normal(size=n), "c": pd.array(rng.integers(0, 9, n), dtype="Int64"),
                       "d": rng.normal(size=n).astype(np.float32)})
    df.loc[7, "c"] = pd.NA
    df.loc[9, "b"] = np.nan
    with pytest.warns(DroppedRowsWarning):
        d = build_design("y ~ a + b + c + d", df, outcome="binary")
    keep = ~df[["b", "c"]].isna().any(axis=1).to_numpy()
    ref = np.column_stack([np.ones(keep.sum())] + [df[v].to_numpy(dtype=float, na_value=np.nan)[keep] for v in "abcd"])
    np.testing.assert_array_equal(d.X, ref)
    assert d.X.flags.c_contiguous and d.dropped == {"missing b": 1, "missing c": 1}


def test_infinite_values_are_not_taken_for_missing() -> None:
    """inf and −inf make the NaN screen's sum NaN; the exact check then finds no missing row."""
    df = pd.DataFrame({"y": [0.0, 1, 0, 1], "x": [np.inf, -np.inf, 1.0, 2.0]})
    d = build_design("y ~ x", df, outcome="continuous")
    assert d.X.shape == (4, 2) and d.dropped == {}


def test_flat_direction_equals_scipy_eigh() -> None:
    """The direct LAPACK call gives scipy.linalg.eigh's eigenpairs: same decision, same direction."""
    from scipy import linalg

    from flexemp.models._numerics._newton import flat_direction

    rng = np.random.default_rng(11)
    flagged = 0
    for _ in range(100):
        k = int(rng.integers(1, 12))
        X = rng.normal(size=(60, k))
        G = X.T @ X / 60
        A = rng.normal(size=(k, k))
        H = A @ A.T / k * float(rng.choice([1e-12, 1e-9, 1.0]))
        vals, vecs = linalg.eigh(H, G)
        v = flat_direction(H, G, threshold=1e-8)
        if vals[0] >= 1e-8:
            assert v is None
        else:
            flagged += 1
            ref = vecs[:, 0] * np.sqrt(np.diag(G))
            np.testing.assert_array_equal(v, ref / np.max(np.abs(ref)))
    assert 0 < flagged < 100
    assert flat_direction(np.full((2, 2), np.nan), np.eye(2), threshold=1e-8) is None


@pytest.mark.parametrize("third_at", [5, 20, 999, 1500])
def test_binary_columns_screens_find_a_late_third_value(third_at: int) -> None:
    """A column with two values except one row (early, after the 16-row screen, after the 1,000-row one)."""
    from flexemp.models._numerics._newton import binary_columns

    rng = np.random.default_rng(2)
    n = 2000
    dummy = (rng.uniform(size=n) < 0.4).astype(float)
    almost = dummy.copy()
    almost[third_at] = 7.0
    X = np.column_stack([np.ones(n), dummy, almost, rng.normal(size=n)])
    ref = [(j, float(X[:, j].min()), float(X[:, j].max())) for j in range(4) if len(np.unique(X[:, j])) == 2]
    assert binary_columns(X, np.ones(n)) == ref == [(1, 0.0, 1.0)]


@pytest.mark.parametrize(("factor", "flagged"), [(0.5, True), (1.5, False), (3.0, False), (1e3, False)])
def test_flat_direction_screen_decides_as_the_eigensolver(factor: float, flagged: bool) -> None:
    """λ_min(−H, G) placed at a multiple of the threshold: below it a direction, above it none — whether the
    Cholesky screen (passes from 2× the threshold) or the eigensolver (between 1× and 2×) decides."""
    from scipy import linalg

    from flexemp.models._numerics._newton import flat_direction

    rng = np.random.default_rng(5)
    k, tau = 5, 1e-8
    X = rng.normal(size=(80, k))
    G = X.T @ X / 80
    lam = np.array([factor * tau, 0.3, 0.7, 1.1, 2.0])
    Q, _ = np.linalg.qr(rng.normal(size=(k, k)))
    Gh = linalg.sqrtm(G).real
    H = Gh @ Q @ np.diag(lam) @ Q.T @ Gh  # generalised eigenvalues of (H, G) are lam
    H = (H + H.T) / 2
    assert np.isclose(linalg.eigh(H, G, eigvals_only=True)[0], factor * tau, rtol=1e-4)
    v = flat_direction(H, G, threshold=tau)
    assert (v is not None) == flagged
