"""The one table model every output format is rendered from.

A :class:`Table` is a title, an optional row of column groups, column headers,
rows of :class:`Cell` and notes (注).  A cell keeps its raw ``value`` (for
XLSX and ``results.json``) and how to show it (decimals, percent, stars,
brackets), so every renderer prints the same text from the same number.

Row kinds tell renderers where rules and indentation go:

``body``      an ordinary row (a coefficient, a variable, an option)
``sub``       the line under a coefficient (SE, t or CI in brackets); no label
``stat``      model statistics at the foot (观测值, pseudo-R², 控制变量 已控制);
              the first ``stat`` row gets a thin rule above it
``section``   a heading row spanning the table (e.g. "面板A：第一阶段")

Examples
--------
>>> t = Table(
...     title="表2 基准回归",
...     columns=("(1)", "(2)"),
...     stub_header="变量",
...     rows=(
...         Row("劳动合同", (Cell(0.1234, 3, stars="***"), Cell(None))),
...         Row("", (Cell(0.0312, 3, brackets="()"), Cell(None)), kind="sub"),
...         Row("观测值", (Cell(2007), Cell(2007)), kind="stat"),
...     ),
...     notes=("注：***、**、*分别表示在1%、5%、10%水平上显著。",),
... )
>>> [c.text for c in t.rows[0].cells], t.rows[1].cells[0].text, t.rows[2].cells[0].text
(['0.123***', ''], '(0.031)', '2007')
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

RowKind = Literal["body", "sub", "stat", "section"]
Value = float | int | str | None

_BRACKETS = {"": ("", ""), "()": ("(", ")"), "[]": ("[", "]")}


@dataclass(frozen=True)
class Cell:
    """One table cell: a raw value and how it is shown.

    ``decimals`` None shows ints as ints and floats with 3 decimals,
    text as is.  ``percent`` shows a share (0.69) as ``69.00%`` (with
    ``decimals``, default 2).  ``stars`` is appended after the number,
    ``brackets`` wrap it ("()" or "[]"); ``text_override`` replaces the
    rendering for cells such as a CI "[0.12, 0.35]" or "已控制".
    """

    value: Value
    decimals: int | None = None
    percent: bool = False
    stars: str = ""
    brackets: Literal["", "()", "[]"] = ""
    text_override: str | None = None

    @property
    def is_number(self) -> bool:
        """True when the cell holds a finite number (renderers right-align it on the decimal)."""
        v = self.value
        return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)

    @property
    def text(self) -> str:
        """The displayed text, identical in every format."""
        if self.text_override is not None:
            return self.text_override
        v = self.value
        if v is None:
            return ""
        if isinstance(v, str):
            body = v
        elif isinstance(v, float) and not math.isfinite(v):
            body = "—"
        elif self.percent:
            d = 2 if self.decimals is None else self.decimals
            body = f"{float(v) * 100:.{d}f}%"
        elif self.decimals is None:
            body = str(v) if isinstance(v, int) else f"{float(v):.3f}"
        else:
            body = f"{float(v):.{self.decimals}f}"
        left, right = _BRACKETS[self.brackets]
        return f"{left}{body}{right}{self.stars}"

    def to_dict(self) -> dict[str, Any]:
        """Value and text (for results.json)."""
        v = self.value
        if isinstance(v, float) and not math.isfinite(v):
            v = None
        return {"value": v, "text": self.text}


def text_cell(text: str) -> Cell:
    """A cell that only shows text (e.g. "已控制", "Yes")."""
    return Cell(text)


def p_value_cell(p: float, *, brackets: Literal["", "()", "[]"] = "") -> Cell:
    """A p-value with 3 decimals, shown as "<0.001" below 0.001 (the value keeps full precision).

    Examples
    --------
    >>> p_value_cell(0.0423).text, p_value_cell(2e-9).text, p_value_cell(2e-9, brackets="[]").text
    ('0.042', '<0.001', '[<0.001]')
    """
    p = float(p)
    if p < 0.001:
        left, right = _BRACKETS[brackets]
        return Cell(p, 3, brackets=brackets, text_override=f"{left}<0.001{right}")
    return Cell(p, 3, brackets=brackets)


@dataclass(frozen=True)
class Row:
    """A labelled row of cells (see the module docstring for ``kind``)."""

    label: str
    cells: tuple[Cell, ...]
    kind: RowKind = "body"

    def to_dict(self) -> dict[str, Any]:
        """Label, kind and cells."""
        return {"label": self.label, "kind": self.kind, "cells": [c.to_dict() for c in self.cells]}


@dataclass(frozen=True)
class ColumnGroup:
    """A header spanning ``span`` consecutive columns (e.g. "被解释变量：生活满意度")."""

    label: str
    span: int


@dataclass(frozen=True)
class Table:
    """Title, column groups, column headers, rows and notes; rendered by ``flexemp.present.render``.

    ``key`` names the table in results.json and in file names (e.g. "table2").
    Every row must have exactly ``len(columns)`` cells; column groups must span
    exactly the columns.
    """

    title: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    stub_header: str = ""
    column_groups: tuple[ColumnGroup, ...] = ()
    notes: tuple[str, ...] = ()
    key: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.columns)
        for r in self.rows:
            if r.kind != "section" and len(r.cells) != n:
                raise ValueError(
                    f"Table {self.title!r}: row {r.label!r} has {len(r.cells)} cells, expected {n}"
                )
        if self.column_groups and sum(g.span for g in self.column_groups) != n:
            raise ValueError(
                f"Table {self.title!r}: column groups span "
                f"{sum(g.span for g in self.column_groups)} columns, the table has {n}"
            )

    def to_dict(self) -> dict[str, Any]:
        """Every number and its text, for results.json."""
        return {
            "key": self.key,
            "title": self.title,
            "stub_header": self.stub_header,
            "column_groups": [{"label": g.label, "span": g.span} for g in self.column_groups],
            "columns": list(self.columns),
            "rows": [r.to_dict() for r in self.rows],
            "notes": list(self.notes),
        }

    def text_grid(self) -> list[list[str]]:
        """Header row then one list of texts per row (label first); section rows give [label]."""
        grid = [[self.stub_header, *self.columns]]
        for r in self.rows:
            grid.append([r.label] if r.kind == "section" else [r.label, *(c.text for c in r.cells)])
        return grid
