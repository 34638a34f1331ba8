"""First-stage and weak-instrument diagnostics of 2SLS (the numbers ``ivreg2 ..., first`` prints).

Every function takes the arrays of a fitted 2SLS model (see :class:`IVArrays`) and returns
:class:`~flexemp.models.results.TestResult` objects or small tables; :func:`flexemp.models.iv.iv2sls`
calls them.  References: Baum, Schaffer & Stillman (2007), *Stata Journal* 7(4); Kleibergen &
Paap (2006); Cragg & Donald (1993); Stock & Yogo (2005); Sargan (1958); Hansen (1982);
Durbin (1954), Wu (1973), Hausman (1978).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from flexemp.models._numerics import iv as ivnum
from flexemp.models.covariance import ols_vcov
from flexemp.models.results import TestResult, coef_table

#: Stock & Yogo (2005), "Testing for weak instruments in linear IV regression", in *Identification
#: and Inference for Econometric Models*, Table 5.2 (= Stock & Yogo 2002/2003 NBER working paper,
#: Table 2): critical values of the Cragg-Donald F for a nominal 5% Wald test on 2SLS whose actual
#: size is at most 10/15/20/25%, by number of excluded instruments L2 = 1..30.  One endogenous
#: regressor.  Transcribed from gretl's ``stock_yogo_lookup`` table ``tsls_size_vals``
#: (lib/src, "Stock and Yogo, 2003, Table 2"), checked against a second independent transcription
#: (a Python ``tab_5_2`` for L2 = 1..10 and an SPSS macro) and ivreg2's printed values for L2 = 1..3.
STOCK_YOGO_SIZE: dict[int, dict[str, float]] = {
    1: {"10%": 16.38, "15%": 8.96, "20%": 6.66, "25%": 5.53},
    2: {"10%": 19.93, "15%": 11.59, "20%": 8.75, "25%": 7.25},
    3: {"10%": 22.30, "15%": 12.83, "20%": 9.54, "25%": 7.80},
    4: {"10%": 24.58, "15%": 13.96, "20%": 10.26, "25%": 8.31},
    5: {"10%": 26.87, "15%": 15.09, "20%": 10.98, "25%": 8.84},
    6: {"10%": 29.18, "15%": 16.23, "20%": 11.72, "25%": 9.38},
    7: {"10%": 31.50, "15%": 17.38, "20%": 12.48, "25%": 9.93},
    8: {"10%": 33.84, "15%": 18.54, "20%": 13.24, "25%": 10.50},
    9: {"10%": 36.19, "15%": 19.71, "20%": 14.01, "25%": 11.07},
    10: {"10%": 38.54, "15%": 20.88, "20%": 14.78, "25%": 11.65},
    11: {"10%": 40.90, "15%": 22.06, "20%": 15.56, "25%": 12.23},
    12: {"10%": 43.27, "15%": 23.24, "20%": 16.35, "25%": 12.82},
    13: {"10%": 45.64, "15%": 24.42, "20%": 17.14, "25%": 13.41},
    14: {"10%": 48.01, "15%": 25.61, "20%": 17.93, "25%": 14.00},
    15: {"10%": 50.39, "15%": 26.80, "20%": 18.72, "25%": 14.60},
    16: {"10%": 52.77, "15%": 27.99, "20%": 19.51, "25%": 15.19},
    17: {"10%": 55.15, "15%": 29.19, "20%": 20.31, "25%": 15.79},
    18: {"10%": 57.53, "15%": 30.38, "20%": 21.10, "25%": 16.39},
    19: {"10%": 59.92, "15%": 31.58, "20%": 21.90, "25%": 16.99},
    20: {"10%": 62.30, "15%": 32.77, "20%": 22.70, "25%": 17.60},
    21: {"10%": 64.69, "15%": 33.97, "20%": 23.50, "25%": 18.20},
    22: {"10%": 67.07, "15%": 35.17, "20%": 24.30, "25%": 18.80},
    23: {"10%": 69.46, "15%": 36.37, "20%": 25.10, "25%": 19.41},
    24: {"10%": 71.85, "15%": 37.57, "20%": 25.90, "25%": 20.01},
    25: {"10%": 74.24, "15%": 38.77, "20%": 26.71, "25%": 20.61},
    26: {"10%": 76.62, "15%": 39.97, "20%": 27.51, "25%": 21.22},
    27: {"10%": 79.01, "15%": 41.17, "20%": 28.31, "25%": 21.83},
    28: {"10%": 81.40, "15%": 42.37, "20%": 29.12, "25%": 22.43},
    29: {"10%": 83.79, "15%": 43.57, "20%": 29.92, "25%": 23.04},
    30: {"10%": 86.17, "15%": 44.78, "20%": 30.72, "25%": 23.65},
}
#: The same table for two endogenous regressors, L2 = 2..30 (same sources).
STOCK_YOGO_SIZE_2: dict[int, dict[str, float]] = {
    2: {"10%": 7.03, "15%": 4.58, "20%": 3.95, "25%": 3.63},
    3: {"10%": 13.43, "15%": 8.18, "20%": 6.40, "25%": 5.45},
    4: {"10%": 16.87, "15%": 9.93, "20%": 7.54, "25%": 6.28},
    5: {"10%": 19.45, "15%": 11.22, "20%": 8.38, "25%": 6.89},
    6: {"10%": 21.68, "15%": 12.33, "20%": 9.10, "25%": 7.42},
    7: {"10%": 23.72, "15%": 13.34, "20%": 9.77, "25%": 7.91},
    8: {"10%": 25.64, "15%": 14.31, "20%": 10.41, "25%": 8.39},
    9: {"10%": 27.51, "15%": 15.24, "20%": 11.03, "25%": 8.85},
    10: {"10%": 29.32, "15%": 16.16, "20%": 11.65, "25%": 9.31},
    11: {"10%": 31.11, "15%": 17.06, "20%": 12.25, "25%": 9.77},
    12: {"10%": 32.88, "15%": 17.95, "20%": 12.86, "25%": 10.22},
    13: {"10%": 34.62, "15%": 18.84, "20%": 13.45, "25%": 10.68},
    14: {"10%": 36.36, "15%": 19.72, "20%": 14.05, "25%": 11.13},
    15: {"10%": 38.08, "15%": 20.60, "20%": 14.65, "25%": 11.58},
    16: {"10%": 39.80, "15%": 21.48, "20%": 15.24, "25%": 12.03},
    17: {"10%": 41.51, "15%": 22.35, "20%": 15.83, "25%": 12.49},
    18: {"10%": 43.22, "15%": 23.22, "20%": 16.42, "25%": 12.94},
    19: {"10%": 44.92, "15%": 24.09, "20%": 17.02, "25%": 13.39},
    20: {"10%": 46.62, "15%": 24.96, "20%": 17.61, "25%": 13.84},
    21: {"10%": 48.31, "15%": 25.82, "20%": 18.20, "25%": 14.29},
    22: {"10%": 50.01, "15%": 26.69, "20%": 18.79, "25%": 14.74},
    23: {"10%": 51.70, "15%": 27.56, "20%": 19.38, "25%": 15.19},
    24: {"10%": 53.39, "15%": 28.42, "20%": 19.97, "25%": 15.64},
    25: {"10%": 55.07, "15%": 29.29, "20%": 20.56, "25%": 16.10},
    26: {"10%": 56.76, "15%": 30.15, "20%": 21.15, "25%": 16.55},
    27: {"10%": 58.45, "15%": 31.02, "20%": 21.74, "25%": 17.00},
    28: {"10%": 60.13, "15%": 31.88, "20%": 22.33, "25%": 17.45},
    29: {"10%": 61.82, "15%": 32.74, "20%": 22.92, "25%": 17.90},
    30: {"10%": 63.51, "15%": 33.61, "20%": 23.51, "25%": 18.35},
}


@dataclass(frozen=True)
class IVArrays:
    """The arrays of a 2SLS fit: y (n,), X1 (n, K1), X2 (n, K2), Z2 (n, L2), w, clusters; names of each part.

    ``Z`` = [X1, Z2] and ``X`` = [X1, X2] are stacked once here and shared by every statistic.
    """

    y: np.ndarray
    X1: np.ndarray
    X2: np.ndarray
    Z2: np.ndarray
    w: np.ndarray | None
    weight_kind: str
    groups: np.ndarray | None
    n_groups: int | None
    vcov: str
    exog_names: tuple[str, ...]
    endog_names: tuple[str, ...]
    instr_names: tuple[str, ...]
    Z: np.ndarray
    X: np.ndarray

    @property
    def nobs(self) -> float:
        """N: Σw with frequency weights, else the number of rows."""
        return (
            float(self.w.sum())
            if (self.w is not None and self.weight_kind == "freq")
            else float(len(self.y))
        )

    @property
    def df_denom(self) -> float:
        """Denominator df of the F tests: G − 1 with clusters, else N − L."""
        if self.vcov == "cluster":
            return float((self.n_groups or 0) - 1)
        return self.nobs - self.X1.shape[1] - self.Z2.shape[1]


@dataclass(frozen=True)
class FirstStage:
    """One endogenous regressor's first stage.

    ``coefficients``: tidy table (term, estimate, std_error, ...) on Z = [X1, Z2];
    ``partial_r2``: R² of the excluded instruments after partialling out X1;
    ``f``: TestResult of the excluded instruments (Wald/L2 with the model's covariance type).
    """

    endog: str
    coefficients: pd.DataFrame
    partial_r2: float
    f: TestResult

    def to_dict(self) -> dict[str, Any]:
        """Plain dict."""
        return {
            "endog": self.endog,
            "coefficients": self.coefficients.to_dict("records"),
            "partial_r2": self.partial_r2,
            "f": self.f.to_dict(),
        }


def _vcov(a: IVArrays, X: np.ndarray, resid: np.ndarray, xtwx_inv: np.ndarray) -> np.ndarray:
    return ols_vcov(
        X,
        resid,
        xtwx_inv,
        vcov=a.vcov,
        w=a.w,
        weight_kind=a.weight_kind,
        groups=a.groups,
        n_groups=a.n_groups,
    )


def first_stages(a: IVArrays, fit: ivnum.TSLSFit, conf_level: float) -> dict[str, FirstStage]:
    """First-stage tables, partial R² and F of the excluded instruments (Stata ``estat firststage``).

    Notes
    -----
    F = Wald(Z2 coefficients)/L2 with the classical, HC1 or CR1 covariance of the first-stage
    regression, F(L2, N − L) (cluster: G − 1); Stata ``regress d x z, vce(...)`` + ``test z``.
    Partial R² = 1 − RSS(x̃ on z̃)/TSS(x̃) with X1 partialled out (ivreg2's "Partial R-sq").
    """
    Z = a.Z
    names = list(a.exog_names + a.instr_names)
    idx = list(range(a.X1.shape[1], Z.shape[1]))
    X2t = fit.x2t
    L2 = len(idx)
    out: dict[str, FirstStage] = {}
    for j, nm in enumerate(a.endog_names):  # loop over endogenous regressors
        V = _vcov(a, Z, fit.fs_resid[:, j], fit.fs_bread)
        b = fit.fs_params[:, j]
        W = float(b[idx] @ np.linalg.solve(V[np.ix_(idx, idx)], b[idx]))
        F = W / L2
        # FWL: the residual of x̃ on z̃ is the first-stage residual v̂
        v = fit.fs_resid[:, j]
        ssr = float(v @ v) if a.w is None else float((a.w * v) @ v)
        tss = float(X2t[:, j] @ X2t[:, j]) if a.w is None else float((a.w * X2t[:, j]) @ X2t[:, j])
        out[nm] = FirstStage(
            nm,
            coef_table(names, b, V, conf_level=conf_level, df=a.df_denom),
            1 - ssr / tss,
            TestResult(
                F,
                (float(L2), a.df_denom),
                float(stats.f.sf(F, L2, a.df_denom)),
                f"the excluded instruments do not enter the first stage of {nm}",
            ),
        )
    return out


def weak_id_tests(a: IVArrays, fit: ivnum.TSLSFit) -> dict[str, TestResult]:
    """Kleibergen-Paap rk LM and Wald F, Cragg-Donald Wald F and Stock-Yogo critical values.

    Notes
    -----
    rk LM ~ χ²(L2 − K2 + 1) (underidentification test).  rk Wald F = rk Wald/N · (N − L)/L2
    (cluster: rk Wald/(N − 1) · (N − L) · (G − 1)/G / L2), as ``ivreg2``; with one endogenous
    regressor this equals the robust (cluster) first-stage F with Stata's HC1 (CR1) factor.
    Cragg-Donald F is the same with the classical covariance (= the classical first-stage F when
    K2 = 1).  Under ``vcov="classical"`` the KP statistics reduce to Anderson's LM and the
    Cragg-Donald F.
    """
    N, L = a.nobs, a.X1.shape[1] + a.Z2.shape[1]
    K2, L2 = a.X2.shape[1], a.Z2.shape[1]
    X2t, Z2t = fit.x2t, fit.z2t
    common: dict[str, Any] = {
        "w": a.w,
        "weight_kind": a.weight_kind,
        "groups": a.groups,
        "n_groups": a.n_groups,
        "nobs": N,
    }
    lm, wald, cd = ivnum.rk_statistics(X2t, Z2t, vcov=a.vcov, **common)
    if a.vcov == "cluster":
        G = float(a.n_groups or 0)
        rkf = wald / (N - 1) * (N - L) * (G - 1) / G / L2
    else:
        rkf = wald / N * (N - L) / L2
    dfl = float(L2 - K2 + 1)
    null_id = "the model is underidentified (rank of the first-stage coefficients < K2)"
    tests = {
        "kp_rk_lm": TestResult(lm, dfl, float(stats.chi2.sf(lm, dfl)), null_id),
        "kp_rk_wald_f": TestResult(
            rkf,
            (float(L2), a.df_denom),
            None,
            "weak identification; compare with Stock-Yogo critical values",
        ),
        "cragg_donald_f": TestResult(
            cd / N * (N - L) / L2,
            (float(L2), N - L),
            None,
            "weak identification (i.i.d. errors); compare with Stock-Yogo critical values",
        ),
    }
    table = {1: STOCK_YOGO_SIZE, 2: STOCK_YOGO_SIZE_2}.get(K2, {})
    sy = table.get(L2)
    for lvl in ("10%", "15%", "20%", "25%"):
        tests[f"stock_yogo_{lvl[:2]}"] = TestResult(
            None if sy is None else sy[lvl],
            None,
            None,
            f"critical value of the CD/KP F for {lvl} maximal size of a 5% 2SLS Wald test (Stock-Yogo 2005, Table 5.2)",
            available=sy is not None,
            reason=None
            if sy is not None
            else "Stock-Yogo (2005) Table 5.2 covers 1-2 endogenous regressors and up to 30 instruments",
        )
    return tests


def overid_test(a: IVArrays, fit: ivnum.TSLSFit) -> tuple[str, TestResult]:
    """Sargan (classical) or Hansen J (robust/cluster) test of the over-identifying restrictions, χ²(L2 − K2)."""
    K2, L2 = a.X2.shape[1], a.Z2.shape[1]
    name = "sargan" if a.vcov == "classical" else "hansen_j"
    null = "the excluded instruments are uncorrelated with the structural error"
    if L2 == K2:
        return name, TestResult(
            None, 0.0, None, null, False, "exactly identified: no over-identifying restrictions"
        )
    if a.vcov == "classical":
        stat = a.nobs * fit.resid_r2_z  # Sargan: N·R² of e on Z (from the QR of the fit)
    else:
        stat = ivnum.hansen_j(
            a.y,
            a.X,
            a.Z,
            fit.resid,
            w=a.w,
            weight_kind=a.weight_kind,
            groups=a.groups if a.vcov == "cluster" else None,
            n_groups=a.n_groups,
        )
    df = float(L2 - K2)
    return name, TestResult(stat, df, float(stats.chi2.sf(stat, df)), null)


def endogeneity_test(a: IVArrays, fit: ivnum.TSLSFit) -> TestResult:
    """Regression-based Durbin-Wu-Hausman test: the first-stage residuals added to the structural equation.

    Notes
    -----
    OLS of y on [X1, X2, V̂]; F = Wald(V̂ coefficients)/K2 with the model's covariance type,
    F(K2, N − K − K2) (cluster: G − 1).  Classical: R ``summary(ivreg, diagnostics=TRUE)``
    "Wu-Hausman"; robust: Stata ``estat endogenous`` after ``ivregress ..., vce(robust)`` (its
    robust regression-based F, Wooldridge 2010 §6.3.1).
    """
    K, K2 = a.X1.shape[1] + a.X2.shape[1], a.X2.shape[1]
    # [X1, X2, V̂] = [X̂, V̂]·T with V̂ ⟂_W X̂, so the auxiliary OLS needs no new decomposition:
    # coefficients (β̂, ĉ − β̂₂) with ĉ = (V̂′WV̂)⁻¹V̂′Wy, residuals y − X̂β̂ − V̂ĉ,
    # (X_a′WX_a)⁻¹ = T⁻¹ diag((X̂′WX̂)⁻¹, (V̂′WV̂)⁻¹) T⁻ᵀ
    Vh = fit.fs_resid
    Vw = Vh if a.w is None else Vh * a.w[:, None]
    VV = Vw.T @ Vh
    c = np.linalg.solve(VV, Vw.T @ a.y)
    resid = a.y - fit.xhat @ fit.params - Vh @ c
    Tinv = np.eye(K + K2)
    Tinv[K:, K - K2 : K] = -np.eye(K2)
    inner = np.zeros((K + K2, K + K2))
    inner[:K, :K] = fit.bread
    inner[K:, K:] = np.linalg.inv(VV)
    bread = Tinv @ inner @ Tinv.T
    Xa = np.column_stack([a.X, Vh])
    V = _vcov(a, Xa, resid, (bread + bread.T) / 2)
    coef_v = c - fit.params[K - K2 : K]
    idx = list(range(K, K + K2))
    F = float(coef_v @ np.linalg.solve(V[np.ix_(idx, idx)], coef_v)) / K2
    df2 = float((a.n_groups or 0) - 1) if a.vcov == "cluster" else a.nobs - K - K2
    return TestResult(
        F,
        (float(K2), df2),
        float(stats.f.sf(F, K2, df2)),
        "the endogenous regressors are exogenous",
    )
