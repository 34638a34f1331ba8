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


class _StagedCosh:
    """−Σ cosh(θ − c) as a StagedObjective that logs which derivatives were asked for."""

    def __init__(self, c: np.ndarray) -> None:
        self.c, self.log = c, []  # type: ignore[var-annotated]

    def __call__(self, theta: np.ndarray, derivatives: bool) -> Triple:
        self.log.append("full" if derivatives else "ll")
        d = theta - self.c
        ll = -float(np.sum(np.cosh(d)))
        return (ll, -np.sinh(d), -np.diag(np.cosh(d))) if derivatives else (ll, None, None)

    def gradient(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        self.log.append("gradient")
        d = theta - self.c
        return -float(np.sum(np.cosh(d))), -np.sinh(d)

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        self.log.append("hessian")
        return -np.diag(np.cosh(theta - self.c))


def test_staged_objective_skips_one_hessian_and_matches_full_newton() -> None:
    """A logit fitted through the staged path: one Hessian fewer, the same maximum to ~1e-8 SE."""
    from flexemp.models._numerics import binary
    from flexemp.models._numerics._newton import CHORD_ACCEPT

    rng = np.random.default_rng(8)
    n, k = 3000, 6
    X = np.column_stack([np.ones(n), rng.normal(size=(n, k - 1))])
    y = (rng.logistic(size=n) < X @ np.linspace(-0.5, 0.5, k)).astype(float)
    w = np.ones(n)
    start = np.zeros(k)

    class Counting(binary._Objective):
        hessians = 0

        def hessian(self, theta: np.ndarray) -> np.ndarray:
            type(self).hessians += 1
            return super().hessian(theta)

    class Plain:  # the same objective without the staged methods: full evaluations only
        def __init__(self) -> None:
            self.inner, self.full = binary._Objective(y, X, w, "logit"), 0

        def __call__(self, theta: np.ndarray, derivatives: bool) -> Triple:
            self.full += bool(derivatives)
            return self.inner(theta, derivatives)

    staged = newton_maximize(Counting(y, X, w, "logit"), start, model="logit")
    plain_obj = Plain()
    plain = newton_maximize(plain_obj, start, model="logit")
    assert Counting.hessians == plain_obj.full - 1
    assert staged.iterations == plain.iterations
    se = np.sqrt(np.diag(np.linalg.inv(-plain.hessian)))
    assert np.max(np.abs(staged.params - plain.params) / se) < 1e-7
    assert staged.scaled_gradient < CHORD_ACCEPT and plain.scaled_gradient < 1e-10


def test_chord_step_that_falls_short_is_followed_by_newton_steps() -> None:
    """With a loose tolerance the chord test fires early; the point it reaches is not accurate enough, so the
    driver goes on and ends with a Newton polishing step (a full evaluation)."""
    from flexemp.models._numerics._newton import CHORD_ACCEPT

    c = np.array([1.5, -2.0, 0.25])
    obj = _StagedCosh(c)
    res = newton_maximize(obj, np.zeros(3), model="toy", tol=1e-2)
    np.testing.assert_allclose(res.params, c, atol=1e-6)
    assert res.converged and res.scaled_gradient < 1e-2
    # a gradient, the chord test passes: a full evaluation at the chord point, short of CHORD_ACCEPT, so
    # the loop goes on from there, finds g'(-H)^-1 g < tol and polishes with one more full evaluation
    assert obj.log[-3:] == ["gradient", "full", "full"]
    assert res.scaled_gradient < CHORD_ACCEPT
    tight = _StagedCosh(c)  # at the default tolerance the chord point is accepted: it is the last evaluation
    newton_maximize(tight, np.zeros(3), model="toy")
    assert tight.log[-2:] == ["gradient", "full"] and tight.log.count("hessian") == tight.log.count("gradient") - 1


def test_staged_and_plain_objectives_agree_on_a_toy() -> None:
    c = np.array([0.3, -1.2])
    staged = newton_maximize(_StagedCosh(c), np.zeros(2), model="toy")
    plain = newton_maximize(_cosh_objective(c), np.zeros(2), model="toy")
    np.testing.assert_allclose(staged.params, c, atol=1e-12)
    np.testing.assert_allclose(staged.params, plain.params, atol=1e-12)
