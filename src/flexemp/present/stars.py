"""Significance stars: the one rule for thresholds, the marks of a p-value and the note under a table.

Stars use strict inequalities (p = 0.05 exactly gets one star with the default thresholds).
The regression and robustness tables, the study runner, the dashboard and the narrative
sentences all check ``stars=`` with :func:`check_stars`; see docs/tables.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import NoReturn

import numpy as np

from flexemp.core.errors import UnsupportedOptionError

__all__ = ["DEFAULT_STARS", "check_stars", "star_marks", "star_note"]

#: The default thresholds of tables and sentences: 10%, 5%, 1% (``*``, ``**``, ``***``).
DEFAULT_STARS: tuple[float, ...] = (0.10, 0.05, 0.01)


def check_stars(stars: Sequence[float]) -> tuple[float, ...]:
    """The one rule for ``stars=``: 1 to 3 distinct p-value thresholds in (0, 1), any order.

    Used by every table (regression, margins, robustness), by :func:`star_marks` and by the
    narrative sentences, so a value is accepted or refused in the same way everywhere.  A
    table marks at most three levels (``***``), hence at most three thresholds; the sentences
    follow the same rule so that they never name a level the table cannot show.

    Parameters
    ----------
    stars : sequence of float
        The thresholds, in any order (``(0.01, 0.05)`` is ``(0.05, 0.01)``).  Each must be a
        real number (not a bool or a string) strictly between 0 and 1, and no two equal.

    Returns
    -------
    tuple of float
        The thresholds as floats, largest first.

    Raises
    ------
    UnsupportedOptionError
        Not a sequence of numbers, empty, more than 3, a repeated threshold, or a threshold
        outside (0, 1) (0, 1, negative, NaN); the message names the value given.

    Examples
    --------
    >>> check_stars((0.01, 0.10, 0.05))
    (0.1, 0.05, 0.01)
    >>> check_stars((0.1, 0.05, 0.01, 0.001))
    Traceback (most recent call last):
    ...
    flexemp.core.errors.UnsupportedOptionError: stars=(0.1, 0.05, 0.01, 0.001): 4 thresholds, but a table marks at most 3 (***); give 1 to 3 distinct p-value thresholds in (0, 1), e.g. (0.10, 0.05, 0.01)
    """
    if isinstance(stars, str | bytes) or not isinstance(stars, Iterable):
        _refuse(stars, "not a sequence of numbers")
    given = tuple(stars)
    if not given:
        _refuse(given, "no thresholds")
    if len(given) > 3:
        _refuse(given, f"{len(given)} thresholds, but a table marks at most 3 (***)")
    if not all(isinstance(s, int | float | np.integer | np.floating) and not isinstance(s, bool | np.bool_)
               for s in given):
        _refuse(given, "every threshold must be a number")
    levels = tuple(sorted((float(s) for s in given), reverse=True))
    if not all(0.0 < s < 1.0 for s in levels):
        _refuse(given, "every threshold must lie strictly between 0 and 1")
    if len(set(levels)) != len(levels):
        _refuse(given, "a threshold is repeated")
    return levels


def _refuse(given: object, problem: str) -> NoReturn:
    raise UnsupportedOptionError(
        f"stars={given!r}: {problem}; give 1 to 3 distinct p-value thresholds in (0, 1), e.g. (0.10, 0.05, 0.01)"
    )


def star_marks(p_value: float | None, stars: Sequence[float] = DEFAULT_STARS) -> str:
    """Stars for a p-value: one per threshold that ``p_value`` is strictly below.

    Parameters
    ----------
    p_value : float or None
        None or NaN gives no stars.
    stars : sequence of float
        1-3 distinct thresholds in (0, 1), any order (:func:`check_stars`).

    Returns
    -------
    str

    Raises
    ------
    UnsupportedOptionError
        ``stars`` breaks the rule of :func:`check_stars`.

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
