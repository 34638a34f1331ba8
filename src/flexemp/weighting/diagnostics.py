"""Weight diagnostics: Kish design effect, effective sample size, distribution, margin checks.

Pure functions of a weight vector (and, for the margin table, of the margin codes), so they can be
applied to any weights, calibrated by flexemp or not.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from flexemp.core.errors import WeightingError

__all__ = ["design_effect", "effective_sample_size", "weight_diagnostics", "weight_summary"]

SUMMARY_PERCENTILES: tuple[tuple[str, float], ...] = (
    ("p1", 1.0),
    ("p5", 5.0),
    ("median", 50.0),
    ("p95", 95.0),
    ("p99", 99.0),
)


def _as_weights(weights: pd.Series | np.ndarray | Sequence[float]) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or w.size == 0:
        raise WeightingError(
            f"weights must be a non-empty one-dimensional vector, got shape {w.shape}; "
            "pass a Series or a list of numbers"
        )
    bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
    if bad.size:
        raise WeightingError(
            f"weights must be finite and non-negative: {bad.size} bad value(s), first at "
            f"positions {bad[:5].tolist()}; drop or fix those rows"
        )
    if w.sum() <= 0:
        raise WeightingError("weights sum to zero; at least one weight must be positive")
    return w


def effective_sample_size(weights: pd.Series | np.ndarray | Sequence[float]) -> float:
    """Kish's effective sample size, (Σw)² / Σw².

    Parameters
    ----------
    weights : Series, array or sequence of float
        Non-negative, finite weights.

    Returns
    -------
    float
        The effective number of observations, between 1 and n (n for equal weights).

    Raises
    ------
    WeightingError
        If a weight is negative, missing or infinite, or all weights are zero.

    Notes
    -----
    Kish (1965), *Survey Sampling*, §11.7: n_eff = (Σwᵢ)² / Σwᵢ² = n / deff.
    Stata: ``summarize w`` then ``r(sum)^2 / (r(N) * (r(sd)^2 * (r(N)-1)/r(N) + r(mean)^2))``.

    Examples
    --------
    >>> effective_sample_size([1.0, 1.0, 1.0, 1.0])
    4.0
    >>> effective_sample_size([1.0, 3.0])
    1.6
    """
    w = _as_weights(weights)
    return float(w.sum() ** 2 / np.dot(w, w))


def design_effect(weights: pd.Series | np.ndarray | Sequence[float]) -> float:
    """Kish's design effect due to unequal weighting, 1 + CV² = n·Σw² / (Σw)².

    Parameters
    ----------
    weights : Series, array or sequence of float
        Non-negative, finite weights.

    Returns
    -------
    float
        The design effect (1 for equal weights).

    Raises
    ------
    WeightingError
        If a weight is negative, missing or infinite, or all weights are zero.

    Notes
    -----
    Kish (1965); CV is the coefficient of variation of the weights with the population (1/n)
    variance, so deff = 1 + CV² = n·Σwᵢ² / (Σwᵢ)².  R: ``survey`` has no single function; the
    formula is ``length(w) * sum(w^2) / sum(w)^2``.

    Examples
    --------
    >>> design_effect([2.0, 2.0, 2.0])
    1.0
    >>> design_effect([1.0, 3.0])
    1.25
    """
    w = _as_weights(weights)
    return float(w.size * np.dot(w, w) / w.sum() ** 2)


def weight_summary(weights: pd.Series | np.ndarray | Sequence[float]) -> dict[str, float]:
    """The distribution of the weights: min, p1, p5, median, p95, p99, max and max/min.

    Parameters
    ----------
    weights : Series, array or sequence of float
        Non-negative, finite weights.

    Returns
    -------
    dict of str to float
        Keys ``min, p1, p5, median, p95, p99, max, ratio_max_min`` (``ratio_max_min`` is ``inf``
        when the smallest weight is zero).

    Raises
    ------
    WeightingError
        If a weight is negative, missing or infinite, or all weights are zero.

    Notes
    -----
    Percentiles interpolate linearly between order statistics (R's ``quantile(type = 7)``, NumPy's
    default).

    Examples
    --------
    >>> s = weight_summary([1.0, 2.0, 3.0, 4.0, 5.0])
    >>> s["median"], s["max"], s["ratio_max_min"]
    (3.0, 5.0, 5.0)
    """
    w = _as_weights(weights)
    lo, hi = float(w.min()), float(w.max())
    out: dict[str, float] = {"min": lo}
    pct = np.percentile(w, [p for _, p in SUMMARY_PERCENTILES])
    out.update({name: float(v) for (name, _), v in zip(SUMMARY_PERCENTILES, pct, strict=True)})
    out["max"] = hi
    out["ratio_max_min"] = hi / lo if lo > 0 else float("inf")
    return out


def weight_diagnostics(weights: pd.Series | np.ndarray | Sequence[float]) -> dict[str, object]:
    """All diagnostics of a weight vector in one JSON-serialisable dict.

    Parameters
    ----------
    weights : Series, array or sequence of float
        Non-negative, finite weights.

    Returns
    -------
    dict
        ``n``, ``sum``, ``deff_kish`` (:func:`design_effect`), ``cv`` (√(deff − 1)),
        ``n_effective`` (:func:`effective_sample_size`) and ``summary`` (:func:`weight_summary`).

    Raises
    ------
    WeightingError
        If a weight is negative, missing or infinite, or all weights are zero.

    Notes
    -----
    n_eff · deff = n exactly.

    Examples
    --------
    >>> d = weight_diagnostics([1.0, 3.0])
    >>> d["n"], d["deff_kish"], d["n_effective"], d["cv"]
    (2, 1.25, 1.6, 0.5)
    """
    w = _as_weights(weights)
    deff = design_effect(w)
    return {
        "n": int(w.size),
        "sum": float(w.sum()),
        "deff_kish": deff,
        "cv": float(np.sqrt(max(deff - 1.0, 0.0))),
        "n_effective": effective_sample_size(w),
        "summary": weight_summary(w),
    }


def margins_table(
    variables: Sequence[str],
    levels: Sequence[Sequence[object]],
    codes: Sequence[np.ndarray],
    targets: Sequence[np.ndarray],
    before: np.ndarray,
    after: np.ndarray,
) -> pd.DataFrame:
    """Each margin's target share, unweighted share, and weighted shares before and after.

    Parameters
    ----------
    variables : sequence of str
        The margin variables, in order.
    levels : sequence of sequences
        The levels of each variable, in the order of its codes.
    codes : sequence of ndarray of int, each shape (n,)
        Each row's level code for each variable.
    targets : sequence of ndarray of float
        The target totals of each variable's levels.
    before, after : ndarray of float, shape (n,)
        The base weights and the calibrated weights.

    Returns
    -------
    DataFrame
        Columns ``variable, level, target, sample, before, after``: shares (of the target total,
        of n, of Σ before and of Σ after).

    Examples
    --------
    >>> t = margins_table(["sex"], [["f", "m"]], [np.array([0, 1, 1])], [np.array([1.0, 1.0])],
    ...                   np.ones(3), np.array([1.0, 0.5, 0.5]))
    >>> t["after"].tolist()
    [0.5, 0.5]
    """
    frames = []
    n = before.size
    for var, lev, c, t in zip(variables, levels, codes, targets, strict=True):
        k = t.size
        frames.append(
            pd.DataFrame(
                {
                    "variable": var,
                    "level": pd.Series(list(lev), dtype=object),
                    "target": t / t.sum(),
                    "sample": np.bincount(c, minlength=k) / n,
                    "before": np.bincount(c, weights=before, minlength=k) / before.sum(),
                    "after": np.bincount(c, weights=after, minlength=k) / after.sum(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
