"""问卷星 (wjx.cn) exports: recognise them, normalise their metadata, group their questions.

A 问卷星 export has metadata columns (序号, 提交答卷时间, 所用时间, 来源, 来源详情,
来自IP, sometimes 总分) followed by the questions, headed ``N、题目``.  It comes
in two versions:

- **code** (按选项序号下载): single choices as option numbers; a multi-select
  question as one 0/1 column per option, headed ``第N题(选项)``, ``N、(选项)`` or,
  for the first option, ``N、题目(选项)``;
- **text** (按选项文本下载): answers as option text; a multi-select question in
  one column with the chosen options joined by ``┋``.

``所用时间`` ("125秒") is converted to seconds (a number).  The detected version
and the question grouping are recorded in ``RawData.meta["wjx"]``.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

METADATA = ("序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP", "总分")
SEPARATOR = "┋"
OPTION_RE = re.compile(r"^(?:第\s*(\d+)\s*题|(\d+)\s*[、.．])\s*(.*?)\s*[(（]([^()（）]+)[)）]\s*$")
QUESTION_RE = re.compile(r"^(\d+)\s*[、.．]\s*(.+)$")
DURATION_RE = re.compile(r"^\s*(?:(\d+)\s*小时)?\s*(?:(\d+)\s*分)?\s*(?:(\d+)\s*秒)?\s*$")


def duration_seconds(values: pd.Series) -> pd.Series:
    """'125秒', '2分5秒', '1小时2分3秒' → seconds (float); anything else stays as it is."""
    text = values.astype("string").str.strip()
    parts = text.str.extract(DURATION_RE)
    h, m, s = (pd.to_numeric(parts[i], errors="coerce") for i in range(3))
    matched = parts.notna().any(axis=1) & text.notna() & (text != "")
    secs = h.fillna(0) * 3600 + m.fillna(0) * 60 + s.fillna(0)
    return values.astype(object).where(~matched, secs.astype(float))


def group_questions(columns: list[str]) -> list[dict[str, Any]]:
    """Group question columns: one entry per question with its columns and options."""
    out: list[dict[str, Any]] = []
    by_number: dict[int, dict[str, Any]] = {}
    for col in columns:
        if col in METADATA:
            continue
        m = OPTION_RE.match(col)
        if m:
            num = int(m.group(1) or m.group(2))
            q = by_number.get(num)
            if q is None or q["kind"] != "multiselect":
                q = {"number": num, "text": m.group(3) or "", "kind": "multiselect", "columns": [], "options": []}
                by_number[num] = q
                out.append(q)
            if m.group(3) and not q["text"]:
                q["text"] = m.group(3)
            q["columns"].append(col)
            q["options"].append(m.group(4).strip())
            continue
        m2 = QUESTION_RE.match(col)
        qnum = int(m2.group(1)) if m2 else None
        q = {"number": qnum, "text": m2.group(2).strip() if m2 else col, "kind": "single", "columns": [col], "options": []}
        if qnum is not None:
            by_number[qnum] = q
        out.append(q)
    return out


def detect_wjx(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """If ``frame`` is a 问卷星 export, normalise it and describe it; otherwise return it unchanged."""
    cols = [str(c) for c in frame.columns]
    meta_cols = [c for c in cols if c in METADATA]
    if len(meta_cols) < 3:
        return frame, {}
    out = frame.copy()
    if "所用时间" in out.columns:
        out["所用时间"] = duration_seconds(out["所用时间"])
    questions = group_questions(cols)
    single_cols = [c for q in questions if q["kind"] == "single" for c in q["columns"]]
    joined = any(out[c].astype("string").str.contains(SEPARATOR, regex=False).fillna(False).any() for c in single_cols)
    numeric_share = 0.0
    if single_cols:
        cells = pd.concat([out[c].astype("string") for c in single_cols], ignore_index=True).dropna()
        if len(cells):
            numeric_share = float(pd.to_numeric(cells, errors="coerce").notna().mean())
    version = "text" if joined or numeric_share < 0.5 else "code"
    if version == "text":
        for q in questions:  # a text export's single column holding ┋ is a multi-select
            if q["kind"] == "single" and out[q["columns"][0]].astype("string").str.contains(SEPARATOR, regex=False).fillna(False).any():
                q["kind"] = "multiselect"
    return out, {"wjx": {"version": version, "metadata_columns": meta_cols, "questions": questions}}
