"""Shared look of the static and interactive charts: palette, number format, fixed words."""

from __future__ import annotations

import math

from flexemp.core.errors import UnsupportedOptionError
from flexemp.present.charts.model import Chart

#: Okabe-Ito colour-blind-safe palette (series colours, in order).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
REF_COLOR = "#555555"
LANGS = ("zh", "en")


def check_lang(lang: str) -> str:
    """Validate ``lang`` (``zh`` or ``en``)."""
    if lang not in LANGS:
        raise UnsupportedOptionError(f"lang={lang!r} is not supported; use one of {LANGS}")
    return lang


def color(i: int) -> str:
    """Colour of the i-th series."""
    return PALETTE[i % len(PALETTE)]


def is_missing(v: float | None) -> bool:
    """True for None, NaN and infinities."""
    return v is None or not math.isfinite(float(v))


def scale(chart: Chart, v: float | None) -> float:
    """The plotted number: shares become percentages; missing becomes NaN."""
    if v is None or is_missing(v):
        return math.nan
    return float(v) * 100.0 if chart.percent else float(v)


def value_decimals(chart: Chart) -> int:
    """Decimals shown: ``chart.decimals``, one fewer for percentages (0.693 -> 69.3%)."""
    return max(chart.decimals - 1, 0) if chart.percent else chart.decimals


def fmt(chart: Chart, v: float | None) -> str:
    """Value label: ``69.3%`` for shares, ``0.12`` otherwise, ``—`` when missing."""
    x = scale(chart, v)
    if math.isnan(x):
        return "—"
    s = f"{x:.{value_decimals(chart)}f}"
    return f"{s}%" if chart.percent else s


def reference_label(chart: Chart, lang: str) -> str:
    """Words next to the reference line (``基准线 50`` / ``reference 50``)."""
    if chart.reference is None:
        return ""
    word = "基准线" if lang == "zh" else "reference"
    return f"{word} {chart.reference:g}"


def note_text(chart: Chart, lang: str) -> str:
    """The note under the chart, with its prefix (``注：`` / ``Note: ``)."""
    if not chart.note:
        return ""
    return ("注：" if lang == "zh" else "Note: ") + chart.note


def all_texts(chart: Chart, lang: str) -> list[str]:
    """Every text a renderer draws (for the glyph check)."""
    texts = [
        chart.title,
        chart.x_label,
        chart.y_label,
        note_text(chart, lang),
        reference_label(chart, lang),
    ]
    texts += list(chart.categories)
    texts += [s.name for s in chart.series]
    texts += ["0123456789.,-−+%—"]
    return texts
