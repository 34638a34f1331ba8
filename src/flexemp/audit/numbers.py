"""Printed numbers as intervals: ``0.093`` means any value in [0.0925, 0.0935].

A published figure keeps only its printed digits, so every audit check works with
the interval of values that round to it, never with the point value.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flexemp.core.errors import AuditFormatError

_STARS = re.compile(r"^(?P<num>.*?)(?P<stars>[*†+]*)$")


@dataclass(frozen=True)
class Printed:
    """A published number: its text, point value and rounding interval ``[lo, hi]``.

    Attributes
    ----------
    text : str
        The number as printed (normalised: ASCII digits, ASCII minus).
    value : float
        The point value.
    lo, hi : float
        Every true value that rounds to ``text`` lies in ``[lo, hi]``.  The interval is
        closed (ties are accepted either way), which errs on the side of "consistent".
    """

    text: str
    value: float
    lo: float
    hi: float

    @property
    def decimals(self) -> int:
        """Number of printed decimals (0 for integers and bounds such as ``<0.001``)."""
        m = re.search(r"\.(\d+)", self.text)
        return len(m.group(1)) if m else 0

    def __str__(self) -> str:
        return self.text


def exact(value: float) -> Printed:
    """A number known exactly (a count, a coding), as a degenerate interval."""
    return Printed(text=_fmt(value), value=float(value), lo=float(value), hi=float(value))


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def normalise(text: str) -> str:
    """NFKC-normalise (full-width digits → ASCII), unify minus signs, strip spaces and ``%``."""
    t = unicodedata.normalize("NFKC", text).strip()
    for minus in ("\u2212", "\u2013", "\u2014", "\uff0d"):
        t = t.replace(minus, "-")
    return t.replace(" ", "").replace(",", "").rstrip("%").strip("()（）")


def split_stars(raw: object) -> tuple[object, str | None]:
    """Split ``"0.123***"`` into ``("0.123", "***")``; non-strings give ``(raw, None)``."""
    if not isinstance(raw, str):
        return raw, None
    m = _STARS.match(normalise(raw))
    if m is None or not m.group("stars"):
        return raw, None
    return m.group("num"), m.group("stars")


def parse_printed(raw: object, where: str) -> Printed:
    """Parse a printed number (text keeps its digits; a float's decimals come from its repr).

    Parameters
    ----------
    raw : str, int or float
        ``"0.090"``, ``"−0.072"``, ``"０．０７２"``, ``"49.00%"``, ``"<0.001"``, ``0.09``.
    where : str
        Location used in the error message (table, row, key, line).

    Returns
    -------
    Printed

    Raises
    ------
    AuditFormatError
        If the value is not a number.
    """
    if isinstance(raw, bool) or raw is None:
        raise AuditFormatError(
            f"{where}: expected a number, got {raw!r}; write the printed figure, e.g. 0.093"
        )
    if isinstance(raw, int | float):
        if isinstance(raw, float) and not math.isfinite(raw):
            raise AuditFormatError(f"{where}: {raw!r} is not a finite number")
        text = repr(raw) if isinstance(raw, float) else str(raw)
    else:
        text = normalise(str(raw))
    bound = None
    if text[:1] in "<>" or text[:2] in ("<=", ">="):
        bound = text[0]
        text = text.lstrip("<>=")
    try:
        dec = Decimal(text)
    except InvalidOperation:
        raise AuditFormatError(
            f'{where}: {raw!r} is not a number; write it as printed, e.g. "0.090" or "<0.001"'
        ) from None
    if not dec.is_finite():
        raise AuditFormatError(f"{where}: {raw!r} is not a finite number")
    exponent = dec.as_tuple().exponent
    half = 0.5 * 10.0 ** int(exponent) if isinstance(exponent, int) else 0.0
    value = float(dec)
    if bound == "<":
        return Printed(text=f"<{text}", value=value, lo=-math.inf if value <= 0 else 0.0, hi=value)
    if bound == ">":
        return Printed(text=f">{text}", value=value, lo=value, hi=math.inf)
    return Printed(text=text, value=value, lo=value - half, hi=value + half)


def overlaps(a_lo: float, a_hi: float, b_lo: float, b_hi: float, tol: float = 1e-12) -> bool:
    """True when ``[a_lo, a_hi]`` and ``[b_lo, b_hi]`` share a point (``tol`` absorbs float error)."""
    return a_lo <= b_hi + tol and b_lo <= a_hi + tol


def ratio(num: Printed, den: Printed) -> tuple[float, float] | None:
    """Interval of ``num / den`` for a positive denominator interval; ``None`` if it touches 0."""
    if den.lo <= 0:
        return None
    cands = [num.lo / den.lo, num.lo / den.hi, num.hi / den.lo, num.hi / den.hi]
    return min(cands), max(cands)


def fmt(x: float, digits: int = 4) -> float | None:
    """Round for display (``None`` for infinities)."""
    return None if not math.isfinite(x) else round(x, digits)
