"""Excel (XLSX) output: one worksheet per :class:`~flexemp.present.table.Table`.

A number that the table shows plainly (no stars, no brackets, no override
text) is written as a number with a number format giving the same display
("0.000", "0.00%", "0"), so it can be reused in formulas; every other cell is
written as its text.  Rules follow the 三线表: a thick top and bottom border,
a thin border under the column headers and above the first statistics row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import xlsxwriter

from flexemp.present.render._common import display_width, is_aligned_number, stat_rule_above
from flexemp.present.table import Cell, Table

_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
MAX_SHEET_NAME = 31
_THICK, _THIN = 5, 1  # xlsxwriter border styles: 5 = thick, 1 = thin


def sheet_names(tables: Iterable[Table]) -> list[str]:
    """Excel-valid, unique sheet names: ``table.key`` or "表{i}", ≤ 31 characters.

    Characters Excel forbids (``[ ] : * ? / \\``) become "_"; leading and
    trailing apostrophes are dropped; duplicates (compared case-insensitively,
    as Excel does) get a suffix "_2", "_3" ….

    Examples
    --------
    >>> from flexemp.present.table import Table
    >>> sheet_names([Table("a", (), (), key="t/1"), Table("b", (), (), key="T/1"), Table("c", (), ())])
    ['t_1', 'T_1_2', '表3']
    """
    names: list[str] = []
    seen: set[str] = set()
    for i, t in enumerate(tables, start=1):
        base = _FORBIDDEN.sub("_", t.key).strip().strip("'")[:MAX_SHEET_NAME] or f"表{i}"
        name, k = base, 1
        while name.casefold() in seen or name.casefold() == "history":
            k += 1
            suffix = f"_{k}"
            name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        seen.add(name.casefold())
        names.append(name)
    return names


def number_format(cell: Cell) -> str | None:
    """The Excel number format showing ``cell`` as the table does, or None when it must be text.

    Examples
    --------
    >>> number_format(Cell(0.5, 1, percent=True)), number_format(Cell(2007)), number_format(Cell(0.1, 3, stars="*"))
    ('0.0%', '0', None)
    """
    if not is_aligned_number(cell) or cell.stars or cell.brackets:
        return None
    if cell.percent:
        d = 2 if cell.decimals is None else cell.decimals
    elif cell.decimals is None:
        d = 0 if isinstance(cell.value, int) else 3
    else:
        d = cell.decimals
    body = "0." + "0" * d if d > 0 else "0"
    return body + "%" if cell.percent else body


class _Formats:
    """xlsxwriter formats, one per distinct set of properties."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.cache: dict[tuple[tuple[str, Any], ...], Any] = {}

    def __call__(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self.cache:
            self.cache[key] = self.book.add_format(
                {"font_name": "Times New Roman", "font_size": 10.5, "valign": "vcenter", **props}
            )
        return self.cache[key]


def _lines(text: str, width_units: float) -> int:
    return max(1, -(-display_width(text) // max(1, int(width_units))))


def _write_sheet(ws: Any, fmt: _Formats, t: Table) -> None:
    n = len(t.columns)
    widths = [display_width(t.stub_header)] + [display_width(c) for c in t.columns]
    for r in t.rows:
        if r.kind != "section":
            for j, text in enumerate([r.label, *(c.text for c in r.cells)]):
                widths[j] = max(widths[j], display_width(text))
    widths = [min(60, w + 2) for w in widths]
    for j, w in enumerate(widths):
        ws.set_column(j, j, max(w, 6))
    total = sum(max(w, 6) for w in widths)

    def span(row: int, text: str, f: Any) -> None:
        if n:
            ws.merge_range(row, 0, row, n, text, f)
        else:
            ws.write_string(row, 0, text, f)

    row = 0
    span(row, t.title, fmt(bold=True, align="center", text_wrap=True))
    ws.set_row(row, 16 * _lines(t.title, total))
    row += 1
    top = {"top": _THICK}
    if t.column_groups:
        ws.write_blank(row, 0, None, fmt(**top))
        col = 1
        for g in t.column_groups:
            f = fmt(align="center", **top, **({"bottom": _THIN} if g.label.strip() else {}))
            if g.span > 1:
                ws.merge_range(row, col, row, col + g.span - 1, g.label, f)
            else:
                ws.write_string(row, col, g.label, f)
            col += g.span
        row, top = row + 1, {}
    last = not t.rows
    under = {"bottom": _THICK if last else _THIN}
    ws.write_string(row, 0, t.stub_header, fmt(align="left", **top, **under))
    for j, label in enumerate(t.columns, start=1):
        ws.write_string(row, j, label, fmt(align="center", **top, **under))
    ws.freeze_panes(row + 1, 1)
    row += 1
    stat_at = stat_rule_above(t)
    for k, r in enumerate(t.rows):
        edge: dict[str, int] = {}
        if k == stat_at:
            edge["top"] = _THIN
        if k == len(t.rows) - 1:
            edge["bottom"] = _THICK
        if r.kind == "section":
            span(row, r.label, fmt(bold=True, align="left", **edge))
        else:
            ws.write_string(row, 0, r.label, fmt(align="left", **edge))
            for j, c in enumerate(r.cells, start=1):
                nf = number_format(c)
                if nf is not None and isinstance(c.value, int | float):
                    f = fmt(align="center", num_format=nf, **edge)
                    ws.write_number(row, j, float(c.value), f)
                else:
                    ws.write_string(row, j, c.text, fmt(align="center", **edge))
        row += 1
    for note in t.notes:
        span(row, note, fmt(font_size=9, align="left", text_wrap=True))
        ws.set_row(row, 13 * _lines(note, total))
        row += 1


def write_xlsx(tables: Iterable[Table] | Table, path: str | Path) -> Path:
    """Write tables to an Excel workbook, one worksheet per table.

    Parameters
    ----------
    tables : Table or iterable of Table
        The tables, in sheet order.
    path : str or Path
        The ``.xlsx`` file to write (overwritten).

    Returns
    -------
    Path
        The written file.

    Notes
    -----
    Sheet names come from :func:`sheet_names`.  Each sheet has the title (merged
    across the table), the column groups (merged over their columns), the
    column headers (frozen with the stub column), the rows and the notes
    (merged, wrapped).  Numbers shown plainly are numbers with a matching
    number format (see :func:`number_format`); cells with stars, brackets or
    override text are text, exactly ``Cell.text``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from flexemp.present.table import Cell, Row, Table
    >>> t = Table("表1 样本", ("(1)",), (Row("年龄", (Cell(35.25, 2),)),), key="table1")
    >>> write_xlsx([t], pathlib.Path(tempfile.mkdtemp()) / "tables.xlsx").suffix
    '.xlsx'
    """
    seq = [tables] if isinstance(tables, Table) else list(tables)
    out = Path(path)
    book = xlsxwriter.Workbook(str(out))
    fmt = _Formats(book)
    try:
        for name, t in zip(sheet_names(seq), seq, strict=True):
            _write_sheet(book.add_worksheet(name), fmt, t)
        if not seq:
            book.add_worksheet("表1")
    finally:
        book.close()
    return out
