"""DOCX writer: read back with python-docx; texts, 三线表 borders, fonts, alignment, refusals."""

from __future__ import annotations

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml.ns import qn

from flexemp.core.errors import ReadError, UnsupportedOptionError
from flexemp.present.render import DocHeading, DocImage, DocParagraph, write_docx
from flexemp.present.render.docx import NOTE_PT, THICK_EIGHTHS, THIN_EIGHTHS
from tests.present.render_fixtures import NOTE, empty_table, regression_table


def _edge(el, box: str, edge: str):
    b = el.find(qn(box))
    e = None if b is None else b.find(qn(f"w:{edge}"))
    return None if e is None else (e.get(qn("w:val")), e.get(qn("w:sz")))


@pytest.fixture
def written(tmp_path):
    t = regression_table()
    path = write_docx(
        [DocHeading("一、基准回归", 1), DocParagraph("正文段落。"), t],
        tmp_path / "t.docx",
        title="灵活就业调查报告",
    )
    return t, docx.Document(str(path))


def test_cell_texts_equal_text_grid(written):
    t, d = written
    (tbl,) = d.tables
    rows = tbl.rows
    assert [c.text for c in rows[0].cells] == [
        "",
        "生活满意度",
        "生活满意度",
        "工作满意度",
    ]  # merged group
    got = []
    for r, model_row in zip(rows[1:], [None, *t.rows], strict=True):
        texts = [c.text for c in r.cells]
        got.append(texts[:1] if model_row is not None and model_row.kind == "section" else texts)
    assert got == t.text_grid()
    assert rows[2].cells[0]._tc is rows[2].cells[-1]._tc  # the section row is one merged cell


def test_three_line_borders(written):
    t, d = written
    tbl = d.tables[0]
    tbl_pr = tbl._tbl.tblPr
    assert _edge(tbl_pr, "w:tblBorders", "top") == ("single", str(THICK_EIGHTHS))
    assert _edge(tbl_pr, "w:tblBorders", "bottom") == ("single", str(THICK_EIGHTHS))
    for edge in ("left", "right", "insideH", "insideV"):
        assert _edge(tbl_pr, "w:tblBorders", edge)[0] in ("nil", "none")
    assert THICK_EIGHTHS == 12 and THIN_EIGHTHS == 6  # 1.5 pt and 0.75 pt in eighths of a point
    header = tbl.rows[1]
    assert all(_edge(c._tc.tcPr, "w:tcBorders", "bottom") == ("single", "6") for c in header.cells)
    first_stat = 2 + [r.kind for r in t.rows].index("stat")
    for k, row in enumerate(tbl.rows):
        for c in row.cells:
            pr = c._tc.tcPr
            assert (
                _edge(pr, "w:tcBorders", "left") is None
                and _edge(pr, "w:tcBorders", "right") is None
            )
            top = _edge(pr, "w:tcBorders", "top")
            assert top == (("single", "6") if k == first_stat else None)
            if k != 1:
                assert _edge(pr, "w:tcBorders", "bottom") is None
    # the group rule is a paragraph border (short, like \cmidrule(lr)), not a cell border
    p = tbl.rows[0].cells[1].paragraphs[0]
    assert _edge(p._p.pPr, "w:pBdr", "bottom") == ("single", "6")


def test_fonts_title_notes_and_alignment(written):
    t, d = written
    runs = [r for p in d.paragraphs for r in p.runs]
    runs += [r for row in d.tables[0].rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert runs
    for r in runs:
        fonts = r._r.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == "SimSun"
        assert fonts.get(qn("w:ascii")) == fonts.get(qn("w:hAnsi")) == "Times New Roman"
    texts = [p.text for p in d.paragraphs]
    assert texts[0] == "灵活就业调查报告" and d.core_properties.title == "灵活就业调查报告"
    i = texts.index(t.title)
    title = d.paragraphs[i]
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER and title.runs[0].bold
    # the table sits right after the title paragraph, the notes right after the table
    body = list(d.element.body)
    k = body.index(title._p)
    assert body[k + 1].tag == qn("w:tbl")
    notes = [docx.text.paragraph.Paragraph(el, None) for el in body[k + 2 : k + 4]]
    assert [p.text for p in notes] == [NOTE, "资料来源：灵活就业调查。"]
    assert all(p.runs[0].font.size.pt == NOTE_PT for p in notes)
    # number cells carry one decimal tab stop; text cells are centred
    row = d.tables[0].rows[3]  # 劳动合同
    for cell in row.cells[1:]:
        (stop,) = cell.paragraphs[0].paragraph_format.tab_stops
        assert stop.alignment == WD_TAB_ALIGNMENT.DECIMAL and stop.position > 0
    ctrl = d.tables[0].rows[6]  # 控制变量 已控制
    assert ctrl.cells[0].text == "控制变量"
    assert all(c.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER for c in ctrl.cells[1:])


def test_right_alignment_option_and_custom_fonts(tmp_path):
    path = write_docx(
        regression_table(),
        tmp_path / "r.docx",
        number_align="right",
        font_zh="黑体",
        font_en="Arial",
    )
    d = docx.Document(str(path))
    cell = d.tables[0].rows[3].cells[1]
    assert cell.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert len(cell.paragraphs[0].paragraph_format.tab_stops) == 0
    fonts = cell.paragraphs[0].runs[0]._r.rPr.find(qn("w:rFonts"))
    assert (fonts.get(qn("w:eastAsia")), fonts.get(qn("w:ascii"))) == ("黑体", "Arial")


def test_zero_rows_image_and_refusals(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [0, 1])
    png = tmp_path / "c.png"
    fig.savefig(png)
    plt.close(fig)
    t = empty_table()
    path = write_docx([t, DocImage(png, 8.0, "图1 示例")], tmp_path / "e.docx")
    d = docx.Document(str(path))
    assert len(d.tables[0].rows) == 1 and [c.text for c in d.tables[0].rows[0].cells] == [
        "变量",
        "均值",
        "标准差",
    ]
    assert len(d.inline_shapes) == 1 and abs(d.inline_shapes[0].width.cm - 8.0) < 0.01
    assert "图1 示例" in [p.text for p in d.paragraphs] and t.title in [
        p.text for p in d.paragraphs
    ]
    with pytest.raises(UnsupportedOptionError, match="DocParagraph"):
        write_docx(["plain text"], tmp_path / "x.docx")
    with pytest.raises(UnsupportedOptionError, match="number_align"):
        write_docx([t], tmp_path / "x.docx", number_align="centre")
    with pytest.raises(UnsupportedOptionError, match="level 0"):
        write_docx([DocHeading("x", 0)], tmp_path / "x.docx")
    with pytest.raises(ReadError, match="does not exist"):
        write_docx([DocImage(tmp_path / "missing.png")], tmp_path / "x.docx")


def test_a_long_text_column_wraps_instead_of_squeezing_labels_and_numbers(tmp_path):
    from docx import Document

    from flexemp.present.render.docx import fit_widths, write_docx
    from flexemp.present.table import Cell, Row, Table

    coding = "，".join(f"[{i * 2500},{(i + 1) * 2500})元={i + 1}" for i in range(15))
    t = Table("表1 变量描述性统计", ("编码说明", "均值", "标准差"),
              (Row("月均总收入", (Cell(coding), Cell(3.063, 3), Cell(1.231, 3))),
               Row("职业认同", (Cell("从不=1，偶尔=2"), Cell(3.601, 3), Cell(0.985, 3)))),
              stub_header="变量")
    path = write_docx([t], tmp_path / "w.docx")
    widths = [c.width.cm for c in Document(str(path)).tables[0].columns]
    assert sum(widths) <= 14.7  # A4 minus the margins
    natural_label = len("月均总收入") * 10.5 / 28.35 + 0.5  # five full-width characters at the body size
    assert widths[0] >= natural_label - 0.01 and widths[2] < widths[1] and widths[3] < widths[1]
    assert fit_widths([1.0, 30.0, 2.0], 10.0) == [1.0, 7.0, 2.0]


def test_a_table_too_wide_for_portrait_gets_a_landscape_page(tmp_path):
    from docx import Document
    from docx.enum.section import WD_ORIENT

    from flexemp.present.render.docx import write_docx
    from flexemp.present.table import Cell, Row, Table

    cols = tuple(f"({j})" for j in range(1, 11))  # as seed 000 Table 3: five treatments x two stages
    wide = Table("表3 宽表", cols, (Row("劳动合同（留一法地区均值）", tuple(Cell(-0.1234 * j, 3, stars="***")
                                                                  for j in range(1, 11))),))
    narrow = Table("表1 窄表", ("(1)",), (Row("年龄", (Cell(35.25, 2),)),))
    doc = Document(str(write_docx([narrow, wide, narrow], tmp_path / "w.docx")))
    orients = [s.orientation for s in doc.sections]
    assert orients == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
    landscape = doc.sections[1]
    assert landscape.page_width > landscape.page_height
    widths = [c.width.cm for c in doc.tables[1].columns]
    assert sum(widths) <= 29.7 - 2 * 2.54 + 0.01
    assert min(widths[1:]) >= len("-1.481***") * 10.5 * 0.5 / 28.35 + 0.5 - 0.01  # numbers on one line
