"""问卷星 (wjx.cn) exports: recognise them, normalise their metadata, group their questions.

A 问卷星 export has metadata columns (序号, 提交答卷时间, 所用时间, 来源, 来源详情,
来自IP, sometimes 总分) followed by the questions, headed ``N、题目``.  A sheet
with at least three of the metadata columns is taken as a 问卷星 export.  It
comes in two versions:

- **code** (按选项序号下载): single choices as option numbers; a multi-select
  question as one 0/1 column per option;
- **text** (按选项文本下载): answers as option text; a multi-select question in
  one column with the chosen options joined by ``┋``.

Option columns (code version) are recognised when headed

- ``第N题(选项)`` or ``N、(选项)`` — the question number on every column;
- ``N、题目(选项)`` for the first option followed by bare ``(选项)`` columns —
  the form 问卷星 itself writes.

Full-width brackets （） work too.  A group whose cells are not all 0/1 (−2/−3
allowed) is a *matrix* question (one single-choice item per column); a group
of one column headed ``N、题目(…)`` with other values is an ordinary question
whose text ends in brackets (``年龄(岁)``).  A text-version column holding ``┋``
is a multi-select; a multi-select where nobody chose two options cannot be
told from a single choice (edit the drafted codebook).

Normalisation: ``所用时间`` ("125秒", "2分5秒", "1小时2分3秒") becomes a number
of seconds (float; the column is float when every cell parses).  Bare option
headers that occur more than once (``(其他)`` in two questions) are renamed
``N、(其他)`` so that every column name is unique; the renames are listed.
The detected version, the metadata columns, the question grouping and the
renames are recorded in ``RawData.meta["wjx"]``.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

METADATA = ("序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "总分")
MIN_METADATA = 3
SEPARATOR = "┋"
SKIPPED = (-2.0, -3.0)  # 问卷星: -2 skipped by logic, -3 not shown
SKIPPED_TEXT = ("(跳过)", "(空)")
_OPEN, _CLOSE = "(（", ")）"
NUMBERED_OPTION_RE = re.compile(r"^第\s*(\d+)\s*题\s*(.*?)\s*[(（]([^()（）]+)[)）]\s*$")
QUESTION_OPTION_RE = re.compile(r"^(\d+)\s*[、.．]\s*(.*?)\s*[(（]([^()（）]+)[)）]\s*$")
BARE_OPTION_RE = re.compile(r"^\s*[(（]([^()（）]+)[)）]\s*$")
QUESTION_RE = re.compile(r"^(\d+)\s*[、.．]\s*(.+)$")
DURATION_RE = re.compile(r"^\s*(?:(\d+)\s*小时)?\s*(?:(\d+)\s*分钟?)?\s*(?:(\d+(?:\.\d+)?)\s*秒)?\s*$")


def is_wjx(columns: list[str]) -> bool:
    """Whether a header row looks like a 问卷星 export (at least three metadata columns)."""
    return sum(c in METADATA for c in columns) >= MIN_METADATA


def duration_seconds(values: pd.Series) -> pd.Series:
    """'125秒', '2分5秒', '1小时2分3秒' → seconds; numbers stay numbers; anything else stays as it is.

    The result is float64 when every non-empty cell converts, else object.
    """
    text = values.astype("string").str.strip()
    parts = text.str.extract(DURATION_RE)
    h, m, s = (pd.to_numeric(parts[i], errors="coerce") for i in range(3))
    matched = (parts.notna().any(axis=1) & text.notna() & (text != "")).to_numpy(dtype=bool)
    secs = (h.fillna(0) * 3600 + m.fillna(0) * 60 + s.fillna(0)).astype(float)
    plain = pd.to_numeric(values.where(~matched), errors="coerce")
    out = secs.where(matched, plain)
    if bool((out.notna() | values.isna()).all()):
        return out.astype("float64")
    return values.astype(object).where(~matched, out)


def qualify_headers(columns: list[str]) -> tuple[list[str], dict[str, str]]:
    """Rename bare option headers that occur twice to ``N、(选项)``; return (names, {new: old})."""
    bare = [bool(BARE_OPTION_RE.match(c)) for c in columns]
    counts = pd.Series(columns).value_counts()
    number: int | None = None
    out: list[str] = []
    renamed: dict[str, str] = {}
    for col, is_bare in zip(columns, bare, strict=True):
        m = NUMBERED_OPTION_RE.match(col) or QUESTION_OPTION_RE.match(col) or QUESTION_RE.match(col)
        if m:
            number = int(m.group(1))
        if is_bare and counts[col] > 1 and number is not None:
            new = f"{number}、{col.strip()}"
            renamed[new] = col
            out.append(new)
        else:
            out.append(col)
    return out, renamed


def _option_cells_are_binary(frame: pd.DataFrame, columns: list[str]) -> bool:
    cells = pd.concat([frame[c] for c in columns], ignore_index=True).dropna()
    if cells.empty:
        return True
    num = pd.to_numeric(cells.astype("string").str.strip(), errors="coerce")
    return bool(num.notna().all() and num.isin([0.0, 1.0, *SKIPPED]).all())


def group_questions(columns: list[str]) -> list[dict[str, Any]]:
    """Group question columns by header only: one entry per question.

    Each entry has ``number`` (int or None), ``text``, ``kind`` (``single`` or
    ``multiselect`` — refined by :func:`detect_wjx` to ``matrix`` from the
    cells), ``columns`` and ``options`` (the bracketed option texts).
    """
    out: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None  # the open option group
    for col in columns:
        if col in METADATA:
            current = None
            continue
        m = NUMBERED_OPTION_RE.match(col) or QUESTION_OPTION_RE.match(col)
        if m:
            num, text, option = int(m.group(1)), m.group(2).strip(), m.group(3).strip()
            if current is None or current["number"] != num:
                current = {"number": num, "text": text, "kind": "multiselect", "columns": [], "options": []}
                out.append(current)
            if text and not current["text"]:
                current["text"] = text
            current["columns"].append(col)
            current["options"].append(option)
            continue
        b = BARE_OPTION_RE.match(col)
        if b and current is not None:
            current["columns"].append(col)
            current["options"].append(b.group(1).strip())
            continue
        current = None
        q = QUESTION_RE.match(col)
        out.append({"number": int(q.group(1)) if q else None, "text": q.group(2).strip() if q else col,
                    "kind": "single", "columns": [col], "options": []})
    return out


def _refine(frame: pd.DataFrame, questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Groups whose cells are not 0/1: matrix (several columns) or single (one bracketed header)."""
    for q in questions:
        if q["kind"] != "multiselect" or _option_cells_are_binary(frame, q["columns"]):
            continue
        if len(q["columns"]) == 1:
            col = q["columns"][0]
            m = QUESTION_RE.match(col)
            q.update(kind="single", text=m.group(2).strip() if m else col, options=[])
        else:
            q["kind"] = "matrix"
    return questions


def _has_separator(s: pd.Series) -> bool:
    return bool(s.astype("string").str.contains(SEPARATOR, regex=False).fillna(False).any())


def detect_wjx(frame: pd.DataFrame, renamed: dict[str, str] | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """If ``frame`` is a 问卷星 export, normalise it and describe it; otherwise return it unchanged.

    Parameters
    ----------
    frame : pandas.DataFrame
        The sheet as read, headers already made unique by :func:`qualify_headers`.
    renamed : dict, optional
        ``{new name: header in the file}`` from :func:`qualify_headers`.

    Returns
    -------
    frame, meta
        A new frame (``所用时间`` in seconds) and ``{"wjx": {...}}``, or the
        frame itself and ``{}`` when it is not a 问卷星 export.
    """
    cols = [str(c) for c in frame.columns]
    if not is_wjx(cols):
        return frame, {}
    meta_cols = [c for c in cols if c in METADATA]
    out = frame.copy()
    if "所用时间" in out.columns:
        out["所用时间"] = duration_seconds(out["所用时间"])
    questions = _refine(out, group_questions(cols))
    single_cols = [q["columns"][0] for q in questions if q["kind"] == "single"]
    joined = [c for c in single_cols if _has_separator(out[c])]
    if any(q["kind"] == "multiselect" and len(q["columns"]) > 1 for q in questions):
        version = "code"
    elif joined:
        version = "text"
    else:
        cells = pd.concat([out[c].astype("string") for c in single_cols], ignore_index=True).dropna() \
            if single_cols else pd.Series([], dtype="string")
        share = float(pd.to_numeric(cells, errors="coerce").notna().mean()) if len(cells) else 1.0
        version = "code" if share >= 0.5 else "text"
    if version == "text":
        for q in questions:
            if q["kind"] == "single" and q["columns"][0] in joined:
                q["kind"] = "multiselect"
    info = {"version": version, "metadata_columns": meta_cols, "questions": questions, "renamed": dict(renamed or {})}
    return out, {"wjx": info}


def numeric_cells(values: pd.Series) -> pd.Series:
    """Numbers of a column (text cells parsed; ``NaN`` where not a number)."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    return pd.to_numeric(values.astype("string").str.strip(), errors="coerce").astype("float64")


def answer_texts(values: pd.Series, *, split: bool = False) -> list[str]:
    """Distinct answers in order of first appearance (without 问卷星's skip markers).

    With ``split`` the cells are split at ``┋`` first (a text-version multi-select).
    """
    text = values.dropna().astype("string").str.strip()
    if split:
        text = text.str.split(SEPARATOR).explode().astype("string").str.strip()
    text = text[(text != "") & ~text.isin(SKIPPED_TEXT)]
    return list(dict.fromkeys(np.asarray(text, dtype=object).tolist()))
