"""Trimming rules: clip weights to absolute bounds or to percentiles of their distribution.

Trimming changes the weighted margins; re-rake afterwards (``rake(..., trim=(lo, hi))`` does both in
one loop), see :func:`trim`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from flexemp.core.errors import WeightingError

__all__ = ["trim"]


def trim(
    weights: pd.Series,
    *,
    lower: float | None = None,
    upper: float | None = None,
    percentiles: tuple[float, float] | None = None,
) -> pd.Series:
    """Clip weights to ``[lower, upper]``, or to the given percentiles of the weights.

    Parameters
    ----------
    weights : Series
        Non-negative, finite weights.
    lower, upper : float, optional
        Absolute bounds; either may be omitted.
    percentiles : (float, float), optional
        Percentiles (0–100) of the weights used as the bounds, e.g. ``(1, 99)``; not together with
        ``lower``/``upper``.

    Returns
    -------
    Series
        The clipped weights, with the index and name of ``weights``.  Their total is not restored:
        re-rake (pass the trimmed weights as ``base_weight``) or use ``rake(..., trim=(lo, hi))``,
        which keeps the bounds while meeting the margins.

    Raises
    ------
    WeightingError
        No bound given; bounds and percentiles both given; ``lower > upper``; percentiles outside
        0–100; weights missing, negative or infinite.

    Notes
    -----
    Percentiles interpolate linearly (R's ``quantile(type = 7)``).  Stata: ``ipfraking, trimhiabs()
    trimloabs()``; R: ``survey::trimWeights(design, upper, lower)`` (which also redistributes the
    trimmed amount; here that is left to re-raking).

    Examples
    --------
    >>> w = pd.Series([0.5, 1.0, 2.0, 8.0])
    >>> trim(w, upper=4.0).tolist()
    [0.5, 1.0, 2.0, 4.0]
    >>> trim(w, percentiles=(0, 50)).tolist()
    [0.5, 1.0, 1.5, 1.5]
    """
    if not isinstance(weights, pd.Series):
        raise WeightingError(f"weights must be a pandas Series, got {type(weights).__name__}")
    w = pd.to_numeric(weights, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        raise WeightingError(
            f"weights must be finite and non-negative: {int(bad.sum())} row(s) are not, first "
            f"{weights.index[bad][:5].tolist()}; fix them before trimming"
        )
    if percentiles is not None:
        if lower is not None or upper is not None:
            raise WeightingError("give either lower/upper or percentiles, not both")
        p_lo, p_hi = (float(p) for p in percentiles)
        if not 0 <= p_lo <= p_hi <= 100:
            raise WeightingError(
                f"percentiles must be (low, high) with 0 ≤ low ≤ high ≤ 100, got {percentiles!r}"
            )
        lower, upper = (float(v) for v in np.percentile(w, [p_lo, p_hi]))
    if lower is None and upper is None:
        raise WeightingError("trim needs lower, upper or percentiles; none was given")
    if lower is not None and upper is not None and lower > upper:
        raise WeightingError(f"lower ({lower}) is above upper ({upper}); swap them")
    return pd.Series(np.clip(w, lower, upper), index=weights.index, name=weights.name)
