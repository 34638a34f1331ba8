"""HTML rendering of a :class:`~flexemp.present.table.Table` (三线表 with CSS).

Numbers are aligned on the decimal point by splitting each number's text
into an integer part and a fraction part (``<span class="fx-i">`` and
``<span class="fx-f">``) and giving both parts, in every row of a column, the
same width in ``ch`` (the width of "0"); with ``font-variant-numeric:
tabular-nums`` every digit is 1 ch wide, so the decimal points line up and the
number block can be centred under its header.  This was chosen over padding
the text: the text of every cell stays exactly ``Cell.text`` (copy and paste
gives the number, not spaces), and it needs no JavaScript.
"""

from __future__ import annotations

from html import escape

from flexemp.present.render._common import is_aligned_number, split_decimal, stat_rule_above
from flexemp.present.table import Cell, Table

TABLE_CSS: str = """\
.fx-table { border-collapse: collapse; border-spacing: 0; margin: 1em auto;
  font-family: "Times New Roman", "SimSun", "Songti SC", "Noto Serif CJK SC", serif; }
.fx-table caption { caption-side: top; font-weight: bold; padding: 0 0 .5em; text-align: center; }
.fx-table th, .fx-table td { border: none; padding: .15em .7em; vertical-align: top; }
.fx-table th { font-weight: normal; text-align: center; }
.fx-table .fx-stub, .fx-table .fx-label { text-align: left; white-space: nowrap; }
.fx-table tr.fx-top > * { border-top: 1.5pt solid #000; }
.fx-table tr.fx-head-last > * { border-bottom: .75pt solid #000; }
.fx-table tr.fx-first-stat > * { border-top: .75pt solid #000; }
.fx-table tr.fx-bottom > * { border-bottom: 1.5pt solid #000; }
.fx-table th.fx-group { background: linear-gradient(#000, #000) center bottom / calc(100% - .8em) .75pt no-repeat; }
.fx-table td.fx-num { text-align: center; white-space: nowrap; font-variant-numeric: tabular-nums; }
.fx-table .fx-i { display: inline-block; text-align: right; }
.fx-table .fx-f { display: inline-block; text-align: left; }
.fx-table td.fx-text { text-align: center; max-width: 30em; }
.fx-table tr.fx-section td { font-weight: bold; text-align: left; }
.fx-table tfoot td { border: none; font-size: .85em; text-align: left; padding-top: .4em; }
"""


def _frac_width(frac: str) -> float:
    # "%" is about twice as wide as a digit; other characters are at most one "0" wide
    return sum(2.0 if ch == "%" else 1.0 for ch in frac)


def _widths(table: Table) -> list[tuple[float, float]]:
    """Per column: (integer width, fraction width) in ch over its aligned numbers."""
    out = [(0.0, 0.0)] * len(table.columns)
    for r in table.rows:
        if r.kind == "section":
            continue
        for j, c in enumerate(r.cells):
            if is_aligned_number(c):
                i, f = split_decimal(c.text)
                out[j] = (max(out[j][0], float(len(i))), max(out[j][1], _frac_width(f)))
    return out


def _td(cell: Cell, width: tuple[float, float]) -> str:
    if not is_aligned_number(cell):
        return f'<td class="fx-text">{escape(cell.text)}</td>'
    i, f = split_decimal(cell.text)
    return (
        f'<td class="fx-num"><span class="fx-i" style="width:{width[0]:g}ch">{escape(i)}</span>'
        f'<span class="fx-f" style="width:{width[1]:g}ch">{escape(f)}</span></td>'
    )


def _tr(classes: list[str], inner: str) -> str:
    cls = f' class="{" ".join(classes)}"' if classes else ""
    return f"<tr{cls}>{inner}</tr>"


def render_html(table: Table) -> str:
    """Render a table as an HTML ``<table class="fx-table">`` fragment.

    The title is the ``<caption>``; column groups are a header row with
    ``colspan`` and a short rule under each group (like ``\\cmidrule``);
    section rows span the table; notes are a ``<tfoot>`` below the bottom
    rule.  Rules are set by classes on rows (``fx-top``, ``fx-head-last``,
    ``fx-first-stat``, ``fx-bottom``) and drawn by :data:`TABLE_CSS`.  All
    text is HTML-escaped.  See the module docstring for decimal alignment.

    Parameters
    ----------
    table : Table
        The table to render.

    Returns
    -------
    str
        The fragment; include :data:`TABLE_CSS` once in the page's ``<style>``.

    Examples
    --------
    >>> from flexemp.present.table import Cell, Row, Table
    >>> t = Table("表1 <样本>", ("(1)",), (Row("年龄", (Cell(35.25, 2),)),))
    >>> html = render_html(t)
    >>> "<caption>表1 &lt;样本&gt;</caption>" in html, '<span class="fx-f" style="width:3ch">.25</span>' in html
    (True, True)
    """
    n = len(table.columns)
    widths = _widths(table)
    head: list[tuple[list[str], str]] = []
    if table.column_groups:
        cells = ['<th class="fx-stub"></th>']
        for g in table.column_groups:
            cls = ' class="fx-group"' if g.label.strip() else ""
            span = f' colspan="{g.span}"' if g.span > 1 else ""
            cells.append(f"<th{cls}{span}>{escape(g.label)}</th>")
        head.append((["fx-groups"], "".join(cells)))
    cols = f'<th class="fx-stub">{escape(table.stub_header)}</th>'
    cols += "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    head.append((["fx-columns"], cols))
    head[0][0].append("fx-top")
    head[-1][0].append("fx-head-last")
    stat_at = stat_rule_above(table)
    body: list[tuple[list[str], str]] = []
    for k, r in enumerate(table.rows):
        classes = [f"fx-{r.kind}"] + (["fx-first-stat"] if k == stat_at else [])
        if r.kind == "section":
            inner = f'<td class="fx-label" colspan="{n + 1}">{escape(r.label)}</td>'
        else:
            inner = f'<td class="fx-label">{escape(r.label)}</td>'
            inner += "".join(_td(c, widths[j]) for j, c in enumerate(r.cells))
        body.append((classes, inner))
    (body or head)[-1][0].append("fx-bottom")
    parts = ['<table class="fx-table">']
    if table.title:
        parts.append(f"<caption>{escape(table.title)}</caption>")
    parts += ["<thead>", *(_tr(c, i) for c, i in head), "</thead>"]
    parts += ["<tbody>", *(_tr(c, i) for c, i in body), "</tbody>"]
    if table.notes:
        parts.append("<tfoot>")
        parts += [
            f'<tr><td class="fx-note" colspan="{n + 1}">{escape(note)}</td></tr>'
            for note in table.notes
        ]
        parts.append("</tfoot>")
    parts.append("</table>")
    return "\n".join(parts) + "\n"
