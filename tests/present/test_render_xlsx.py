"""XLSX writer: read back with openpyxl; values and formats, merges, borders, sheet names, notes."""

from __future__ import annotations

import re

import openpyxl

from flexemp.present.render import write_xlsx
from flexemp.present.render.xlsx import sheet_names
from flexemp.present.table import Table
from tests.present.render_fixtures import NOTE, empty_table, regression_table


def test_values_formats_merges_and_borders(tmp_path):
    t = regression_table()
    wb = openpyxl.load_workbook(write_xlsx([t], tmp_path / "t.xlsx"))
    ws = wb["table2"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].value == t.title and "A1:D1" in merged
    assert ws["B2"].value == "生活满意度" and "B2:C2" in merged and ws["D2"].value == "工作满意度"
    assert [c.value for c in ws[3]] == ["变量", "(1)", "(2)", "(3)"]
    assert ws["A4"].value == "面板A：全样本" and "A4:D4" in merged
    # 劳动合同 row: stars → text; 12.50 → number with format 0.00
    assert [ws.cell(5, j).value for j in (2, 3)] == ["0.123***", "-0.046*"]
    assert ws["D5"].value == 12.5 and ws["D5"].number_format == "0.00"
    assert [ws.cell(6, j).value for j in (2, 3, 4)] == ["(0.031)", "(0.025)", "[3.25]"]
    assert ws["B7"].value == 0.256 and ws["B7"].number_format == "0.0%"
    assert ws["C7"].value == "—" and ws["D7"].value in (None, "")
    assert ws["A7"].value == t.rows[3].label
    assert [ws.cell(8, j).value for j in range(1, 5)] == ["控制变量", "已控制", "已控制", "已控制"]
    assert [ws.cell(9, j).value for j in range(2, 5)] == [2007, 2007, 1985]
    assert ws["B9"].number_format == "0"
    assert ws["B10"].value == 0.0812 and ws["B10"].number_format == "0.000"
    # rules: thick top on the first header row, thin under the headers, thin above 控制变量, thick bottom
    assert ws["B2"].border.top.style == "thick" and ws["B2"].border.bottom.style == "thin"
    assert all(ws.cell(3, j).border.bottom.style == "thin" for j in range(1, 5))
    assert all(ws.cell(8, j).border.top.style == "thin" for j in range(1, 5))
    assert all(ws.cell(10, j).border.bottom.style == "thick" for j in range(1, 5))
    assert all(ws.cell(r, j).border.left.style is None for r in range(1, 11) for j in range(1, 5))
    assert [ws["A11"].value, ws["A12"].value] == [NOTE, "资料来源：灵活就业调查。"]
    assert "A11:D11" in merged
    assert ws.column_dimensions["A"].width > ws.column_dimensions["B"].width


def test_sheet_names_valid_unique_with_many_long_and_duplicate_keys(tmp_path):
    keys = [
        "table2",
        "table2",
        "TABLE2",
        "a/b:c*d?e[f]g\\h",
        "x" * 40,
        "x" * 40,
        "'quoted'",
        "",
    ] + [""] * 12
    tables = [Table(f"表{i}", (), (), key=k) for i, k in enumerate(keys)]
    wb = openpyxl.load_workbook(write_xlsx(tables, tmp_path / "many.xlsx"))
    names = wb.sheetnames
    assert names == sheet_names(tables) and len(names) == len(tables)
    assert len({n.casefold() for n in names}) == len(names)
    assert all(
        0 < len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) and not n.startswith("'")
        for n in names
    )
    assert names[:4] == ["table2", "table2_2", "TABLE2_3", "a_b_c_d_e_f_g_h"]
    assert names[4] == "x" * 31 and names[5] == "x" * 29 + "_2"
    assert names[7] == "表8"


def test_zero_rows_and_long_title(tmp_path):
    t = empty_table()
    wb = openpyxl.load_workbook(write_xlsx(t, tmp_path / "e.xlsx"))
    ws = wb["表1"]
    assert ws["A1"].value == t.title and ws["A1"].alignment.wrap_text
    assert ws.row_dimensions[1].height > 16
    assert [c.value for c in ws[2]] == ["变量", "均值", "标准差"]
    assert ws["B2"].border.top.style == "thick" and ws["B2"].border.bottom.style == "thick"
    assert ws.max_row == 2
