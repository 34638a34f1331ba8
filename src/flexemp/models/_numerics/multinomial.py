"""Multinomial logit kernel with analytic block gradient and Hessian.

Matches Stata ``mlogit y x, baseoutcome(b)`` and R ``nnet::multinom`` with the
base as reference level (``relevel``).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from flexemp.core.errors import EstimationError, SeparationError
from flexemp.models._numerics._newton import (
    NR_TOL,
    MLFit,
    Objective,
    binary_columns,
    check_inputs,
    constant_columns,
    newton_maximize,
)
from flexemp.models._numerics.binary import separation_check
from flexemp.models._numerics.linear import _raise_singular, collinear_columns, weighted_gram
from flexemp.models._numerics.ordered import _check_codes


def _coef_matrix(params: np.ndarray, k: int, J: int, base: int) -> np.ndarray:
    """(k, J) coefficient matrix with a zero column for the base outcome."""
    B = np.zeros((k, J))
    others = [j for j in range(J) if j != base]
    B[:, others] = params.reshape(J - 1, k).T
    return B


def mlogit_probs(X: np.ndarray, params: np.ndarray, base: int = 0) -> np.ndarray:
    """Outcome probabilities of a multinomial logit.

    Parameters
    ----------
    X : (n, k) array
        Design matrix.
    params : (k·(J − 1),) array
        Coefficients stacked by non-base outcome in increasing code order (see
        :func:`fit_mlogit`).
    base : int
        Code of the base outcome.

    Returns
    -------
    (n, J) array
        P(y = j | x) = exp(x′β_j) / Σ_m exp(x′β_m), β_base = 0.

    Examples
    --------
    >>> import numpy as np
    >>> mlogit_probs(np.ones((1, 1)), np.array([0.0, np.log(2.0)]), base=0).round(6)
    array([[0.25, 0.25, 0.5 ]])
    """
    X = np.asarray(X, dtype=float)
    params = np.asarray(params, dtype=float)
    k = X.shape[1]
    if k == 0 or params.size % k:
        raise EstimationError(f"mlogit_probs: {params.size} parameters do not fit {k} columns of X")
    J = params.size // k + 1
    if not 0 <= base < J:
        raise EstimationError(f"mlogit_probs: base {base} is not a code in 0 … {J - 1}")
    return special.softmax(X @ _coef_matrix(params, k, J, base), axis=1)


def _dummy_separation(y: np.ndarray, X: np.ndarray, w: np.ndarray, J: int) -> None:
    pos = w > 0
    yp = y[pos]
    wp = w[pos]
    for j, lo, hi in binary_columns(X, w):
        at_hi = X[pos, j] == hi
        for val, mask in ((hi, at_hi), (lo, ~at_hi)):
            counts = np.bincount(yp[mask], weights=wp[mask], minlength=J)
            missing = np.flatnonzero(counts <= 0)
            if missing.size:
                raise SeparationError(
                    f"mlogit: when column {j} == {val:g}, outcome code(s) "
                    f"{', '.join(str(c) for c in missing)} never occur, so a coefficient of column {j} "
                    "is infinite (quasi-complete separation). Drop or recode the regressor, or merge "
                    "sparse outcome categories",
                    (j,),
                )


def _logsumexp(eta: np.ndarray) -> np.ndarray:
    """log Σⱼ exp(ηᵢⱼ) per row, shifted by the row maximum (scipy's version makes (n, J) temporaries
    several times over)."""
    m = eta.max(axis=1)
    e = eta - m[:, None]
    np.exp(e, out=e)
    return m + np.log(e.sum(axis=1))


def _objective(y: np.ndarray, X: np.ndarray, w_arr: np.ndarray, J: int, base: int) -> Objective:
    """Σ wᵢ lᵢ with analytic gradient and block Hessian (see :func:`fit_mlogit`)."""
    n, k = X.shape
    p = k * (J - 1)
    others = np.array([j for j in range(J) if j != base])
    rows = np.arange(n)
    # (n, J − 1) indicators as booleans, not an (n, J) float one-hot
    Yo = y[:, None] == others[None, :]
    buf = np.empty_like(X)  # X·v of one Hessian block at a time, reused

    def objective(
        theta: np.ndarray, need: bool
    ) -> tuple[float, np.ndarray | None, np.ndarray | None]:
        eta = X @ _coef_matrix(theta, k, J, base)
        lse = _logsumexp(eta)
        ll = float(w_arr @ (eta[rows, y] - lse))
        if not need or not np.isfinite(ll):
            return ll, None, None
        eta -= lse[:, None]
        Po = np.exp(eta[:, others])
        R = (Yo - Po) * w_arr[:, None]
        grad = (X.T @ R).T.reshape(p)
        H = np.empty((p, p))
        for a in range(J - 1):
            for b in range(a, J - 1):
                v = Po[:, a] * ((a == b) - Po[:, b]) * w_arr
                np.multiply(X, v[:, None], out=buf)
                block = -(buf.T @ X)  # negate the k×k product
                H[a * k : (a + 1) * k, b * k : (b + 1) * k] = block
                H[b * k : (b + 1) * k, a * k : (a + 1) * k] = block.T
        return ll, grad, (H + H.T) / 2

    return objective


def _scores(X: np.ndarray, y: np.ndarray, eta: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Per-row scores (Yᵢⱼ − Pᵢⱼ)xᵢ, (n, k·(J − 1)): outcome block m in columns m·k … (m + 1)·k − 1."""
    n, k = X.shape
    lse = _logsumexp(eta)
    R = (y[:, None] == others[None, :]) - np.exp(eta[:, others] - lse[:, None])  # (n, J − 1) residuals
    # the products Rᵢₘ·xᵢⱼ (no index summed: each entry one multiplication, as with ``*``) by einsum into
    # one (n, J − 1, k) array, viewed as (n, k·(J − 1)); a broadcast ``*`` into column blocks made NumPy
    # allocate iteration buffers (0.7× the design at n = 2,000, the peak of the whole fit) and was slower
    scores = np.einsum("ij,im->imj", X, R)
    return scores.reshape(n, k * len(others))


def mlogit_loglik(
    params: np.ndarray,
    y: np.ndarray,
    X: np.ndarray,
    w: np.ndarray | None = None,
    base: int = 0,
    n_categories: int | None = None,
) -> tuple[float, np.ndarray, np.ndarray]:
    """Weighted log-likelihood Σ wᵢ lᵢ of a multinomial logit with gradient and Hessian.

    Parameters
    ----------
    params : (k·(J − 1),) array
        Coefficients in the order of :func:`fit_mlogit`.
    y, X, w, base, n_categories
        As in :func:`fit_mlogit`.

    Returns
    -------
    tuple
        ``(loglik, gradient (k·(J − 1),), hessian (k·(J − 1), k·(J − 1)))``.
    """
    y, X, w_arr = check_inputs(y, X, w, model="mlogit")
    y, J = _check_codes(y, w_arr, n_categories, "mlogit")
    ll, g, H = _objective(y, X, w_arr, J, base)(np.asarray(params, dtype=float), True)
    if g is None or H is None:
        raise EstimationError("mlogit: internal error: no derivatives")
    return ll, g, H


def fit_mlogit(
    y: np.ndarray,
    X: np.ndarray,
    w: np.ndarray | None = None,
    base: int = 0,
    start: np.ndarray | None = None,
    maxiter: int = 100,
    tol: float = NR_TOL,
    n_categories: int | None = None,
) -> MLFit:
    """Multinomial logit by maximum likelihood.

    Parameters
    ----------
    y : (n,) int array
        Outcome codes 0 … J−1 (J ≥ 2).
    X : (n, k) array
        Design matrix (include a column of ones for a constant).
    w : (n,) array, optional
        Non-negative weights; the objective is Σ wᵢ lᵢ.
    base : int
        Code of the base (reference) outcome, whose coefficients are fixed at 0.
    start : (k·(J − 1),) array, optional
        Starting values; default zeros with the constants at log(share_j / share_base).
    maxiter : int
        Maximum Newton iterations.
    tol : float
        Tolerance on g′(−H)⁻¹g.
    n_categories : int, optional
        J, when the highest codes may be absent (they then raise); default ``max(y) + 1``.

    Returns
    -------
    MLFit
        ``params`` (k·(J − 1),): for each non-base outcome in increasing code
        order, its k coefficients (Stata ``mlogit`` equation order; the columns
        of R ``coef(multinom(...))`` read row by row); ``scores`` (n, k·(J − 1))
        of the unweighted lᵢ; ``hessian`` of Σ wᵢ lᵢ; ``linear_predictor`` (n, J)
        with a zero base column; ``loglik_null`` = Σ wᵢ log(share of yᵢ) when X
        has a constant column, else ``None``.

    Raises
    ------
    EmptyCategoryError
        An outcome code in 0 … J−1 has no observations with positive weight.
    SingularDesignError
        X is rank deficient.
    SeparationError
        For some value of a 0/1 regressor an outcome never occurs, or the
        information vanishes along a direction at the end of the fit.
    ConvergenceError
        No convergence within ``maxiter`` iterations.
    EstimationError
        Bad codes, base, shapes or weights.

    Notes
    -----
    lᵢ = x′β_{yᵢ} − log Σ_m exp(x′β_m).  With Pᵢⱼ the probabilities and Yᵢⱼ the
    outcome indicators, ∂lᵢ/∂β_j = (Yᵢⱼ − Pᵢⱼ)xᵢ and the (j, m) Hessian block is
    −Σ wᵢ Pᵢⱼ(δⱼₘ − Pᵢₘ) xᵢxᵢ′ (McFadden 1974; Stata ``[R] mlogit``).

    Examples
    --------
    >>> import numpy as np
    >>> fit = fit_mlogit(np.array([0, 1, 1, 2, 2, 2]), np.ones((6, 1)))
    >>> np.exp(fit.params).round(8)
    array([2., 3.])
    """
    model = "mlogit"
    y, X, w_arr = check_inputs(y, X, w, model=model)
    y, J = _check_codes(y, w_arr, n_categories, model)
    if J < 2:
        raise EstimationError("mlogit: the outcome has a single category; nothing to estimate")
    if not 0 <= base < J:
        raise EstimationError(f"mlogit: base {base} is not an outcome code in 0 … {J - 1}")
    k = X.shape[1]
    if k == 0:
        raise EstimationError("mlogit: X has no columns; include at least a constant")
    gram = weighted_gram(X, w_arr)
    dependent = collinear_columns(X, w_arr, gram=gram)
    if dependent:
        _raise_singular(dependent, k, model)
    _dummy_separation(y, X, w_arr, J)
    others = np.array([j for j in range(J) if j != base])
    const = constant_columns(X, w_arr)
    sw = float(w_arr.sum())
    counts = np.bincount(y, weights=w_arr, minlength=J)
    share = counts / sw
    p = k * (J - 1)
    if start is None:
        theta0 = np.zeros(p)
        if const.size:
            c = int(const[0])
            x0 = float(X[np.argmax(w_arr > 0), c])
            for m, j in enumerate(others):
                theta0[m * k + c] = np.log(share[j] / share[base]) / x0
    else:
        theta0 = np.asarray(start, dtype=float)
        if theta0.shape != (p,):
            raise EstimationError(f"mlogit: start must have shape ({p},), got {theta0.shape}")
    objective = _objective(y, X, w_arr, J, base)

    def on_failure(theta: np.ndarray, H: np.ndarray) -> None:
        separation_check(-H, gram, const, sw=sw, model=model, blocks=J - 1)

    res = newton_maximize(
        objective, theta0, model=model, maxiter=maxiter, tol=tol, on_failure=on_failure
    )
    separation_check(-res.hessian, gram, const, sw=sw, model=model, blocks=J - 1)
    del objective  # frees the kernel's work buffer before the scores are formed
    eta = X @ _coef_matrix(res.params, k, J, base)
    scores = _scores(X, y, eta, others)
    ll_null = None
    if const.size:
        ll_null = float(np.sum(counts[counts > 0] * np.log(share[counts > 0])))
    return MLFit(
        params=res.params,
        loglik=res.loglik,
        loglik_null=ll_null,
        scores=scores,
        hessian=res.hessian,
        iterations=res.iterations,
        grad_norm=res.grad_norm,
        converged=res.converged,
        linear_predictor=eta,
    )
