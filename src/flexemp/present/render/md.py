"""Markdown (GitHub pipe table) rendering of a :class:`~flexemp.present.table.Table`."""

from __future__ import annotations

import re

from flexemp.present.render._common import number_columns
from flexemp.present.table import Table

# Characters that could start Markdown or HTML markup inside a cell; escaped with a backslash.
_MD_SPECIAL = re.compile(r"([\\`*_<>\[\]|])")


def md_escape(text: str) -> str:
    """Escape Markdown/HTML markup characters and turn line breaks into spaces.

    Examples
    --------
    >>> md_escape("a|b *c* <x>")
    'a\\\\|b \\\\*c\\\\* \\\\<x\\\\>'
    """
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.splitlines()))


def _line(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _bold(text: str) -> str:
    return f"**{md_escape(text)}**" if text.strip() else ""


def render_markdown(table: Table) -> str:
    """Render a table as a GitHub-flavoured Markdown pipe table.

    The title is a bold line above the table.  With column groups, the pipe
    table's header line carries the groups (each label in the first column it
    spans, the other spanned columns empty, since Markdown has no colspan) and
    the column headers follow as a bold first line; without groups the column
    headers are the header line.  Section rows are a bold label; notes are
    paragraphs below.  Number columns are right-aligned (Markdown cannot align
    on the decimal point); the stub column is left-aligned.  Text is escaped
    (``\\ ` * _ < > [ ] |``), so stars show as ``\\*\\*\\*`` in the source and
    as ``***`` once rendered.

    Parameters
    ----------
    table : Table
        The table to render.

    Returns
    -------
    str
        Markdown text ending with a newline.

    Examples
    --------
    >>> from flexemp.present.table import Cell, Row, Table
    >>> t = Table("表1 样本", ("(1)",), (Row("年龄", (Cell(35.25, 2),)),), stub_header="变量")
    >>> print(render_markdown(t))
    **表1 样本**
    <BLANKLINE>
    | 变量 | (1) |
    | :--- | ---: |
    | 年龄 | 35.25 |
    <BLANKLINE>
    """
    n = len(table.columns)
    numeric = number_columns(table)
    align = [":---"] + ["---:" if numeric[j] else ":---:" for j in range(n)]
    header = [md_escape(table.stub_header), *(md_escape(c) for c in table.columns)]
    lines: list[str] = []
    if table.title:
        lines += [_bold(table.title), ""]
    if table.column_groups:
        groups = [""]
        for g in table.column_groups:
            groups += [md_escape(g.label)] + [""] * (g.span - 1)
        lines += [_line(groups), _line(align)]
        lines.append(_line([_bold(table.stub_header), *(_bold(c) for c in table.columns)]))
    else:
        lines += [_line(header), _line(align)]
    for r in table.rows:
        if r.kind == "section":
            lines.append(_line([_bold(r.label)] + [""] * n))
        else:
            lines.append(_line([md_escape(r.label), *(md_escape(c.text) for c in r.cells)]))
    if table.notes:
        lines.append("")
        for i, note in enumerate(table.notes):
            if i:
                lines.append("")
            lines.append(md_escape(note))
    return "\n".join(lines) + "\n"
