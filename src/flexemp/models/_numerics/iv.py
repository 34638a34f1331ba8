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
from scipy import linalg

from flexemp.models._numerics.linear import (
    COLLINEAR_TOL,
    _dependent_in_order,
    _equilibrated_qr,
    _raise_singular,
    fit_ols,
)
from flexemp.models.covariance import meat, meat_xr


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
    x2t, z2t : (n, K2), (n, L2) arrays
        X2 and Z2 with X1 partialled out (weighted), from the same QR of Z.
    resid_r2_z : float
        Share of Σwe² explained by Z (R² of the structural residuals on Z, uncentred).
    """

    params: np.ndarray
    resid: np.ndarray
    xhat: np.ndarray
    bread: np.ndarray
    fs_params: np.ndarray
    fs_resid: np.ndarray
    fs_bread: np.ndarray
    x2t: np.ndarray
    z2t: np.ndarray
    resid_r2_z: float


def fit_2sls(
    y: np.ndarray,
    X1: np.ndarray,
    X2: np.ndarray,
    Z2: np.ndarray,
    w: np.ndarray | None,
    *,
    Z: np.ndarray | None = None,
    X: np.ndarray | None = None,
) -> TSLSFit:
    """2SLS of y on [X1, X2] with instruments [X1, Z2] (Theil 1953; Stata ``ivregress 2sls``).

    One Householder QR of √W·Z (columns scaled to unit norm) gives the first stage, X1
    partialled out of X2 and Z2, and Q′X, Q′y; the second stage is a QR of the small L × K
    matrix Q′√W·X, since X̂′WX̂ = (Q′√W X)′(Q′√W X).

    ``Z`` = [X1, Z2] and ``X`` = [X1, X2] may be passed when the caller has them stacked already.

    Raises
    ------
    SingularDesignError
        Collinear instruments (column indices of Z) or regressors.
    """
    if Z is None:
        Z = np.column_stack([X1, Z2])
    L = Z.shape[1]
    K1 = X1.shape[1]
    sw = None if w is None else np.sqrt(w)
    Q, R, norms = _equilibrated_qr(Z, w)
    assert Q is not None
    R = R * (norms > 0)
    dependent = tuple(_dependent_in_order(R, COLLINEAR_TOL))
    if dependent:
        _raise_singular(dependent, L, "iv2sls (instruments)")
    if X is None:
        X = np.column_stack([X1, X2])
    Xs = X if sw is None else X * sw[:, None]
    ys = y if sw is None else y * sw
    QX, Qy = Q.T @ Xs, Q.T @ ys
    Rinv = linalg.solve_triangular(R, np.eye(L), lower=False) / norms[:, None]  # (D R)⁻¹
    fs_params = Rinv @ QX[:, K1:]
    fs_resid = X2 - Z @ fs_params
    fs_bread = Rinv @ Rinv.T
    # X1 partialled out: coefficients from the leading K1 × K1 block of R (X1 comes first in Z)
    R1inv = Rinv[:K1, :K1]
    x2t = X2 - X1 @ (R1inv @ QX[:K1, K1:])
    z2t = Z2 - X1 @ (R1inv @ (R[:K1, K1:] * norms[K1:]))
    # second stage: least squares of Q′y on Q′X (a QR of the small matrix)
    xnorm = np.sqrt(np.einsum("ij,ij->j", QX, QX))
    safe = np.where(xnorm > 0, xnorm, 1.0)
    Qs, Rs = np.linalg.qr(QX / safe)
    Rs = Rs * (xnorm > 0)
    dep2 = tuple(_dependent_in_order(Rs, COLLINEAR_TOL))
    if dep2:
        _raise_singular(dep2, X.shape[1], "iv2sls (instrumented regressors)")
    params = linalg.solve_triangular(Rs, Qs.T @ Qy, lower=False) / xnorm
    Rsinv = linalg.solve_triangular(Rs, np.eye(X.shape[1]), lower=False)
    bread = (Rsinv @ Rsinv.T) / np.outer(xnorm, xnorm)
    bread = (bread + bread.T) / 2
    resid = y - X @ params
    es = resid if sw is None else resid * sw
    qe = Q.T @ es
    r2 = float(qe @ qe) / float(es @ es)
    xhat = np.column_stack([X1, X2 - fs_resid])
    return TSLSFit(params, resid, xhat, bread, fs_params, fs_resid, fs_bread, x2t, z2t, r2)


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
    See :func:`rk_statistics`, which computes the LM, Wald and Cragg-Donald forms together.
    """
    lm, wald, cd = rk_statistics(
        X2t,
        Z2t,
        vcov=vcov,
        w=w,
        weight_kind=weight_kind,
        groups=groups,
        n_groups=n_groups,
        nobs=nobs,
    )
    if vcov == "classical":
        return lm if form == "lm" else cd
    return lm if form == "lm" else wald


def rk_statistics(
    X2t: np.ndarray,
    Z2t: np.ndarray,
    *,
    vcov: str,
    w: np.ndarray | None,
    weight_kind: str,
    groups: np.ndarray | None,
    n_groups: int | None,
    nobs: float,
) -> tuple[float, float, float]:
    """Kleibergen-Paap rk LM, rk Wald (with ``vcov``) and the Cragg-Donald Wald (classical), in one pass.

    Returns
    -------
    (lm, wald, cragg_donald) : floats
        Under ``vcov="classical"`` lm is Anderson's LM and wald equals cragg_donald.

    Notes
    -----
    Kleibergen & Paap (2006, *J. Econometrics* 133) in the canonical-correlation normalisation of
    ``ranktest``/``ivreg2``: Θ = G Π̂₂ F⁻¹ with G′G = Z̃′WZ̃, F′F = X̃′WX̃; Θ = USV′; λ = U₂′Θv_K
    (U₂ the last L2 − K2 + 1 left singular vectors, v_K the last right one) and
    rk = λ′Ω⁻¹λ, Ω = (v_K′ ⊗ U₂′)(F⁻¹′ ⊗ G) V̂(vec Π̂₂)(F⁻¹ ⊗ G′)(v_K ⊗ U₂).  The robust and
    cluster meats carry no small-sample factor (as ``ranktest``).  The grams, the SVD and Ω's
    transformation are shared by the three forms, and the robust / cluster meats of the Wald
    (first-stage residuals) and LM (X̃2 itself) scores come from one stacked meat.
    """
    K2 = X2t.shape[1]
    ZZ = _gram(Z2t, Z2t, w)
    ZZi = np.linalg.inv(ZZ)
    Pi2 = ZZi @ _gram(Z2t, X2t, w)
    V = X2t - Z2t @ Pi2
    G = np.linalg.cholesky(ZZ).T
    Fi = np.linalg.inv(np.linalg.cholesky(_gram(X2t, X2t, w)).T)
    Theta = G @ Pi2 @ Fi
    U, _, Vt = np.linalg.svd(Theta, full_matrices=True)
    U2, vK = U[:, K2 - 1 :], Vt[K2 - 1, :]
    lam = U2.T @ Theta @ vK
    T = np.kron(Fi.T, G).T @ np.kron(vK[:, None], U2)  # Ω = T′ V̂ T

    def rk(Vpi: np.ndarray) -> float:
        return float(lam @ np.linalg.solve(T.T @ Vpi @ T, lam))

    cd = rk(np.kron(_gram(V, V, w) / nobs, ZZi))
    if vcov == "classical":
        return rk(np.kron(_gram(X2t, X2t, w) / nobs, ZZi)), cd, cd
    m = K2 * Z2t.shape[1]
    S = np.empty((Z2t.shape[0], 2 * m))  # vec order (column-major Π₂): Wald scores, then LM scores
    for j in range(K2):  # loop over endogenous regressors
        np.multiply(Z2t, V[:, [j]], out=S[:, j * Z2t.shape[1] : (j + 1) * Z2t.shape[1]])
        np.multiply(Z2t, X2t[:, [j]], out=S[:, m + j * Z2t.shape[1] : m + (j + 1) * Z2t.shape[1]])
    M = meat(S, w, weight_kind, groups if vcov == "cluster" else None, n_groups)
    B = np.kron(np.eye(K2), ZZi)
    wald = rk(B @ M[:m, :m] @ B)
    lm = rk(B @ M[m:, m:] @ B)
    return lm, wald, cd


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
    S = meat_xr(Z, resid, w, weight_kind, groups, n_groups)
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
