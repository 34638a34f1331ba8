"""HTML renderer: escaping, colspans, rule classes, decimal-split number cells, CSS."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from flexemp.present.render import TABLE_CSS, render_html
from flexemp.present.render._common import split_decimal
from tests.present.render_fixtures import NASTY, NOTE, empty_table, regression_table


class _Grid(HTMLParser):
    """Collects rows of (tag, attrs, text) cells and the tags seen."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, dict[str, str | None], str]]] = []
        self.row_classes: list[str] = []
        self.tags: list[str] = []
        self._cell: list | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append([])
            self.row_classes.append(dict(attrs).get("class") or "")
        elif tag in ("td", "th"):
            self._cell = [tag, dict(attrs), ""]

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(tuple(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[2] += data


def _parse(text: str) -> _Grid:
    g = _Grid()
    g.feed(text)
    return g


def test_cells_text_equal_text_grid_and_rule_classes():
    t = regression_table()
    out = render_html(t)
    g = _parse(out)
    assert "script" not in g.tags  # escaped, not a tag
    groups, body = g.rows[0], g.rows[1 : 2 + len(t.rows)]
    assert [(c[1].get("colspan"), c[2]) for c in groups] == [
        (None, ""),
        ("2", "生活满意度"),
        (None, "工作满意度"),
    ]
    assert [[c[2] for c in r] for r in body] == t.text_grid()
    assert "fx-top" in g.row_classes[0] and "fx-head-last" in g.row_classes[1]
    kinds = [r.kind for r in t.rows]
    first_stat = kinds.index("stat")
    assert "fx-first-stat" in g.row_classes[2 + first_stat]
    assert sum("fx-first-stat" in c for c in g.row_classes) == 1
    assert "fx-bottom" in g.row_classes[1 + len(t.rows)]
    assert body[1][0][1]["colspan"] == str(len(t.columns) + 1)  # section row spans
    assert f"<caption>{html.escape(t.title)}</caption>" in out
    assert html.escape(NASTY) in out
    notes = [r[0][2] for r in g.rows[2 + len(t.rows) :]]
    assert notes == list(t.notes) and NOTE in notes


def test_numbers_split_on_the_decimal_with_equal_widths_per_column():
    t = regression_table()
    out = render_html(t)
    num = re.compile(
        r'<td class="fx-num"><span class="fx-i" style="width:([\d.]+)ch">([^<]*)</span>'
        r'<span class="fx-f" style="width:([\d.]+)ch">([^<]*)</span></td>|<td class="fx-text">([^<]*)</td>'
    )
    body = re.findall(r"<tr class=\"fx-(?:body|sub|stat)[^>]*>(.*?)</tr>", out)
    grid = [r for r in t.rows if r.kind != "section"]
    assert len(body) == len(grid)
    widths: dict[int, set[tuple[str, str]]] = {}
    for html_row, row in zip(body, grid, strict=True):
        found = num.findall(html_row)
        assert len(found) == len(row.cells)
        for j, (m, cell) in enumerate(zip(found, row.cells, strict=True)):
            if cell.is_number:
                assert (m[1], m[3]) == split_decimal(cell.text)
                widths.setdefault(j, set()).add((m[0], m[2]))
            else:
                assert m[4] == html.escape(cell.text)
    # one width pair per column: the longest integer part and the longest fraction part ("%" counts 2)
    assert widths == {0: {("4", "7")}, 1: {("4", "5")}, 2: {("4", "4")}}


def test_css_three_line_rules_and_no_vertical_lines():
    assert re.search(r"tr\.fx-top > \* \{ border-top: 1\.5pt solid", TABLE_CSS)
    assert re.search(r"tr\.fx-bottom > \* \{ border-bottom: 1\.5pt solid", TABLE_CSS)
    assert re.search(r"tr\.fx-head-last > \* \{ border-bottom: \.75pt solid", TABLE_CSS)
    assert re.search(r"tr\.fx-first-stat > \* \{ border-top: \.75pt solid", TABLE_CSS)
    assert "border-left" not in TABLE_CSS and "border-right" not in TABLE_CSS
    assert "tabular-nums" in TABLE_CSS and "url(" not in TABLE_CSS and "@import" not in TABLE_CSS


def test_zero_rows_bottom_rule_on_header():
    g = _parse(render_html(empty_table()))
    assert g.row_classes == ["fx-columns fx-top fx-head-last fx-bottom"]
    assert [c[2] for c in g.rows[0]] == ["变量", "均值", "标准差"]
