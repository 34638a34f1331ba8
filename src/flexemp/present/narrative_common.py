"""Shared pieces of the narrative templates: input checks, number formats, significance levels.

``stars=`` is checked by :func:`flexemp.present.stars.check_stars`, the rule the tables use
(re-exported here with ``DEFAULT_STARS``).

Formatting rules (the same in every sentence, see docs/narrative.md):

- coefficients: 3 decimals (``0.123``); a non-zero value that would show as
  ``0.000`` is shown with 3 significant digits instead (``0.000412``);
- percentages: a share in [0, 1] shown ×100 with 2 decimals (``69.00%``);
- indices: 1 decimal (``48.6``);
- never ``-0.000``: a value that rounds to zero is shown without a sign;
- Chinese text uses full-width punctuation (，。；：（）“”) and no space
  between Chinese characters and numbers or Latin labels; English text uses
  ordinary ASCII punctuation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np

from flexemp.core.errors import NarrativeInputError
from flexemp.core.options import validate_option
from flexemp.present.stars import DEFAULT_STARS as DEFAULT_STARS
from flexemp.present.stars import check_stars as check_stars

Lang = Literal["zh", "en"]
LANGS: tuple[str, ...] = ("zh", "en")


def check_lang(lang: object) -> str:
    """Validate ``lang`` ("zh" or "en")."""
    return validate_option("lang", lang, LANGS)


def check_number(name: str, value: object) -> float:
    """A finite real number, or a NarrativeInputError naming the argument."""
    if isinstance(value, np.integer | np.floating):
        value = float(value)
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        raise NarrativeInputError(
            f"{name} must be a finite number, got {value!r}; "
            "a sentence cannot be written for a missing value: drop the row or report it as missing."
        )
    x = float(value)
    if not math.isfinite(x):
        raise NarrativeInputError(
            f"{name} is {value!r}; a sentence cannot be written for a missing or infinite value: "
            "drop the row or report it as missing."
        )
    return x


def check_unit_interval(name: str, value: object) -> float:
    """A finite number in [0, 1] (a p-value or a share)."""
    x = check_number(name, value)
    if not 0.0 <= x <= 1.0:
        raise NarrativeInputError(
            f"{name} must lie in [0, 1], got {x!r}; pass shares as proportions (0.69, not 69)."
        )
    return x


def check_label(name: str, value: object) -> str:
    """A non-empty label."""
    if not isinstance(value, str) or not value.strip():
        raise NarrativeInputError(f"{name} must be a non-empty string, got {value!r}.")
    return value


def significance_level(p_value: float, stars: Sequence[float]) -> float | None:
    """The smallest level ``a`` in ``stars`` with ``p_value < a`` (strict), or None.

    Examples
    --------
    >>> significance_level(0.01, (0.10, 0.05, 0.01))
    0.05
    >>> significance_level(0.10, (0.10, 0.05, 0.01)) is None
    True
    """
    passed = [a for a in stars if p_value < a]
    return min(passed) if passed else None


def fmt_level(level: float) -> str:
    """0.01 → "1%", 0.10 → "10%", 0.001 → "0.1%"."""
    return f"{level * 100:g}%"


def _no_negative_zero(text: str) -> str:
    if text.startswith("-") and float(text) == 0.0:
        return text[1:]
    return text


def fmt_fixed(value: float, decimals: int) -> str:
    """Fixed decimals, never "-0.00"."""
    return _no_negative_zero(f"{value:.{decimals}f}")


def fmt_coef(value: float) -> str:
    """3 decimals; a non-zero value that would show as 0.000 gets 3 significant digits."""
    text = fmt_fixed(value, 3)
    if value != 0.0 and float(text) == 0.0:
        digits = 2 - math.floor(math.log10(abs(value)))
        return f"{value:.{digits}f}"
    return text


def fmt_pct(share: float, decimals: int = 2) -> str:
    """A share 0.69 → "69.00%"."""
    return fmt_fixed(share * 100.0, decimals) + "%"


def join_zh(items: Sequence[str]) -> str:
    """Chinese enumeration with the enumeration comma: A、B、C."""
    return "、".join(items)


def join_en(items: Sequence[str]) -> str:
    """English enumeration: A; A and B; A, B and C."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def capitalise(text: str) -> str:
    """Upper-case the first character only (labels keep their own case otherwise)."""
    return text[:1].upper() + text[1:]
