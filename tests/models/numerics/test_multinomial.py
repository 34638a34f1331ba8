"""Multinomial logit kernel: derivatives, weights, recovery, closed forms, refusals."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from flexemp.core.errors import (
    ConvergenceError,
    EmptyCategoryError,
    EstimationError,
    SeparationError,
)
from flexemp.models._numerics.multinomial import fit_mlogit, mlogit_loglik, mlogit_probs

#: Fits on replicated rows and on frequency weights solve the same equations to round-off.
RTOL_REPLICATE = 1e-8
#: Central finite differences with h ≈ 1e-5: truncation ~h², round-off ~eps/h.
RTOL_FD = 1e-5
#: Recovery of true parameters within 4 standard errors.
N_SE = 4.0

# true coefficients (k = 3) of outcomes 1 and 2; outcome 0 is the base
TRUE = np.array([[0.3, 0.8, -0.5], [-0.2, -0.6, 0.9]])


def _fd(f: Callable[[np.ndarray], np.ndarray | float], x: np.ndarray) -> np.ndarray:
    cols = []
    for j in range(x.size):
        h = 1e-5 * max(1.0, abs(x[j]))
        e = np.zeros_like(x)
        e[j] = h
        cols.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h))
    return np.stack(cols, axis=-1)


def _simulate(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(n), rng.normal(size=n), rng.integers(0, 2, n)])
    P = mlogit_probs(X, TRUE.reshape(-1), base=0)
    y = (P.cumsum(axis=1) > rng.uniform(size=(n, 1))).argmax(axis=1)
    return y, X


def test_frequency_weights_equal_replicated_rows() -> None:
    y, X = _simulate(400, 1)
    w = np.random.default_rng(2).integers(1, 4, 400).astype(float)
    fit = fit_mlogit(y, X, w)
    rep = np.repeat(np.arange(400), w.astype(int))
    big = fit_mlogit(y[rep], X[rep])
    np.testing.assert_allclose(fit.params, big.params, rtol=RTOL_REPLICATE)
    assert fit.loglik == pytest.approx(big.loglik, rel=RTOL_REPLICATE)
    np.testing.assert_allclose(fit.hessian, big.hessian, rtol=RTOL_REPLICATE)
    np.testing.assert_allclose(fit.scores[rep], big.scores, rtol=1e-6, atol=1e-10)


def test_gradient_zero_at_optimum_and_scores_sum_to_it() -> None:
    y, X = _simulate(3000, 3)
    w = np.random.default_rng(4).uniform(0.2, 3.0, 3000)
    fit = fit_mlogit(y, X, w)
    ll, g, H = mlogit_loglik(fit.params, y, X, w)
    assert ll == pytest.approx(fit.loglik, rel=1e-12)
    assert np.max(np.abs(g)) < 1e-8 * w.sum()
    np.testing.assert_allclose((fit.scores * w[:, None]).sum(axis=0), g, atol=1e-8)
    np.testing.assert_allclose(H, fit.hessian, rtol=1e-10)
    assert fit.scores.shape == (3000, 6)
    assert fit.linear_predictor.shape == (3000, 3)
    np.testing.assert_allclose(fit.linear_predictor[:, 0], 0.0)


def test_analytic_derivatives_match_finite_differences() -> None:
    y, X = _simulate(300, 5)
    w = np.random.default_rng(6).uniform(0.5, 2.0, 300)
    theta = np.random.default_rng(7).normal(size=6)
    _, g, H = mlogit_loglik(theta, y, X, w, base=1)
    g_fd = _fd(lambda t: mlogit_loglik(t, y, X, w, base=1)[0], theta)
    H_fd = _fd(lambda t: mlogit_loglik(t, y, X, w, base=1)[1], theta)
    np.testing.assert_allclose(g, g_fd, rtol=RTOL_FD, atol=RTOL_FD * np.abs(g).max())
    np.testing.assert_allclose(H, (H_fd + H_fd.T) / 2, rtol=RTOL_FD, atol=RTOL_FD * np.abs(H).max())


def test_recovers_true_parameters() -> None:
    y, X = _simulate(200_000, 8)
    fit = fit_mlogit(y, X)
    se = np.sqrt(np.diag(np.linalg.inv(-fit.hessian)))
    assert np.all(np.abs(fit.params - TRUE.reshape(-1)) < N_SE * se)


def test_base_changes_parametrisation_not_fit() -> None:
    y, X = _simulate(2000, 9)
    f0 = fit_mlogit(y, X, base=0)
    f2 = fit_mlogit(y, X, base=2)
    assert f2.loglik == pytest.approx(f0.loglik, rel=1e-12)
    # base 2: params are [β0 − β2, β1 − β2]; from base 0 (β0 = 0): [−β2, β1 − β2]
    b1, b2 = f0.params[:3], f0.params[3:]
    np.testing.assert_allclose(f2.params, np.concatenate([-b2, b1 - b2]), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(
        mlogit_probs(X, f2.params, 2), mlogit_probs(X, f0.params, 0), rtol=1e-9
    )


def test_constant_only_closed_form() -> None:
    rng = np.random.default_rng(10)
    y = rng.integers(0, 4, 600)
    w = rng.uniform(0.5, 2.0, 600)
    fit = fit_mlogit(y, np.ones((600, 1)), w, base=1)
    share = np.bincount(y, weights=w) / w.sum()
    np.testing.assert_allclose(fit.params, np.log(share[[0, 2, 3]] / share[1]), rtol=1e-12)
    assert fit.loglik == pytest.approx(float(np.sum(w * np.log(share[y]))), rel=1e-12)
    assert fit.loglik_null == pytest.approx(fit.loglik, rel=1e-12)


def test_dummy_separation_refused() -> None:
    y, X = _simulate(500, 11)
    y = np.where((X[:, 2] == 1) & (y == 2), 1, y)  # outcome 2 never occurs when column 2 == 1
    with pytest.raises(SeparationError, match="column 2 == 1, outcome code") as info:
        fit_mlogit(y, X)
    assert info.value.columns == (2,)


def test_empty_category_and_bad_base() -> None:
    y, X = _simulate(300, 12)
    with pytest.raises(EmptyCategoryError, match=r"category 1 has no observations"):
        fit_mlogit(np.where(y == 1, 2, y), X)
    with pytest.raises(EstimationError, match="base 5"):
        fit_mlogit(y, X, base=5)


def test_maxiter_one_raises_convergence_error() -> None:
    y, X = _simulate(2000, 13)
    with pytest.raises(ConvergenceError, match="mlogit: did not converge in 1 iterations"):
        fit_mlogit(y, X, maxiter=1)


def test_probs_sum_to_one_and_are_stable() -> None:
    X = np.array([[1.0, 500.0], [1.0, -500.0]])
    P = mlogit_probs(X, np.array([0.0, 1.0, 0.0, -1.0]), base=0)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    assert np.all(np.isfinite(P))
    with pytest.raises(EstimationError, match="do not fit"):
        mlogit_probs(X, np.ones(3))


def test_continuous_complete_separation_raises() -> None:
    rng = np.random.default_rng(14)
    x, z = rng.normal(size=500), rng.normal(size=500)
    y = np.searchsorted([-1.0, 1.0], x)
    with pytest.raises(SeparationError, match="separation") as info:
        fit_mlogit(y, np.column_stack([np.ones(500), z, x]))
    assert info.value.columns == (2,)


def test_row_logsumexp_matches_scipy_in_the_tails() -> None:
    from scipy import special

    from flexemp.models._numerics.multinomial import _logsumexp

    eta = np.array([[0.0, 0.0, 0.0], [800.0, -800.0, 0.0], [-800.0, -801.0, -799.0], [1e-20, 0, 0]])
    np.testing.assert_allclose(_logsumexp(eta), special.logsumexp(eta, axis=1), rtol=1e-15)


def test_scores_are_residual_times_x_in_outcome_blocks() -> None:
    """Scores column block m (k columns) is (1[yᵢ = j_m] − Pᵢⱼ_m)·xᵢ for the m-th non-base outcome, exactly."""
    rng = np.random.default_rng(11)
    n, k = 300, 3
    X = np.column_stack([np.ones(n), rng.normal(size=(n, k - 1))])
    y = rng.integers(0, 4, n)
    fit = fit_mlogit(y, X, base=2)
    P = mlogit_probs(X, fit.params, base=2)
    assert fit.scores.shape == (n, 3 * k) and fit.scores.flags.c_contiguous
    for m, j in enumerate([0, 1, 3]):
        expected = ((y == j) - P[:, j])[:, None] * X
        np.testing.assert_allclose(fit.scores[:, m * k : (m + 1) * k], expected, rtol=1e-12, atol=1e-15)
