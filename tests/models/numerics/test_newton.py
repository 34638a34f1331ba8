"""The shared Newton driver: convergence, damping of non-concave regions, failures."""

from __future__ import annotations

import numpy as np
import pytest

from flexemp.core.errors import ConvergenceError, EstimationError
from flexemp.models._numerics._newton import Objective, newton_maximize

Triple = tuple[float, np.ndarray | None, np.ndarray | None]


def _cosh_objective(c: np.ndarray) -> Objective:
    """ℓ(θ) = −Σ cosh(θ − c): strictly concave, maximum at c."""

    def objective(theta: np.ndarray, derivatives: bool) -> Triple:
        d = theta - c
        ll = -float(np.sum(np.cosh(d)))
        if not derivatives:
            return ll, None, None
        return ll, -np.sinh(d), -np.diag(np.cosh(d))

    return objective


def test_converges_to_the_maximum() -> None:
    c = np.array([1.5, -2.0, 0.25])
    res = newton_maximize(_cosh_objective(c), np.zeros(3), model="toy")
    np.testing.assert_allclose(res.params, c, atol=1e-12)
    assert res.converged and res.iterations >= 2
    assert res.grad_norm < 1e-10 and res.scaled_gradient < 1e-10


def test_step_halving_from_far_away() -> None:
    c = np.array([30.0])
    res = newton_maximize(_cosh_objective(c), np.array([0.0]), model="toy")
    np.testing.assert_allclose(res.params, c, atol=1e-10)


def test_damping_leaves_a_non_concave_region() -> None:
    # ℓ(θ) = −(θ² − 1)²: the Hessian 4 − 12θ² is positive near 0, maxima at ±1
    def objective(theta: np.ndarray, derivatives: bool) -> Triple:
        t = float(theta[0])
        ll = -((t * t - 1) ** 2)
        if not derivatives:
            return ll, None, None
        return ll, np.array([-4 * t * (t * t - 1)]), np.array([[-(12 * t * t - 4)]])

    res = newton_maximize(objective, np.array([0.1]), model="toy")
    np.testing.assert_allclose(res.params, [1.0], atol=1e-10)


def test_inadmissible_steps_are_halved() -> None:
    # ℓ = −∞ outside θ < 1: the full step from 0 towards the maximum at 0.9 overshoots
    def objective(theta: np.ndarray, derivatives: bool) -> Triple:
        t = float(theta[0])
        if t >= 1.0:
            return -np.inf, None, None
        ll = np.log(1 - t) + 9 * np.log(t + 1e-300) if t > 0 else -np.inf
        if not derivatives:
            return ll, None, None
        return ll, np.array([-1 / (1 - t) + 9 / t]), np.array([[-1 / (1 - t) ** 2 - 9 / t**2]])

    res = newton_maximize(objective, np.array([0.5]), model="toy")
    np.testing.assert_allclose(res.params, [0.9], atol=1e-10)


def test_maxiter_raises_with_model_name_and_advice() -> None:
    calls: list[int] = []

    def on_failure(theta: np.ndarray, H: np.ndarray) -> None:
        calls.append(1)

    with pytest.raises(
        ConvergenceError, match=r"toy: did not converge in 1 iterations.*maxiter"
    ) as info:
        newton_maximize(
            _cosh_objective(np.array([5.0, 5.0])),
            np.zeros(2),
            model="toy",
            maxiter=1,
            on_failure=on_failure,
        )
    assert "gradient norm" in str(info.value)
    assert calls == [1]


def test_non_finite_start_refused() -> None:
    def objective(theta: np.ndarray, derivatives: bool) -> Triple:
        return -np.inf, None, None

    with pytest.raises(EstimationError, match="not finite at the starting values"):
        newton_maximize(objective, np.zeros(1), model="toy")
