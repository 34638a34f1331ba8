"""Test files built from code: XLSX sheets (incl. 问卷星 exports in both versions) and labelled SAV files.

The builders are plain functions so that tests elsewhere (tests/codebook) can import them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

WJX_META = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"]

# code version (按选项序号下载): Q2 as 第N题(…) columns, Q3 in 问卷星's own form (first column carries the
# question, then bare option headers), Q5 a matrix, Q4/Q6 both have a bare "(其他)" option.
WJX_CODE_HEADER = [
    *WJX_META,
    "1、您的性别：",
    "第2题(全职)", "第2题(兼职)",
    "3、您从事过哪些平台工作？(外卖)", "(网约车)", "(其他)",
    "4、您的年龄(岁)",
    "5、请评价以下方面：(收入)", "(工时)",
    "6、您使用过哪些社保？(养老)", "(其他)",
    "7、您的身份证号：",
]
WJX_CODE_ROWS = [
    [1, "2022/6/1 10:00:00", "125秒", "手机提交", "直接访问", "1.2.3.4(上海)", 1, 1, 0, 1, 1, 0, 23, 4, 5, 1, 0,
     "110101199003071234"],
    [2, "2022/6/1 10:05:00", "2分5秒", "手机提交", "直接访问", "5.6.7.8(北京)", 2, 0, 1, 0, 0, 1, 35, 2, 3, 0, 1,
     "11010119850101123X"],
    [3, "2022/6/1 11:02:03", "1小时2分3秒", "微信", "朋友圈", "5.6.7.9(北京)", 1, -2, -2, 1, 0, 0, 41, 3, 3, 1, 1,
     "110101197712120011"],
]

WJX_TEXT_HEADER = [*WJX_META, "1、您的性别：", "2、您从事过哪些平台工作？", "3、您的手机号：", "4、您的月收入：",
                   "5、您的年龄："]
WJX_TEXT_ROWS = [
    [1, "2022/6/1 10:00:00", "125秒", "手机提交", "直接访问", "1.2.3.4", "男", "外卖┋网约车", "13812345678",
     "5000元以下", "23"],
    [2, "2022/6/1 10:05:00", "98秒", "手机提交", "直接访问", "5.6.7.8", "女", "快递", "13987654321",
     "(跳过)", "35"],
    [3, "2022/6/1 10:09:00", "300秒", "手机提交", "直接访问", "5.6.7.9", "男", "外卖", "13700001111",
     "5000-7500元", "41"],
]


def write_xlsx(path: Path, header: list[Any], rows: list[list[Any]], *, sheets: dict[str, list[list[Any]]] | None = None) -> Path:
    """Write ``header`` + ``rows`` to the first sheet (and more sheets from ``sheets``) with openpyxl."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(header)
    for r in rows:
        ws.append(r)
    for name, grid in (sheets or {}).items():
        extra = wb.create_sheet(name)
        for r in grid:
            extra.append(r)
    wb.save(path)
    return path


def write_wjx_code(path: Path) -> Path:
    """A 问卷星 code-version export."""
    return write_xlsx(path, WJX_CODE_HEADER, WJX_CODE_ROWS)


def write_wjx_text(path: Path) -> Path:
    """A 问卷星 text-version export."""
    return write_xlsx(path, WJX_TEXT_HEADER, WJX_TEXT_ROWS)


def write_labelled_sav(path: Path) -> Path:
    """A small SPSS file with variable and value labels."""
    import pyreadstat

    frame = pd.DataFrame({
        "sex": [1.0, 2.0, 1.0, 2.0],
        "sat": [1.0, 5.0, 3.0, 4.0],
        "city": [1.0, 2.0, 3.0, 1.0],
        "trust": [1.0, 2.0, 99.0, 3.0],
        "hours": [8.5, 10.0, 6.25, 12.0],
        "kids": [0.0, 1.0, 2.0, 1.0],
        "Q1.a": [1.0, 2.0, 3.0, 4.0],
        "phone": ["13812345678", "13987654321", "", "13700001111"],
        "note": ["好", "一般", "", "差评"],
    })
    pyreadstat.write_sav(
        frame, str(path),
        column_labels={"sex": "性别", "sat": "生活满意度", "city": "所在城市", "trust": "对平台的信任",
                       "hours": "日工作时长", "phone": "联系电话"},
        variable_value_labels={
            "sex": {1: "男", 2: "女"},
            "sat": {1: "非常不满意", 5: "非常满意"},
            "city": {1: "北京", 2: "上海", 3: "广州"},
            "trust": {1: "不信任", 2: "一般", 3: "比较信任", 99: "不知道"},
        },
    )
    return path


@pytest.fixture
def wjx_code(tmp_path: Path) -> Path:
    """Path of a 问卷星 code-version export."""
    return write_wjx_code(tmp_path / "wjx_code.xlsx")


@pytest.fixture
def wjx_text(tmp_path: Path) -> Path:
    """Path of a 问卷星 text-version export."""
    return write_wjx_text(tmp_path / "wjx_text.xlsx")


@pytest.fixture
def labelled_sav(tmp_path: Path) -> Path:
    """Path of a labelled SAV file."""
    return write_labelled_sav(tmp_path / "labelled.sav")
