"""Two-stage least squares kernels and the weak-instrument statistics, on NumPy arrays.

Notation (Baum, Schaffer & Stillman 2007, "Enhanced routines for instrumental variables/GMM
estimation and testing", *Stata Journal* 7(4)): y (n,), X = [X1, X2] (n, K) with X1 the
exogenous regressors (incl. the constant) and X2 the K2 endogenous ones, Z = [X1, Z2] (n, L)
with Z2 the L2 excluded instruments; W the weights.  Matches Stata ``ivregress 2sls ..., small``
/ ``ivreg2 ..., small`` and R ``AER::ivreg``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flexemp.models._numerics.linear import fit_ols
from flexemp.models.covariance import meat


@dataclass(frozen=True)
class TSLSFit:
    """Result of :func:`fit_2sls`.

    Attributes
    ----------
    params : (K,) array
        β̂ = (X̂′WX̂)⁻¹X̂′Wy.
    resid : (n,) array
        Structural residuals y − Xβ̂.
    xhat : (n, K) array
        X̂ = P_Z X (the exogenous columns are unchanged).
    bread : (K, K) array
        (X̂′WX̂)⁻¹.
    fs_params : (L, K2) array
        First-stage coefficients of each endogenous regressor on Z.
    fs_resid : (n, K2) array
        First-stage residuals V̂.
    fs_bread : (L, L) array
        (Z′WZ)⁻¹.
    """

    params: np.ndarray
    resid: np.ndarray
    xhat: np.ndarray
    bread: np.ndarray
    fs_params: np.ndarray
    fs_resid: np.ndarray
    fs_bread: np.ndarray


def fit_2sls(
    y: np.ndarray, X1: np.ndarray, X2: np.ndarray, Z2: np.ndarray, w: np.ndarray | None
) -> TSLSFit:
    """2SLS of y on [X1, X2] with instruments [X1, Z2] (Theil 1953; Stata ``ivregress 2sls``).

    Raises
    ------
    SingularDesignError
        Collinear instruments (column indices of Z) or regressors.
    """
    Z = np.column_stack([X1, Z2])
    fs = [fit_ols(X2[:, j], Z, w) for j in range(X2.shape[1])]  # loop over endogenous columns
    fs_params = np.column_stack([f.params for f in fs])
    fs_resid = np.column_stack([f.resid for f in fs])
    xhat = np.column_stack([X1, X2 - fs_resid])
    second = fit_ols(y, xhat, w)
    X = np.column_stack([X1, X2])
    resid = y - X @ second.params
    return TSLSFit(second.params, resid, xhat, second.xtwx_inv, fs_params, fs_resid, fs[0].xtwx_inv)


def partial_out(A: np.ndarray, X1: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """Residuals of the (weighted) regression of each column of A on X1."""
    Xw = X1 if w is None else X1 * w[:, None]
    coef = np.linalg.solve(Xw.T @ X1, Xw.T @ A)
    return A - X1 @ coef


def _gram(A: np.ndarray, B: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    return A.T @ B if w is None else (A * w[:, None]).T @ B


def rk_statistic(
    X2t: np.ndarray,
    Z2t: np.ndarray,
    *,
    form: str,
    vcov: str,
    w: np.ndarray | None,
    weight_kind: str,
    groups: np.ndarray | None,
    n_groups: int | None,
    nobs: float,
) -> float:
    """Kleibergen-Paap rk statistic of H0: rank(Π₂) = K2 − 1 (χ² with L2 − K2 + 1 df).

    Parameters
    ----------
    X2t, Z2t : (n, K2), (n, L2) arrays
        Endogenous regressors and excluded instruments with X1 partialled out.
    form : {"wald", "lm"}
        Wald: covariance of Π̂₂ from the first-stage residuals; LM: from the residuals under
        Π₂ = 0 (X2t itself).
    vcov : {"classical", "robust", "cluster"}
        classical gives Cragg-Donald (Wald) / Anderson (LM) forms: Σ̂ᵥ ⊗ (Z̃′Z̃)⁻¹, Σ̂ᵥ = V′V/N.
    w, weight_kind, groups, n_groups
        As in :func:`flexemp.models.covariance.ml_vcov`.
    nobs : float
        N (Σw for frequency weights).

    Returns
    -------
    float

    Notes
    -----
    Kleibergen & Paap (2006, *J. Econometrics* 133) in the canonical-correlation normalisation of
    ``ranktest``/``ivreg2``: Θ = G Π̂₂ F⁻¹ with G′G = Z̃′WZ̃, F′F = X̃′WX̃; Θ = USV′; λ = U₂′Θv_K
    (U₂ the last L2 − K2 + 1 left singular vectors, v_K the last right one) and
    rk = λ′Ω⁻¹λ, Ω = (v_K′ ⊗ U₂′)(F⁻¹′ ⊗ G) V̂(vec Π̂₂)(F⁻¹ ⊗ G′)(v_K ⊗ U₂).  The robust and
    cluster meats carry no small-sample factor (as ``ranktest``).
    """
    K2 = X2t.shape[1]
    ZZ = _gram(Z2t, Z2t, w)
    ZZi = np.linalg.inv(ZZ)
    Pi2 = ZZi @ _gram(Z2t, X2t, w)
    V = X2t - Z2t @ Pi2 if form == "wald" else X2t
    G = np.linalg.cholesky(ZZ).T
    Fi = np.linalg.inv(np.linalg.cholesky(_gram(X2t, X2t, w)).T)
    Theta = G @ Pi2 @ Fi
    U, _, Vt = np.linalg.svd(Theta, full_matrices=True)
    U2, vK = U[:, K2 - 1 :], Vt[K2 - 1, :]
    lam = U2.T @ Theta @ vK
    if vcov == "classical":
        Vpi = np.kron(_gram(V, V, w) / nobs, ZZi)
    else:
        S = np.concatenate(
            [Z2t * V[:, [j]] for j in range(K2)], axis=1
        )  # vec order: column-major Π₂
        B = np.kron(np.eye(K2), ZZi)
        Vpi = B @ meat(S, w, weight_kind, groups if vcov == "cluster" else None, n_groups) @ B
    T = np.kron(Fi.T, G).T @ np.kron(vK[:, None], U2)  # Ω = T′ V̂ T
    Om = T.T @ Vpi @ T
    return float(lam @ np.linalg.solve(Om, lam))


def hansen_j(
    y: np.ndarray,
    X: np.ndarray,
    Z: np.ndarray,
    resid: np.ndarray,
    *,
    w: np.ndarray | None,
    weight_kind: str,
    groups: np.ndarray | None,
    n_groups: int | None,
) -> float:
    """Hansen's J: the two-step efficient GMM criterion, S from the 2SLS residuals (``ivreg2`` robust).

    Notes
    -----
    S = Σ (zᵢeᵢ)(zᵢeᵢ)′ (cluster: sums within clusters; no small-sample factor),
    b = (X′WZ S⁻¹ Z′WX)⁻¹ X′WZ S⁻¹ Z′Wy, J = g′S⁻¹g with g = Z′W(y − Xb) (Hansen 1982).
    """
    S = meat(Z * resid[:, None], w, weight_kind, groups, n_groups)
    Si = np.linalg.inv(S)
    ZX, Zy = _gram(Z, X, w), _gram(Z, y[:, None], w)[:, 0]
    A = ZX.T @ Si
    b = np.linalg.solve(A @ ZX, A @ Zy)
    g = _gram(Z, (y - X @ b)[:, None], w)[:, 0]
    return float(g @ Si @ g)


def sargan(resid: np.ndarray, Z: np.ndarray, w: np.ndarray | None, nobs: float) -> float:
    """Sargan's statistic N·R² of the structural residuals on Z (Sargan 1958; R ``summary(ivreg, diagnostics=TRUE)``)."""
    aux = fit_ols(resid, Z, w)
    tss = float(resid @ resid) if w is None else float((w * resid) @ resid)
    return nobs * (1 - aux.ssr / tss)
