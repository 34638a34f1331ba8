"""Raking (iterative proportional fitting) and post-stratification to population margins.

The numbers happen in :func:`rake_kernel` (NumPy arrays only); :func:`rake` and
:func:`poststratify` validate the data and margins, call it, and build a frozen
:class:`WeightingResult`.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from flexemp.core.errors import MarginsError, NonConvergenceWarning, WeightingError
from flexemp.weighting.diagnostics import margins_table, weight_diagnostics

__all__ = ["RakeFit", "WeightingResult", "poststratify", "rake", "rake_kernel"]

Margins = Mapping[str, "Mapping[Hashable, float] | pd.Series"]  # a Series: level index → target
SHARE_TOL = 1e-6  # shares typed to 6 decimals still count as summing to 1
TOTAL_TOL = 1e-6  # relative disagreement allowed between the totals of count margins


@dataclass(frozen=True)
class RakeFit:
    """The output of :func:`rake_kernel`.

    Attributes
    ----------
    weights : ndarray of float, shape (n,)
        The calibrated weights.
    iterations : int
        Full sweeps over the margins.
    converged : bool
        Whether the largest margin error fell below ``tol``.
    max_abs_margin_error : float
        max over margins and levels of |weighted total − target| / target total.
    """

    weights: np.ndarray
    iterations: int
    converged: bool
    max_abs_margin_error: float


def _margin_error(
    codes: Sequence[np.ndarray], targets: Sequence[np.ndarray], w: np.ndarray
) -> float:
    scale = float(targets[0].sum())
    return max(
        float(np.max(np.abs(np.bincount(c, weights=w, minlength=t.size) - t))) / scale
        for c, t in zip(codes, targets, strict=True)
    )


def rake_kernel(
    codes: Sequence[np.ndarray],
    targets: Sequence[np.ndarray],
    base: np.ndarray,
    *,
    max_iter: int = 100,
    tol: float = 1e-10,
    bounds: tuple[float, float] | None = None,
) -> RakeFit:
    """Iterative proportional fitting of ``base`` to the target totals of each margin.

    Parameters
    ----------
    codes : sequence of ndarray of int, each shape (n,)
        For each margin variable, each row's level code 0 … kⱼ − 1.
    targets : sequence of ndarray of float, each shape (kⱼ,)
        The target totals of the levels; every margin has the same sum T.
    base : ndarray of float, shape (n,)
        Positive base weights.
    max_iter : int
        The largest number of sweeps.
    tol : float
        Convergence when max |weighted total − target| / T < tol after a sweep.
    bounds : (float, float), optional
        Bounds (lo, hi) on wᵢ / (baseᵢ · T / Σbase); weights are clipped to them after each
        margin's adjustment (raking with trimming inside the loop).

    Returns
    -------
    RakeFit
        Weights, sweeps, convergence flag and the final largest margin error.

    Notes
    -----
    Deming & Stephan (1940).  Each step multiplies the weights of the rows in level ℓ of margin
    j by Tⱼℓ / Σ_{i∈ℓ} wᵢ, as ``survey::postStratify`` does inside ``survey::rake``.

    Examples
    --------
    >>> fit = rake_kernel([np.array([0, 0, 1])], [np.array([2.0, 2.0])], np.ones(3))
    >>> fit.weights.tolist(), fit.iterations, fit.converged
    ([1.0, 1.0, 2.0], 1, True)
    """
    w = base.astype(float, copy=True)
    lo_w = hi_w = None
    if bounds is not None:
        mean_g = float(targets[0].sum()) / float(base.sum())
        lo_w, hi_w = bounds[0] * mean_g * base, bounds[1] * mean_g * base
    err = float("inf")
    for it in range(1, max_iter + 1):
        for c, t in zip(codes, targets, strict=True):
            tot = np.bincount(c, weights=w, minlength=t.size)
            ratio = np.divide(t, tot, out=np.zeros_like(t), where=tot > 0)
            w = w * ratio[c]
            if lo_w is not None and hi_w is not None:
                w = np.clip(w, lo_w, hi_w)
        err = _margin_error(codes, targets, w)
        if err < tol:
            return RakeFit(w, it, True, err)
    return RakeFit(w, max_iter, False, err)


@dataclass(frozen=True)
class WeightingResult:
    """Calibrated weights and their diagnostics (frozen).

    Attributes
    ----------
    weights : Series
        The calibrated weights, aligned to the index of the data.
    iterations : int
        Sweeps over the margins (1 for post-stratification).
    converged : bool
        Whether every margin is met to ``tol``.
    max_abs_margin_error : float
        The largest |weighted share − target share| over all margins and levels.
    diagnostics : dict
        ``before`` and ``after``: :func:`~flexemp.weighting.diagnostics.weight_diagnostics` of the
        base and calibrated weights; ``method``, ``bounds`` and ``total``.
    margins_table : DataFrame
        Columns ``variable, level, target, sample, before, after`` (shares).
    """

    weights: pd.Series
    iterations: int
    converged: bool
    max_abs_margin_error: float
    diagnostics: dict[str, Any] = field(default_factory=dict)
    margins_table: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict of every field (weights as ``index`` and ``values`` lists).

        Returns
        -------
        dict
            Keys ``weights, iterations, converged, max_abs_margin_error, diagnostics, margins``.
        """
        table = (
            self.margins_table.astype({"level": str})
            if len(self.margins_table)
            else self.margins_table
        )
        return {
            "weights": {
                "index": [str(i) for i in self.weights.index],
                "values": self.weights.to_numpy(dtype=float).tolist(),
            },
            "iterations": self.iterations,
            "converged": self.converged,
            "max_abs_margin_error": self.max_abs_margin_error,
            "diagnostics": self.diagnostics,
            "margins": table.to_dict(orient="records"),
        }


def _base_weights(data: pd.DataFrame, base_weight: str | None) -> np.ndarray:
    if not isinstance(data, pd.DataFrame):
        raise WeightingError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    if len(data) == 0:
        raise WeightingError("data has no rows; there is nothing to weight")
    if base_weight is None:
        return np.ones(len(data))
    if base_weight not in data.columns:
        raise WeightingError(
            f"base_weight column {base_weight!r} is not in the data; columns are "
            f"{list(data.columns)[:20]}"
        )
    w = pd.to_numeric(data[base_weight], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(w) | (w <= 0)
    if bad.any():
        rows = data.index[bad]
        raise WeightingError(
            f"base_weight column {base_weight!r} must be positive and finite: {int(bad.sum())} "
            f"row(s) are not, first {rows[:5].tolist()}; drop those rows or fix their weights"
        )
    return w


def _encode(
    data: pd.DataFrame, var: str, spec: Mapping[Hashable, float] | pd.Series
) -> tuple[list[Hashable], np.ndarray, np.ndarray]:
    """Levels, row codes and raw target values of one margin variable (with all the checks)."""
    if isinstance(spec, pd.Series):  # e.g. census_margins(...): its index holds the levels
        if spec.index.has_duplicates:
            raise MarginsError(f"margin {var!r}: the Series has duplicate levels {spec.index[spec.index.duplicated()].tolist()[:5]}")
        spec = spec.to_dict()
    if var not in data.columns:
        raise MarginsError(
            f"margin variable {var!r} is not a column of the data; columns are {list(data.columns)[:20]}"
        )
    if not isinstance(spec, Mapping) or len(spec) == 0:
        raise MarginsError(
            f"margin {var!r} must be a non-empty mapping {{level: share or count}}, got {spec!r}"
        )
    levels = list(spec.keys())
    try:
        raw = np.array([float(spec[k]) for k in levels])
    except (TypeError, ValueError):
        raise MarginsError(
            f"margin {var!r}: every target must be a number (a share or a count), got {dict(spec)!r}"
        ) from None
    bad = ~np.isfinite(raw) | (raw < 0)
    if bad.any():
        raise MarginsError(
            f"margin {var!r}: targets must be finite and non-negative, got "
            f"{ {levels[i]: raw[i] for i in np.flatnonzero(bad)[:5]} }"
        )
    col = data[var]
    missing = col.isna().to_numpy()
    if missing.any():
        raise MarginsError(
            f"margin variable {var!r} has {int(missing.sum())} missing value(s), first at rows "
            f"{data.index[missing][:5].tolist()}; impute them or add a level for them to the margins"
        )
    codes = (
        pd.Index(levels, dtype=object)
        .get_indexer(pd.Index(col.to_numpy(dtype=object), dtype=object))
        .astype(np.intp)
    )
    unknown = codes < 0
    if unknown.any():
        counts = col[unknown].value_counts()
        shown = ", ".join(f"{k!r} ({v} rows)" for k, v in counts.head(5).items())
        raise MarginsError(
            f"margin {var!r}: sample level(s) {shown} are not in the margins (levels "
            f"{levels}); add them to the margins or recode them (mind the type: 1 is not '1')"
        )
    present = np.bincount(codes, minlength=len(levels)) > 0
    absent = [levels[i] for i in np.flatnonzero(~present & (raw > 0))]
    if absent:
        raise MarginsError(
            f"margin {var!r}: level(s) {absent[:5]} have a positive target but no respondent in the "
            "sample; collapse them with a neighbouring level in both the data and the margins"
        )
    return levels, codes, raw


def _prepare(
    data: pd.DataFrame, margins: Margins, base: np.ndarray
) -> tuple[list[str], list[list[Hashable]], list[np.ndarray], list[np.ndarray]]:
    if not isinstance(margins, Mapping) or len(margins) == 0:
        raise MarginsError(
            "margins must be a non-empty mapping {variable: {level: share or count}}, "
            f"got {type(margins).__name__}"
        )
    variables = list(margins)
    encoded = [_encode(data, v, margins[v]) for v in variables]
    is_share = [bool(np.all(raw <= 1.0)) for _, _, raw in encoded]
    if any(is_share) and not all(is_share):
        raise MarginsError(
            f"margins mix shares (all ≤ 1: {[v for v, s in zip(variables, is_share, strict=True) if s]}) and "
            f"counts ({[v for v, s in zip(variables, is_share, strict=True) if not s]}); give every margin "
            "as shares or every margin as population counts"
        )
    targets: list[np.ndarray] = []
    for var, (_, _, raw) in zip(variables, encoded, strict=True):
        total = raw.sum()
        if is_share[0] and abs(total - 1.0) > SHARE_TOL:
            raise MarginsError(
                f"margin {var!r}: shares sum to {total:.10g}, not 1; fix the shares, or give "
                "population counts (values above 1) instead"
            )
        targets.append(raw / total * base.sum() if is_share[0] else raw)
    totals = np.array([t.sum() for t in targets])
    if not is_share[0] and np.ptp(totals) > TOTAL_TOL * totals.max():
        raise MarginsError(
            "count margins must share one population total, but they sum to "
            f"{dict(zip(variables, totals.tolist(), strict=True))}; make them consistent or give shares"
        )
    return variables, [lev for lev, _, _ in encoded], [c for _, c, _ in encoded], targets


def _result(
    data: pd.DataFrame,
    fit: RakeFit,
    variables: list[str],
    levels: list[list[Hashable]],
    codes: list[np.ndarray],
    targets: list[np.ndarray],
    base: np.ndarray,
    method: str,
    bounds: tuple[float, float] | None,
) -> WeightingResult:
    table = margins_table(variables, levels, codes, targets, base, fit.weights)
    return WeightingResult(
        weights=pd.Series(fit.weights, index=data.index, name="weight"),
        iterations=fit.iterations,
        converged=fit.converged,
        max_abs_margin_error=fit.max_abs_margin_error,
        diagnostics={
            "method": method,
            "bounds": list(bounds) if bounds is not None else None,
            "total": float(targets[0].sum()),
            "before": weight_diagnostics(base),
            "after": weight_diagnostics(fit.weights),
        },
        margins_table=table,
    )


def rake(
    data: pd.DataFrame,
    margins: Margins,
    *,
    base_weight: str | None = None,
    max_iter: int = 100,
    tol: float = 1e-10,
    trim: tuple[float, float] | None = None,
) -> WeightingResult:
    """Rake weights to the margins of any set of categorical variables (iterative proportional fitting).

    Parameters
    ----------
    data : DataFrame
        The sample; never modified.
    margins : mapping of str to mapping of level to float
        ``{variable: {level: target}}``.  If every target is ≤ 1 the targets are shares: each
        margin must sum to 1 and is scaled to the total of the base weights.  Otherwise they are
        population counts (as ``survey::rake``'s population margins) and all margins must have the
        same total.  Levels are matched to the column's values exactly (type included).  A margin
        may also be a pandas Series indexed by level (e.g. from
        :func:`~flexemp.weighting.census.census_margins`); it is read as ``series.to_dict()``.
    base_weight : str, optional
        The column of base (design) weights; 1 for every row if omitted.
    max_iter : int
        The largest number of sweeps over the margins.
    tol : float
        Converged when every weighted share is within ``tol`` of its target share.
    trim : (float, float), optional
        Bounds (lo, hi) on the adjustment wᵢ / (baseᵢ · T / Σbase), where T is the target total;
        with no base weight, bounds on the weight relative to the mean weight (``(0.2, 5)`` caps
        weights at five times the mean).  The weights are clipped after every margin step, so the
        result respects the bounds exactly and meets the margins when the bounds are feasible.

    Returns
    -------
    WeightingResult
        Weights aligned to ``data.index``, sweeps, convergence, diagnostics and the margins table.

    Raises
    ------
    MarginsError
        A margin variable is missing or has missing values; a sample level is absent from the
        margins; a margin level with a positive target has no respondent; shares do not sum to 1;
        shares and counts are mixed; count margins have different totals.
    WeightingError
        The base weights are missing, non-positive or not finite; ``trim`` or ``max_iter`` is invalid.

    Warns
    -----
    NonConvergenceWarning
        If the margins are not met within ``max_iter`` sweeps (with ``trim``: the bounds may be
        infeasible; widen them).

    Notes
    -----
    Deming & Stephan (1940); Kalton & Flores-Cervantes (2003).  At convergence the weights equal
    R's ``survey::rake(design, list(~v1, ~v2), list(pop1, pop2))`` run to convergence (its default
    ``control = list(epsilon = 1)`` stops earlier) and Stata's ``ipfraking``.  The limit does not
    depend on the order of the margins.  ``trim`` is the bounded variant (cf.
    ``ipfraking, trimhirel() trimfrequency(often)``;
    ``survey::calibrate(calfun = "raking", bounds = )`` solves a related problem).

    Examples
    --------
    >>> df = pd.DataFrame({"sex": ["f", "f", "m", "m", "m"], "age": ["y", "o", "y", "o", "o"]})
    >>> res = rake(df, {"sex": {"f": 0.5, "m": 0.5}, "age": {"y": 0.5, "o": 0.5}})
    >>> res.converged
    True
    >>> res.margins_table[["variable", "level", "target", "after"]].round(6)
      variable level  target  after
    0      sex     f     0.5    0.5
    1      sex     m     0.5    0.5
    2      age     y     0.5    0.5
    3      age     o     0.5    0.5
    """
    base = _base_weights(data, base_weight)
    if not isinstance(max_iter, int) or max_iter < 1:
        raise WeightingError(f"max_iter must be a positive integer, got {max_iter!r}")
    if not tol > 0:
        raise WeightingError(f"tol must be positive, got {tol!r}")
    if trim is not None:
        lo, hi = (float(x) for x in trim)
        if not (0 <= lo <= 1 <= hi):
            raise WeightingError(
                f"trim must be (lo, hi) with 0 ≤ lo ≤ 1 ≤ hi (bounds on the weight relative to the "
                f"scaled base weight), got {trim!r}"
            )
        trim = (lo, hi)
    variables, levels, codes, targets = _prepare(data, margins, base)
    fit = rake_kernel(codes, targets, base, max_iter=max_iter, tol=tol, bounds=trim)
    if not fit.converged:
        hint = "; the trim bounds may be infeasible: widen them" if trim is not None else ""
        warnings.warn(
            f"raking did not converge in {max_iter} sweeps: the largest margin error is "
            f"{fit.max_abs_margin_error:.3g} (tol {tol:g}){hint}; raise max_iter or collapse sparse levels",
            NonConvergenceWarning,
            stacklevel=2,
        )
    return _result(data, fit, variables, levels, codes, targets, base, "rake", trim)


def poststratify(
    data: pd.DataFrame, cells: Margins, *, base_weight: str | None = None
) -> WeightingResult:
    """Post-stratify weights to the totals (or shares) of the cells of one variable.

    Parameters
    ----------
    data : DataFrame
        The sample; never modified.
    cells : mapping of str to mapping of level to float
        ``{variable: {cell: target}}`` with exactly one variable; targets are shares (all ≤ 1,
        summing to 1, scaled to the total of the base weights) or population counts.  For cells
        crossed from several variables, build one column of cell labels first.
    base_weight : str, optional
        The column of base weights; 1 for every row if omitted.

    Returns
    -------
    WeightingResult
        ``iterations`` is 1 and ``converged`` True.

    Raises
    ------
    MarginsError
        As :func:`rake`, and when ``cells`` does not name exactly one variable.
    WeightingError
        The base weights are missing, non-positive or not finite.

    Notes
    -----
    wᵢ = baseᵢ · T_c / Σ_{j∈c} baseⱼ for the cell c of row i (Holt & Smith 1979).  R:
    ``survey::postStratify(design, ~cell, pop)``; Stata: ``svyset …, poststrata() postweight()``.

    Examples
    --------
    >>> df = pd.DataFrame({"sex": ["f", "m", "m", "m"]})
    >>> poststratify(df, {"sex": {"f": 50, "m": 50}}).weights.tolist()
    [50.0, 16.666666666666668, 16.666666666666668, 16.666666666666668]
    """
    base = _base_weights(data, base_weight)
    if not isinstance(cells, Mapping) or len(cells) != 1:
        raise MarginsError(
            "poststratify takes exactly one cell variable, {variable: {cell: target}}; for several "
            "variables cross them into one column, or use rake() for their margins"
        )
    variables, levels, codes, targets = _prepare(data, cells, base)
    c, t = codes[0], targets[0]
    ratio = t / np.bincount(c, weights=base, minlength=t.size).clip(min=np.finfo(float).tiny)
    w = base * ratio[c]
    fit = RakeFit(w, 1, True, _margin_error(codes, targets, w))
    return _result(data, fit, variables, levels, codes, targets, base, "poststratify", None)
