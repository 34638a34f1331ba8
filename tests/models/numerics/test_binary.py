"""Logit / probit kernel: derivatives, weights, recovery, closed forms, refusals."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from scipy import special

from flexemp.core.errors import ConvergenceError, EstimationError, SeparationError
from flexemp.models._numerics.binary import (
    binary_loglik,
    binary_pdf,
    binary_pdf_deriv,
    binary_prob,
    fit_binary,
)

#: Fits on replicated rows and on frequency weights solve the same equations; both are
#: polished to round-off, so they agree far below this.
RTOL_REPLICATE = 1e-8
#: Central finite differences with h ≈ 1e-5 have truncation error ~h² and round-off ~eps/h.
RTOL_FD = 1e-5
#: Recovery of true parameters: |estimate − truth| < 4 standard errors (fails with prob. ~6e-5).
N_SE = 4.0

LINKS = ["logit", "probit"]


def _fd_grad(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    g = np.empty_like(x)
    for j in range(x.size):
        h = 1e-5 * max(1.0, abs(x[j]))
        e = np.zeros_like(x)
        e[j] = h
        g[j] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def _fd_hess(grad: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    H = np.empty((x.size, x.size))
    for j in range(x.size):
        h = 1e-5 * max(1.0, abs(x[j]))
        e = np.zeros_like(x)
        e[j] = h
        H[:, j] = (grad(x + e) - grad(x - e)) / (2 * h)
    return (H + H.T) / 2


def _simulate(link: str, n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = np.column_stack(
        [np.ones(n), rng.normal(size=n), rng.integers(0, 2, n), rng.uniform(-1, 1, n)]
    )
    beta = np.array([-0.3, 0.8, 0.5, -1.0])
    p = binary_prob(X @ beta, link)  # type: ignore[arg-type]
    y = (rng.uniform(size=n) < p).astype(float)
    return y, X, beta


@pytest.mark.parametrize("link", LINKS)
def test_frequency_weights_equal_replicated_rows(link: str) -> None:
    y, X, _ = _simulate(link, 400, 1)
    w = np.random.default_rng(2).integers(1, 4, 400).astype(float)
    fit = fit_binary(y, X, w, link=link)  # type: ignore[arg-type]
    rep = np.repeat(np.arange(400), w.astype(int))
    big = fit_binary(y[rep], X[rep], link=link)  # type: ignore[arg-type]
    np.testing.assert_allclose(fit.params, big.params, rtol=RTOL_REPLICATE)
    assert fit.loglik == pytest.approx(big.loglik, rel=RTOL_REPLICATE)
    np.testing.assert_allclose(fit.hessian, big.hessian, rtol=RTOL_REPLICATE)
    np.testing.assert_allclose(fit.scores[rep], big.scores, rtol=1e-6, atol=1e-10)
    assert fit.loglik_null == pytest.approx(big.loglik_null, rel=RTOL_REPLICATE)


@pytest.mark.parametrize("link", LINKS)
def test_gradient_zero_at_optimum_and_scores_sum_to_it(link: str) -> None:
    y, X, _ = _simulate(link, 2000, 3)
    w = np.random.default_rng(4).uniform(0.2, 3.0, 2000)
    fit = fit_binary(y, X, w, link=link)  # type: ignore[arg-type]
    ll, g, H = binary_loglik(fit.params, y, X, w, link=link)  # type: ignore[arg-type]
    assert ll == pytest.approx(fit.loglik, rel=1e-12)
    assert np.max(np.abs(g)) < 1e-8 * w.sum()
    np.testing.assert_allclose((fit.scores * w[:, None]).sum(axis=0), g, atol=1e-8)
    np.testing.assert_allclose(H, fit.hessian, rtol=1e-10)
    np.testing.assert_allclose(fit.linear_predictor, X @ fit.params)
    assert fit.converged and fit.iterations >= 1


@pytest.mark.parametrize("link", LINKS)
def test_analytic_derivatives_match_finite_differences(link: str) -> None:
    y, X, _ = _simulate(link, 300, 5)
    w = np.random.default_rng(6).uniform(0.5, 2.0, 300)
    theta = np.random.default_rng(7).normal(size=4)

    def ll(t: np.ndarray) -> float:
        return binary_loglik(t, y, X, w, link=link)[0]  # type: ignore[arg-type]

    def grad(t: np.ndarray) -> np.ndarray:
        return binary_loglik(t, y, X, w, link=link)[1]  # type: ignore[arg-type]

    _, g, H = binary_loglik(theta, y, X, w, link=link)  # type: ignore[arg-type]
    np.testing.assert_allclose(g, _fd_grad(ll, theta), rtol=RTOL_FD, atol=RTOL_FD * np.abs(g).max())
    np.testing.assert_allclose(
        H, _fd_hess(grad, theta), rtol=RTOL_FD, atol=RTOL_FD * np.abs(H).max()
    )


@pytest.mark.parametrize("link", LINKS)
def test_recovers_true_parameters(link: str) -> None:
    y, X, beta = _simulate(link, 200_000, 8)
    fit = fit_binary(y, X, link=link)  # type: ignore[arg-type]
    se = np.sqrt(np.diag(np.linalg.inv(-fit.hessian)))
    assert np.all(np.abs(fit.params - beta) < N_SE * se)


@pytest.mark.parametrize("link", LINKS)
def test_constant_only_closed_form(link: str) -> None:
    rng = np.random.default_rng(9)
    y = (rng.uniform(size=500) < 0.3).astype(float)
    w = rng.uniform(0.5, 2.0, 500)
    fit = fit_binary(y, np.ones((500, 1)), w, link=link)  # type: ignore[arg-type]
    ybar = np.sum(w * y) / w.sum()
    expected = special.logit(ybar) if link == "logit" else special.ndtri(ybar)
    assert fit.params[0] == pytest.approx(expected, rel=1e-12)
    closed = float(np.sum(w * (y * np.log(ybar) + (1 - y) * np.log(1 - ybar))))
    assert fit.loglik == pytest.approx(closed, rel=1e-12)
    assert fit.loglik_null == pytest.approx(closed, rel=1e-12)


def test_loglik_null_is_none_without_constant() -> None:
    y, X, _ = _simulate("logit", 300, 10)
    assert fit_binary(y, X[:, 1:]).loglik_null is None


def test_dummy_that_predicts_success_raises_separation() -> None:
    y, X, _ = _simulate("logit", 300, 11)
    y = np.where(X[:, 2] == 1, 1.0, y)  # column 2 == 1 → y = 1 always
    with pytest.raises(SeparationError, match="column 2 == 1 predicts success") as info:
        fit_binary(y, X)
    assert info.value.columns == (2,)


@pytest.mark.parametrize("link", LINKS)
def test_continuous_complete_separation_raises(link: str) -> None:
    rng = np.random.default_rng(12)
    x = rng.normal(size=300)
    X = np.column_stack([np.ones(300), rng.normal(size=300), x])
    y = (x > 0.2).astype(float)
    with pytest.raises(SeparationError, match="separation") as info:
        fit_binary(y, X, link=link)  # type: ignore[arg-type]
    assert 2 in info.value.columns


@pytest.mark.parametrize("link", LINKS)
def test_quasi_complete_separation_with_ties_raises(link: str) -> None:
    rng = np.random.default_rng(13)
    x = rng.integers(-3, 4, 600).astype(float)  # 7 values: not a dummy
    y = np.where(x > 0, 1.0, np.where(x < 0, 0.0, (rng.uniform(size=600) < 0.5).astype(float)))
    X = np.column_stack([np.ones(600), x, rng.normal(size=600)])
    with pytest.raises(SeparationError) as info:
        fit_binary(y, X, link=link)  # type: ignore[arg-type]
    assert 1 in info.value.columns


def test_extreme_but_estimable_probit_is_not_flagged() -> None:
    rng = np.random.default_rng(14)
    X = np.column_stack([np.ones(3000), 5 * rng.normal(size=3000)])
    y = (rng.uniform(size=3000) < special.ndtr(X @ np.array([0.0, 3.0]))).astype(float)
    fit = fit_binary(y, X, link="probit")
    assert np.all(np.isfinite(fit.scores))


def test_no_nan_at_extreme_linear_predictors() -> None:
    X = np.column_stack([np.ones(4), [-1.0, -0.5, 0.5, 1.0]])
    y = np.array([1.0, 0.0, 1.0, 0.0])
    for link in LINKS:
        ll, g, H = binary_loglik(np.array([0.0, 80.0]), y, X, link=link)  # type: ignore[arg-type]
        assert np.isfinite(ll) and np.all(np.isfinite(g)) and np.all(np.isfinite(H))


def test_maxiter_one_raises_convergence_error() -> None:
    y, X, _ = _simulate("probit", 2000, 15)
    with pytest.raises(ConvergenceError, match="did not converge in 1 iterations"):
        fit_binary(y, X, link="probit", maxiter=1)


def test_bad_input_refused() -> None:
    y, X, _ = _simulate("logit", 50, 16)
    with pytest.raises(EstimationError, match="coded 0/1"):
        fit_binary(y * 2, X)
    with pytest.raises(SeparationError, match="outcome is always 1"):
        fit_binary(np.ones(50), X)
    with pytest.raises(EstimationError, match="unknown link"):
        fit_binary(y, X, link="cloglog")  # type: ignore[arg-type]


@pytest.mark.parametrize("link", LINKS)
def test_prob_pdf_and_derivative_are_consistent(link: str) -> None:
    z = np.linspace(-6, 6, 25)
    h = 1e-6
    # Φ(z ± h) near 1 loses ~1e-16/h absolute precision in the difference quotient
    fd_pdf = (binary_prob(z + h, link) - binary_prob(z - h, link)) / (2 * h)  # type: ignore[arg-type]
    np.testing.assert_allclose(binary_pdf(z, link), fd_pdf, rtol=1e-6, atol=1e-9)  # type: ignore[arg-type]
    fd_d = (binary_pdf(z + h, link) - binary_pdf(z - h, link)) / (2 * h)  # type: ignore[arg-type]
    np.testing.assert_allclose(binary_pdf_deriv(z, link), fd_d, rtol=1e-5, atol=1e-10)  # type: ignore[arg-type]


def test_row_order_invariance() -> None:
    y, X, _ = _simulate("logit", 500, 17)
    perm = np.random.default_rng(18).permutation(500)
    np.testing.assert_allclose(
        fit_binary(y[perm], X[perm]).params, fit_binary(y, X).params, rtol=1e-10
    )


@pytest.mark.parametrize("link", ["logit", "probit"])
def test_linear_probability_start_reaches_the_same_maximum(link: str) -> None:
    rng = np.random.default_rng(12)
    n = 4000
    X = np.column_stack([np.ones(n), rng.normal(size=(n, 3))])
    y = (X @ np.array([0.2, 1.0, -0.6, 0.4]) + rng.logistic(size=n) > 0).astype(float)
    ybar = y.mean()
    start = np.zeros(4)
    start[0] = special.logit(ybar) if link == "logit" else special.ndtri(ybar)
    plain = fit_binary(y, X, link=link, start=start)  # type: ignore[arg-type]
    fit = fit_binary(y, X, link=link)  # type: ignore[arg-type]
    np.testing.assert_allclose(fit.params, plain.params, rtol=1e-10, atol=1e-12)
    assert fit.iterations < plain.iterations
