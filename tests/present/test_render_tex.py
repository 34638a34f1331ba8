"""LaTeX renderer: booktabs rules, groups, escaping, notes, edge cases."""

from __future__ import annotations

import re

from flexemp.present.render import render_latex
from flexemp.present.render.tex import tex_escape
from tests.present.render_fixtures import NASTY, empty_table, regression_table


def test_booktabs_structure_and_rule_positions():
    t = regression_table()
    out = render_latex(t)
    lines = out.splitlines()
    assert lines[0].startswith("%") and "booktabs" in lines[0] and "xeCJK" in lines[0]
    assert "\\begin{tabular}{lrrr}" in out
    i_top, i_bottom = lines.index("\\toprule"), lines.index("\\bottomrule")
    assert lines[i_top + 1] == " & \\multicolumn{2}{c}{生活满意度} & 工作满意度 \\\\"
    assert lines[i_top + 2] == "\\cmidrule(lr){2-3} \\cmidrule(lr){4-4}"
    assert lines[i_top + 3] == "变量 & (1) & (2) & (3) \\\\"
    assert lines[i_top + 4] == "\\midrule"
    assert lines[i_top + 5] == "\\multicolumn{4}{l}{\\textbf{面板A：全样本}} \\\\"
    assert lines[i_top + 6] == "劳动合同 & 0.123*** & -0.046* & 12.50 \\\\"
    # the second \\midrule sits right above the first stat row
    mids = [i for i, ln in enumerate(lines) if ln == "\\midrule"]
    assert len(mids) == 2 and lines[mids[1] + 1].startswith("控制变量 &")
    body = lines[i_top + 5 : i_bottom]
    assert len([ln for ln in body if ln.endswith("\\\\")]) == len(t.rows)
    assert lines.count("\\begin{minipage}{\\wd0}") == 1 and "\\sbox0{%" in lines
    assert (
        "\\footnotesize" in lines
        and "注：***、**、*分别表示在1\\%、5\\%、10\\%水平上显著；括号内为聚类标准误。\\par"
        in lines
    )
    assert out.count("\\begin{") == out.count("\\end{")


def test_escaping_special_characters():
    out = render_latex(regression_table())
    esc = tex_escape(NASTY)
    assert esc in out
    assert esc == (
        "R\\&D 50\\% a\\_b <script>alert(1)</script> \\#1 \\$x \\{y\\} \\textasciitilde{}z "
        "\\textasciicircum{}w \\textbackslash{} |p| *s*"
    )
    assert "25.6\\%" in out
    # no unescaped specials left in the row: every & is a column separator (3 per row)
    row = next(ln for ln in out.splitlines() if "script" in ln)
    assert len(re.findall(r"(?<!\\)&", row)) == 3


def test_zero_rows_and_no_notes():
    t = empty_table()
    out = render_latex(t)
    assert "\\begin{tabular}{lcc}" in out and "minipage" not in out
    lines = out.splitlines()
    i = lines.index("\\toprule")
    assert lines[i : i + 4] == [
        "\\toprule",
        "变量 & 均值 & 标准差 \\\\",
        "\\midrule",
        "\\bottomrule",
    ]
    assert f"\\caption{{{t.title}}}" in out
