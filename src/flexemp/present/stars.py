"""Significance stars: the one rule for thresholds, the marks of a p-value and the note under a table.

Stars use strict inequalities (p = 0.05 exactly gets one star with the default thresholds).
The regression and robustness tables, the study runner, the dashboard and the narrative
sentences all check ``stars=`` with :func:`check_stars`; see docs/tables.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from flexemp.core.errors import UnsupportedOptionError

__all__ = ["check_stars", "star_marks", "star_note"]


def check_stars(stars: Sequence[float]) -> tuple[float, ...]:
    """1-3 distinct thresholds in (0, 1), largest first (else ``UnsupportedOptionError``)."""
    th = tuple(sorted((float(s) for s in stars), reverse=True))
    if not 1 <= len(th) <= 3 or len(set(th)) != len(th) or not all(0 < s < 1 for s in th):
        raise UnsupportedOptionError(
            f"stars={tuple(stars)!r}: give 1 to 3 distinct p-value thresholds in (0, 1), e.g. (0.10, 0.05, 0.01)"
        )
    return th


def star_marks(p_value: float | None, stars: Sequence[float] = (0.10, 0.05, 0.01)) -> str:
    """Stars for a p-value: one per threshold that ``p_value`` is strictly below.

    Parameters
    ----------
    p_value : float or None
        None or NaN gives no stars.
    stars : sequence of float
        1-3 thresholds (any order).

    Returns
    -------
    str

    Raises
    ------
    UnsupportedOptionError
        Not 1-3 distinct thresholds in (0, 1).

    Examples
    --------
    >>> star_marks(0.0099), star_marks(0.01), star_marks(0.05), star_marks(0.0999), star_marks(0.1)
    ('***', '**', '*', '*', '')
    """
    th = check_stars(stars)
    if p_value is None or not math.isfinite(p_value):
        return ""
    return "*" * sum(p_value < s for s in th)


def _pct(x: float) -> str:
    return f"{x * 100:g}%"


def star_note(stars: Sequence[float], lang: str) -> str:
    """"***、**、*分别表示在1%、5%、10%水平上显著" (or the English sentence) for the thresholds."""
    th = check_stars(stars)[::-1]  # smallest first: most stars first
    marks = ["*" * (len(th) - i) for i in range(len(th))]
    if lang == "zh":
        if len(th) == 1:
            return f"{marks[0]}表示在{_pct(th[0])}水平上显著"
        return f"{'、'.join(marks)}分别表示在{'、'.join(_pct(s) for s in th)}水平上显著"
    if len(th) == 1:
        return f"{marks[0]} denotes significance at the {_pct(th[0])} level"
    return f"{', '.join(marks)} denote significance at the {', '.join(_pct(s) for s in th)} levels"
