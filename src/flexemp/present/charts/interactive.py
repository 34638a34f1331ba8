"""Interactive charts for HTML reports: inline SVG drawn in Python, no JS library, no network.

:func:`render_html` returns a self-contained ``<figure>`` fragment holding an
inline ``<svg>`` (responsive through its ``viewBox``; ``role="img"`` and
``aria-label`` = the title).  Every mark (bar, point) is an element of class
``fx-mark`` carrying ``data-series``, ``data-category`` and ``data-value`` (the
value as given, e.g. a share 0.69, not 69) and a ``<title>`` child, which is the
browser's tooltip.  Include :data:`CHART_CSS` and :data:`CHART_JS` once per page:
the script shows a nicer tooltip and toggles a series when its legend entry is
clicked (or activated with Enter/Space).  Text is real text: the browser draws
Chinese with the first installed font of :data:`CSS_FONT_FAMILY`.

Missing values (None/NaN) get no mark.

Examples
--------
>>> from flexemp.present.charts import Chart, Series
>>> c = Chart(key="fig1", kind="bar", title="性别分布", categories=("男", "女"),
...           series=(Series("样本", (0.69, 0.31)),), percent=True)
>>> html = render_html(c)
>>> html.count('class="fx-mark"')
2
>>> 'data-value="0.69"' in html
True
"""

from __future__ import annotations

import math
from html import escape

from flexemp.present.charts import _style
from flexemp.present.charts.fonts import CSS_FONT_FAMILY
from flexemp.present.charts.model import Chart, Series

WIDTH = 640

CHART_CSS = f"""
.fx-chart {{ margin: 1em 0; max-width: 760px; font-family: {CSS_FONT_FAMILY}; }}
.fx-chart svg {{ width: 100%; height: auto; display: block; overflow: visible; }}
.fx-chart svg text {{ fill: #222; }}
.fx-chart .fx-hidden {{ display: none; }}
.fx-chart .fx-legend-item {{ cursor: pointer; }}
.fx-chart .fx-legend-item.fx-off {{ opacity: 0.35; }}
.fx-chart .fx-mark:hover {{ opacity: 0.75; }}
.fx-chart figcaption {{ font-size: 0.8em; color: #555; }}
.fx-tip {{ position: absolute; z-index: 1000; pointer-events: none; display: none;
  background: rgba(255,255,255,0.97); border: 1px solid #bbb; border-radius: 3px;
  padding: 3px 6px; font-size: 12px; font-family: {CSS_FONT_FAMILY}; box-shadow: 0 1px 3px rgba(0,0,0,.2); }}
""".strip()

CHART_JS = """
(function () {
  if (window.__flexempCharts) { return; }
  window.__flexempCharts = true;
  var tip = null;
  function mark(e) { return e.target && e.target.closest ? e.target.closest('.fx-mark') : null; }
  function tipText(m) {
    var t = m.querySelector('title');
    if (t) { m.setAttribute('aria-label', t.textContent); t.remove(); }
    return m.getAttribute('aria-label') || '';
  }
  document.addEventListener('mouseover', function (e) {
    var m = mark(e); if (!m) { return; }
    if (!tip) { tip = document.createElement('div'); tip.className = 'fx-tip'; tip.setAttribute('role', 'tooltip'); document.body.appendChild(tip); }
    tip.textContent = tipText(m); tip.style.display = 'block';
  });
  document.addEventListener('mousemove', function (e) {
    if (tip && tip.style.display === 'block') { tip.style.left = (e.pageX + 12) + 'px'; tip.style.top = (e.pageY + 12) + 'px'; }
  });
  document.addEventListener('mouseout', function (e) { if (tip && mark(e)) { tip.style.display = 'none'; } });
  function toggle(item) {
    var fig = item.closest('.fx-chart'), i = item.getAttribute('data-index');
    var off = item.classList.toggle('fx-off');
    item.setAttribute('aria-pressed', off ? 'false' : 'true');
    fig.querySelectorAll('.fx-series[data-index="' + i + '"]').forEach(function (g) { g.classList.toggle('fx-hidden', off); });
  }
  function legend(e) { return e.target && e.target.closest ? e.target.closest('.fx-legend-item') : null; }
  document.addEventListener('click', function (e) { var it = legend(e); if (it) { toggle(it); } });
  document.addEventListener('keydown', function (e) {
    var it = legend(e); if (it && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); toggle(it); }
  });
})();
""".strip()


def _a(value: object) -> str:
    """Attribute/text escape (``&<>"'``)."""
    return escape(str(value), quote=True)


def _n(x: float) -> str:
    return f"{x:.1f}"


def _text_width(text: str, size: float) -> float:
    """Rough width of ``text`` in px: CJK characters are square, others about half."""
    return sum(size if ord(c) >= 0x2E80 else size * 0.58 for c in text)


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] with steps of 1, 2, 2.5 or 5 × 10^k."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        lo, hi = 0.0, 1.0
    if hi - lo < 1e-12:
        lo, hi = lo - 1.0, hi + 1.0
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start, stop = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    return [round(k * step, 10) for k in range(start, stop + 1)]


def _finite(xs: list[float]) -> list[float]:
    return [x for x in xs if math.isfinite(x)]


def _domain(chart: Chart) -> list[float]:
    vals: list[float] = []
    for s in chart.series:
        for arr in (s.values, s.low, s.high):
            if arr is not None:
                vals += [_style.scale(chart, v) for v in arr]
    vals = _finite(vals)
    if chart.reference is not None:
        vals.append(_style.scale(chart, chart.reference))
    if chart.kind in ("bar", "hbar"):
        vals.append(0.0)
    if not vals:
        vals = [0.0, 1.0]
    lo, hi = min(vals), max(vals)
    if chart.kind == "line":
        pad = (hi - lo) * 0.05 or 1.0
        lo, hi = lo - pad, hi + pad
    return _nice_ticks(lo, hi)


def _tick_label(chart: Chart, t: float) -> str:
    s = f"{t:g}".replace("-", "−")
    return f"{s}%" if chart.percent else s


def _title(
    chart: Chart,
    s: Series,
    category: str,
    raw: float | None,
    lo: float | None = None,
    hi: float | None = None,
) -> str:
    head = f"{s.name} · {category}" if s.name else category
    text = f"{head}: {_style.fmt(chart, raw)}"
    if lo is not None and hi is not None and not (_style.is_missing(lo) or _style.is_missing(hi)):
        text += f" [{_style.fmt(chart, lo)}, {_style.fmt(chart, hi)}]"
    return text


def _data(s: Series, category: str, raw: float | None, i: int) -> str:
    out = f'data-series="{_a(s.name)}" data-category="{_a(category)}" data-value="{float(raw)!r}"'  # type: ignore[arg-type]
    for name, arr in (("low", s.low), ("high", s.high)):
        if arr is not None and not _style.is_missing(arr[i]):
            out += f' data-{name}="{float(arr[i])!r}"'  # type: ignore[arg-type]
    return out


class _Frame:
    """Plot area geometry and the value scale (vertical for bar/line, horizontal for hbar/coef)."""

    def __init__(self, chart: Chart, lang: str) -> None:
        self.chart = chart
        self.horizontal = chart.kind in ("hbar", "coef")
        n = len(chart.categories)
        k = max(len(chart.series), 1)
        legend = len(chart.series) > 1 and any(s.name for s in chart.series)
        self.top = 34.0 + (20.0 if legend else 0.0)
        self.legend_y = 38.0
        if self.horizontal:
            row = 22.0 * k + 8.0 if chart.kind == "hbar" else 14.0 * k + 16.0
            self.height = self.top + n * row + 44.0 + (16.0 if chart.x_label else 0.0)
            widest = max((_text_width(c, 11) for c in chart.categories), default=0.0)
            self.left = min(max(widest + 14.0, 40.0), 240.0)
        else:
            self.height = 360.0 + (16.0 if chart.x_label else 0.0)
            self.left = 52.0 + (16.0 if chart.y_label else 0.0)
        self.right = WIDTH - (44.0 if chart.kind == "hbar" else 16.0)
        self.bottom = self.height - 32.0 - (16.0 if chart.x_label else 0.0)
        self.ticks = _domain(chart)
        self.lo, self.hi = self.ticks[0], self.ticks[-1]
        self.n = n

    def v(self, x: float) -> float:
        """Pixel position of value ``x`` on the value axis."""
        f = (x - self.lo) / (self.hi - self.lo)
        if self.horizontal:
            return self.left + f * (self.right - self.left)
        return self.bottom - f * (self.bottom - self.top)

    def band(self, i: int) -> tuple[float, float]:
        """Start and width of category ``i``'s band on the category axis."""
        if self.horizontal:
            w = (self.bottom - self.top) / self.n
            return self.top + i * w, w
        w = (self.right - self.left) / self.n
        return self.left + i * w, w

    def center(self, i: int) -> float:
        start, w = self.band(i)
        return start + w / 2


def _axes(fr: _Frame, chart: Chart) -> list[str]:
    out = ['<g class="fx-axis" font-size="11">']
    for t in fr.ticks:
        p = fr.v(t)
        if fr.horizontal:
            out.append(
                f'<line class="fx-grid" stroke="#e6e6e6" x1="{_n(p)}" x2="{_n(p)}" y1="{_n(fr.top)}" y2="{_n(fr.bottom)}"/>'
            )
            out.append(
                f'<text x="{_n(p)}" y="{_n(fr.bottom + 16)}" text-anchor="middle">{_a(_tick_label(chart, t))}</text>'
            )
        else:
            out.append(
                f'<line class="fx-grid" stroke="#e6e6e6" x1="{_n(fr.left)}" x2="{_n(fr.right)}" y1="{_n(p)}" y2="{_n(p)}"/>'
            )
            out.append(
                f'<text x="{_n(fr.left - 6)}" y="{_n(p + 4)}" text-anchor="end">{_a(_tick_label(chart, t))}</text>'
            )
    for i, c in enumerate(chart.categories):
        m = fr.center(i)
        if fr.horizontal:
            out.append(
                f'<text x="{_n(fr.left - 8)}" y="{_n(m + 4)}" text-anchor="end">{_a(c)}</text>'
            )
        else:
            out.append(
                f'<text x="{_n(m)}" y="{_n(fr.bottom + 16)}" text-anchor="middle">{_a(c)}</text>'
            )
    out.append(
        f'<line stroke="#999" x1="{_n(fr.left)}" x2="{_n(fr.left)}" y1="{_n(fr.top)}" y2="{_n(fr.bottom)}"/>'
    )
    out.append(
        f'<line stroke="#999" x1="{_n(fr.left)}" x2="{_n(fr.right)}" y1="{_n(fr.bottom)}" y2="{_n(fr.bottom)}"/>'
    )
    mid_x, mid_y = (fr.left + fr.right) / 2, (fr.top + fr.bottom) / 2
    if chart.x_label:
        out.append(
            f'<text x="{_n(mid_x)}" y="{_n(fr.bottom + 34)}" text-anchor="middle">{_a(chart.x_label)}</text>'
        )
    if chart.y_label:
        out.append(
            f'<text transform="translate(14,{_n(mid_y)}) rotate(-90)" text-anchor="middle">{_a(chart.y_label)}</text>'
        )
    out.append("</g>")
    return out


def _bars(fr: _Frame, chart: Chart, si: int, s: Series) -> list[str]:
    k = len(chart.series)
    out = []
    zero = fr.v(0.0)
    for i, (c, raw) in enumerate(zip(chart.categories, s.values, strict=True)):
        if _style.is_missing(raw):
            continue
        start, w = fr.band(i)
        thick = w * 0.8 / k
        pos = start + w * 0.1 + si * thick
        p = fr.v(_style.scale(chart, raw))
        lo, hi = min(p, zero), max(p, zero)
        tip = _title(chart, s, c, raw)
        data = _data(s, c, raw, i)
        if fr.horizontal:
            rect = f'x="{_n(lo)}" y="{_n(pos)}" width="{_n(hi - lo)}" height="{_n(thick)}"'
            label = f'<text x="{_n(hi + 3)}" y="{_n(pos + thick / 2 + 4)}" font-size="10">{_a(_style.fmt(chart, raw))}</text>'
        else:
            rect = f'x="{_n(pos)}" y="{_n(lo)}" width="{_n(thick)}" height="{_n(hi - lo)}"'
            label = f'<text x="{_n(pos + thick / 2)}" y="{_n(lo - 3)}" font-size="10" text-anchor="middle">{_a(_style.fmt(chart, raw))}</text>'
        out.append(
            f'<rect class="fx-mark" {rect} fill="{_style.color(si)}" {data}><title>{_a(tip)}</title></rect>'
        )
        out.append(label)
    return out


def _points(fr: _Frame, chart: Chart, si: int, s: Series) -> list[str]:
    """Coefficient points with CI whiskers (coef) or a line with points and CI band (line)."""
    k = len(chart.series)
    out: list[str] = []
    col = _style.color(si)
    pos = []
    for i in range(fr.n):
        start, w = fr.band(i)
        off = (si + 0.5) / k * 0.6 - 0.3 if (chart.kind == "coef" and k > 1) else 0.0
        pos.append(start + w / 2 + off * w)
    if chart.kind == "line":
        if s.low is not None and s.high is not None:
            ok = [
                i
                for i in range(fr.n)
                if not (_style.is_missing(s.low[i]) or _style.is_missing(s.high[i]))
            ]
            if len(ok) > 1:
                upper = [f"{_n(pos[i])},{_n(fr.v(_style.scale(chart, s.high[i])))}" for i in ok]
                lower = [
                    f"{_n(pos[i])},{_n(fr.v(_style.scale(chart, s.low[i])))}" for i in reversed(ok)
                ]
                out.append(
                    f'<polygon class="fx-band" points="{" ".join(upper + lower)}" fill="{col}" fill-opacity="0.18"/>'
                )
        pts = [
            f"{_n(pos[i])},{_n(fr.v(_style.scale(chart, v)))}"
            for i, v in enumerate(s.values)
            if not _style.is_missing(v)
        ]
        if len(pts) > 1:
            out.append(
                f'<polyline class="fx-line" points="{" ".join(pts)}" fill="none" stroke="{col}" stroke-width="2"/>'
            )
    for i, (c, raw) in enumerate(zip(chart.categories, s.values, strict=True)):
        if _style.is_missing(raw):
            continue
        lo = s.low[i] if s.low is not None else None
        hi = s.high[i] if s.high is not None else None
        p = fr.v(_style.scale(chart, raw))
        if (
            chart.kind == "coef"
            and lo is not None
            and hi is not None
            and not (_style.is_missing(lo) or _style.is_missing(hi))
        ):
            a, b = fr.v(_style.scale(chart, lo)), fr.v(_style.scale(chart, hi))
            out.append(
                f'<line class="fx-ci" x1="{_n(a)}" x2="{_n(b)}" y1="{_n(pos[i])}" y2="{_n(pos[i])}" stroke="{col}" stroke-width="1.5"/>'
            )
        cx, cy = (p, pos[i]) if fr.horizontal else (pos[i], p)
        tip = _title(chart, s, c, raw, lo, hi)
        out.append(
            f'<circle class="fx-mark" cx="{_n(cx)}" cy="{_n(cy)}" r="4" fill="{col}" {_data(s, c, raw, i)}><title>{_a(tip)}</title></circle>'
        )
    return out


def _reference(fr: _Frame, chart: Chart, lang: str) -> list[str]:
    if chart.reference is None:
        return []
    p = fr.v(_style.scale(chart, chart.reference))
    label = _a(_style.reference_label(chart, lang))
    style = f'class="fx-ref" stroke="{_style.REF_COLOR}" stroke-dasharray="4 3"'
    if fr.horizontal:
        return [f'<line {style} x1="{_n(p)}" x2="{_n(p)}" y1="{_n(fr.top)}" y2="{_n(fr.bottom)}"/>']
    return [
        f'<line {style} x1="{_n(fr.left)}" x2="{_n(fr.right)}" y1="{_n(p)}" y2="{_n(p)}"/>',
        f'<text x="{_n(fr.right)}" y="{_n(p - 4)}" text-anchor="end" font-size="10" fill="{_style.REF_COLOR}">{label}</text>',
    ]


def _legend(fr: _Frame, chart: Chart) -> list[str]:
    if not (len(chart.series) > 1 and any(s.name for s in chart.series)):
        return []
    out, x = ['<g class="fx-legend" font-size="11">'], fr.left
    for si, s in enumerate(chart.series):
        out.append(
            f'<g class="fx-legend-item" data-index="{si}" data-series="{_a(s.name)}" role="button" '
            f'tabindex="0" aria-pressed="true"><rect x="{_n(x)}" y="{_n(fr.legend_y - 9)}" width="10" '
            f'height="10" fill="{_style.color(si)}"/><text x="{_n(x + 14)}" y="{_n(fr.legend_y)}">{_a(s.name)}</text></g>'
        )
        x += _text_width(s.name, 11) + 30
    out.append("</g>")
    return out


def render_html(chart: Chart, *, lang: str = "zh") -> str:
    """A self-contained HTML fragment (``<figure>`` with an inline ``<svg>``) drawing ``chart``.

    Parameters
    ----------
    chart : Chart
        The chart (kinds ``bar``, ``hbar``, ``coef``, ``line``).
    lang : {"zh", "en"}
        Language of the fixed words (reference line label, note prefix).

    Returns
    -------
    str
        HTML; include :data:`CHART_CSS` and :data:`CHART_JS` once per page for
        tooltips and legend toggling (the chart is readable without them).

    Raises
    ------
    UnsupportedOptionError
        ``lang`` is not ``zh`` or ``en``.

    Notes
    -----
    No external resource is referenced (no CDN, no font download, no
    ``http(s)://`` URL); the ``<svg>`` element is well-formed XML.

    Examples
    --------
    >>> from flexemp.present.charts import Chart, Series
    >>> c = Chart(key="idx", kind="line", title="景气指数", categories=("Q1", "Q2"),
    ...           series=(Series("全体", (48.0, 52.5)),), reference=50)
    >>> h = render_html(c)
    >>> 'role="img"' in h and 'aria-label="景气指数"' in h and "基准线 50" in h
    True
    """
    _style.check_lang(lang)
    if chart.kind not in ("bar", "hbar", "coef", "line"):
        raise ValueError(f"Chart {chart.key!r}: unknown kind {chart.kind!r}")
    fr = _Frame(chart, lang)
    parts = [
        f'<svg viewBox="0 0 {WIDTH} {_n(fr.height)}" role="img" aria-label="{_a(chart.title)}" '
        f'font-family="{_a(CSS_FONT_FAMILY)}" preserveAspectRatio="xMidYMid meet">',
        f"<title>{_a(chart.title)}</title>",
        f'<text class="fx-title" x="{WIDTH / 2:.1f}" y="20" text-anchor="middle" font-size="15" font-weight="bold">{_a(chart.title)}</text>',
        *_legend(fr, chart),
        *_axes(fr, chart),
    ]
    for si, s in enumerate(chart.series):
        parts.append(f'<g class="fx-series" data-index="{si}" data-series="{_a(s.name)}">')
        parts += (
            _bars(fr, chart, si, s) if chart.kind in ("bar", "hbar") else _points(fr, chart, si, s)
        )
        parts.append("</g>")
    parts += _reference(fr, chart, lang)
    parts.append("</svg>")
    note = _style.note_text(chart, lang)
    caption = f"<figcaption>{_a(note)}</figcaption>" if note else ""
    return (
        f'<figure class="fx-chart" id="fx-chart-{_a(chart.key)}" data-key="{_a(chart.key)}" '
        f'data-kind="{chart.kind}">' + "\n".join(parts) + caption + "</figure>"
    )
