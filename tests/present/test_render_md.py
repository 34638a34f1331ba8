"""Markdown renderer: pipe-table structure, escaping, groups, sections, edge cases."""

from __future__ import annotations

from flexemp.present.render import render_markdown
from flexemp.present.render.md import md_escape
from tests.present.render_fixtures import NOTE, empty_table, regression_table


def _cells(line: str) -> list[str]:
    # split on pipes that are not backslash-escaped
    import re

    return [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]


def test_structure_title_groups_rows_notes():
    t = regression_table()
    lines = render_markdown(t).splitlines()
    assert lines[0] == f"**{t.title}**"
    assert _cells(lines[2]) == ["", "生活满意度", "", "工作满意度"]
    assert _cells(lines[3]) == [":---", "---:", "---:", "---:"]
    assert _cells(lines[4]) == ["**变量**", "**(1)**", "**(2)**", "**(3)**"]
    assert _cells(lines[5]) == ["**面板A：全样本**", "", "", ""]
    assert _cells(lines[6]) == ["劳动合同", r"0.123\*\*\*", r"-0.046\*", "12.50"]
    assert _cells(lines[7]) == ["", "(0.031)", "(0.025)", r"\[3.25\]"]
    table_lines = [ln for ln in lines if ln.startswith("|")]
    assert len(table_lines) == 3 + len(t.rows)  # groups, delimiter, headers, rows
    assert all(len(_cells(ln)) == 4 for ln in table_lines)
    assert lines[-3:] == [md_escape(NOTE), "", "资料来源：灵活就业调查。"]
    assert r"注：\*\*\*、\*\*、\*分别" in lines[-3]


def test_escaping_and_nan():
    t = regression_table()
    row = next(ln for ln in render_markdown(t).splitlines() if "script" in ln)
    cells = _cells(row)
    assert cells[0] == md_escape(t.rows[3].label)
    assert "<script>" not in row and r"\<script\>" in row and r"\|p\|" in row
    assert cells[1:] == ["25.6%", "—", ""]


def test_no_groups_header_is_first_line_and_empty_table():
    t = empty_table()
    lines = render_markdown(t).splitlines()
    assert lines[0] == f"**{t.title}**"
    assert lines[2:] == ["| 变量 | 均值 | 标准差 |", "| :--- | :---: | :---: |"]
