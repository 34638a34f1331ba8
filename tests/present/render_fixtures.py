"""A realistic regression-style table shared by the renderer tests."""

from __future__ import annotations

import math

from flexemp.present.table import Cell, ColumnGroup, Row, Table, text_cell

NOTE = "注：***、**、*分别表示在1%、5%、10%水平上显著；括号内为聚类标准误。"
NASTY = "R&D 50% a_b <script>alert(1)</script> #1 $x {y} ~z ^w \\ |p| *s*"


def regression_table(key: str = "table2") -> Table:
    """Coefficients with stars, SEs in brackets, a section row, stat rows, column groups."""
    return Table(
        title="表2 劳动合同与生活满意度：基准回归",
        columns=("(1)", "(2)", "(3)"),
        stub_header="变量",
        column_groups=(ColumnGroup("生活满意度", 2), ColumnGroup("工作满意度", 1)),
        rows=(
            Row("面板A：全样本", (), kind="section"),
            Row(
                "劳动合同",
                (Cell(0.1234, 3, stars="***"), Cell(-0.0456, 3, stars="*"), Cell(12.5, 2)),
            ),
            Row(
                "",
                (
                    Cell(0.0312, 3, brackets="()"),
                    Cell(0.0251, 3, brackets="()"),
                    Cell(3.25, 2, brackets="[]"),
                ),
                kind="sub",
            ),
            Row(NASTY, (Cell(0.256, 1, percent=True), Cell(math.nan), Cell(None))),
            Row(
                "控制变量",
                (text_cell("已控制"), text_cell("已控制"), text_cell("已控制")),
                kind="stat",
            ),
            Row("观测值", (Cell(2007), Cell(2007), Cell(1985)), kind="stat"),
            Row("R²", (Cell(0.0812), Cell(0.1023), Cell(0.5, 2)), kind="stat"),
        ),
        notes=(NOTE, "资料来源：灵活就业调查。"),
        key=key,
    )


def empty_table() -> Table:
    """Header only: zero rows, no groups, no notes."""
    return Table(
        title="表0 " + "很长的标题" * 40, columns=("均值", "标准差"), rows=(), stub_header="变量"
    )
