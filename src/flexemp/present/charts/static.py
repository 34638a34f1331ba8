"""Static charts (PNG for Word documents, SVG) drawn with matplotlib from a :class:`Chart`.

Uses ``matplotlib.figure.Figure`` with the Agg canvas directly (no ``pyplot``,
no global figure state).  All text uses the CJK font of :func:`cjk_font`;
a character the font lacks raises :class:`MissingGlyphError` before anything
is drawn.  PNG output is byte-identical across runs (no ``Software`` or date
metadata).  SVG output draws text as paths (``svg.fonttype = "path"``), so it
looks the same without any font installed, and has no date and a fixed id salt.

Examples
--------
>>> import tempfile, pathlib
>>> from flexemp.present.charts import Chart, Series
>>> c = Chart(key="fig1", kind="bar", title="性别分布", categories=("男", "女"),
...           series=(Series("样本", (0.69, 0.31)), Series("普查", (0.51, 0.49))), percent=True)
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> render_png(c, d / "fig1.png", dpi=50).stat().st_size > 0
True
"""

from __future__ import annotations

import math
from contextlib import AbstractContextManager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from flexemp.present.charts import _style
from flexemp.present.charts.fonts import cjk_font, require_glyphs
from flexemp.present.charts.model import Chart

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure

DEFAULT_SIZE = (6.4, 4.0)  # inches; 1280 x 800 px at dpi=200


@lru_cache(maxsize=8)
def _family(path: str) -> str:
    """Register the font file with matplotlib once; return its family name."""
    from matplotlib import font_manager

    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


def _rc(font: Path) -> AbstractContextManager[None]:
    import matplotlib as mpl

    family = _family(str(font))
    return mpl.rc_context(
        {
            "font.family": [family],
            "font.size": 9,
            "axes.unicode_minus": True,
            "svg.fonttype": "path",
            "svg.hashsalt": "flexemp",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": False,
        }
    )


def _values(chart: Chart, vals: tuple[float | None, ...] | None) -> np.ndarray:
    if vals is None:
        return np.full(len(chart.categories), np.nan)
    return np.array([_style.scale(chart, v) for v in vals], dtype=float)


def _value_axis(chart: Chart, axis: Axis) -> None:
    if chart.percent:
        from matplotlib.ticker import PercentFormatter

        axis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))


def _bar(chart: Chart, ax: Axes, lang: str, value_labels: bool) -> None:
    n, k = len(chart.categories), len(chart.series)
    x = np.arange(n)
    width = 0.8 / max(k, 1)
    for i, s in enumerate(chart.series):
        y = _values(chart, s.values)
        pos = x - 0.4 + width * (i + 0.5)
        bars = ax.bar(pos, np.nan_to_num(y), width, color=_style.color(i), label=s.name)
        if s.low is not None and s.high is not None:
            ax.vlines(
                pos, _values(chart, s.low), _values(chart, s.high), color=_style.REF_COLOR, lw=1
            )
        if value_labels:
            ax.bar_label(
                bars, labels=[_style.fmt(chart, v) for v in s.values], padding=2, fontsize=7
            )
    ax.set_xticks(x, list(chart.categories))
    _value_axis(chart, ax.yaxis)
    if chart.reference is not None:
        ax.axhline(_style.scale(chart, chart.reference), color=_style.REF_COLOR, lw=0.8, ls="--")


def _hbar(chart: Chart, ax: Axes, lang: str, value_labels: bool) -> None:
    n, k = len(chart.categories), len(chart.series)
    y = np.arange(n)
    height = 0.8 / max(k, 1)
    for i, s in enumerate(chart.series):
        v = _values(chart, s.values)
        bars = ax.barh(
            y - 0.4 + height * (i + 0.5),
            np.nan_to_num(v),
            height,
            color=_style.color(i),
            label=s.name,
        )
        if value_labels:
            ax.bar_label(
                bars, labels=[_style.fmt(chart, x) for x in s.values], padding=2, fontsize=7
            )
    ax.set_yticks(y, list(chart.categories))
    ax.invert_yaxis()  # first category on top: sorted as given
    _value_axis(chart, ax.xaxis)
    ax.margins(x=0.12)  # room for the value labels
    if chart.reference is not None:
        ax.axvline(_style.scale(chart, chart.reference), color=_style.REF_COLOR, lw=0.8, ls="--")


def _coef(chart: Chart, ax: Axes, lang: str, value_labels: bool) -> None:
    n, k = len(chart.categories), len(chart.series)
    y = np.arange(n, dtype=float)
    step = 0.6 / max(k, 1)
    for i, s in enumerate(chart.series):
        est, lo, hi = _values(chart, s.values), _values(chart, s.low), _values(chart, s.high)
        yy = y - 0.3 + step * (i + 0.5) if k > 1 else y
        # whiskers drawn from low to high (a percentile CI need not contain the estimate)
        ax.hlines(yy, lo, hi, color=_style.color(i), lw=1.2)
        ax.plot(est, yy, "o", ms=4, color=_style.color(i), label=s.name)
    if chart.reference is not None:
        ax.axvline(_style.scale(chart, chart.reference), color=_style.REF_COLOR, lw=0.8, ls="--")
    ax.set_yticks(y, list(chart.categories))
    ax.invert_yaxis()
    _value_axis(chart, ax.xaxis)


def _line(chart: Chart, ax: Axes, lang: str, value_labels: bool) -> None:
    x = np.arange(len(chart.categories))
    for i, s in enumerate(chart.series):
        v = _values(chart, s.values)
        ax.plot(x, v, marker="o", ms=3.5, lw=1.5, color=_style.color(i), label=s.name)
        if s.low is not None and s.high is not None:
            ax.fill_between(
                x,
                _values(chart, s.low),
                _values(chart, s.high),
                color=_style.color(i),
                alpha=0.18,
                lw=0,
            )
        if value_labels:
            for xi, raw, vi in zip(x, s.values, v, strict=True):
                if not math.isnan(vi):
                    ax.annotate(
                        _style.fmt(chart, raw),
                        (xi, vi),
                        textcoords="offset points",
                        xytext=(0, 5),
                        ha="center",
                        fontsize=7,
                    )
    if chart.reference is not None:
        ref = _style.scale(chart, chart.reference)
        ax.axhline(ref, color=_style.REF_COLOR, lw=0.9, ls="--")
        ax.annotate(
            _style.reference_label(chart, lang),
            (1.0, ref),
            xycoords=("axes fraction", "data"),
            xytext=(-2, 3),
            textcoords="offset points",
            ha="right",
            va="bottom",
            fontsize=7,
            color=_style.REF_COLOR,
        )
    ax.set_xticks(x, list(chart.categories))
    _value_axis(chart, ax.yaxis)


_DRAW = {"bar": _bar, "hbar": _hbar, "coef": _coef, "line": _line}
_LABELS_DEFAULT = {"bar": True, "hbar": True, "coef": False, "line": False}


def _figure(
    chart: Chart, size: tuple[float, float], lang: str, value_labels: bool | None
) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if chart.kind not in _DRAW:
        raise ValueError(
            f"Chart {chart.key!r}: unknown kind {chart.kind!r}; use one of {sorted(_DRAW)}"
        )
    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    labels = _LABELS_DEFAULT[chart.kind] if value_labels is None else value_labels
    _DRAW[chart.kind](chart, ax, lang, labels)
    ax.set_title(chart.title, fontsize=11)
    ax.set_xlabel(chart.x_label)
    ax.set_ylabel(chart.y_label)
    named = [s for s in chart.series if s.name]
    if len(chart.series) > 1 and named:
        ax.legend(frameon=False, fontsize=8)
    note = _style.note_text(chart, lang)
    if note:
        fig.supxlabel(note, fontsize=7, x=0.01, ha="left", color=_style.REF_COLOR)
    return fig


def _prepare(chart: Chart, lang: str) -> Path:
    _style.check_lang(lang)
    font = cjk_font()
    require_glyphs(_style.all_texts(chart, lang), font)
    return font


def render_png(
    chart: Chart,
    path: str | Path,
    *,
    dpi: int = 200,
    size: tuple[float, float] = DEFAULT_SIZE,
    lang: str = "zh",
    value_labels: bool | None = None,
) -> Path:
    """Draw ``chart`` to a PNG file (for Word documents).

    Parameters
    ----------
    chart : Chart
        The chart (kinds ``bar``, ``hbar``, ``coef``, ``line``).
    path : str or pathlib.Path
        Output file; parent directories are created.
    dpi : int
        Resolution; the image is ``size * dpi`` pixels (1280 x 800 by default).
    size : (float, float)
        Width and height in inches.
    lang : {"zh", "en"}
        Language of the fixed words (reference line label, note prefix).
    value_labels : bool, optional
        Print the value on each bar or point; default on for ``bar``/``hbar``.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    FontNotFoundError
        No usable CJK font (see :func:`cjk_font`).
    MissingGlyphError
        A label has a character the font lacks (the message names it).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from flexemp.present.charts import Chart, Series
    >>> c = Chart(key="idx", kind="line", title="景气指数", categories=("2024Q1", "2024Q2"),
    ...           series=(Series("全体", (48.0, 52.5), (46.0, 50.1), (50.0, 54.9)),), reference=50)
    >>> p = render_png(c, pathlib.Path(tempfile.mkdtemp()) / "idx.png", dpi=100)
    >>> from PIL import Image; Image.open(p).size
    (640, 400)
    """
    font = _prepare(chart, lang)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with _rc(font):
        fig = _figure(chart, size, lang, value_labels)
        fig.savefig(out, format="png", dpi=dpi, metadata={"Software": None})
    return out


def render_svg(
    chart: Chart,
    path: str | Path,
    *,
    size: tuple[float, float] = DEFAULT_SIZE,
    lang: str = "zh",
    value_labels: bool | None = None,
) -> Path:
    """Draw ``chart`` to an SVG file with the text as outlines (no font needed to view it).

    Parameters and errors as :func:`render_png` (without ``dpi``).

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from flexemp.present.charts import Chart, Series
    >>> c = Chart(key="m", kind="hbar", title="多选题", categories=("外卖", "网约车"),
    ...           series=(Series("", (0.4, 0.2)),), percent=True)
    >>> p = render_svg(c, pathlib.Path(tempfile.mkdtemp()) / "m.svg")
    >>> p.read_text(encoding="utf-8").count("<text")
    0
    """
    font = _prepare(chart, lang)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with _rc(font):
        fig = _figure(chart, size, lang, value_labels)
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out
