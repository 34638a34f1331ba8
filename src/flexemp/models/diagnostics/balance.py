"""Covariate balance before and after matching, as Stata ``pstest`` (Leuven & Sianesi, psmatch2).

For each covariate: means of the treated and of the controls before matching and
after (weighted by the matching weights), the standardized % bias
100·(x̄_T − x̄_C)/√((s²_T + s²_C)/2) with the variances of the *unmatched* samples
in the denominator both times (Rosenbaum & Rubin 1985; ``pstest``'s default), the
% bias reduction, two-sample t-tests (``regress x treat [iw = weight]``) and the
variance ratios s²_T/s²_C.  Overall: mean and median |bias|, and the pseudo-R² and
LR χ² of the logit of the treatment on the covariates, before and on the matched
sample (Sianesi 2004).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from flexemp.core.errors import EstimationError
from flexemp.models._numerics.binary import fit_binary

__all__ = ["BalanceResult", "balance_table"]

BALANCE_COLUMNS = (
    "covariate",
    "mean_treated_before",
    "mean_treated",
    "mean_control_before",
    "mean_control_after",
    "std_bias_before",
    "std_bias_after",
    "bias_reduction",
    "t_before",
    "p_before",
    "t_after",
    "p_after",
    "variance_ratio_before",
    "variance_ratio_after",
)


@dataclass(frozen=True)
class BalanceResult:
    """``table``: one row per covariate with the columns ``BALANCE_COLUMNS``
    (``mean_treated`` is after matching); ``summary``: ``mean_abs_bias_before/after``,
    ``median_abs_bias_before/after``, ``pseudo_r2_before/after``, ``lr_chi2_before/after``,
    ``lr_p_before/after`` (NaN with ``summary_note`` when the logit cannot be fitted)."""

    table: pd.DataFrame
    summary: dict[str, float]
    summary_note: str | None = None

    def to_dict(self) -> dict[str, object]:
        """Plain dict (records and scalars)."""
        return {
            "table": self.table.to_dict("records"),
            "summary": dict(self.summary),
            "summary_note": self.summary_note,
        }


def _wmean_var(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column means and variances with importance weights (divisor Σw − 1, Stata ``[iw]``)."""
    sw = w.sum()
    m = (w[:, None] * x).sum(axis=0) / sw
    v = (w[:, None] * (x - m) ** 2).sum(axis=0) / (sw - 1.0)
    return m, v


def _ttest(
    mt: np.ndarray, mc: np.ndarray, vt: np.ndarray, vc: np.ndarray, wt: float, wc: float
) -> tuple[np.ndarray, np.ndarray]:
    """t of the treatment dummy in ``regress x treat [iw=w]``: pooled residual variance, df Σw − 2."""
    df = wt + wc - 2.0
    s2 = ((wt - 1.0) * vt + (wc - 1.0) * vc) / df
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (mt - mc) / np.sqrt(s2 * (1.0 / wt + 1.0 / wc))
    return t, 2 * stats.t.sf(np.abs(t), df)


def _logit_fit(y: np.ndarray, X: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    fit = fit_binary(y, X, w, "logit")
    ll0 = fit.loglik_null if fit.loglik_null is not None else float("nan")
    return 1.0 - fit.loglik / ll0, 2.0 * (fit.loglik - ll0)


def balance_table(
    covariates: pd.DataFrame, treat: np.ndarray, w_before: np.ndarray, w_after: np.ndarray
) -> BalanceResult:
    """Balance of ``covariates`` between treated and controls before and after matching.

    Parameters
    ----------
    covariates : DataFrame (n, p)
        Numeric covariates.
    treat : (n,) array of 0/1
    w_before : (n,) array
        1 for the units compared before matching (all rows of the estimation sample).
    w_after : (n,) array
        Matching weights: 1 for a matched target, Kⱼ (times used) for a donor, summed
        when a unit is both (ATE); 0 for units outside the matched sample.

    Returns
    -------
    BalanceResult

    Notes
    -----
    Matches Stata ``pstest x1 x2, both`` after ``psmatch2`` (``_weight``).
    """
    X = covariates.to_numpy(dtype=float)
    t = np.asarray(treat) == 1
    wb = np.asarray(w_before, dtype=float)
    wa = np.asarray(w_after, dtype=float)
    mt0, vt0 = _wmean_var(X[t], wb[t])
    mc0, vc0 = _wmean_var(X[~t], wb[~t])
    mt1, vt1 = _wmean_var(X[t & (wa > 0)], wa[t & (wa > 0)])
    mc1, vc1 = _wmean_var(X[~t & (wa > 0)], wa[~t & (wa > 0)])
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt((vt0 + vc0) / 2.0)
        b0 = 100.0 * (mt0 - mc0) / sd
        b1 = 100.0 * (mt1 - mc1) / sd
        red = 100.0 * (1.0 - np.abs(b1) / np.abs(b0))
        vr0, vr1 = vt0 / vc0, vt1 / vc1
    tb, pb = _ttest(mt0, mc0, vt0, vc0, wb[t].sum(), wb[~t].sum())
    ta, pa = _ttest(mt1, mc1, vt1, vc1, wa[t].sum(), wa[~t].sum())
    table = pd.DataFrame(
        {
            "covariate": list(covariates.columns),
            "mean_treated_before": mt0,
            "mean_treated": mt1,
            "mean_control_before": mc0,
            "mean_control_after": mc1,
            "std_bias_before": b0,
            "std_bias_after": b1,
            "bias_reduction": red,
            "t_before": tb,
            "p_before": pb,
            "t_after": ta,
            "p_after": pa,
            "variance_ratio_before": vr0,
            "variance_ratio_after": vr1,
        },
        columns=list(BALANCE_COLUMNS),
    )
    summary = {
        "mean_abs_bias_before": float(np.mean(np.abs(b0))),
        "mean_abs_bias_after": float(np.mean(np.abs(b1))),
        "median_abs_bias_before": float(np.median(np.abs(b0))),
        "median_abs_bias_after": float(np.median(np.abs(b1))),
    }
    note = None
    Xc = np.column_stack([np.ones(X.shape[0]), X])
    for tag, w in (("before", wb), ("after", wa)):
        keep = w > 0
        try:
            r2, lr = _logit_fit(t[keep].astype(float), Xc[keep], w[keep])
        except EstimationError as exc:
            r2, lr = float("nan"), float("nan")
            note = f"logit of the treatment {tag} matching could not be fitted: {exc}"
        summary[f"pseudo_r2_{tag}"] = r2
        summary[f"lr_chi2_{tag}"] = lr
        summary[f"lr_p_{tag}"] = (
            float(stats.chi2.sf(lr, X.shape[1])) if np.isfinite(lr) else float("nan")
        )
    return BalanceResult(table, summary, note)
