"""Binary-outcome kernels: logit and probit by Newton–Raphson with analytic derivatives.

Matches Stata ``logit`` / ``probit`` (point estimates, log likelihood, Hessian)
and R ``glm(family = binomial("logit" | "probit"), weights = w)``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy import special

from flexemp.core.errors import EstimationError, SeparationError
from flexemp.models._numerics._newton import (
    NR_TOL,
    MLFit,
    Objective,
    binary_columns,
    check_inputs,
    column_ranges,
    constant_columns,
    flat_direction,
    newton_maximize,
)
from flexemp.models._numerics.linear import _raise_singular, collinear_columns, weighted_gram

BinaryLink = Literal["logit", "probit"]

#: Separation is declared when the information along some direction, per unit of the
#: design's variance in that direction, falls below this value (see ``flat_direction``).
#: Any estimable fit has an average curvature far above it (logit: pᵢ(1−pᵢ) averaged).
SEPARATION_TOL = 1e-8
_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)


def _check_link(link: str) -> None:
    if link not in ("logit", "probit"):
        raise EstimationError(f"unknown link {link!r}; use 'logit' or 'probit'")


def binary_prob(xb: np.ndarray, link: BinaryLink) -> np.ndarray:
    """P(y = 1 | x) = F(x′β).

    Parameters
    ----------
    xb : (n,) array
        Linear predictor.
    link : {"logit", "probit"}
        F is the logistic or the standard normal distribution function.

    Returns
    -------
    (n,) array

    Examples
    --------
    >>> import numpy as np
    >>> binary_prob(np.array([0.0]), "logit")
    array([0.5])
    """
    _check_link(link)
    xb = np.asarray(xb, dtype=float)
    return special.expit(xb) if link == "logit" else special.ndtr(xb)


def binary_pdf(xb: np.ndarray, link: BinaryLink) -> np.ndarray:
    """Density f(x′β) = dF/d(x′β), used by marginal effects (Stata ``margins, dydx()``).

    Parameters
    ----------
    xb : (n,) array
        Linear predictor.
    link : {"logit", "probit"}
        Link.

    Returns
    -------
    (n,) array
        Logit: F(1 − F); probit: φ(x′β).
    """
    _check_link(link)
    xb = np.asarray(xb, dtype=float)
    if link == "logit":
        p = special.expit(xb)
        return p * (1 - p)
    return np.exp(-0.5 * xb**2 - _LOG_SQRT_2PI)


def binary_pdf_deriv(xb: np.ndarray, link: BinaryLink) -> np.ndarray:
    """Return f′(x′β), the derivative of the density, for delta-method SEs of marginal effects.

    Parameters
    ----------
    xb : (n,) array
        Linear predictor.
    link : {"logit", "probit"}
        Link.

    Returns
    -------
    (n,) array
        Logit: f(1 − 2F); probit: −x′β·φ(x′β).
    """
    _check_link(link)
    xb = np.asarray(xb, dtype=float)
    if link == "logit":
        p = special.expit(xb)
        return p * (1 - p) * (1 - 2 * p)
    return -xb * binary_pdf(xb, "probit")


def _softplus(xb: np.ndarray) -> np.ndarray:
    """log(1 + eˣ) = max(x, 0) + log1p(e^−|x|): ``np.logaddexp(0, x)`` (same formula, to an ulp), 5× faster."""
    out = np.abs(xb)
    np.negative(out, out=out)
    np.exp(out, out=out)
    np.log1p(out, out=out)
    out += np.maximum(xb, 0.0)
    return out


def _terms(y: np.ndarray, xb: np.ndarray, link: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-observation lᵢ, ∂lᵢ/∂ηᵢ and −∂²lᵢ/∂ηᵢ² (all (n,)), stable for extreme η."""
    if link == "logit":  # from e = exp(−|η|) alone (``special.expit`` costs six exponentials' time)
        e = np.abs(xb)
        np.negative(e, out=e)
        np.exp(e, out=e)
        r = 1.0 + e
        np.reciprocal(r, out=r)  # 1/(1 + e)
        er = e * r  # e/(1 + e)
        p = np.where(xb >= 0, r, er)  # Λ(η) without overflow on either side
        np.log1p(e, out=e)
        e += np.maximum(xb, 0.0)  # log(1 + exp η), as _softplus
        ll = y * xb
        ll -= e
        er *= r  # Λ(1 − Λ) = e/(1 + e)²
        return ll, y - p, er
    q = 2 * y - 1
    z = q * xb
    ll = special.log_ndtr(z)
    lam = q * np.exp(-0.5 * z**2 - _LOG_SQRT_2PI - ll)  # q·φ(z)/Φ(z), the inverse Mills ratio
    return ll, lam, lam * (lam + xb)


def _loglik_only(y: np.ndarray, xb: np.ndarray, link: str) -> np.ndarray:
    if link == "logit":
        return y * xb - _softplus(xb)
    return special.log_ndtr((2 * y - 1) * xb)


def _dummy_separation(
    y: np.ndarray, X: np.ndarray, w: np.ndarray, ranges: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
) -> None:
    pos = w > 0
    yp = y[pos]
    for j, lo, hi in binary_columns(X, w, ranges=ranges):
        col = X[pos, j]
        for val in (lo, hi):
            ys = yp[col == val]
            if ys.min() == ys.max():
                outcome = "success (y = 1)" if ys[0] == 1 else "failure (y = 0)"
                raise SeparationError(
                    f"column {j} == {val:g} predicts {outcome} perfectly ({ys.size} rows with positive "
                    "weight): its coefficient is infinite (quasi-complete separation). Stata drops "
                    "the variable and these rows; flexemp refuses. Drop the variable, merge it with "
                    "another category, or drop those rows knowingly",
                    (j,),
                )


def separation_check(
    neg_hessian: np.ndarray,
    gram: np.ndarray,
    const: np.ndarray,
    *,
    sw: float,
    model: str,
    blocks: int = 1,
) -> None:
    """Raise :class:`SeparationError` if the information matrix is flat in some direction.

    ``neg_hessian`` is −H for parameters made of ``blocks`` consecutive copies of
    the k columns of X (multinomial logit: J − 1 blocks); ``gram`` is X′WX (k, k),
    ``const`` the indices of constant columns and ``sw`` = Σ wᵢ.  See ``flat_direction``.
    """
    k = gram.shape[0]
    if k == 0:
        return
    gram = gram / sw
    if blocks > 1:
        gram = np.kron(np.eye(blocks), gram)
    v = flat_direction(neg_hessian / sw, gram, threshold=SEPARATION_TOL)
    if v is None:
        return
    loads = np.abs(v).reshape(blocks, k).max(axis=0)
    const_set = set(np.asarray(const).tolist())
    cols = [j for j in range(k) if loads[j] >= 0.2 and j not in const_set] or [
        j for j in range(k) if loads[j] >= 0.2
    ]
    shown = ", ".join(str(c) for c in cols)
    raise SeparationError(
        f"{model}: perfect or quasi-complete separation: some observations are predicted with "
        f"probability numerically 0 or 1 and the coefficients diverge along a combination of "
        f"column(s) {shown}. The maximum-likelihood estimate does not exist; drop or recode these "
        "regressors, merge sparse categories, or use a penalised (Firth) estimator",
        tuple(cols),
    )


class _Objective:
    """Σ wᵢ lᵢ with analytic gradient and Hessian (see :func:`fit_binary`).

    Remembers x′β and the per-row terms (lᵢ, ∂lᵢ/∂η, −∂²lᵢ/∂η²) of the last θ it saw,
    so that evaluating the same θ again (start values, then Newton's first step; the
    gradient, then the Hessian; the scores at the optimum) repeats no pass over X.
    With unit weights the products wᵢ·v are skipped (they are exact).  It is a
    :class:`~flexemp.models._numerics._newton.StagedObjective`.
    """

    def __init__(self, y: np.ndarray, X: np.ndarray, w_arr: np.ndarray, link: str) -> None:
        self.y, self.X, self.w, self.link = y, X, w_arr, link
        self.unit = bool(np.all(w_arr == 1.0))
        self.theta: np.ndarray | None = None
        self.xb = np.zeros(0)
        self.terms: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def _xb(self, theta: np.ndarray) -> np.ndarray:
        if self.theta is None or not np.array_equal(self.theta, theta):
            self.theta, self.xb, self.terms = theta.copy(), self.X @ theta, None
        return self.xb

    def _terms(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        xb = self._xb(theta)
        if self.terms is None:
            self.terms = _terms(self.y, xb, self.link)
        return self.terms

    def gradient(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Σ wᵢ lᵢ and its gradient at ``theta``."""
        ll_i, d1, _ = self._terms(theta)
        return float(self.w @ ll_i), self.X.T @ (d1 if self.unit else self.w * d1)

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        """The Hessian of Σ wᵢ lᵢ at ``theta``."""
        d2 = self._terms(theta)[2]
        X = self.X
        H = -((X * (d2 if self.unit else self.w * d2)[:, None]).T @ X)  # negate the k×k product, not the n×k factor
        return (H + H.T) / 2

    def __call__(
        self, theta: np.ndarray, derivatives: bool
    ) -> tuple[float, np.ndarray | None, np.ndarray | None]:
        if not derivatives:
            if self.terms is not None and self.theta is not None and np.array_equal(self.theta, theta):
                return float(self.w @ self.terms[0]), None, None
            return float(self.w @ _loglik_only(self.y, self._xb(theta), self.link)), None, None
        ll, g = self.gradient(theta)
        return ll, g, self.hessian(theta)

    def scores(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """x′β and the per-row scores xᵢ·∂lᵢ/∂η at ``theta``."""
        d1 = self._terms(theta)[1]
        return self.xb, self.X * d1[:, None]


def _objective(y: np.ndarray, X: np.ndarray, w_arr: np.ndarray, link: str) -> _Objective:
    return _Objective(y, X, w_arr, link)


def _lpm_start(
    y: np.ndarray,
    X: np.ndarray,
    w: np.ndarray,
    gram: np.ndarray,
    default: np.ndarray,
    ybar: float,
    sw: float,
    c: int,
    link: str,
    objective: Objective,
    ll_default: float,
) -> np.ndarray:
    """Starting values from the linear probability model, rescaled to the link (Amemiya 1981).

    Slopes b/f(F⁻¹(ȳ)) from weighted least squares of y on X (using X′WX, already
    formed), the constant set so that the mean index is F⁻¹(ȳ).  Used only when
    its log-likelihood beats that of ``default`` (``ll_default``); it typically
    saves one Newton iteration.
    """
    try:
        b = np.linalg.solve(gram, X.T @ (w * y))
    except np.linalg.LinAlgError:
        return default
    f_inv = special.logit(ybar) if link == "logit" else special.ndtri(ybar)
    dens = ybar * (1 - ybar) if link == "logit" else float(np.exp(-0.5 * f_inv**2 - _LOG_SQRT_2PI))
    theta = b / dens
    x0 = float(X[int(np.argmax(w > 0)), c])
    theta[c] += (f_inv - float((w @ X) @ theta) / sw) / x0
    ll = objective(theta, False)[0]
    return theta if np.isfinite(ll) and ll > ll_default else default


def binary_loglik(
    params: np.ndarray,
    y: np.ndarray,
    X: np.ndarray,
    w: np.ndarray | None = None,
    link: BinaryLink = "logit",
) -> tuple[float, np.ndarray, np.ndarray]:
    """Weighted log-likelihood Σ wᵢ lᵢ of a logit/probit with its gradient (k,) and Hessian (k, k).

    Parameters
    ----------
    params : (k,) array
        Coefficients.
    y, X, w, link
        As in :func:`fit_binary`.

    Returns
    -------
    tuple
        ``(loglik, gradient, hessian)``.
    """
    _check_link(link)
    y, X, w_arr = check_inputs(y, X, w, model=link)
    ll, g, H = _objective(y.astype(float), X, w_arr, link)(np.asarray(params, dtype=float), True)
    if g is None or H is None:
        raise EstimationError(f"{link}: internal error: no derivatives")
    return ll, g, H


def fit_binary(
    y: np.ndarray,
    X: np.ndarray,
    w: np.ndarray | None = None,
    link: BinaryLink = "logit",
    start: np.ndarray | None = None,
    maxiter: int = 100,
    tol: float = NR_TOL,
) -> MLFit:
    """Logit or probit by maximum likelihood.

    Parameters
    ----------
    y : (n,) array
        Outcome coded 0/1.
    X : (n, k) array
        Design matrix (include a column of ones for a constant).
    w : (n,) array, optional
        Non-negative weights; the objective is Σ wᵢ lᵢ (frequency and probability
        weights give the same point estimate).
    link : {"logit", "probit"}
        Logistic or standard normal F.
    start : (k,) array, optional
        Starting values; default (with a constant) the weighted linear-probability
        slopes divided by f(F⁻¹(ȳ_w)) with the constant giving mean index F⁻¹(ȳ_w),
        if their log-likelihood beats the intercept-only fit, else zeros with the
        constant at F⁻¹(ȳ_w).
    maxiter : int
        Maximum Newton iterations.
    tol : float
        Tolerance on g′(−H)⁻¹g (see :func:`newton_maximize`).

    Returns
    -------
    MLFit
        ``params`` (k,); ``scores`` (n, k) of the unweighted lᵢ; ``hessian``
        (k, k) of Σ wᵢ lᵢ; ``linear_predictor`` (n,).

    Raises
    ------
    SeparationError
        A 0/1 regressor predicts the outcome perfectly for one of its values, or
        (generally) the information vanishes along some direction at the end of
        the fit because fitted probabilities reach 0 or 1 while the coefficients
        diverge.  ``columns`` names the regressors involved.
    SingularDesignError
        X is rank deficient.
    ConvergenceError
        No convergence within ``maxiter`` iterations.
    EstimationError
        Bad input: y not 0/1, the outcome does not vary, shapes, weights.

    Notes
    -----
    lᵢ = yᵢ log F(ηᵢ) + (1 − yᵢ) log(1 − F(ηᵢ)), ηᵢ = xᵢ′β.
    Logit: ∂lᵢ/∂η = yᵢ − pᵢ, −∂²lᵢ/∂η² = pᵢ(1 − pᵢ).
    Probit, with qᵢ = 2yᵢ − 1: lᵢ = log Φ(qᵢηᵢ) (``log_ndtr``), ∂lᵢ/∂η = λᵢ =
    qᵢφ(qᵢηᵢ)/Φ(qᵢηᵢ), −∂²lᵢ/∂η² = λᵢ(λᵢ + ηᵢ), computed on the log scale so
    that extreme η give no NaN.  Cf. Stata ``logit``/``probit`` and R ``glm``.

    Separation rule.  (1) Before fitting, every regressor with exactly two values
    is checked: if for one value all outcomes are equal, its coefficient is
    infinite (Stata: "x != 0 predicts failure perfectly", after which it drops
    the rows; we refuse).  (2) After fitting (or on non-convergence) the
    smallest generalised eigenvalue of (−H, X′WX), the average curvature along
    the flattest direction, is compared with ``SEPARATION_TOL``; below it the
    coefficients along that direction have diverged.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.ones((4, 1))
    >>> fit_binary(np.array([0, 1, 1, 1]), X).params.round(8)
    array([1.09861229])
    """
    _check_link(link)
    model = link
    y, X, w_arr = check_inputs(y, X, w, model=model)
    if not np.all((y == 0) | (y == 1)):
        raise EstimationError(f"{model}: y must be coded 0/1; found other values")
    y = y.astype(float)
    k = X.shape[1]
    pos = w_arr > 0
    ypos = y[pos]
    if ypos.min() == ypos.max():
        raise SeparationError(
            f"{model}: the outcome is always {int(ypos[0])} (rows with positive weight); nothing to "
            "estimate",
            (),
        )
    gram = weighted_gram(X, w_arr)
    dependent = collinear_columns(X, w_arr, gram=gram)
    if dependent:
        _raise_singular(dependent, k, model)
    ranges = column_ranges(X, w_arr)  # one pass for both checks
    _dummy_separation(y, X, w_arr, ranges)

    const = constant_columns(X, w_arr, ranges=ranges)
    sw = float(w_arr.sum())
    ybar = float(np.sum(w_arr * y) / sw)
    if start is None:
        theta0 = np.zeros(k)
        if const.size:
            c = const[0]
            f_inv = special.logit(ybar) if link == "logit" else special.ndtri(ybar)
            theta0[c] = f_inv / X[int(np.argmax(pos)), c]
    else:
        theta0 = np.asarray(start, dtype=float)
        if theta0.shape != (k,):
            raise EstimationError(f"{model}: start must have shape ({k},), got {theta0.shape}")

    objective = _objective(y, X, w_arr, link)
    ll_null = None
    if const.size:
        ll_null = float(np.sum(w_arr * (y * np.log(ybar) + (1 - y) * np.log1p(-ybar))))
    if start is None and ll_null is not None:
        theta0 = _lpm_start(
            y, X, w_arr, gram, theta0, ybar, sw, int(const[0]), link, objective, ll_null
        )

    def on_failure(theta: np.ndarray, H: np.ndarray) -> None:
        separation_check(-H, gram, const, sw=sw, model=model)

    res = newton_maximize(
        objective, theta0, model=model, maxiter=maxiter, tol=tol, on_failure=on_failure
    )
    separation_check(-res.hessian, gram, const, sw=sw, model=model)
    xb, scores = objective.scores(res.params)
    return MLFit(
        params=res.params,
        loglik=res.loglik,
        loglik_null=ll_null,
        scores=scores,
        hessian=res.hessian,
        iterations=res.iterations,
        grad_norm=res.grad_norm,
        converged=res.converged,
        linear_predictor=xb,
    )
