"""Helpers shared by the renderers: decimal split, rule positions, text width estimates."""

from __future__ import annotations

import re
import unicodedata

from flexemp.present.table import Cell, Row, Table

_LAST_DIGIT = re.compile(r"\d(?!.*\d)")


def is_aligned_number(cell: Cell) -> bool:
    """True for a finite number shown by the table model itself (no ``text_override``).

    Such cells are aligned on the decimal point; text, NaN ("—") and override
    texts (e.g. "已控制" or a CI "[0.12, 0.35]") are centred instead.
    """
    return cell.is_number and cell.text_override is None


def split_decimal(text: str) -> tuple[str, str]:
    """Split a number's text at its decimal point: ``"-0.123***"`` → ``("-0", ".123***")``.

    Without a decimal point the split is after the last digit, so ``"2007"`` →
    ``("2007", "")`` and ``"(12)"`` → ``("(12", ")")``: integers end where the
    decimal point of the other rows is.

    Examples
    --------
    >>> split_decimal("(0.031)"), split_decimal("69.00%"), split_decimal("2007")
    (('(0', '.031)'), ('69', '.00%'), ('2007', ''))
    """
    dot = text.find(".")
    if dot >= 0:
        return text[:dot], text[dot:]
    m = _LAST_DIGIT.search(text)
    if m is None:
        return text, ""
    return text[: m.end()], text[m.end() :]


def first_stat_index(table: Table) -> int | None:
    """Index in ``table.rows`` of the first ``stat`` row (it gets a thin rule above), or None."""
    for i, r in enumerate(table.rows):
        if r.kind == "stat":
            return i
    return None


def stat_rule_above(table: Table) -> int | None:
    """Row index that gets the thin rule above it, or None.

    The first ``stat`` row, unless it is the first row of the table (then the
    rule under the header already separates it).
    """
    i = first_stat_index(table)
    return i if i else None


def section_cells(row: Row) -> bool:
    """True for a section row (one label spanning the table)."""
    return row.kind == "section"


def display_width(text: str) -> int:
    """Width in half-width units: CJK and other wide characters count 2, others 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def number_columns(table: Table) -> list[bool]:
    """For each data column: True when at least one row has an aligned number in it."""
    flags = [False] * len(table.columns)
    for r in table.rows:
        if r.kind == "section":
            continue
        for j, c in enumerate(r.cells):
            if is_aligned_number(c):
                flags[j] = True
    return flags
