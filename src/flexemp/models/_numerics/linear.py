"""Least squares kernels: OLS / WLS by QR, collinearity detection, scores.

Matches Stata ``regress y x [aweight|fweight|pweight=w]`` (point estimates) and
R ``lm(y ~ x, weights = w)``.  Standard errors are computed by the covariance
layer from ``xtwx_inv``, ``resid`` and the scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg

from flexemp.core.errors import EstimationError, SingularDesignError
from flexemp.models._numerics._newton import check_inputs

#: A column is collinear with the earlier ones when the norm of its residual on them is below
#: this fraction of its own norm (after weighting), i.e. R²_j > 1 − 1e-18.  Exact collinearity
#: gives ~1e-15 in double precision; a column this close to collinear cannot be estimated anyway.
COLLINEAR_TOL = 1e-9


@dataclass(frozen=True)
class LinearFit:
    """Result of :func:`fit_ols`.

    Attributes
    ----------
    params : (k,) array
        Coefficients β̂ = (X′WX)⁻¹X′Wy.
    resid : (n,) array
        Residuals y − Xβ̂ (not multiplied by the weights).
    fitted : (n,) array
        Fitted values Xβ̂.
    xtwx_inv : (k, k) array
        (X′WX)⁻¹ (W = I without weights).
    ssr : float
        Weighted sum of squared residuals Σ wᵢ eᵢ².
    nobs : float
        Σ wᵢ with weights (the frequency-weight count), else n.
    df_resid : float
        ``nobs − rank``.
    rank : int
        Rank of X (always k: rank deficiency raises).
    """

    params: np.ndarray
    resid: np.ndarray
    fitted: np.ndarray
    xtwx_inv: np.ndarray
    ssr: float
    nobs: float
    df_resid: float
    rank: int


def _dependent_in_order(R: np.ndarray, tol: float) -> list[int]:
    """Columns of the triangular factor ``R`` that are combinations of earlier kept columns."""
    kept: list[int] = []
    dependent: list[int] = []
    for j in range(R.shape[1]):
        col = R[:, j]
        norm = float(np.linalg.norm(col))
        if norm == 0.0:
            dependent.append(j)
            continue
        if kept:
            coef, *_ = np.linalg.lstsq(R[:, kept], col, rcond=None)
            resid = float(np.linalg.norm(col - R[:, kept] @ coef))
        else:
            resid = norm
        if resid <= tol * norm:
            dependent.append(j)
        else:
            kept.append(j)
    return dependent


def _equilibrated_qr(
    X: np.ndarray, w: np.ndarray | None, mode: str = "economic"
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """QR of √W·X with unit-norm columns: returns (Q or None for ``mode="r"``, R, column norms)."""
    Xw = X if w is None else X * np.sqrt(w)[:, None]
    norms = np.sqrt(np.einsum("ij,ij->j", Xw, Xw))
    safe = np.where(norms > 0, norms, 1.0)
    if mode == "r":
        (R,) = linalg.qr(Xw / safe, mode="r", check_finite=False)
        return None, R[: X.shape[1]], norms
    Q, R = linalg.qr(Xw / safe, mode="economic", check_finite=False)
    return Q, R, norms


def weighted_gram(X: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """X′WX, (k, k), without forming W·X when all weights equal one."""
    if w is None or bool(np.all(w == 1.0)):
        G = X.T @ X
    else:
        G = (X * w[:, None]).T @ X
    return (G + G.T) / 2


#: Fast path of :func:`collinear_columns`: if every Cholesky pivot of the equilibrated Gram
#: matrix exceeds this (squared relative residual norm > 1e-8), X has full rank; otherwise the
#: exact QR-based rule decides.
_FAST_PIVOT = 1e-8


def collinear_columns(
    X: np.ndarray,
    w: np.ndarray | None = None,
    *,
    tol: float = COLLINEAR_TOL,
    prepend_constant: bool = False,
    gram: np.ndarray | None = None,
) -> tuple[int, ...]:
    """Return the indices of the columns of X that are linear combinations of earlier columns.

    Parameters
    ----------
    X : (n, k) array
        Design matrix.
    w : (n,) array, optional
        Non-negative weights (rows with zero weight do not count).
    tol : float
        Relative residual-norm tolerance (see ``COLLINEAR_TOL``).
    prepend_constant : bool
        Check ``[1, X]`` instead of X (for ordered models, whose cutpoints act as
        a constant); the returned indices still refer to the columns of X.
    gram : (k, k) array, optional
        X′WX if the caller has it already (see :func:`weighted_gram`).

    Returns
    -------
    tuple of int
        Column indices in increasing order; empty when X has full column rank.

    Notes
    -----
    Fast path: the Gram matrix X′WX is equilibrated to unit diagonal and
    Cholesky-factored; if every squared pivot exceeds 1e-8 the columns are
    clearly independent.  Otherwise columns are scaled to unit (weighted) norm,
    R is taken from a Householder QR of √W·X (backward stable, so the linear
    relations among the columns of X are those among the columns of R up to
    round-off), and each column in turn is regressed on the earlier columns that
    were kept.  This is the order-preserving rule of Stata's ``_rmcoll`` (it
    omits the later column) and of R's ``lm`` (``NA`` for the later aliased
    coefficient).  An all-zero column is always reported.
    """
    X = np.asarray(X, dtype=float)
    k = X.shape[1]
    if k == 0:
        return ()
    w_arr = np.ones(X.shape[0]) if w is None else np.asarray(w, dtype=float)
    if gram is None:
        gram = weighted_gram(X, w_arr)
    if prepend_constant:
        col = w_arr @ X
        gram = np.block([[np.array([[w_arr.sum()]]), col[None, :]], [col[:, None], gram]])
    d = np.sqrt(np.diag(gram))
    if np.all(d > 0):
        # LAPACK's potrf directly (what np.linalg.cholesky calls, without its wrapping): info > 0 if not PD
        L, info = linalg.lapack.dpotrf(gram / np.outer(d, d), lower=1, clean=0)
        if info == 0 and np.min(np.diag(L)) ** 2 > _FAST_PIVOT:
            return ()
    pos = w_arr > 0
    Xp = X[pos]
    if prepend_constant:
        Xp = np.column_stack([np.ones(Xp.shape[0]), Xp])
    _, R, norms = _equilibrated_qr(Xp, None if w is None else w_arr[pos], mode="r")
    R = R * (norms > 0)
    dep = _dependent_in_order(R, tol)
    if prepend_constant:
        dep = [j - 1 for j in dep if j > 0]
    return tuple(dep)


def _raise_singular(cols: tuple[int, ...], k: int, model: str) -> None:
    shown = ", ".join(str(c) for c in cols)
    raise SingularDesignError(
        f"{model}: the design matrix is rank deficient ({len(cols)} of {k} columns are linear "
        f"combinations of earlier columns: column index {shown}); drop these columns (for a "
        "categorical variable, leave out one category when the model has a constant)",
        cols,
    )


def fit_ols(y: np.ndarray, X: np.ndarray, w: np.ndarray | None = None) -> LinearFit:
    """Ordinary or weighted least squares by a Householder QR decomposition.

    Parameters
    ----------
    y : (n,) array
        Outcome.
    X : (n, k) array
        Design matrix (include a column of ones for a constant).
    w : (n,) array, optional
        Non-negative weights multiplying each row's squared residual.

    Returns
    -------
    LinearFit

    Raises
    ------
    SingularDesignError
        X (restricted to positive-weight rows) is rank deficient; ``columns``
        holds the indices of the columns that are combinations of earlier ones.
    EstimationError
        Shapes disagree, non-finite values, negative weights, or no residual
        degrees of freedom.

    Notes
    -----
    β̂ minimises Σ wᵢ (yᵢ − xᵢ′β)².  With √W·X·D⁻¹ = QR (D the column norms),
    β̂ = D⁻¹R⁻¹Q′√W·y and (X′WX)⁻¹ = D⁻¹R⁻¹R⁻ᵀD⁻¹.  The point estimate is that of
    Stata ``regress`` with ``aweight``, ``fweight`` or ``pweight`` and of R
    ``lm(weights = w)``; ``nobs`` = Σ wᵢ is the frequency-weight count (the
    covariance layer uses n for probability weights).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.column_stack([np.ones(4), [0.0, 1.0, 2.0, 3.0]])
    >>> fit_ols(np.array([1.0, 3.0, 5.0, 7.0]), X).params.round(10)
    array([1., 2.])
    """
    y, X, w_arr = check_inputs(y, X, w, model="ols")
    y = y.astype(float)
    n, k = X.shape
    weighted = w is not None
    Q, R, norms = _equilibrated_qr(X, w_arr if weighted else None)
    R = R * (norms > 0)
    dependent = tuple(_dependent_in_order(R, COLLINEAR_TOL))
    if dependent:
        _raise_singular(dependent, k, "ols")
    nobs = float(w_arr.sum()) if weighted else float(n)
    if nobs - k <= 0:
        raise EstimationError(
            f"ols: {nobs:g} observations for {k} coefficients; no residual degrees of freedom"
        )
    yw = y * np.sqrt(w_arr) if weighted else y
    if Q is None:  # mode="economic" always returns Q
        raise EstimationError("ols: internal error: QR returned no Q")
    z = linalg.solve_triangular(R, Q.T @ yw, lower=False)
    params = z / norms
    Rinv = linalg.solve_triangular(R, np.eye(k), lower=False)
    xtwx_inv = (Rinv @ Rinv.T) / np.outer(norms, norms)
    xtwx_inv = (xtwx_inv + xtwx_inv.T) / 2
    fitted = X @ params
    resid = y - fitted
    ssr = float(np.sum(w_arr * resid**2)) if weighted else float(resid @ resid)
    return LinearFit(params, resid, fitted, xtwx_inv, ssr, nobs, nobs - k, k)


def ols_scores(X: np.ndarray, resid: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """Per-observation scores of least squares.

    Parameters
    ----------
    X : (n, k) array
        Design matrix.
    resid : (n,) array
        Residuals y − Xβ̂.
    w : (n,) array, optional
        Weights.  When given the weighted scores wᵢxᵢeᵢ are returned.

    Returns
    -------
    (n, k) array
        xᵢeᵢ, or wᵢxᵢeᵢ when ``w`` is given.

    Notes
    -----
    The meat of the sandwich estimator (White 1980; Stata ``vce(robust)``) is
    built from these rows.  The ML kernels return unweighted scores and leave the
    weighting to the covariance layer; call this without ``w`` for the same
    convention, or with ``w`` for the probability-weight score gᵢ = wᵢxᵢeᵢ.

    Examples
    --------
    >>> import numpy as np
    >>> ols_scores(np.ones((2, 1)), np.array([1.0, -1.0]))
    array([[ 1.],
           [-1.]])
    """
    X = np.asarray(X, dtype=float)
    resid = np.asarray(resid, dtype=float)
    if resid.shape != (X.shape[0],):
        raise EstimationError(
            f"ols_scores: resid must have shape ({X.shape[0]},), got {resid.shape}"
        )
    e = resid if w is None else resid * np.asarray(w, dtype=float)
    return X * e[:, None]
