"""Word (DOCX) output: 三线表 tables, headings, paragraphs and images in one document.

Tables follow Chinese journal style (三线表): a thick rule (1.5 pt) above the
header and below the last row, a thin rule (0.75 pt) under the column headers
and above the first statistics row, a short thin rule under each labelled
column group, and no vertical or other lines.  Every run sets the Latin font
(``w:ascii``/``w:hAnsi``) and the East Asian font (``w:eastAsia``), so Chinese
shows in ``font_zh`` and digits and Latin letters in ``font_en``.

Numbers are aligned on the decimal point with a decimal tab stop in each
number cell and no tab character: in a table cell Word treats a paragraph's
only tab stop, when it is a decimal tab, as decimal alignment.  The stop is
placed so the widest number of the column is centred.  ``number_align="right"``
right-aligns numbers instead, for viewers that lack this rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from flexemp.core.errors import ReadError, UnsupportedOptionError
from flexemp.core.options import validate_option
from flexemp.present.render._common import (
    display_width,
    is_aligned_number,
    split_decimal,
    stat_rule_above,
)
from flexemp.present.table import Table

NumberAlign = Literal["decimal", "right"]

BODY_PT = 10.5  # 五号
NOTE_PT = 9.0  # 小五
THICK_EIGHTHS = 12  # 1.5 pt, in eighths of a point (w:sz)
THIN_EIGHTHS = 6  # 0.75 pt
_TEXT_WIDTH_CM = 21.0 - 2 * 3.17  # A4 with Word's zh-CN default margins
_LANDSCAPE_WIDTH_CM = 29.7 - 2 * 2.54  # A4 landscape, margins 2.54 cm
_CELL_MARGIN_PT = 5.4  # Word's default left/right cell margin (0.08 in)
# Times New Roman advance widths in em (digits 0.5); other characters: 0.5, wide ones 1.0
_EM = {
    ".": 0.25,
    ",": 0.25,
    "-": 0.333,
    "(": 0.333,
    ")": 0.333,
    "[": 0.333,
    "]": 0.333,
    "%": 0.833,
    "*": 0.5,
    "—": 1.0,
}


@dataclass(frozen=True)
class DocHeading:
    """A heading paragraph (Word style "Heading {level}", level 1–9)."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class DocParagraph:
    """A body-text paragraph."""

    text: str


@dataclass(frozen=True)
class DocImage:
    """A picture (PNG/JPEG) ``width_cm`` wide, centred, with its caption below."""

    path: str | Path
    width_cm: float = 15.0
    caption: str = ""


DocItem = Table | DocHeading | DocParagraph | DocImage


def _text_pt(text: str, size: float) -> float:
    return size * sum(_EM.get(ch, 1.0 if display_width(ch) == 2 else 0.5) for ch in text)


def _set_fonts(rpr: Any, font_zh: str, font_en: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(1 if len(rpr) and rpr[0].tag == qn("w:rStyle") else 0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr, name in (
        ("w:ascii", font_en),
        ("w:hAnsi", font_en),
        ("w:cs", font_en),
        ("w:eastAsia", font_zh),
    ):
        fonts.set(qn(attr), name)


class _Writer:
    def __init__(self, font_zh: str, font_en: str, number_align: str) -> None:
        self.doc = Document()
        self.zh, self.en, self.align = font_zh, font_en, number_align
        sec = self.doc.sections[0]
        sec.orientation = WD_ORIENT.PORTRAIT
        sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
        sec.top_margin = sec.bottom_margin = Cm(2.54)
        sec.left_margin = sec.right_margin = Cm(3.17)
        defaults = self.doc.styles.element.find(qn("w:docDefaults"))
        if defaults is not None:
            for rpr in defaults.iter(qn("w:rPr")):
                _set_fonts(rpr, font_zh, font_en)
        for style in self.doc.styles:
            name = style.name or ""
            if name == "Normal" or name.startswith(("Heading", "Title")):
                _set_fonts(style.element.get_or_add_rPr(), font_zh, font_en)
                if name != "Normal":
                    style.font.color.rgb = RGBColor(0, 0, 0)
        self.doc.styles["Normal"].font.size = Pt(BODY_PT)

    def run(self, paragraph: Any, text: str, *, size: float = BODY_PT, bold: bool = False) -> Any:
        r = paragraph.add_run(text)
        r.font.size = Pt(size)
        r.font.bold = bold or None
        _set_fonts(r._r.get_or_add_rPr(), self.zh, self.en)
        return r

    def paragraph(
        self,
        text: str,
        *,
        size: float = BODY_PT,
        bold: bool = False,
        align: Any = None,
        style: str | None = None,
    ) -> Any:
        p = self.doc.add_paragraph(style=style)
        if align is not None:
            p.alignment = align
        if text:
            self.run(p, text, size=size, bold=bold)
        return p

    def table(self, table: Table) -> None:
        """Write a table; one whose labels or numbers would not fit a portrait page gets a landscape page."""
        tw = TableWriter(self, table)
        if tw.needs_landscape():
            self.orient(landscape=True)
            tw.available = _LANDSCAPE_WIDTH_CM
            tw.write()
            self.orient(landscape=False)
        else:
            tw.write()

    def orient(self, *, landscape: bool) -> None:
        """Start a new section (page) in landscape or portrait A4."""
        from docx.enum.section import WD_SECTION

        sec = self.doc.add_section(WD_SECTION.NEW_PAGE)
        sec.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        sec.page_width, sec.page_height = (Cm(29.7), Cm(21.0)) if landscape else (Cm(21.0), Cm(29.7))
        side = Cm(2.54) if landscape else Cm(3.17)
        sec.left_margin = sec.right_margin = side


# Children that must come after the element we add (OOXML sequences are ordered; Word checks).
_AFTER = {
    "w:tblBorders": ("shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription"),
    "w:tcBorders": ("shd", "noWrap", "tcMar", "textDirection", "tcFitText", "vAlign", "hideMark"),
    "w:pBdr": (
        "shd",
        "tabs",
        "suppressAutoHyphens",
        "kinsoku",
        "wordWrap",
        "overflowPunct",
        "topLinePunct",
        "autoSpaceDE",
        "autoSpaceDN",
        "bidi",
        "adjustRightInd",
        "snapToGrid",
        "spacing",
        "ind",
        "contextualSpacing",
        "mirrorIndents",
        "suppressOverlap",
        "jc",
        "textDirection",
        "textAlignment",
        "textboxTightWrap",
        "outlineLvl",
        "divId",
        "cnfStyle",
        "rPr",
        "sectPr",
        "pPrChange",
    ),
}


def _child(parent: Any, tag: str) -> Any:
    """The ``tag`` child of ``parent``, created at its schema position when absent."""
    el = parent.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        after = {qn(f"w:{t}") for t in _AFTER[tag]}
        for i, existing in enumerate(parent):
            if existing.tag in after:
                parent.insert(i, el)
                break
        else:
            parent.append(el)
    return el


def _border(parent: Any, tag: str, edges: dict[str, int | None]) -> None:
    """Set ``edges`` (name → size in eighths of a point, None for nil) inside ``parent``/``tag``."""
    box = _child(parent, tag)
    for edge in ("top", "left", "start", "bottom", "right", "end", "insideH", "insideV"):
        if edge not in edges:
            continue
        size = edges[edge]
        el = box.find(qn(f"w:{edge}"))
        if el is None:
            el = OxmlElement(f"w:{edge}")
            box.append(el)
        if size is None:
            el.set(qn("w:val"), "nil")
        else:
            el.set(qn("w:val"), "single")
            el.set(qn("w:sz"), str(size))
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), "000000")


class TableWriter:
    """Writes one :class:`Table` as a 三线表 into the document of a ``_Writer``."""

    def __init__(self, writer: _Writer, table: Table) -> None:
        self.w, self.t = writer, table
        self.n = len(table.columns)
        self.n_head = 2 if table.column_groups else 1
        self.available = _TEXT_WIDTH_CM

    def widths_cm(self) -> list[float]:
        return fit_widths(self.natural_widths_cm(self.units()), self.available)

    def units(self) -> list[int]:
        """Per column (label first): the widest text in half-width character units."""
        t = self.t
        units = [display_width(t.stub_header)] + [display_width(c) for c in t.columns]
        for r in t.rows:
            if r.kind != "section":
                for j, text in enumerate([r.label, *(c.text for c in r.cells)]):
                    units[j] = max(units[j], display_width(text))
        col = 1
        for g in t.column_groups:  # a group label is shared by the columns it spans
            need = -(-display_width(g.label) // g.span)
            for j in range(col, col + g.span):
                units[j] = max(units[j], need)
            col += g.span
        return units

    @staticmethod
    def natural_widths_cm(units: list[int]) -> list[float]:
        return [u * BODY_PT * 0.5 / 28.35 + 0.5 for u in units]

    def needs_landscape(self) -> bool:
        """True when fitting the portrait width would squeeze the label column or a column of numbers."""
        natural = self.natural_widths_cm(self.units())
        fitted = fit_widths(natural, _TEXT_WIDTH_CM)
        numeric = [0] + [j + 1 for j in range(self.n)
                         if any(r.kind != "section" and r.cells[j].is_number for r in self.t.rows)]
        return any(fitted[j] < natural[j] - 1e-9 for j in numeric)

    def write(self) -> None:
        t, w = self.t, self.w
        w.paragraph(
            t.title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER
        ).paragraph_format.keep_with_next = True
        tbl = w.doc.add_table(rows=self.n_head + len(t.rows), cols=self.n + 1)
        tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
        tbl.autofit = False
        tbl_pr = tbl._tbl.tblPr
        _border(
            tbl_pr,
            "w:tblBorders",
            {
                "top": THICK_EIGHTHS,
                "left": None,
                "bottom": THICK_EIGHTHS,
                "right": None,
                "insideH": None,
                "insideV": None,
            },
        )
        widths = self.widths_cm()
        for j, col in enumerate(tbl.columns):
            col.width = Cm(widths[j])
        for row in tbl.rows:
            for j, cell in enumerate(row.cells):
                cell.width = Cm(widths[j])
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            tr_pr = row._tr.get_or_add_trPr()
            tr_pr.append(OxmlElement("w:cantSplit"))
        tabs = self.decimal_tabs(widths)
        r0 = 0
        if t.column_groups:
            self.group_row(tbl.rows[0])
            r0 = 1
        head = tbl.rows[r0]
        self.put(head.cells[0], t.stub_header, WD_ALIGN_PARAGRAPH.LEFT)
        for j, label in enumerate(t.columns, start=1):
            self.put(head.cells[j], label, WD_ALIGN_PARAGRAPH.CENTER)
        for k in range(self.n_head):
            el = OxmlElement("w:tblHeader")  # repeat the header on every page
            tbl.rows[k]._tr.get_or_add_trPr().append(el)
        for cell in head.cells:
            _border(cell._tc.get_or_add_tcPr(), "w:tcBorders", {"bottom": THIN_EIGHTHS})
        stat_at = stat_rule_above(t)
        for k, r in enumerate(t.rows):
            row = tbl.rows[self.n_head + k]
            if r.kind == "section":
                cell = row.cells[0].merge(row.cells[-1]) if self.n else row.cells[0]
                self.put(cell, r.label, WD_ALIGN_PARAGRAPH.LEFT, bold=True)
            else:
                self.put(row.cells[0], r.label, WD_ALIGN_PARAGRAPH.LEFT)
                for j, c in enumerate(r.cells, start=1):
                    if is_aligned_number(c) and w.align == "decimal":
                        self.put(row.cells[j], c.text, WD_ALIGN_PARAGRAPH.LEFT, tab=tabs[j])
                    elif is_aligned_number(c):
                        self.put(row.cells[j], c.text, WD_ALIGN_PARAGRAPH.RIGHT)
                    else:
                        self.put(row.cells[j], c.text, WD_ALIGN_PARAGRAPH.CENTER)
            if k == stat_at:
                for cell in row.cells:
                    _border(cell._tc.get_or_add_tcPr(), "w:tcBorders", {"top": THIN_EIGHTHS})
        for note in t.notes:
            w.paragraph(note, size=NOTE_PT, align=WD_ALIGN_PARAGRAPH.LEFT)
        w.paragraph("")  # space before whatever follows

    def decimal_tabs(self, widths: list[float]) -> list[float]:
        """Per column, the decimal tab position in points from the cell's text edge."""
        out = [0.0] * (self.n + 1)
        for j in range(1, self.n + 1):
            ints = fracs = 0.0
            for r in self.t.rows:
                if r.kind != "section" and is_aligned_number(r.cells[j - 1]):
                    i, f = split_decimal(r.cells[j - 1].text)
                    ints, fracs = max(ints, _text_pt(i, BODY_PT)), max(fracs, _text_pt(f, BODY_PT))
            avail = widths[j] * 28.35 - 2 * _CELL_MARGIN_PT
            out[j] = max(0.0, (avail - ints - fracs) / 2) + ints
        return out

    def group_row(self, row: Any) -> None:
        col = 1
        for g in self.t.column_groups:
            cell = row.cells[col]
            if g.span > 1:
                cell = cell.merge(row.cells[col + g.span - 1])
            p = self.put(cell, g.label, WD_ALIGN_PARAGRAPH.CENTER)
            if g.label.strip():  # a short rule under the group, like booktabs' \cmidrule(lr)
                p.paragraph_format.left_indent = p.paragraph_format.right_indent = Pt(3)
                _border(p._p.get_or_add_pPr(), "w:pBdr", {"bottom": THIN_EIGHTHS})
            col += g.span

    def put(
        self, cell: Any, text: str, align: Any, *, bold: bool = False, tab: float | None = None
    ) -> Any:
        p = cell.paragraphs[0]
        p.alignment = align
        pf = p.paragraph_format
        pf.space_before = pf.space_after = Pt(0)
        pf.line_spacing = 1.0
        if tab is not None:
            pf.tab_stops.add_tab_stop(Pt(tab), WD_TAB_ALIGNMENT.DECIMAL)
        if text:
            self.w.run(p, text, bold=bold)
        return p


def write_docx(
    items: Iterable[DocItem] | DocItem,
    path: str | Path,
    *,
    font_zh: str = "SimSun",
    font_en: str = "Times New Roman",
    title: str | None = None,
    number_align: NumberAlign = "decimal",
) -> Path:
    """Write tables (三线表), headings, paragraphs and images to a Word document.

    Parameters
    ----------
    items : sequence of Table, DocHeading, DocParagraph or DocImage
        The document's content, in order (a single item is accepted too).
    path : str or Path
        The ``.docx`` file to write (overwritten).
    font_zh, font_en : str
        East Asian font (``w:eastAsia``) and Latin font (``w:ascii``/``w:hAnsi``).
    title : str, optional
        A centred bold document title (also stored as the document's core title).
    number_align : {"decimal", "right"}
        ``"decimal"`` aligns numbers on the decimal point with a decimal tab stop
        (Word's decimal alignment in table cells); ``"right"`` right-aligns them.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    UnsupportedOptionError
        For an unknown item type, a heading level outside 1–9 or an unknown
        ``number_align``.
    ReadError
        When an image file does not exist.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from flexemp.present.table import Cell, Row, Table
    >>> t = Table("表1 样本", ("(1)",), (Row("年龄", (Cell(35.25, 2),)),), notes=("注：示例。",))
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "tables.docx"
    >>> write_docx([DocHeading("一、描述统计"), t], out).exists()
    True
    """
    validate_option("number_align", number_align, NumberAlign)
    seq: Sequence[Any] = [items] if isinstance(items, DocItem) else list(items)
    for i, item in enumerate(seq):
        if not isinstance(item, DocItem):
            raise UnsupportedOptionError(
                f"item {i} is a {type(item).__name__}; write_docx takes Table, DocHeading, "
                "DocParagraph or DocImage (wrap text in DocParagraph(...))"
            )
        if isinstance(item, DocHeading) and not 1 <= item.level <= 9:
            raise UnsupportedOptionError(
                f"heading {item.text!r} has level {item.level}; use 1 to 9"
            )
        if isinstance(item, DocImage) and not Path(item.path).is_file():
            raise ReadError(f"image {str(item.path)!r} does not exist; write the chart first")
    w = _Writer(font_zh, font_en, number_align)
    if title:
        w.doc.core_properties.title = title
        w.paragraph(title, size=16, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for item in seq:
        if isinstance(item, Table):
            w.table(item)
        elif isinstance(item, DocHeading):
            for run in w.paragraph(item.text, style=f"Heading {item.level}").runs:
                run.font.color.rgb = RGBColor(0, 0, 0)
        elif isinstance(item, DocParagraph):
            w.paragraph(item.text)
        else:
            w.doc.add_picture(str(item.path), width=Cm(item.width_cm))
            w.doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            if item.caption:
                w.paragraph(item.caption, align=WD_ALIGN_PARAGRAPH.CENTER)
    out = Path(path)
    w.doc.save(str(out))
    return out


def fit_widths(natural: list[float], available: float) -> list[float]:
    """Column widths that fit ``available``: only the widest columns give way (their text wraps).

    Columns narrower than an equal share of what is left keep their natural width, so labels and
    numbers stay on one line while a long coding text wraps.

    Examples
    --------
    >>> fit_widths([2.0, 12.0, 1.5, 1.5], 10.0)
    [2.0, 5.0, 1.5, 1.5]
    >>> fit_widths([2.0, 3.0], 10.0)
    [2.0, 3.0]
    """
    if sum(natural) <= available:
        return list(natural)
    remaining, left = available, len(natural)
    cap = available / len(natural)
    for width in sorted(natural):
        share = remaining / left
        if width > share:
            cap = share
            break
        remaining -= width
        left -= 1
    return [min(w, cap) for w in natural]
