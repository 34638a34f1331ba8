"""Shared Newton–Raphson driver, result type and input checks of the ML kernels.

The driver maximises a log-likelihood ``ℓ(θ)`` given a function that returns
``(ℓ, ∇ℓ, ∇²ℓ)``.  It follows Stata's ``ml`` (``[R] Maximize``): Newton steps,
step halving when a step lowers the log-likelihood ("backed up"), and a
Levenberg–Marquardt damping when the Hessian is not negative definite ("not
concave").  The convergence criterion is Stata's ``nrtolerance()``, the scaled
gradient ``g′(−H)⁻¹g``, but much tighter than Stata's default 1e-5 so that the
estimates agree with Stata/R to well below their printed precision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy import linalg

from flexemp.core.errors import ConvergenceError, EstimationError

#: Default convergence tolerance on the scaled gradient g′(−H)⁻¹g (Stata: ``nrtolerance(1e-5)``).
#: g′(−H)⁻¹g ≈ 2·(ℓ_max − ℓ), so 1e-10 puts the parameters within ~1e-5 standard errors of the maximum.
NR_TOL = 1e-10
#: After convergence one more (uncounted) Newton step is taken unless g′(−H)⁻¹g is already below
#: this; quadratic convergence then leaves parameter errors far below 1e-10 standard errors.
POLISH_BELOW = 1e-24
#: A chord polishing step (see :func:`newton_maximize`) is accepted only if it reaches g′(−H)⁻¹g below
#: this, i.e. parameters within ~1e-8 standard errors of the maximum; otherwise a Newton step follows.
CHORD_ACCEPT = 1e-16
#: Maximum number of step halvings per iteration before the line search gives up.
MAX_HALVINGS = 60
#: A step is accepted if it lowers ℓ by no more than this relative amount (round-off in Σ wᵢ lᵢ).
LL_SLACK = 1e-12

_potrf, _potrs, _sygvd = linalg.lapack.dpotrf, linalg.lapack.dpotrs, linalg.lapack.dsygvd
#: :func:`flat_direction` skips the eigensolver when −H − (margin·threshold)·G is positive definite;
#: the margin keeps rounding in the factorisation from deciding a case at the threshold itself.
_SCREEN_MARGIN = 2.0

Objective = Callable[[np.ndarray, bool], tuple[float, np.ndarray | None, np.ndarray | None]]


@dataclass(frozen=True)
class NewtonResult:
    """Outcome of :func:`newton_maximize`.

    Attributes
    ----------
    params : (p,) array
        The maximiser.
    loglik : float
        Log-likelihood at ``params``.
    gradient : (p,) array
        Gradient at ``params``.
    hessian : (p, p) array
        Hessian at ``params``.
    grad_norm : float
        Euclidean norm of ``gradient``.
    scaled_gradient : float
        g′(−H)⁻¹g at ``params`` (``inf`` if −H is not positive definite).
    iterations : int
        Number of Newton iterations taken.
    converged : bool
        Whether the convergence criterion was met.
    """

    params: np.ndarray
    loglik: float
    gradient: np.ndarray
    hessian: np.ndarray
    grad_norm: float
    scaled_gradient: float
    iterations: int
    converged: bool


@dataclass(frozen=True)
class MLFit:
    """Result of a maximum-likelihood kernel (binary, ordered, multinomial).

    Attributes
    ----------
    params : (p,) array
        Estimates; the order is documented by each kernel.
    loglik : float
        Weighted log-likelihood Σ wᵢ lᵢ at ``params``.
    loglik_null : float or None
        Weighted log-likelihood of the intercept-only model (closed form), or
        ``None`` when the model has no intercept.
    scores : (n, p) array
        Per-observation scores ∂lᵢ/∂θ of the *unweighted* terms lᵢ (the
        covariance layer multiplies them by the weights).
    hessian : (p, p) array
        Hessian of the *weighted* log-likelihood Σ wᵢ lᵢ.
    iterations : int
        Newton iterations.
    grad_norm : float
        Euclidean norm of the weighted gradient at ``params``.
    converged : bool
        Always ``True`` (non-convergence raises).
    linear_predictor : (n,) or (n, J) array
        x′β per observation (binary, ordered: (n,); multinomial: (n, J) with
        the base column zero).
    """

    params: np.ndarray
    loglik: float
    loglik_null: float | None
    scores: np.ndarray
    hessian: np.ndarray
    iterations: int
    grad_norm: float
    converged: bool
    linear_predictor: np.ndarray


def _damped_direction(g: np.ndarray, H: np.ndarray) -> tuple[np.ndarray, float, np.ndarray | None]:
    """Newton direction (−H)⁻¹g, with Levenberg–Marquardt damping if −H is not positive definite.

    Returns the direction, g′(−H)⁻¹g (``inf`` when damping was needed) and the upper
    Cholesky factor of −H (``None`` when damping was needed).
    """
    A = -H
    if A.size and np.isfinite(A).all() and np.isfinite(g).all():
        # LAPACK's potrf/potrs straight away: what cho_factor(A, lower=False) and cho_solve call,
        # without their argument checking (several µs each, and this runs every iteration)
        c, info = _potrf(A, lower=0, clean=0)
        if info == 0:
            d, info = _potrs(c, g, lower=0)
            if info == 0:
                return d, float(g @ d), c
    scale = np.maximum(np.abs(np.diag(A)), 1e-8 * max(1.0, float(np.max(np.abs(A)))))
    lam = 1e-6
    while lam < 1e12:
        try:
            cf = linalg.cho_factor(A + lam * np.diag(scale), lower=False)
            return linalg.cho_solve(cf, g), float("inf"), None
        except linalg.LinAlgError:
            lam *= 10.0
    return g / scale, float("inf"), None  # steepest ascent, scaled


class StagedObjective(Protocol):
    """An objective that can give the gradient first and the Hessian at the same point afterwards.

    ``gradient(theta)`` returns ``(loglik, gradient)``; ``hessian(theta)`` the Hessian at
    ``theta`` (cheap after ``gradient`` at the same point, whose per-row terms it reuses).
    :func:`newton_maximize` then skips the Hessian of the point where it can already tell,
    from the previous Hessian, that one more step will converge.
    """

    def __call__(self, theta: np.ndarray, derivatives: bool) -> tuple[float, np.ndarray | None, np.ndarray | None]: ...

    def gradient(self, theta: np.ndarray) -> tuple[float, np.ndarray]: ...

    def hessian(self, theta: np.ndarray) -> np.ndarray: ...


def _finite_and_up(ll_new: float, ll: float) -> bool:
    return bool(np.isfinite(ll_new) and ll_new >= ll - LL_SLACK * (1.0 + abs(ll)))


def newton_maximize(
    objective: Objective | StagedObjective,
    start: np.ndarray,
    *,
    model: str,
    maxiter: int = 100,
    tol: float = NR_TOL,
    on_failure: Callable[[np.ndarray, np.ndarray], None] | None = None,
) -> NewtonResult:
    """Maximise a log-likelihood by Newton–Raphson with step halving and damping.

    Parameters
    ----------
    objective : callable
        ``objective(theta, derivatives)`` returns ``(loglik, gradient, hessian)``;
        with ``derivatives=False`` only the log-likelihood is needed (the other
        two may be ``None``).  Return ``-inf`` for inadmissible ``theta`` (for
        example unordered cutpoints): the line search then halves the step.
        It may also offer ``gradient`` and ``hessian`` (:class:`StagedObjective`).
    start : (p,) array
        Starting values (must give a finite log-likelihood).
    model : str
        Model name used in error messages.
    maxiter : int
        Maximum number of Newton iterations.
    tol : float
        Convergence tolerance on the scaled gradient g′(−H)⁻¹g.
    on_failure : callable, optional
        Called as ``on_failure(theta, hessian)`` before :class:`ConvergenceError`
        is raised, so that a kernel can raise a more specific error (separation).

    Returns
    -------
    NewtonResult

    Raises
    ------
    ConvergenceError
        No convergence within ``maxiter`` iterations, or no step improves the
        log-likelihood.
    EstimationError
        The log-likelihood is not finite at the starting values.

    Notes
    -----
    Iteration: d = (−H)⁻¹g if −H is positive definite, else
    d = (−H + λ·diag|H|)⁻¹g with λ raised tenfold from 1e-6 until the matrix is
    positive definite (Levenberg–Marquardt; Stata reports "not concave").
    The step θ + s·d is tried for s = 1, ½, ¼, … (at most ``MAX_HALVINGS``
    times; Stata reports "backed up"); it is accepted once ℓ does not fall by
    more than ``LL_SLACK``·(1 + |ℓ|), which only absorbs summation round-off.
    Convergence: −H positive definite and g′(−H)⁻¹g < ``tol`` (Stata's
    ``nrtolerance``; default here 1e-10 instead of Stata's 1e-5).  One more
    full Newton step is then taken (not counted in ``iterations``) so that the
    estimates are accurate to round-off, not just to the tolerance.

    With a :class:`StagedObjective` the gradient at a new point comes first.  If
    g′(−H_prev)⁻¹g, measured with the previous point's Hessian, is already below
    ``tol``, the polishing step is taken with that Hessian (a chord step: its error
    is the remaining error times the relative change of H over the last step), and
    the point reached is accepted only if its own g′(−H)⁻¹g, with its own Hessian,
    is below ``CHORD_ACCEPT`` (parameters within ~1e-8 standard errors of the
    maximum); otherwise the iterations go on from there (and end with a Newton
    polishing step).  This saves the Hessian of the next-to-last point.
    """
    staged = callable(getattr(objective, "gradient", None)) and callable(getattr(objective, "hessian", None))
    theta = np.array(start, dtype=float, copy=True)
    ll, g, H = objective(theta, True)
    if not np.isfinite(ll) or g is None or H is None:
        raise EstimationError(
            f"{model}: the log likelihood is not finite at the starting values; supply other start values"
        )
    it = 0
    while True:
        d, dec, factor = _damped_direction(g, H)
        if dec < tol:
            if dec > POLISH_BELOW:  # one more Newton step squares the remaining error
                ll_p, g_p, H_p = objective(theta + d, True)
                if g_p is not None and H_p is not None and _finite_and_up(ll_p, ll):
                    theta, ll, g, H = theta + d, ll_p, g_p, H_p
                    dec = _damped_direction(g, H)[1]
            return NewtonResult(theta, float(ll), g, H, float(np.linalg.norm(g)), dec, it, True)
        if it >= maxiter:
            break
        it += 1
        # full step with the gradient (usually accepted); halvings need only the log-likelihood
        cand = theta + d
        H_new: np.ndarray | None
        if staged:
            ll_new, g_new = objective.gradient(cand)  # type: ignore[union-attr]
            H_new = None
        else:
            ll_new, g_new, H_new = objective(cand, True)
        step = 1.0
        halvings = 0
        while not _finite_and_up(ll_new, ll):
            halvings += 1
            if halvings > MAX_HALVINGS:
                if on_failure is not None:
                    on_failure(theta, H)
                raise ConvergenceError(
                    f"{model}: no step improves the log likelihood at iteration {it} (gradient norm "
                    f"{np.linalg.norm(g):.3g}, scaled gradient {dec:.3g}); the likelihood may be flat "
                    "or ill-conditioned: rescale regressors with very large values, check for "
                    "separation or near-collinearity, or supply start values"
                )
            step *= 0.5
            cand = theta + step * d
            ll_new, g_new, H_new = objective(cand, False)
        if g_new is None:  # a halved step: derivatives at the accepted point
            ll_new, g_new, H_new = objective(cand, True)
        elif H_new is None and factor is not None:  # staged, full step: converged with the old Hessian?
            d_c, _ = _potrs(factor, g_new, lower=0)
            if float(g_new @ d_c) < tol:
                ll_c, g_c, H_c = objective(cand + d_c, True)
                if g_c is not None and H_c is not None and _finite_and_up(ll_c, ll_new):
                    dec_c = _damped_direction(g_c, H_c)[1]
                    if dec_c < min(tol, CHORD_ACCEPT):
                        return NewtonResult(cand + d_c, float(ll_c), g_c, H_c, float(np.linalg.norm(g_c)), dec_c,
                                            it, True)
                    cand, ll_new, g_new, H_new = cand + d_c, ll_c, g_c, H_c  # go on from the better point
        if H_new is None:
            H_new = objective.hessian(cand)  # type: ignore[union-attr]
        if g_new is None or H_new is None:
            raise EstimationError(f"{model}: internal error: the objective returned no derivatives")
        theta, ll, g, H = cand, ll_new, g_new, H_new
    if on_failure is not None:
        on_failure(theta, H)
    dec_txt = "not concave" if not np.isfinite(dec) else f"{dec:.3g}"
    raise ConvergenceError(
        f"{model}: did not converge in {maxiter} iterations (gradient norm {np.linalg.norm(g):.3g}, "
        f"scaled gradient g'(-H)^-1 g = {dec_txt}, tolerance {tol:g}); try a larger maxiter, rescale "
        "regressors with very large values, check for separation or near-collinearity, or supply "
        "start values"
    )


def check_inputs(
    y: np.ndarray, X: np.ndarray, w: np.ndarray | None, *, model: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coerce and check ``y`` (n,), ``X`` (n, k) and ``w`` (n,) (``None`` → ones).

    Raises
    ------
    EstimationError
        Shapes disagree, values are not finite, or weights are negative / all zero.
    """
    y = np.asarray(y)
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise EstimationError(f"{model}: X must be a 2-D array (n, k), got shape {X.shape}")
    n = X.shape[0]
    if y.ndim != 1 or y.shape[0] != n:
        raise EstimationError(f"{model}: y must have shape ({n},), got {y.shape}")
    if n == 0:
        raise EstimationError(f"{model}: no observations")
    if w is None:
        w_arr = np.ones(n)
    else:
        w_arr = np.asarray(w, dtype=float)
        if w_arr.shape != (n,):
            raise EstimationError(f"{model}: w must have shape ({n},), got {w_arr.shape}")
        bad = np.flatnonzero(~np.isfinite(w_arr) | (w_arr < 0))
        if bad.size:
            raise EstimationError(
                f"{model}: weights must be finite and non-negative; {bad.size} rows are not "
                f"(first rows: {bad[:5].tolist()}); drop or fix them"
            )
        if not np.any(w_arr > 0):
            raise EstimationError(f"{model}: all weights are zero")
    if np.isfinite(X).all():  # the usual case: one pass, no per-row reduction (slow on short rows)
        bad_rows = np.zeros(0, dtype=np.int64)
    else:
        bad_rows = np.flatnonzero(~np.all(np.isfinite(X), axis=1))
    if bad_rows.size:
        raise EstimationError(
            f"{model}: X has non-finite values in {bad_rows.size} rows (first rows: "
            f"{bad_rows[:5].tolist()}); drop rows with missing values first"
        )
    if np.issubdtype(y.dtype, np.floating) and not np.all(np.isfinite(y)):
        raise EstimationError(
            f"{model}: y has non-finite values; drop rows with missing values first"
        )
    return y, X, w_arr


def positive_rows(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Rows of X with positive weight (X itself, not a copy, when all weights are positive)."""
    return X if bool(np.all(w > 0)) else X[w > 0]


#: Rows folded into one pass by :func:`_column_extreme` (longer inner loops than a plain ``axis=0`` reduction).
_FOLD = 64


def _column_extreme(X: np.ndarray, ufunc: np.ufunc) -> np.ndarray:
    """``ufunc.reduce(X, axis=0)`` for ``np.minimum`` / ``np.maximum``, several times faster on a C-ordered X.

    NumPy reduces a C-ordered (n, k) array over its rows with an inner loop of only k
    elements; here blocks of ``_FOLD`` rows are viewed as one row of ``_FOLD·k`` values,
    reduced, and the ``_FOLD`` partial results reduced again.  Minimum and maximum are
    exact, so the result is the same in any order.
    """
    n, k = X.shape
    q = n // _FOLD
    if q < 2 or not X.flags.c_contiguous:
        return np.asarray(ufunc.reduce(X, axis=0))
    part = ufunc.reduce(ufunc.reduce(X[: q * _FOLD].reshape(q, _FOLD * k), axis=0).reshape(_FOLD, k), axis=0)
    return np.asarray(ufunc(part, ufunc.reduce(X[q * _FOLD :], axis=0)) if q * _FOLD < n else part)


def column_ranges(X: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(Xp, low, high)``: the positive-weight rows of X and each column's minimum and maximum over them.

    Pass the result to :func:`constant_columns` and :func:`binary_columns` (``ranges=``)
    so that the two checks share one pass over X.
    """
    Xp = positive_rows(X, w)
    if Xp.shape[0] == 0:
        return Xp, np.zeros(Xp.shape[1]), np.zeros(Xp.shape[1])
    return Xp, _column_extreme(Xp, np.minimum), _column_extreme(Xp, np.maximum)


def constant_columns(
    X: np.ndarray, w: np.ndarray, *, ranges: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
) -> np.ndarray:
    """Return the columns that are constant and non-zero over the rows with positive weight.

    ``ranges`` is :func:`column_ranges` of the same X and w, if already computed.
    """
    Xp, lo, hi = column_ranges(X, w) if ranges is None else ranges
    if Xp.shape[1] == 0 or Xp.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(((hi - lo) == 0) & (Xp[0] != 0))  # hi − lo: np.ptp


def binary_columns(
    X: np.ndarray, w: np.ndarray, *, ranges: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
) -> list[tuple[int, float, float]]:
    """Columns taking exactly two distinct values over positive-weight rows: ``(j, low, high)``.

    ``ranges`` is :func:`column_ranges` of the same X and w, if already computed.
    """
    Xp, lo, hi = column_ranges(X, w) if ranges is None else ranges
    out: list[tuple[int, float, float]] = []
    if Xp.shape[0] == 0:
        return out
    head = Xp[:16]  # cheap screen on a view: a column with a third value in the first rows is not binary
    cand = np.flatnonzero((lo < hi) & np.all((head == lo) | (head == hi), axis=0))
    if cand.size == 0:
        return out
    head = Xp[:1000, cand]  # a second, longer screen of the columns left
    cand = cand[np.all((head == lo[cand]) | (head == hi[cand]), axis=0)]
    if cand.size == 0:
        return out
    for j in cand:
        col = Xp[:, j]
        if np.all((col == lo[j]) | (col == hi[j])):
            out.append((int(j), float(lo[j]), float(hi[j])))
    return out


def flat_direction(
    neg_hessian: np.ndarray, gram: np.ndarray, *, threshold: float
) -> np.ndarray | None:
    """Direction in which the data carry (almost) no information, or ``None``.

    Solves the generalised eigenproblem (−H)v = λGv, where G is the design's
    Gram matrix (per unit of weight).  λ is then the average curvature of lᵢ
    along v, Σ wᵢ cᵢ (xᵢ′v)² / Σ wᵢ (xᵢ′v)².  Under (quasi-)separation the
    coefficients diverge along a direction v whose observations are all fitted
    with probability numerically 0 or 1, so λ_min → 0; the direction is returned
    when λ_min < ``threshold``.
    """
    if neg_hessian.size == 0 or not (np.isfinite(neg_hessian).all() and np.isfinite(gram).all()):
        return None  # (``linalg.eigh`` raises ValueError here)
    # Screen: with G positive definite, λ_min > threshold exactly when −H − threshold·G is positive
    # definite, which one Cholesky factorisation answers (a tenth of the eigensolver's time).  Only
    # a failed factorisation (near or below the threshold, or G itself singular) goes on to the
    # eigenproblem, which decides and gives the direction.
    if _potrf(neg_hessian - (threshold * _SCREEN_MARGIN) * gram, lower=1, clean=0)[1] == 0:
        return None
    # LAPACK's sygvd as ``linalg.eigh(neg_hessian, gram)`` calls it (driver "gvd", lower triangle),
    # without its argument checking: the same eigenvalues and vectors
    vals, vecs, info = _sygvd(neg_hessian, gram, itype=1, jobz="V", uplo="L")
    if info != 0:
        return None  # (``linalg.eigh`` raises LinAlgError: G not positive definite, or no convergence)
    if vals[0] >= threshold:
        return None
    v = vecs[:, 0] * np.sqrt(np.diag(gram))  # loadings on standardised regressors
    return np.asarray(v / np.max(np.abs(v)))
