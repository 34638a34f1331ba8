"""Diffusion-index table cells and the index-by-wave layout, shared by the study runner and the dashboard.

Every table of diffusion indices (``flexemp run`` analyses of type ``index``
and the ``flexemp serve`` pages) builds its cells here, so a number, an
interval, a change with its stars and p value, and a suppressed cell read the
same wherever they are shown.

Cells come in pairs (first cell, second cell):

- an ordinary index: the index with 1 decimal ("61.6") and its 95% CI ("[58.2, 65.0]");
- a change or gap: the difference with 1 decimal and stars ("4.3**") and its p value
  (:func:`~flexemp.present.table.p_value_cell`: "0.031", "<0.001");
- a suppressed cell: "—" and the reason, "n=12" (the count of answers) or "n<30"
  when the record has no single count;
- a missing value (not suppressed): "—" and an empty cell;
- no record: two empty cells.

The suppression rule (one rule, stated in every index table's note by
:func:`suppression_note`): a cell with fewer than ``min_n`` valid answers
shows no index, interval, change or p value; the index reads "—" and the
second cell says why, with the number of answers when the record carries one
(a diffusion index, an expectation gap) and ``n<min_n`` when it does not (a
change between two independent waves, where either wave may be short).
Stars follow :func:`flexemp.present.stars.star_marks` (one star
per threshold 0.10, 0.05, 0.01 that the p value is strictly below).

Examples
--------
>>> rec = {"index": 61.63, "conf_low": 58.21, "conf_high": 65.04, "n": 412, "suppressed": False}
>>> [c.text for c in index_cells(rec, min_n=30)]
['61.6', '[58.2, 65.0]']
>>> [c.text for c in index_cells({"index": None, "n": 12, "suppressed": True}, min_n=30)]
['—', 'n=12']
>>> [c.text for c in difference_cells({"change": 4.26, "p_value": 0.0312, "suppressed": False}, "change", min_n=30)]
['4.3**', '0.031']
>>> [c.text for c in difference_cells({"change": None, "p_value": None, "suppressed": True}, "change", min_n=30)]
['—', 'n<30']
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Protocol

from flexemp.present.stars import star_marks
from flexemp.present.table import Cell, ColumnGroup, p_value_cell

__all__ = [
    "DASH",
    "difference_cells",
    "index_cells",
    "suppressed_cells",
    "suppression_note",
    "wave_columns",
    "wave_row_cells",
]

#: What a suppressed or missing index reads.
DASH = "—"


class Record(Protocol):
    """A record of an index, change or gap frame: a dict or a pandas Series (read with ``get``)."""

    def get(self, key: str, default: Any = None, /) -> Any:
        """The value of ``key`` (``default`` when absent)."""


def finite_or_none(x: Any) -> float | None:
    """``x`` as a float, None when it is None, NaN, infinite or not a number."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _count(r: Record) -> int | None:
    """The record's number of answers, None when it has none (a change between waves)."""
    n = finite_or_none(r.get("n"))
    return None if n is None else int(n)


def suppressed_cells(n: int | None, min_n: int) -> tuple[Cell, Cell]:
    """The pair shown for a suppressed cell: "—" and the reason, "n=<count>" or "n<min_n".

    Parameters
    ----------
    n : int or None
        Number of valid answers in the cell; None when the record has no single count
        (a change between two waves).
    min_n : int
        The suppression threshold (cells with fewer answers are not published).

    Returns
    -------
    tuple of Cell
        ``(Cell(None, text_override="—"), Cell(None, text_override=...))``; both values
        are None so results.json and XLSX carry no number for the suppressed estimate.

    Examples
    --------
    >>> [c.text for c in suppressed_cells(12, 30)], [c.text for c in suppressed_cells(None, 30)]
    (['—', 'n=12'], ['—', 'n<30'])
    """
    reason = f"n={n}" if n is not None else f"n<{min_n}"
    return Cell(None, text_override=DASH), Cell(None, text_override=reason)


def index_cells(r: Record | None, *, min_n: int) -> tuple[Cell, Cell]:
    """The index and its CI for one record of :func:`flexemp.indices.diffusion_index`.

    Parameters
    ----------
    r : mapping or None
        A row with ``index``, ``conf_low``, ``conf_high``, ``suppressed`` and ``n``
        (a dict or a pandas Series); None when the table has no such cell.
    min_n : int
        The suppression threshold, shown when a suppressed record has no count.

    Returns
    -------
    tuple of Cell
        Index with 1 decimal and "[low, high]" with 1 decimal; the suppressed pair
        (:func:`suppressed_cells`); "—" and empty for a missing index; two empty
        cells for None.

    Examples
    --------
    >>> [c.text for c in index_cells(None, min_n=30)], [c.text for c in index_cells({"index": float("nan")}, min_n=30)]
    (['', ''], ['—', ''])
    """
    if r is None:
        return Cell(None), Cell(None)
    if bool(r.get("suppressed", False)):
        return suppressed_cells(_count(r), min_n)
    value = finite_or_none(r.get("index"))
    if value is None:
        return Cell(None, text_override=DASH), Cell(None)
    lo, hi = finite_or_none(r.get("conf_low")), finite_or_none(r.get("conf_high"))
    ci = Cell(None) if lo is None or hi is None else Cell(None, text_override=f"[{lo:.1f}, {hi:.1f}]")
    return Cell(value, 1), ci


def difference_cells(r: Record | None, key: str, *, min_n: int) -> tuple[Cell, Cell]:
    """A difference (change between waves, expectation − current) with stars, and its p value.

    Parameters
    ----------
    r : mapping or None
        A row of :func:`flexemp.indices.index_change` or
        :func:`flexemp.indices.expectation_gap` (``suppressed``, ``p_value``, ``key``
        and, for a gap, ``n``); None when the table has no such cell.
    key : str
        The column holding the difference ("change" or "gap").
    min_n : int
        The suppression threshold, shown when a suppressed record has no count.

    Returns
    -------
    tuple of Cell
        The difference with 1 decimal and :func:`~flexemp.present.stars.star_marks`
        stars, and :func:`~flexemp.present.table.p_value_cell`; the suppressed pair; "—" and
        empty for a missing difference; two empty cells for None.

    Examples
    --------
    >>> [c.text for c in difference_cells({"gap": -3.04, "p_value": 2e-6, "n": 80, "suppressed": False},
    ...                                   "gap", min_n=30)]
    ['-3.0***', '<0.001']
    >>> [c.text for c in difference_cells({"gap": None, "n": 12, "suppressed": True}, "gap", min_n=30)]
    ['—', 'n=12']
    """
    if r is None:
        return Cell(None), Cell(None)
    if bool(r.get("suppressed", False)):
        return suppressed_cells(_count(r), min_n)
    value = finite_or_none(r.get(key))
    if value is None:
        return Cell(None, text_override=DASH), Cell(None)
    p = finite_or_none(r.get("p_value"))
    if p is None:
        return Cell(value, 1), Cell(None)
    return Cell(value, 1, stars=star_marks(p)), p_value_cell(p)


def suppression_note(min_n: int, lang: str) -> str:
    """The sentence stating the suppression rule, for the note of every index table.

    Examples
    --------
    >>> suppression_note(30, "zh")
    '有效回答不足30的单元格不予发布：指数以“—”表示，其后一格注明有效回答数（如“n=12”；环比变化无单一回答数，注“n<30”）。'
    >>> suppression_note(30, "en")
    'cells with fewer than 30 answers are not published: the index reads “—” and the next cell gives the number of answers (e.g. “n=12”; “n<30” for a change between waves, which has no single count).'
    """
    if lang == "en":
        return (f"cells with fewer than {min_n} answers are not published: the index reads “{DASH}” and the next "
                f"cell gives the number of answers (e.g. “n=12”; “n<{min_n}” for a change between waves, which "
                "has no single count).")
    return (f"有效回答不足{min_n}的单元格不予发布：指数以“{DASH}”表示，其后一格注明有效回答数"
            f"（如“n=12”；环比变化无单一回答数，注“n<{min_n}”）。")


def wave_columns(waves: Sequence[str | None], *, change: bool, lang: str) -> tuple[list[str], list[ColumnGroup]]:
    """Columns and column groups of the index-by-wave layout: 指数 | 95%置信区间 per wave, then 变化 | p值.

    The study's ``index`` table and the dashboard's headline table share this layout
    (the study may append expectation columns after it).

    Parameters
    ----------
    waves : sequence of str or None
        Wave labels, oldest first; None for pooled waves (the group reads 指数 / Index).
    change : bool
        Add the 环比变化 group (latest minus previous wave).
    lang : str
        "zh" or "en".

    Returns
    -------
    (list of str, list of ColumnGroup)

    Examples
    --------
    >>> cols, groups = wave_columns(["2022Q1", "2022Q2"], change=True, lang="zh")
    >>> cols, [(g.label, g.span) for g in groups]
    (['指数', '95%置信区间', '指数', '95%置信区间', '变化', 'p值'], [('2022Q1', 2), ('2022Q2', 2), ('环比变化', 2)])
    """
    zh = lang != "en"
    cols: list[str] = []
    groups: list[ColumnGroup] = []
    for w in waves:
        cols += ["指数" if zh else "Index", "95%置信区间" if zh else "95% CI"]
        groups.append(ColumnGroup(w or ("指数" if zh else "Index"), 2))
    if change:
        cols += ["变化" if zh else "Change", "p值" if zh else "p"]
        groups.append(ColumnGroup("环比变化" if zh else "Change", 2))
    return cols, groups


def wave_row_cells(per_wave: Sequence[Record | None], change: Record | None = None, *, change_columns: bool,
                   min_n: int) -> list[Cell]:
    """One row of the index-by-wave layout: index and CI per wave, then change and p.

    Parameters
    ----------
    per_wave : sequence of mapping or None
        The row's diffusion-index record in each wave (None where it has none).
    change : mapping or None
        The row's :func:`~flexemp.indices.index_change` record (None: an empty pair).
    change_columns : bool
        The table has the change columns (:func:`wave_columns` with ``change=True``).
    min_n : int
        The suppression threshold.

    Returns
    -------
    list of Cell

    Examples
    --------
    >>> q1 = {"index": 55.0, "conf_low": 51.0, "conf_high": 59.0, "n": 300, "suppressed": False}
    >>> q2 = {"index": None, "n": 12, "suppressed": True}
    >>> ch = {"change": None, "p_value": None, "suppressed": True}
    >>> [c.text for c in wave_row_cells([q1, q2], ch, change_columns=True, min_n=30)]
    ['55.0', '[51.0, 59.0]', '—', 'n=12', '—', 'n<30']
    """
    cells: list[Cell] = []
    for r in per_wave:
        cells += index_cells(r, min_n=min_n)
    if change_columns:
        cells += difference_cells(change, "change", min_n=min_n)
    return cells
