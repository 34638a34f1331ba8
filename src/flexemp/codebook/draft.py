"""Draft a codebook from a file: SPSS/Stata labels, or a 问卷星 export's headers.

The draft is a starting point to review, never a finished codebook: types are
guessed, and every guess that deserves a look is listed in
``codebook.meta["draft_notes"]``.

Rules
-----
- Names: the column name when it is an ASCII identifier, else ``q1``, ``q2`` …
  (问卷星 question numbers are kept: ``q7``), with ``source`` = the original name.
- SAV/DTA: the variable label becomes ``label_zh`` and ``question``; value
  labels become ``codes`` (two codes → ``binary``, more → ``ordinal`` when the
  labels' codes are consecutive integers, else ``nominal``; flagged for review);
  numbers without labels → ``continuous`` (``count`` for small non-negative
  integers); text → ``text``.
- 问卷星: 序号 → ``id``; 提交答卷时间 → ``date``; 所用时间 → ``continuous``
  (seconds); 来源/来源详情 → ``text``; 来自IP → ``text`` with ``pii: quasi``;
  multi-select option groups → one ``multiselect`` (codes 1..K labelled by the
  option text; one column per option, or one ``┋``-joined column); single
  choices in the text version → codes from the distinct answers, in order of
  first appearance; in the code version → codes from the distinct numbers.
- Personal data: a column whose values look like mainland mobile or ID-card
  numbers, or whose header says 姓名/手机/电话/身份证/支付宝, gets ``pii: direct``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from flexemp.codebook.model import Code, Codebook, Variable
from flexemp.codebook.yaml_io import NAME_RE
from flexemp.ingest.pseudonymise import looks_like_identifier

PII_HEADER = re.compile(r"姓名|名字|手机|电话|联系方式|身份证|证件号|支付宝|微信号|邮箱|e-?mail|phone|name", re.IGNORECASE)


def _name(col: str, i: int, used: set[str], number: int | None = None) -> str:
    base = col if NAME_RE.match(col) else (f"q{number}" if number is not None else f"q{i + 1}")
    name, k = base, 2
    while name in used:
        name, k = f"{base}_{k}", k + 1
    used.add(name)
    return name


def _pii(col: str, values: pd.Series) -> str | None:
    kind, _ = looks_like_identifier(values.dropna())
    if kind is not None or (PII_HEADER.search(col) and not pd.api.types.is_numeric_dtype(values)):
        return "direct"
    return None


def _numeric_variable(name: str, col: str, values: pd.Series, label: str, notes: list[str]) -> Variable:
    num = pd.to_numeric(values, errors="coerce").dropna()
    src = () if name == col else (col,)
    if len(num) and np.all(num == np.floor(num)) and num.min() >= 0 and num.nunique() <= 20:
        notes.append(f"{name}: whole numbers 0–{num.max():g}, drafted as count; make it ordinal/nominal with codes if it is coded")
        return Variable(name=name, type="count", label_zh=label, source=src)
    return Variable(name=name, type="continuous", label_zh=label, source=src)


def _from_labels(frame: pd.DataFrame, var_labels: dict[str, str], val_labels: dict[str, dict[Any, str]],
                 notes: list[str]) -> list[Variable]:
    out: list[Variable] = []
    used: set[str] = set()
    for i, col in enumerate(map(str, frame.columns)):
        name = _name(col, i, used)
        label = var_labels.get(col) or col
        src = () if name == col else (col,)
        s = frame[col]
        pii = _pii(col, s)
        if pii:
            out.append(Variable(name=name, type="text", label_zh=label, question=var_labels.get(col), pii="direct", source=src))
            notes.append(f"{name}: looks like a direct identifier; marked pii: direct")
            continue
        labels = val_labels.get(col)
        if labels:
            lab = {float(k): str(v) for k, v in labels.items()}
            seen = pd.to_numeric(s, errors="coerce").dropna().unique()
            extra = sorted(float(v) for v in seen if float(v) not in lab and float(v).is_integer())
            if extra:
                notes.append(f"{name}: values {extra} have no value label (e.g. a scale labelled only at its ends); "
                             "they were added as codes labelled by their number")
            lab.update({v: f"{v:g}" for v in extra})
            codes = tuple(Code(v, t) for v, t in sorted(lab.items()))
            vals = [c.value for c in codes]
            consecutive = all(float(v).is_integer() for v in vals) and bool(np.all(np.diff(vals) == 1))
            vtype = "binary" if len(codes) == 2 else ("ordinal" if consecutive else "nominal")
            if vtype != "binary":
                notes.append(f"{name}: {len(codes)} codes drafted as {vtype}; check ordinal vs nominal")
            out.append(Variable(name=name, type=cast(Any, vtype), label_zh=label, question=var_labels.get(col), codes=codes,
                                source=src))
        elif pd.api.types.is_numeric_dtype(s):
            out.append(_numeric_variable(name, col, s, label, notes))
        else:
            out.append(Variable(name=name, type="text", label_zh=label, question=var_labels.get(col), source=src))
    return out


def _from_wjx(frame: pd.DataFrame, wjx: dict[str, Any], notes: list[str]) -> list[Variable]:
    out: list[Variable] = []
    used: set[str] = set()
    fixed = {"序号": ("resp_id", "id", None), "提交答卷时间": ("submitted_at", "date", None),
             "所用时间": ("duration_sec", "continuous", None), "来源": ("source_channel", "text", None),
             "来源详情": ("source_detail", "text", None), "来自IP": ("ip", "text", "quasi"), "总分": ("total_score", "continuous", None)}
    for col in wjx["metadata_columns"]:
        name, vtype, pii = fixed[col]
        used.add(name)
        out.append(Variable(name=name, type=vtype, label_zh=col, pii=pii, source=(col,),  # type: ignore[arg-type]
                            unit="秒" if col == "所用时间" else None))
    version = wjx["version"]
    for i, q in enumerate(wjx["questions"]):
        name = _name("", i, used, q["number"])
        label = q["text"] or q["columns"][0]
        if q["kind"] == "multiselect":
            if len(q["columns"]) > 1:
                codes = tuple(Code(float(k + 1), opt) for k, opt in enumerate(q["options"]))
                out.append(Variable(name=name, type="multiselect", label_zh=label, question=q["text"], codes=codes,
                                    source=tuple(q["columns"]), missing=(-2.0, -3.0)))
            else:
                col = q["columns"][0]
                parts = frame[col].dropna().astype(str).str.split("┋").explode().str.strip()
                opts = list(dict.fromkeys(p for p in parts if p))
                codes = tuple(Code(float(k + 1), o) for k, o in enumerate(opts))
                out.append(Variable(name=name, type="multiselect", label_zh=label, question=q["text"], codes=codes,
                                    source=(col,), separator="┋"))
                notes.append(f"{name}: options taken from the answers given; add any option nobody chose")
            continue
        col = q["columns"][0]
        s = frame[col]
        pii = _pii(col, s)
        if pii:
            out.append(Variable(name=name, type="text", label_zh=label, question=q["text"], pii="direct", source=(col,)))
            notes.append(f"{name} ({col}): looks like a direct identifier; marked pii: direct")
            continue
        num = pd.to_numeric(s, errors="coerce")
        if version == "text" and num.notna().mean() < 0.5:
            answers = list(dict.fromkeys(s.dropna().astype(str).str.strip()))
            if 0 < len(answers) <= 30:
                codes = tuple(Code(float(k + 1), a) for k, a in enumerate(answers))
                out.append(Variable(name=name, type="nominal", label_zh=label, question=q["text"], codes=codes,
                                    source=(col,), missing=("(跳过)", "(空)")))
                notes.append(f"{name}: codes numbered in order of first appearance; reorder them (and make it ordinal) if the options are ordered")
            else:
                out.append(Variable(name=name, type="text", label_zh=label, question=q["text"], source=(col,)))
            continue
        vals = np.unique(num.dropna())
        vals = vals[~np.isin(vals, [-2.0, -3.0])]
        if len(vals) and np.all(vals == np.floor(vals)) and len(vals) <= 15 and num.notna().mean() >= 0.5:
            codes = tuple(Code(float(v), f"选项{v:g}") for v in vals)
            vtype = "binary" if len(codes) == 2 else "nominal"
            out.append(Variable(name=name, type=cast(Any, vtype), label_zh=label, question=q["text"], codes=codes, source=(col,),
                                missing=(-2.0, -3.0)))
            notes.append(f"{name}: code export without option texts; replace the labels 选项N with the questionnaire's options")
        elif num.notna().mean() >= 0.5:
            out.append(Variable(name=name, type="continuous", label_zh=label, question=q["text"], source=(col,),
                                missing=(-2.0, -3.0)))
        else:
            out.append(Variable(name=name, type="text", label_zh=label, question=q["text"], source=(col,)))
    return out


def draft_codebook(source: Any, *, dataset: str | None = None) -> Codebook:
    """Draft a codebook from a data file (see the module docstring for the rules).

    Parameters
    ----------
    source : path or RawData
        A .sav/.dta (labels), a 问卷星 export (.xlsx/.csv) or any supported file.
    dataset : str, optional
        The dataset name (default: the file's stem, made an identifier).

    Returns
    -------
    Codebook
        With ``meta["draft_notes"]`` listing what to review.

    Raises
    ------
    ReadError
        When the file cannot be read.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "survey.csv"
    >>> pd.DataFrame({"age": [30, 41], "手机号": ["13812345678", "13987654321"]}).to_csv(p, index=False)
    >>> cb = draft_codebook(p)
    >>> [(v.name, v.type, v.pii) for v in cb]
    [('age', 'count', None), ('q2', 'text', 'direct')]
    """
    from flexemp.io.analysis import read_analysis_data
    from flexemp.io.readers import RawData, read_data

    raw = source if isinstance(source, RawData) else read_data(source)
    notes: list[str] = []
    wjx = raw.meta.get("wjx")
    if wjx:
        variables = _from_wjx(raw.frame, wjx, notes)
    else:
        frame = raw.frame if raw.format != "csv" else read_analysis_data(raw.path)
        variables = _from_labels(frame, raw.variable_labels, raw.value_labels, notes)
    stem = re.sub(r"\W+", "_", Path(raw.path).stem).strip("_").lower() or "survey"
    name = dataset or (stem if NAME_RE.match(stem) else f"d_{stem}")
    if not NAME_RE.match(name):
        name = "survey"
    return Codebook(dataset=name, variables=tuple(variables), title_zh=Path(raw.path).stem,
                    meta={"draft_notes": notes, "drafted_from": Path(raw.path).name})
