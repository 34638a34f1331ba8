"""Abadie–Imbens (2016) adjustment of the matching variance for an estimated propensity score.

Abadie, A. and Imbens, G. W. (2016), "Matching on the estimated propensity score",
*Econometrica* 84(2), 781–807, Theorem 1 (ATE) and Theorem 2 (ATT).  With the score
F(X'θ) fitted by maximum likelihood (logit or probit), for the ATE

    σ²_adj = σ² − c′ I_θ⁻¹ c,
    c   = E[ f(X'θ) { cov(X, μ(X,1) | F) / F + cov(X, μ(X,0) | F) / (1 − F) } ],
    I_θ = E[ f(X'θ)² / (F (1 − F)) · X X′ ],

σ² being the variance of matching on the known score (Abadie–Imbens 2006).  The
conditional covariances are estimated by matching (the paper's Section 4, Stata
``teffects psmatch, vce(robust, nn(2))``): for unit i and group w, the sample
covariance of (X, Y) over Hʷ(i), the two units of group w nearest to i on the
estimated score (i itself when it belongs to w; every unit tied with the second
one kept).

For the ATT (Theorem 2) the adjustment has a second part, because the estimand
τ_t = E[μ(X,1) − μ(X,0) | T = 1] itself moves with θ (it weights by the score)::

    σ²_t,adj = σ²_t − c_t′ V c_t + d_t′ V d_t,   V = (N I_θ)⁻¹,
    c_t = N₁⁻¹ Σᵢ Xᵢ fᵢ (ỹᵢ(1) − ỹᵢ(0) − τ̂)            (score-matched means)
        + N₁⁻¹ Σᵢ fᵢ {cov̂ᵢ(X, Y | T=1) + F/(1 − F) · cov̂ᵢ(X, Y | T=0)},
    d_t = N₁⁻¹ Σᵢ Xᵢ fᵢ {(2Tᵢ − 1)(Yᵢ − ȳᶻᵢ) − τ̂}       (covariate-matched means),

summing over all N units.  ỹᵢ(w) is the mean outcome over the 2 units of group w
nearest to i on the score (i excluded when it belongs to w), the finite-sample
version of E[Y | F(X'θ), T = w]; ȳᶻᵢ is the mean outcome over the k units of the
other group nearest to i in Euclidean distance on the raw covariates (ties kept),
the version of E[Y | X, T = 1 − Tᵢ] that ∂τ_t/∂θ needs.  This is Stata 18's
``[CAUSAL] teffects nnmatch``, *Methods and formulas*, "PSM, ATE, and ATET variance
adjustment", as summarised (with the Euclidean metric established numerically) in
StatsPAI's ``abadie_imbens_2016_se`` (github.com/brycewang-stanford/StatsPAI); it
reproduces Stata's printed ATET SE (docs/psm.md).  Pure functions on NumPy arrays;
no loop over units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from flexemp.models._numerics.binary import BinaryLink, binary_pdf
from flexemp.models._numerics.matching import nearest_neighbours

__all__ = [
    "AttTerms",
    "ai2016_ate_correction",
    "ai2016_att_terms",
    "covariate_nn_mean",
    "matched_covariance",
    "score_nn_mean",
]


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


def score_nn_mean(
    p: np.ndarray,
    y: np.ndarray,
    members: np.ndarray,
    h: int = 2,
    tol: float = 0.0,
) -> np.ndarray:
    """ỹᵢ(w): mean outcome of the h units of group w nearest to each unit on the score.

    A unit of group w is left out of its own set (its h nearest *other* units); ties
    at the h-th distance are kept.  NaN where the group has no other unit.

    Examples
    --------
    >>> import numpy as np
    >>> p = np.array([0.1, 0.2, 0.4, 0.5]); y = np.array([1.0, 2.0, 3.0, 4.0])
    >>> score_nn_mean(p, y, np.array([True, True, True, False]), h=2)
    array([2.5, 2. , 1.5, 2.5])
    """
    n = p.size
    idx = np.flatnonzero(members)
    out = np.full(n, np.nan)
    if idx.size == 0:
        return out
    pr = nearest_neighbours(p, p[idx], h, "all", tol)
    t, j = pr.target, idx[pr.donor]
    # a member finds itself at distance 0: search h + 1 units and drop it (below)
    own = members[t]
    keep = ~own
    if own.any():
        pm = nearest_neighbours(p[idx], p[idx], h + 1, "all", tol)
        other = pm.target != pm.donor
        t = np.concatenate([t[keep], idx[pm.target[other]]])
        j = np.concatenate([j[keep], idx[pm.donor[other]]])
    cnt = np.bincount(t, minlength=n).astype(float)
    s = np.bincount(t, weights=y[j], minlength=n)
    ok = cnt > 0
    out[ok] = s[ok] / cnt[ok]
    return out


def covariate_nn_mean(
    z_target: np.ndarray, z_donor: np.ndarray, y_donor: np.ndarray, m: int, tol: float = 0.0
) -> np.ndarray:
    """Mean outcome of each target's m nearest donors, Euclidean distance on raw covariates.

    Every donor as close as the m-th nearest is kept (ties).  Donors with identical
    covariates are pooled first, then a k-d tree is queried for all targets at once,
    doubling the number of neighbours looked at for the targets whose tie set is not
    yet complete (no loop over units).

    Examples
    --------
    >>> import numpy as np
    >>> zt = np.array([[0.0], [2.0]]); zd = np.array([[1.0], [1.0], [3.0], [0.5]])
    >>> covariate_nn_mean(zt, zd, np.array([1.0, 3.0, 5.0, 7.0]), 1)
    array([7., 3.])
    """
    uniq, inv, cnt = np.unique(z_donor, axis=0, return_inverse=True, return_counts=True)
    ysum = np.bincount(inv.ravel(), weights=y_donor, minlength=len(uniq))
    nu, nt = len(uniq), len(z_target)
    m = min(m, len(z_donor))
    tree = cKDTree(uniq)
    out = np.empty(nt)
    todo = np.arange(nt)
    kq = min(nu, m + 3)
    while todo.size:
        d, j = tree.query(z_target[todo], k=kq)
        d, j = d.reshape(todo.size, kq), j.reshape(todo.size, kq)
        c = cnt[j]
        cum = np.cumsum(c, axis=1)
        col = np.argmax(cum >= m, axis=1)  # the unique point holding the m-th unit
        radius = d[np.arange(todo.size), col] + tol
        slack = 4 * np.finfo(float).eps * (radius + 1.0)
        inside = d <= (radius + slack)[:, None]
        done = (cum[:, -1] >= m) & ~inside[:, -1] if kq < nu else np.ones(todo.size, bool)
        w = np.where(inside, c, 0)
        out[todo[done]] = (np.where(inside, ysum[j], 0.0).sum(1) / w.sum(1))[done]
        todo = todo[~done]
        kq = min(nu, 2 * kq)
    return out


@dataclass(frozen=True)
class AttTerms:
    """The pieces of the Abadie–Imbens (2016) ATT adjustment (see the module docstring).

    Attributes
    ----------
    adjustment : float
        −c_t′Vc_t + d_t′Vd_t: add to the known-score variance (either sign).
    c_v_c, d_v_d : float
        c_t′ V c_t and d_t′ V d_t.
    c, d : (k,) arrays
        c_t and d_t (∂τ_t/∂θ).
    """

    adjustment: float
    c_v_c: float
    d_v_d: float
    c: np.ndarray
    d: np.ndarray


def ai2016_att_terms(
    p: np.ndarray,
    xb: np.ndarray,
    X: np.ndarray,
    Z: np.ndarray,
    y: np.ndarray,
    treat: np.ndarray,
    link: BinaryLink,
    att: float,
    k: int = 1,
    tol: float = 0.0,
) -> AttTerms:
    """The Abadie–Imbens (2016, Theorem 2) adjustment of the ATT's known-score variance.

    Parameters
    ----------
    p, xb : (n,) arrays
        Estimated score F(X'θ̂) and linear index X'θ̂.
    X : (n, q) array
        The score model's regressors (intercept included).
    Z : (n, r) array
        The raw covariates (no intercept), for the covariate matching behind ∂τ_t/∂θ.
    y, treat : (n,) arrays
        Outcome; treatment 0/1.
    link : {"logit", "probit"}
    att : float
        The matching estimate τ̂ of the ATT.
    k : int
        Neighbours of the ATT matching (``nneighbor(k)``), used for ȳᶻ.
    tol : float
        Tie tolerance on the score distance (and on the covariate distance).

    Returns
    -------
    AttTerms
        ``adjustment`` is added to the ATT's known-score variance.  For the ATC, call
        with ``1 − treat``, ``1 − p``, ``−xb`` and ``−atc`` (the logit and probit links
        are symmetric).
    """
    t1 = treat == 1
    n1 = float(t1.sum())
    f = binary_pdf(xb, link)
    y1 = score_nn_mean(p, y, t1, 2, tol)
    y0 = score_nn_mean(p, y, ~t1, 2, tol)
    cov1 = matched_covariance(p, X, y, t1, tol)
    cov0 = matched_covariance(p, X, y, ~t1, tol)
    c = (X * (f * (y1 - y0 - att))[:, None]).sum(axis=0) / n1
    c = c + (f[:, None] * cov1 + (f * p / (1.0 - p))[:, None] * cov0).sum(axis=0) / n1
    ybz = np.empty(y.size)
    ybz[t1] = covariate_nn_mean(Z[t1], Z[~t1], y[~t1], k, tol)
    ybz[~t1] = covariate_nn_mean(Z[~t1], Z[t1], y[t1], k, tol)
    d = (X * (f * (np.where(t1, 1.0, -1.0) * (y - ybz) - att))[:, None]).sum(axis=0) / n1
    info = (X * (f**2 / (p * (1.0 - p)))[:, None]).T @ X  # N·I_θ, so V = info⁻¹
    cvc = float(c @ np.linalg.solve(info, c))
    dvd = float(d @ np.linalg.solve(info, d))
    return AttTerms(adjustment=dvd - cvc, c_v_c=cvc, d_v_d=dvd, c=c, d=d)
