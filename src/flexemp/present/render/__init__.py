"""Renderers of the table model: Markdown, HTML, DOCX, XLSX and LaTeX (one per module).

Examples
--------
>>> from flexemp.present.render import render_markdown
>>> from flexemp.present.table import Cell, Row, Table
>>> render_markdown(Table("表1", ("(1)",), (Row("a", (Cell(1),)),))).splitlines()[2]
'|  | (1) |'
"""

from flexemp.present.render.docx import DocHeading, DocImage, DocParagraph, write_docx
from flexemp.present.render.html import TABLE_CSS, render_html
from flexemp.present.render.md import render_markdown
from flexemp.present.render.tex import render_latex
from flexemp.present.render.xlsx import write_xlsx

__all__ = [
    "TABLE_CSS",
    "DocHeading",
    "DocImage",
    "DocParagraph",
    "render_html",
    "render_latex",
    "render_markdown",
    "write_docx",
    "write_xlsx",
]
