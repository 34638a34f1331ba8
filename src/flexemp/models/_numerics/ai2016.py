"""Abadie–Imbens (2016) adjustment of the matching variance for an estimated propensity score.

Abadie, A. and Imbens, G. W. (2016), "Matching on the estimated propensity score",
*Econometrica* 84(2), 781–807, Theorem 1 (ATE).  With the score F(X'θ) fitted by
maximum likelihood (logit or probit),

    σ²_adj = σ² − c′ I_θ⁻¹ c,
    c   = E[ f(X'θ) { cov(X, μ(X,1) | F) / F + cov(X, μ(X,0) | F) / (1 − F) } ],
    I_θ = E[ f(X'θ)² / (F (1 − F)) · X X′ ],

σ² being the variance of matching on the known score (Abadie–Imbens 2006).  The
conditional covariances are estimated by matching (the paper's Section 4, Stata
``teffects psmatch, vce(robust, nn(2))``): for unit i and group w, the sample
covariance of (X, Y) over Hʷ(i), the two units of group w nearest to i on the
estimated score (i itself when it belongs to w; every unit tied with the second
one kept).  Pure functions on NumPy arrays; no loop over units.
"""

from __future__ import annotations

import numpy as np

from flexemp.models._numerics.binary import BinaryLink, binary_pdf
from flexemp.models._numerics.matching import nearest_neighbours

__all__ = ["ai2016_ate_correction", "matched_covariance"]


def matched_covariance(
    p: np.ndarray, X: np.ndarray, y: np.ndarray, members: np.ndarray, tol: float = 0.0
) -> np.ndarray:
    """cov(X, Y | score, group) for every unit, by matching on the score within one group.

    Parameters
    ----------
    p : (n,) array
        Estimated scores of all units.
    X : (n, k) array
        Covariates (the score model's columns).
    y : (n,) array
        Outcomes.
    members : (n,) bool array
        The group w whose units are matched to.
    tol : float
        Tie tolerance on the score distance (see :func:`nearest_neighbours`).

    Returns
    -------
    (n, k) array
        Row i: Σⱼ (Xⱼ − X̄)(Yⱼ − Ȳ) / (|H(i)| − 1) over H(i), the 2 units of the group
        nearest to unit i (ties kept).  NaN rows if the group has fewer than 2 units.
    """
    n, k = X.shape
    idx = np.flatnonzero(members)
    if idx.size < 2:
        return np.full((n, k), np.nan)
    pr = nearest_neighbours(p, p[idx], 2, "all", tol)
    t, j = pr.target, idx[pr.donor]
    cnt = np.bincount(t, minlength=n).astype(float)
    sy = np.bincount(t, weights=y[j], minlength=n)
    out = np.empty((n, k))
    for c in range(k):  # a loop over the k covariates, not over units
        sx = np.bincount(t, weights=X[j, c], minlength=n)
        sxy = np.bincount(t, weights=X[j, c] * y[j], minlength=n)
        out[:, c] = (sxy - sx * sy / cnt) / (cnt - 1.0)
    return out


def ai2016_ate_correction(
    p: np.ndarray,
    xb: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    treat: np.ndarray,
    link: BinaryLink,
    tol: float = 0.0,
) -> tuple[float, np.ndarray, np.ndarray]:
    """c′ I_θ⁻¹ c / N: what Abadie–Imbens (2016) subtract from the ATE's known-score variance.

    Parameters
    ----------
    p, xb : (n,) arrays
        Estimated score F(X'θ̂) and linear index X'θ̂.
    X : (n, k) array
        The score model's regressors (intercept included).
    y, treat : (n,) arrays
        Outcome; treatment 0/1.
    link : {"logit", "probit"}
    tol : float
        Tie tolerance on the score distance.

    Returns
    -------
    correction : float
        c′ Î⁻¹ c / N (≥ 0), to subtract from the variance of the ATE estimate.
    c : (k,) array
    info : (k, k) array
        Î_θ = N⁻¹ Σ f²/(F(1−F)) XᵢXᵢ′ (the expected information per unit).
    """
    n = y.size
    t1 = treat == 1
    f = binary_pdf(xb, link)
    cov1 = matched_covariance(p, X, y, t1, tol)
    cov0 = matched_covariance(p, X, y, ~t1, tol)
    c = np.mean(f[:, None] * (cov1 / p[:, None] + cov0 / (1.0 - p)[:, None]), axis=0)
    wts = f**2 / (p * (1.0 - p))
    info = (X * wts[:, None]).T @ X / n
    correction = float(c @ np.linalg.solve(info, c)) / n
    return correction, c, info
