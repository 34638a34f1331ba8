"""Ordered probit / logit kernel: derivatives, weights, recovery, closed forms, refusals."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from scipy import special

from flexemp.core.errors import (
    ConvergenceError,
    EmptyCategoryError,
    EstimationError,
    SeparationError,
    SingularDesignError,
)
from flexemp.models._numerics.ordered import (
    fit_ordered,
    ordered_loglik,
    ordered_pdf_deriv,
    ordered_prob_derivs,
    ordered_probs,
)

#: Fits on replicated rows and on frequency weights solve the same equations to round-off.
RTOL_REPLICATE = 1e-8
#: Central finite differences with h ≈ 1e-5: truncation ~h², round-off ~eps/h.
RTOL_FD = 1e-5
#: Recovery of true parameters within 4 standard errors.
N_SE = 4.0

LINKS = ["probit", "logit"]
BETA = np.array([0.6, -0.4, 0.3])
CUTS = np.array([-1.0, 0.2, 1.1])


def _fd(f: Callable[[np.ndarray], np.ndarray | float], x: np.ndarray) -> np.ndarray:
    cols = []
    for j in range(x.size):
        h = 1e-5 * max(1.0, abs(x[j]))
        e = np.zeros_like(x)
        e[j] = h
        cols.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h))
    return np.stack(cols, axis=-1)


def _simulate(link: str, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n), rng.uniform(-2, 2, n)])
    e = rng.normal(size=n) if link == "probit" else rng.logistic(size=n)
    y = np.searchsorted(CUTS, X @ BETA + e)
    return y, X


@pytest.mark.parametrize("link", LINKS)
def test_frequency_weights_equal_replicated_rows(link: str) -> None:
    y, X = _simulate(link, 400, 1)
    w = np.random.default_rng(2).integers(1, 4, 400).astype(float)
    fit = fit_ordered(y, X, w, link=link)  # type: ignore[arg-type]
    rep = np.repeat(np.arange(400), w.astype(int))
    big = fit_ordered(y[rep], X[rep], link=link)  # type: ignore[arg-type]
    np.testing.assert_allclose(fit.params, big.params, rtol=RTOL_REPLICATE)
    assert fit.loglik == pytest.approx(big.loglik, rel=RTOL_REPLICATE)
    np.testing.assert_allclose(fit.hessian, big.hessian, rtol=RTOL_REPLICATE, atol=1e-8)
    np.testing.assert_allclose(fit.scores[rep], big.scores, rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("link", LINKS)
def test_gradient_zero_at_optimum_and_scores_sum_to_it(link: str) -> None:
    y, X = _simulate(link, 3000, 3)
    w = np.random.default_rng(4).uniform(0.2, 3.0, 3000)
    fit = fit_ordered(y, X, w, link=link)  # type: ignore[arg-type]
    ll, g, H = ordered_loglik(fit.params, y, X, w, link=link)  # type: ignore[arg-type]
    assert ll == pytest.approx(fit.loglik, rel=1e-12)
    assert np.max(np.abs(g)) < 1e-8 * w.sum()
    np.testing.assert_allclose((fit.scores * w[:, None]).sum(axis=0), g, atol=1e-8)
    np.testing.assert_allclose(H, fit.hessian, rtol=1e-10)
    assert fit.scores.shape == (3000, 6)
    assert np.all(np.diff(fit.params[3:]) > 0)


@pytest.mark.parametrize("link", LINKS)
def test_analytic_derivatives_match_finite_differences(link: str) -> None:
    y, X = _simulate(link, 300, 5)
    w = np.random.default_rng(6).uniform(0.5, 2.0, 300)
    rng = np.random.default_rng(7)
    theta = np.concatenate([rng.normal(size=3), np.sort(rng.normal(size=3)) * 2])
    _, g, H = ordered_loglik(theta, y, X, w, link=link)  # type: ignore[arg-type]
    g_fd = _fd(lambda t: ordered_loglik(t, y, X, w, link=link)[0], theta)  # type: ignore[arg-type]
    H_fd = _fd(lambda t: ordered_loglik(t, y, X, w, link=link)[1], theta)  # type: ignore[arg-type]
    np.testing.assert_allclose(g, g_fd, rtol=RTOL_FD, atol=RTOL_FD * np.abs(g).max())
    np.testing.assert_allclose(H, (H_fd + H_fd.T) / 2, rtol=RTOL_FD, atol=RTOL_FD * np.abs(H).max())


@pytest.mark.parametrize("link", LINKS)
def test_recovers_true_parameters(link: str) -> None:
    y, X = _simulate(link, 200_000, 8)
    fit = fit_ordered(y, X, link=link)  # type: ignore[arg-type]
    se = np.sqrt(np.diag(np.linalg.inv(-fit.hessian)))
    assert np.all(np.abs(fit.params - np.concatenate([BETA, CUTS])) < N_SE * se)


@pytest.mark.parametrize("link", LINKS)
def test_no_regressors_closed_form(link: str) -> None:
    rng = np.random.default_rng(9)
    y = rng.integers(0, 4, 500)
    w = rng.uniform(0.5, 2.0, 500)
    fit = fit_ordered(y, np.zeros((500, 0)), w, link=link)  # type: ignore[arg-type]
    cum = np.cumsum(np.bincount(y, weights=w))[:-1] / w.sum()
    expected = special.ndtri(cum) if link == "probit" else special.logit(cum)
    np.testing.assert_allclose(fit.params, expected, rtol=1e-12)
    share = np.bincount(y, weights=w) / w.sum()
    assert fit.loglik == pytest.approx(float(np.sum(w * np.log(share[y]))), rel=1e-12)
    assert fit.loglik_null == pytest.approx(fit.loglik, rel=1e-12)


def test_empty_category_is_named() -> None:
    y, X = _simulate("probit", 300, 10)
    y = np.where(y == 2, 3, y)
    with pytest.raises(EmptyCategoryError, match=r"category 2 has no observations"):
        fit_ordered(y, X)
    with pytest.raises(EmptyCategoryError, match="4"):
        fit_ordered(*_simulate("probit", 300, 10), n_categories=5)


def test_two_categories_refused() -> None:
    y, X = _simulate("probit", 300, 11)
    with pytest.raises(EstimationError, match="use fit_binary"):
        fit_ordered((y > 1).astype(int), X)


def test_constant_and_cutpoint_collinearity_refused() -> None:
    y, X = _simulate("probit", 300, 12)
    with pytest.raises(SingularDesignError, match="cutpoints") as info:
        fit_ordered(y, np.column_stack([X, np.ones(300)]))
    assert info.value.columns == (3,)
    d = X[:, 1]
    with pytest.raises(SingularDesignError, match="rank deficient") as info:
        fit_ordered(y, np.column_stack([X, 1 - d]))  # d + (1 − d) = constant
    assert info.value.columns == (3,)


def test_dummy_separation_refused() -> None:
    y, X = _simulate("logit", 400, 13)
    y = np.where(X[:, 1] == 1, 3, np.minimum(y, 2))
    with pytest.raises(SeparationError, match="column 1 separates") as info:
        fit_ordered(y, X, link="logit")
    assert info.value.columns == (1,)


def test_maxiter_one_raises_convergence_error() -> None:
    y, X = _simulate("probit", 2000, 14)
    with pytest.raises(ConvergenceError, match="oprobit: did not converge in 1 iterations"):
        fit_ordered(y, X, maxiter=1)


def test_unordered_cutpoints_give_minus_infinity() -> None:
    y, X = _simulate("probit", 100, 15)
    ll, g, _ = ordered_loglik(np.array([0.0, 0.0, 0.0, 1.0, 0.5, 2.0]), y, X)
    assert ll == -np.inf and np.all(np.isnan(g))


@pytest.mark.parametrize("link", LINKS)
def test_probability_helpers(link: str) -> None:
    xb = np.linspace(-3, 3, 11)
    cuts = np.array([-1.0, 0.0, 2.0])
    P = ordered_probs(xb, cuts, link)  # type: ignore[arg-type]
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-14)
    assert np.all(P > 0)
    h = 1e-6
    fd = (ordered_probs(xb + h, cuts, link) - ordered_probs(xb - h, cuts, link)) / (2 * h)  # type: ignore[arg-type]
    np.testing.assert_allclose(ordered_prob_derivs(xb, cuts, link), fd, atol=1e-8)  # type: ignore[arg-type]
    z = np.linspace(-5, 5, 21)

    def density(t: np.ndarray) -> np.ndarray:  # ∂P(y=0)/∂xb = −f(κ₁ − xb); with κ₁ = 0, xb = −t
        return -ordered_prob_derivs(-t, np.array([0.0]), link)[:, 0]  # type: ignore[arg-type]

    fd_d = (density(z + h) - density(z - h)) / (2 * h)
    np.testing.assert_allclose(ordered_pdf_deriv(z, link), fd_d, atol=1e-8)  # type: ignore[arg-type]


def test_extreme_linear_predictors_stay_finite() -> None:
    y = np.array([0, 1, 2, 1])
    X = np.array([[-40.0], [0.0], [40.0], [0.5]])
    for link in LINKS:
        ll, g, H = ordered_loglik(np.array([1.0, -0.5, 0.5]), y, X, link=link)  # type: ignore[arg-type]
        assert np.isfinite(ll) and np.all(np.isfinite(g)) and np.all(np.isfinite(H))


@pytest.mark.parametrize("link", LINKS)
def test_continuous_complete_separation_raises(link: str) -> None:
    rng = np.random.default_rng(16)
    x, z = rng.normal(size=500), rng.normal(size=500)
    y = np.searchsorted([-1.0, 1.0], x)  # y is a step function of x
    with pytest.raises(SeparationError, match="separation") as info:
        fit_ordered(y, np.column_stack([z, x]), link=link)  # type: ignore[arg-type]
    assert info.value.columns == (1,)


def test_least_squares_start_reaches_the_same_maximum_in_fewer_steps() -> None:
    rng = np.random.default_rng(11)
    n = 4000
    X = rng.normal(size=(n, 3))
    y = np.digitize(X @ np.array([0.8, -0.5, 0.3]) + rng.normal(size=n), [-1.0, 0.0, 1.0])
    cum = np.cumsum(np.bincount(y))[:-1] / n
    plain = fit_ordered(y, X, start=np.concatenate([np.zeros(3), special.ndtri(cum)]))
    fit = fit_ordered(y, X)
    np.testing.assert_allclose(fit.params, plain.params, rtol=1e-10, atol=1e-12)
    assert fit.iterations < plain.iterations
