"""Ordered-outcome kernels: ordered probit and ordered logit with analytic derivatives.

Parametrisation of Stata ``oprobit`` / ``ologit`` and R ``MASS::polr``:
P(y ≤ j | x) = F(κ_{j+1} − x′β) for j = 0 … J−2, with cutpoints κ₁ < … < κ_{J−1}
and no constant in X (it is absorbed by the cutpoints).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
from scipy import special

from flexemp.core.errors import (
    EmptyCategoryError,
    EstimationError,
    SeparationError,
    SingularDesignError,
)
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

OrderedLink = Literal["probit", "logit"]
_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)


def _log_cdf(z: np.ndarray, link: str) -> np.ndarray:
    return special.log_ndtr(z) if link == "probit" else special.log_expit(z)


def _log_pdf(z: np.ndarray, link: str) -> np.ndarray:
    if link == "probit":
        return -0.5 * z**2 - _LOG_SQRT_2PI
    az = np.abs(z)
    return -az - 2 * np.log1p(np.exp(-az))  # log[F(z)(1 − F(z))], logistic


def _cdf(z: np.ndarray, link: str) -> np.ndarray:
    return special.ndtr(z) if link == "probit" else special.expit(z)


def _log_interval(lo: np.ndarray, hi: np.ndarray, link: str) -> np.ndarray:
    """log(F(hi) − F(lo)) for lo < hi, stable in both tails (F symmetric)."""
    upper = lo > 0  # both bounds in the upper tail: use survival functions S(z) = F(−z)
    a = np.where(upper, -hi, lo)
    b = np.where(upper, -lo, hi)
    log_b = _log_cdf(b, link)
    with np.errstate(invalid="ignore", divide="ignore"):
        return log_b + np.log1p(-np.exp(_log_cdf(a, link) - log_b))


def ordered_probs(xb: np.ndarray, cuts: np.ndarray, link: OrderedLink) -> np.ndarray:
    """Category probabilities P(y = j | x), j = 0 … J−1.

    Parameters
    ----------
    xb : (n,) array
        Linear predictor x′β.
    cuts : (J−1,) array
        Increasing cutpoints κ₁ … κ_{J−1}.
    link : {"probit", "logit"}
        F is the standard normal or logistic distribution function.

    Returns
    -------
    (n, J) array
        F(κ_{j+1} − x′β) − F(κ_j − x′β) with κ₀ = −∞, κ_J = +∞.

    Examples
    --------
    >>> import numpy as np
    >>> ordered_probs(np.zeros(1), np.array([-1.0, 1.0]), "logit").round(6)
    array([[0.268941, 0.462117, 0.268941]])
    """
    xb = np.asarray(xb, dtype=float)
    cuts = np.asarray(cuts, dtype=float)
    F = _cdf(cuts[None, :] - xb[:, None], link)
    n = xb.shape[0]
    Fx = np.hstack([np.zeros((n, 1)), F, np.ones((n, 1))])
    return np.diff(Fx, axis=1)


def ordered_prob_derivs(xb: np.ndarray, cuts: np.ndarray, link: OrderedLink) -> np.ndarray:
    """Return ∂P(y = j | x)/∂(x′β), for marginal effects (Stata ``margins, dydx()``).

    Parameters
    ----------
    xb : (n,) array
        Linear predictor.
    cuts : (J−1,) array
        Cutpoints.
    link : {"probit", "logit"}
        Link.

    Returns
    -------
    (n, J) array
        f(κ_j − x′β) − f(κ_{j+1} − x′β) (f(±∞) = 0); the effect of regressor m is
        this times β_m.
    """
    xb = np.asarray(xb, dtype=float)
    cuts = np.asarray(cuts, dtype=float)
    f = np.exp(_log_pdf(cuts[None, :] - xb[:, None], link))
    n = xb.shape[0]
    fx = np.hstack([np.zeros((n, 1)), f, np.zeros((n, 1))])
    return fx[:, :-1] - fx[:, 1:]


def ordered_pdf_deriv(z: np.ndarray, link: OrderedLink) -> np.ndarray:
    """f′(z) of the link's density (probit: −zφ(z); logit: f(z)(1 − 2F(z))), for delta-method SEs.

    Parameters
    ----------
    z : array
        Argument.
    link : {"probit", "logit"}
        Link.

    Returns
    -------
    array
        Same shape as ``z``.
    """
    z = np.asarray(z, dtype=float)
    f = np.exp(_log_pdf(z, link))
    return -z * f if link == "probit" else f * (1 - 2 * _cdf(z, link))


def _bounds(y: np.ndarray, y1: np.ndarray, xb: np.ndarray, cuts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds κ_y − x′β and κ_{y+1} − x′β (``y1`` = y + 1, precomputed)."""
    ext = np.concatenate([[-np.inf], cuts, [np.inf]])
    return ext[y] - xb, ext[y1] - xb


def _check_codes(
    y: np.ndarray, w: np.ndarray, n_categories: int | None, model: str
) -> tuple[np.ndarray, int]:
    if not np.issubdtype(y.dtype, np.integer):
        if not np.all(np.equal(np.mod(y, 1), 0)):
            raise EstimationError(f"{model}: y must hold integer codes 0 … J−1")
        y = y.astype(np.int64)
    if y.min() < 0:
        raise EstimationError(f"{model}: y must hold codes 0 … J−1; found {int(y.min())}")
    J = int(y.max()) + 1 if n_categories is None else int(n_categories)
    if y.max() >= J:
        raise EstimationError(f"{model}: code {int(y.max())} exceeds n_categories − 1 = {J - 1}")
    counts = np.bincount(y, weights=w, minlength=J)
    empty = np.flatnonzero(counts <= 0)
    if empty.size:
        raise EmptyCategoryError(
            f"{model}: outcome categor{'y' if empty.size == 1 else 'ies'} "
            f"{', '.join(str(c) for c in empty)} ha{'s' if empty.size == 1 else 've'} no observations "
            "with positive weight; recode the outcome to consecutive codes or merge categories"
        )
    return y.astype(np.intp, copy=False), J


def _objective(
    y: np.ndarray, X: np.ndarray, w_arr: np.ndarray, link: str, J: int
) -> tuple[Objective, Callable[[np.ndarray], np.ndarray]]:
    """Log-likelihood with analytic derivatives, and the per-row score function."""
    n, k = X.shape
    lower_ok = y > 0  # rows with a finite lower bound a (cut j)
    upper_ok = y < J - 1  # rows with a finite upper bound u (cut j + 1)
    y1 = y + 1  # index of each row's upper bound in [−∞, κ, +∞]
    # Each row touches two cutpoints: its upper one (cut y) and its lower one (cut y − 1).  Their
    # positions in the flattened (n, J − 1) work array of the Hessian's cross block and in the
    # flattened (n, k + J − 1) score array are computed once: no dense n × (J − 1) one-hot
    # products per iteration.
    rows_u, rows_a = np.flatnonzero(upper_ok), np.flatnonzero(lower_ok)
    work_u, work_a = rows_u * (J - 1) + y[rows_u], rows_a * (J - 1) + y[rows_a] - 1
    p = k + J - 1
    score_u, score_a = rows_u * p + k + y[rows_u], rows_a * p + k + y[rows_a] - 1

    last_first: list[np.ndarray] = []  # [θ, gᵤ, gₐ] of the last evaluation with derivatives
    last_terms: list[tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]] = []
    unit = bool(np.all(w_arr == 1.0))  # then wᵢ·v = v exactly: skip the products

    def wt(v: np.ndarray) -> np.ndarray:
        return v if unit else w_arr * v

    def loglik_terms(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        beta, cuts = theta[:k], theta[k:]
        if np.any(np.diff(cuts) <= 0) or not np.all(np.isfinite(theta)):
            return None
        if last_terms and np.array_equal(last_terms[0][0], theta):
            return last_terms[0][1]  # the same θ again (start values, then Newton's first step)
        xb = X @ beta
        a, u = _bounds(y, y1, xb, cuts)
        terms = (_log_interval(a, u, link), a, u)
        last_terms[:] = [(theta.copy(), terms)]
        return terms

    def first(a: np.ndarray, u: np.ndarray, logp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        g_u = np.exp(_log_pdf(u, link) - logp)  # f(±∞) = 0
        g_a = np.exp(_log_pdf(a, link) - logp)
        return g_u, g_a

    def second(
        a: np.ndarray, u: np.ndarray, g_u: np.ndarray, g_a: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        u_f = np.where(upper_ok, u, 0.0)
        a_f = np.where(lower_ok, a, 0.0)
        s_u = -u_f if link == "probit" else 1 - 2 * special.expit(u_f)
        s_a = -a_f if link == "probit" else 1 - 2 * special.expit(a_f)
        d_uu = g_u * s_u - g_u**2
        d_aa = -g_a * s_a - g_a**2
        d_ua = g_u * g_a
        return d_uu, d_aa, d_ua

    def objective(
        theta: np.ndarray, need: bool
    ) -> tuple[float, np.ndarray | None, np.ndarray | None]:
        terms = loglik_terms(theta)
        if terms is None:
            return -np.inf, None, None
        logp, a, u = terms
        ll = float(w_arr @ logp)
        if not need or not np.isfinite(ll):
            return ll, None, None
        g_u, g_a = first(a, u, logp)
        last_first[:] = [theta.copy(), g_u, g_a]  # the scores at the optimum reuse them
        d_uu, d_aa, d_ua = second(a, u, g_u, g_a)
        grad = np.empty(p)
        grad[k:] = np.bincount(y, weights=wt(g_u), minlength=J)[: J - 1]
        grad[k:] -= np.bincount(y, weights=wt(g_a), minlength=J)[1:]
        H = np.empty((p, p))
        v_bb = wt(d_uu + 2 * d_ua + d_aa)
        H[:k, :k] = (X * v_bb[:, None]).T @ X
        # cross block X′E: cut column j of E holds the rows with upper cut j (y = j) and lower cut
        # j (y = j + 1), scattered to their precomputed positions.  (Folding the β-gradient into
        # the same product as an extra column saved nothing measurable and changed the last bits.)
        E = np.zeros((n, J - 1))
        grad[:k] = -(X.T @ wt(g_u - g_a))
        E.flat[work_u] = wt(d_uu + d_ua)[rows_u]
        E.flat[work_a] = wt(d_ua + d_aa)[rows_a]
        H[:k, k:] = -(X.T @ E)
        H[k:, :k] = H[:k, k:].T
        cc = np.zeros((J - 1, J - 1))
        diag = np.bincount(y, weights=wt(d_uu), minlength=J)[: J - 1]
        diag += np.bincount(y, weights=wt(d_aa), minlength=J)[1:]
        cc[np.diag_indices(J - 1)] = diag
        off = np.bincount(y, weights=wt(d_ua), minlength=J)[1 : J - 1]
        idx = np.arange(J - 2)
        cc[idx, idx + 1] = off
        cc[idx + 1, idx] = off
        H[k:, k:] = cc
        return ll, grad, (H + H.T) / 2

    def score_fn(theta: np.ndarray) -> np.ndarray:
        if last_first and np.array_equal(last_first[0], theta):
            g_u, g_a = last_first[1], last_first[2]  # computed by the last derivative evaluation
        else:
            terms = loglik_terms(theta)
            if terms is None:
                raise EstimationError("ordered model: cutpoints are not strictly increasing")
            logp, a, u = terms
            g_u, g_a = first(a, u, logp)
        scores = np.zeros((n, p))
        np.multiply(X, (g_a - g_u)[:, None], out=scores[:, :k])
        scores.flat[score_u] = g_u[rows_u]  # ∂l/∂κ_{y+1} = gᵤ
        scores.flat[score_a] = -g_a[rows_a]  # ∂l/∂κ_y = −gₐ
        return scores

    return objective, score_fn


def ordered_loglik(
    params: np.ndarray,
    y: np.ndarray,
    X: np.ndarray,
    w: np.ndarray | None = None,
    link: OrderedLink = "probit",
    n_categories: int | None = None,
) -> tuple[float, np.ndarray, np.ndarray]:
    """Weighted log-likelihood Σ wᵢ lᵢ of an ordered model with its gradient and Hessian.

    Parameters
    ----------
    params : (k + J − 1,) array
        [β, κ] as in :func:`fit_ordered`.
    y, X, w, link, n_categories
        As in :func:`fit_ordered`.

    Returns
    -------
    loglik : float
        −inf when the cutpoints are not strictly increasing.
    gradient : (k + J − 1,) array
        NaN when ``loglik`` is −inf.
    hessian : (k + J − 1, k + J − 1) array
        NaN when ``loglik`` is −inf.
    """
    y, X, w_arr = check_inputs(y, X, w, model="ordered_loglik")
    y, J = _check_codes(y, w_arr, n_categories, "ordered_loglik")
    p = X.shape[1] + J - 1
    ll, g, H = _objective(y, X, w_arr, link, J)[0](np.asarray(params, dtype=float), True)
    if g is None or H is None:
        return ll, np.full(p, np.nan), np.full((p, p), np.nan)
    return ll, g, H


def fit_ordered(
    y: np.ndarray,
    X: np.ndarray,
    w: np.ndarray | None = None,
    link: OrderedLink = "probit",
    start: np.ndarray | None = None,
    maxiter: int = 100,
    tol: float = NR_TOL,
    n_categories: int | None = None,
) -> MLFit:
    """Ordered probit / ordered logit by maximum likelihood.

    Parameters
    ----------
    y : (n,) int array
        Outcome codes 0 … J−1 (J ≥ 3).
    X : (n, k) array
        Regressors without a constant (k may be 0).
    w : (n,) array, optional
        Non-negative weights; the objective is Σ wᵢ lᵢ.
    link : {"probit", "logit"}
        Stata ``oprobit`` / ``ologit``; R ``polr(method = "probit" | "logistic")``.
    start : (k + J − 1,) array, optional
        Starting values [β, κ]; default the rescaled least-squares start of
        ``_ols_start`` when its log-likelihood beats β = 0 with
        κ_j = F⁻¹(weighted share of y < j), else the latter.
    maxiter : int
        Maximum Newton iterations.
    tol : float
        Tolerance on g′(−H)⁻¹g.
    n_categories : int, optional
        J, when the highest codes may be absent (they then raise); default ``max(y) + 1``.

    Returns
    -------
    MLFit
        ``params`` (k + J − 1,) = [β₁ … β_k, κ₁ … κ_{J−1}]; ``scores``
        (n, k + J − 1) of the unweighted lᵢ; ``hessian`` (k + J − 1, k + J − 1)
        of Σ wᵢ lᵢ; ``linear_predictor`` (n,) = x′β; ``loglik_null`` is the
        cutpoints-only log-likelihood Σ wᵢ log(share of yᵢ).

    Raises
    ------
    EmptyCategoryError
        A category in 0 … J−1 has no observations with positive weight.
    SingularDesignError
        X has a constant column, or a combination of columns that is constant
        (collinear with the cutpoints), or collinear columns.
    SeparationError
        A 0/1 regressor separates the outcome (all rows with one value lie at or
        above all rows with the other), or the information vanishes along a
        direction at the end of the fit.
    ConvergenceError
        No convergence within ``maxiter`` iterations.
    EstimationError
        J < 3 (use :func:`fit_binary`), bad codes, shapes or weights.

    Notes
    -----
    For yᵢ = j, lᵢ = log(F(uᵢ) − F(aᵢ)) with uᵢ = κ_{j+1} − x′β, aᵢ = κ_j − x′β,
    computed as log F(u) + log1p(−F(a)/F(u)) (on survival functions in the
    upper tail).  With gᵤ = f(u)/pᵢ, gₐ = f(a)/pᵢ and s(z) = f′(z)/f(z):
    ∂l/∂β = −(gᵤ − gₐ)x, ∂l/∂κ_{j+1} = gᵤ, ∂l/∂κ_j = −gₐ, and
    ∂²l/∂u² = gᵤs(u) − gᵤ², ∂²l/∂a² = −gₐs(a) − gₐ², ∂²l/∂u∂a = gᵤgₐ.  Each row
    touches only its two adjacent cutpoints, so the Hessian's cutpoint block is
    tridiagonal and no (n, J, k) array is formed.

    Cutpoint order is kept by the line search: the log-likelihood is −∞ when
    κ is not strictly increasing, so a Newton step that would break the order is
    halved until it does not.  Starting from β = 0 and the marginal cumulative
    proportions (the exact cutpoints-only MLE) the cutpoints start ordered.

    Examples
    --------
    >>> import numpy as np
    >>> fit = fit_ordered(np.array([0, 1, 1, 2]), np.zeros((4, 0)), link="logit")
    >>> fit.params.round(6)
    array([-1.098612,  1.098612])
    """
    model = "oprobit" if link == "probit" else "ologit"
    if link not in ("probit", "logit"):
        raise EstimationError(f"unknown link {link!r}; use 'probit' or 'logit'")
    y, X, w_arr = check_inputs(y, X, w, model=model)
    y, J = _check_codes(y, w_arr, n_categories, model)
    if J < 3:
        raise EstimationError(
            f"{model}: the outcome has {J} categories; an ordered model needs at least 3 "
            "(use fit_binary, i.e. logit/probit, for two)"
        )
    k = X.shape[1]
    const = constant_columns(X, w_arr)
    if const.size:
        raise SingularDesignError(
            f"{model}: column {', '.join(str(c) for c in const)} is constant; ordered models have no "
            "constant (Stata oprobit/ologit and R polr absorb it in the cutpoints); remove it",
            tuple(int(c) for c in const),
        )
    gram = weighted_gram(X, w_arr)
    dependent = collinear_columns(X, w_arr, prepend_constant=True, gram=gram)
    if dependent:
        _raise_singular(dependent, k, model + " (X with the cutpoints' constant)")
    _dummy_separation(y, X, w_arr, model)

    sw = float(w_arr.sum())
    counts = np.bincount(y, weights=w_arr, minlength=J)
    cum = np.cumsum(counts)[:-1] / sw
    cuts0 = special.ndtri(cum) if link == "probit" else special.logit(cum)
    if start is None:
        theta0 = np.concatenate([np.zeros(k), cuts0])
    else:
        theta0 = np.asarray(start, dtype=float)
        if theta0.shape != (k + J - 1,):
            raise EstimationError(
                f"{model}: start must have shape ({k + J - 1},), got {theta0.shape}"
            )
    objective, score_fn = _objective(y, X, w_arr, link, J)

    xsum = w_arr @ X
    gram_c = gram - np.outer(xsum, xsum) / sw  # the cutpoints absorb the constant: centred design
    share = counts / sw
    ll_null = float(np.sum(counts[counts > 0] * np.log(share[counts > 0])))
    if start is None and k:
        theta0 = _ols_start(y, X, w_arr, gram_c, xsum, sw, cum, link, theta0, objective, ll_null)

    def on_failure(theta: np.ndarray, H: np.ndarray) -> None:
        _profile_separation(H, gram_c, sw, k, model)

    res = newton_maximize(
        objective, theta0, model=model, maxiter=maxiter, tol=tol, on_failure=on_failure
    )
    _profile_separation(res.hessian, gram_c, sw, k, model)
    scores = score_fn(res.params)
    return MLFit(
        params=res.params,
        loglik=res.loglik,
        loglik_null=ll_null,
        scores=scores,
        hessian=res.hessian,
        iterations=res.iterations,
        grad_norm=res.grad_norm,
        converged=res.converged,
        linear_predictor=X @ res.params[:k],
    )


def _ols_start(
    y: np.ndarray,
    X: np.ndarray,
    w: np.ndarray,
    gram_c: np.ndarray,
    xsum: np.ndarray,
    sw: float,
    cum: np.ndarray,
    link: str,
    default: np.ndarray,
    objective: Objective,
    ll_default: float,
) -> np.ndarray:
    """Starting values from least squares of the codes on X, rescaled to the latent scale.

    β = b·σ_F/s (b the weighted OLS slopes from the centred X′WX, s the residual
    SD, σ_F the SD of the link's error) and κ_j = x̄′β + F⁻¹(cum_j)·√(1 + Var(x′β)/σ_F²).
    Used only when its log-likelihood beats the cutpoints-only start (``ll_default``);
    it typically saves one Newton iteration.
    """
    yf = y.astype(float)
    ybar = float(w @ yf) / sw
    xy = X.T @ (w * yf) - xsum * ybar
    try:
        b = np.linalg.solve(gram_c, xy)
    except np.linalg.LinAlgError:
        return default
    ssr = float(w @ (yf - ybar) ** 2) - float(b @ xy)
    if not ssr > 0:
        return default
    sd_f = 1.0 if link == "probit" else np.pi / np.sqrt(3.0)
    beta = b * sd_f / np.sqrt(ssr / sw)
    var_xb = float(beta @ gram_c @ beta) / sw
    f_inv = special.ndtri(cum) if link == "probit" else special.logit(cum)
    cuts = float(xsum @ beta) / sw + f_inv * np.sqrt(1.0 + var_xb / sd_f**2)
    theta = np.concatenate([beta, cuts])
    ll = objective(theta, False)[0]
    return theta if np.isfinite(ll) and ll > ll_default else default


def _profile_separation(H: np.ndarray, gram_c: np.ndarray, sw: float, k: int, model: str) -> None:
    """Separation check on the β block after profiling out the cutpoints (Schur complement)."""
    if k == 0:
        return
    A = -H
    try:
        prof = A[:k, :k] - A[:k, k:] @ np.linalg.solve(A[k:, k:], A[k:, :k])
    except np.linalg.LinAlgError:
        prof = A[:k, :k]
    separation_check(prof, gram_c, np.zeros(0, dtype=np.int64), sw=sw, model=model)


def _dummy_separation(y: np.ndarray, X: np.ndarray, w: np.ndarray, model: str) -> None:
    pos = w > 0
    yp = y[pos]
    for j, lo, hi in binary_columns(X, w):
        at_hi = X[pos, j] == hi
        y_hi, y_lo = yp[at_hi], yp[~at_hi]
        if y_hi.min() >= y_lo.max() or y_hi.max() <= y_lo.min():
            raise SeparationError(
                f"{model}: column {j} separates the outcome: every row with value {hi:g} has an "
                f"outcome {'at or above' if y_hi.min() >= y_lo.max() else 'at or below'} every row "
                f"with value {lo:g}, so its coefficient is infinite (quasi-complete separation). "
                "Drop or recode the regressor, or merge outcome categories",
                (j,),
            )
