"""Numerics of the Heckman (1979) two-step estimator and of the probit control function.

Pure functions on NumPy arrays.  The first step (the probit of selection) is
fitted by :func:`flexemp.models._numerics.binary.fit_binary`; this module adds
the inverse Mills ratio, the generalized residual and the second step with its
corrected covariance.

References
----------
Heckman, J. J. (1979). Sample selection bias as a specification error.
*Econometrica* 47(1), 153–161.
Greene, W. H. (2012). *Econometric Analysis*, 7th ed., §19.5.2 (eq. 19-24, 19-25).
Wooldridge, J. M. (2010). *Econometric Analysis of Cross Section and Panel
Data*, 2nd ed., §19.6.1 and §15.7.3 (generalized residual).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from flexemp.core.errors import SingularDesignError


def inverse_mills(zg: np.ndarray) -> np.ndarray:
    """λ(zγ) = φ(zγ)/Φ(zγ), computed on the log scale (stable far in the lower tail).

    Parameters
    ----------
    zg : (n,) array
        Probit index z′γ.

    Returns
    -------
    (n,) array
    """
    zg = np.asarray(zg, dtype=float)
    log_pdf = -0.5 * zg**2 - 0.5 * np.log(2 * np.pi)
    return np.exp(log_pdf - special.log_ndtr(zg))


def generalized_residual(d: np.ndarray, zg: np.ndarray) -> np.ndarray:
    """The probit generalized residual E[v | d, z] with v ~ N(0, 1) the index error.

    ``φ(zγ)/Φ(zγ)`` where ``d = 1`` and ``−φ(zγ)/(1 − Φ(zγ))`` where ``d = 0``
    (Gourieroux et al. 1987; Wooldridge 2010, §15.7.3).

    Parameters
    ----------
    d : (n,) array of 0/1
    zg : (n,) array
        Probit index z′γ.

    Returns
    -------
    (n,) array
    """
    d = np.asarray(d, dtype=float)
    zg = np.asarray(zg, dtype=float)
    return np.where(d == 1, inverse_mills(zg), -inverse_mills(-zg))


@dataclass(frozen=True)
class HeckmanTwoStep:
    """The second step of Heckman's two-step estimator.

    ``params`` (k+1,) are the outcome coefficients followed by β_λ; ``vcov``
    (k+1, k+1) the corrected covariance; ``lam`` (n₁,) and ``delta`` (n₁,) the
    inverse Mills ratio and δᵢ = λᵢ(λᵢ + zᵢ′γ) on the selected rows; ``resid``
    (n₁,) the second-step residuals; ``sigma`` and ``rho`` as reported (ρ
    truncated to [−1, 1], σ = β_λ/ρ then); ``rho_untruncated`` = β_λ/σ̂ before
    truncation; ``sigma2_untruncated`` the consistent σ̂².
    """

    params: np.ndarray
    vcov: np.ndarray
    lam: np.ndarray
    delta: np.ndarray
    resid: np.ndarray
    sigma: float
    rho: float
    rho_untruncated: float
    sigma2_untruncated: float


def heckman_second_step(
    y: np.ndarray, X: np.ndarray, Z: np.ndarray, gamma: np.ndarray, V_gamma: np.ndarray
) -> HeckmanTwoStep:
    """OLS of y on (X, λ) on the selected rows and the corrected two-step covariance.

    Parameters
    ----------
    y : (n₁,) array
        Outcome on the selected rows.
    X : (n₁, k) array
        Outcome regressors on the selected rows.
    Z : (n₁, q) array
        Selection regressors on the selected rows.
    gamma : (q,) array
        Probit estimate of the selection equation (fitted on all rows).
    V_gamma : (q, q) array
        Its covariance (inverse information).

    Returns
    -------
    HeckmanTwoStep

    Raises
    ------
    SingularDesignError
        When (X, λ) is rank deficient (λ nearly a linear function of X: no
        exclusion restriction and little non-linearity).

    Notes
    -----
    With X* = (X, λ), A = (X*′X*)⁻¹, e the residuals, n₁ the selected rows and
    δᵢ = λᵢ(λᵢ + zᵢ′γ) (Greene 2012, eq. 19-25)::

        σ̂² = e′e/n₁ + β̂_λ² · mean(δ),   ρ̂ = β̂_λ/σ̂
        V  = σ̂² A [X*′(I − ρ̂²Δ)X* + Q] A,   Q = ρ̂² (X*′ΔZ) V_γ (Z′ΔX*)

    As Stata's ``heckman, twostep`` does by default (option ``rhosigma``), a ρ̂
    outside [−1, 1] is truncated to ±1 and σ̂ is then set to β̂_λ/ρ̂; both enter V.  R's
    ``sampleSelection::heckit`` does not truncate (the two agree whenever
    |ρ̂| ≤ 1).
    """
    zg = Z @ gamma
    lam = inverse_mills(zg)
    delta = lam * (lam + zg)
    Xs = np.column_stack([X, lam])
    tXX = Xs.T @ Xs
    try:
        A = np.linalg.inv(tXX)
    except np.linalg.LinAlgError as exc:
        raise SingularDesignError("the second step (X, lambda) is singular", ("lambda",)) from exc
    if np.linalg.cond(tXX) > 1e14:
        raise SingularDesignError(
            "the second step (X, lambda) is numerically singular: lambda is nearly a linear function of the outcome "
            "regressors; add an excluded variable to the selection equation",
            ("lambda",),
        )
    b = A @ (Xs.T @ y)
    e = y - Xs @ b
    n1 = len(y)
    b_lam = float(b[-1])
    sigma2 = float(e @ e) / n1 + b_lam**2 * float(delta.mean())
    rho_raw = b_lam / np.sqrt(sigma2)
    rho = float(np.clip(rho_raw, -1.0, 1.0))
    sigma2_used = sigma2 if rho == rho_raw else (b_lam / rho) ** 2
    r2 = rho**2
    XdX = (Xs * (1 - r2 * delta)[:, None]).T @ Xs
    F = (Xs * delta[:, None]).T @ Z
    Q = r2 * F @ V_gamma @ F.T
    V = sigma2_used * A @ (XdX + Q) @ A
    return HeckmanTwoStep(
        b, (V + V.T) / 2, lam, delta, e, float(np.sqrt(sigma2_used)), rho, float(rho_raw), sigma2
    )
