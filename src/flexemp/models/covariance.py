"""The covariance layer: bread and meat, with Stata's small-sample factors.

Maximum-likelihood models (logit, probit, oprobit, ologit, mlogit)
    bread = (−H)⁻¹ with H the Hessian of Σ wᵢ lᵢ.

    classical  V = bread                                    (Stata default; R ``vcov``)
    robust     V = c · bread · M · bread,  M = Σ gᵢ gᵢ′,      c = n/(n−1)   (Stata ``vce(robust)``)
    cluster    V = c · bread · M · bread,  M = Σ_g S_g S_g′,  c = G/(G−1)   (Stata ``vce(cluster g)``)

Linear regression (OLS / WLS)
    bread = (X′WX)⁻¹

    classical  V = s² · bread, s² = Σ wᵢ eᵢ² / (N − K)        (Stata ``regress``)
    robust     HC1: c = N/(N − K)                             (Stata ``vce(robust)``; R sandwich HC1)
    cluster    CR1: c = G/(G − 1) · (N − 1)/(N − K)           (Stata ``vce(cluster g)``)

Weights.  With frequency weights each row stands for wᵢ identical rows, so a
row's score enters the meat as wᵢ sᵢsᵢ′ and N = Σ wᵢ (identical to replicating
rows).  With probability weights the row's weighted score gᵢ = wᵢ sᵢ enters as
gᵢgᵢ′ and N = n, the number of rows (Stata's pweights).  Cluster sums are
S_g = Σ_{i∈g} wᵢ sᵢ for both.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from flexemp.core.errors import EstimationError

#: Rows per block when the weighted scores are formed for the meat (bounds the temporary).
_CHUNK = 65536


def _inv_neg(hessian: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.inv(-hessian)
    except np.linalg.LinAlgError as exc:
        raise EstimationError(
            "the Hessian is singular; the model is not identified (collinear regressors?)"
        ) from exc


def _cluster_sums(A: np.ndarray, v: np.ndarray | None, groups: np.ndarray, G: int) -> np.ndarray:
    """S = C·diag(v)·A, C the (G, n) 0/1 cluster-membership matrix: Σ_{i∈g} vᵢaᵢ in one sparse product.

    (CSC: column i holds row i's single entry at its cluster code; no sorting, and no weighted
    copy of A: the row factors v ride in the sparse matrix.)
    """
    n = A.shape[0]
    C = sparse.csc_matrix((np.ones(n) if v is None else v, groups, np.arange(n + 1)), shape=(G, n))
    return np.asarray(C @ A)


def meat(
    scores: np.ndarray,
    w: np.ndarray | None,
    weight_kind: str,
    groups: np.ndarray | None,
    n_groups: int | None,
) -> np.ndarray:
    """The meat M of the sandwich from per-row scores (n, k): see the module docstring for the weighting."""
    if groups is not None:
        sums = _cluster_sums(scores, w, groups, int(n_groups or groups.max() + 1))
        return sums.T @ sums
    if w is None:
        return scores.T @ scores
    wk = w if weight_kind == "freq" else w * w  # freq: Σ wᵢsᵢsᵢ′; prob: Σ (wᵢsᵢ)(wᵢsᵢ)′
    M = np.zeros((scores.shape[1], scores.shape[1]))
    for lo in range(0, scores.shape[0], _CHUNK):  # the weighted scores a chunk at a time
        s = scores[lo : lo + _CHUNK]
        M += (s * wk[lo : lo + _CHUNK, None]).T @ s
    return M


def meat_xr(
    X: np.ndarray,
    r: np.ndarray,
    w: np.ndarray | None,
    weight_kind: str,
    groups: np.ndarray | None,
    n_groups: int | None,
) -> np.ndarray:
    """``meat(X * r[:, None], ...)`` without the (n, k) score matrix: the row factors rᵢ (and wᵢ) are applied on the fly.

    Cluster: S_g = Σ_{i∈g} wᵢrᵢxᵢ as one sparse product; otherwise Σ wᵢrᵢ²xᵢxᵢ′ (prob: wᵢ²)
    a block of rows at a time.  Equal to :func:`meat` of the scores up to rounding.
    """
    if groups is not None:
        sums = _cluster_sums(
            X, r if w is None else w * r, groups, int(n_groups or groups.max() + 1)
        )
        return sums.T @ sums
    r2 = r * r if w is None else (w if weight_kind == "freq" else w * w) * (r * r)
    M = np.zeros((X.shape[1], X.shape[1]))
    for lo in range(0, X.shape[0], _CHUNK):  # a block of rows at a time (bounds the temporary)
        x = X[lo : lo + _CHUNK]
        M += (x * r2[lo : lo + _CHUNK, None]).T @ x
    return M


def ml_vcov(
    hessian: np.ndarray,
    scores: np.ndarray,
    *,
    vcov: str,
    w: np.ndarray | None = None,
    weight_kind: str = "freq",
    groups: np.ndarray | None = None,
    n_groups: int | None = None,
) -> np.ndarray:
    """Covariance of an ML estimate (see the module docstring).

    Parameters
    ----------
    hessian : (k, k) array
        Hessian of the weighted log-likelihood at the estimate.
    scores : (n, k) array
        Per-row scores of the unweighted log-likelihood terms.
    vcov : {"classical", "robust", "cluster"}
    w : (n,) array, optional
    weight_kind : {"freq", "prob"}
    groups : (n,) int array, optional
        Cluster codes 0..G−1 (needed for ``cluster``).
    n_groups : int, optional

    Returns
    -------
    (k, k) array
    """
    bread = _inv_neg(hessian)
    if vcov == "classical":
        return bread
    if vcov == "cluster":
        if groups is None:
            raise EstimationError("cluster covariance needs cluster codes")
        G = int(n_groups or groups.max() + 1)
        c = G / (G - 1)
        M = meat(scores, w, weight_kind, groups, G)
    else:
        n = float(w.sum()) if (w is not None and weight_kind == "freq") else float(scores.shape[0])
        c = n / (n - 1)
        M = meat(scores, w, weight_kind, None, None)
    v = c * bread @ M @ bread
    return (v + v.T) / 2


def ols_vcov(
    X: np.ndarray,
    resid: np.ndarray,
    xtwx_inv: np.ndarray,
    *,
    vcov: str,
    w: np.ndarray | None = None,
    weight_kind: str = "freq",
    groups: np.ndarray | None = None,
    n_groups: int | None = None,
) -> np.ndarray:
    """Covariance of an OLS/WLS estimate (see the module docstring).

    Parameters
    ----------
    X : (n, k) array
    resid : (n,) array
    xtwx_inv : (k, k) array
        (X′WX)⁻¹.
    vcov, w, weight_kind, groups, n_groups
        As in :func:`ml_vcov`.

    Returns
    -------
    (k, k) array
    """
    n_rows, k = X.shape
    N = float(w.sum()) if (w is not None and weight_kind == "freq") else float(n_rows)
    if vcov == "classical":
        ssr = float(resid @ resid) if w is None else float((w * resid) @ resid)
        return ssr / (N - k) * xtwx_inv
    if vcov == "cluster":
        if groups is None:
            raise EstimationError("cluster covariance needs cluster codes")
        G = int(n_groups or groups.max() + 1)
        c = G / (G - 1) * (N - 1) / (N - k)
        M = meat_xr(X, resid, w, weight_kind, groups, G)
    else:
        c = N / (N - k)
        M = meat_xr(X, resid, w, weight_kind, None, None)
    v = c * xtwx_inv @ M @ xtwx_inv
    return (v + v.T) / 2
