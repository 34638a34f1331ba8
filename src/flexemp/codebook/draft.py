"""Draft a codebook from a file: SPSS/Stata labels, or a 问卷星 export's headers.

The draft is a starting point to review, never a finished codebook: types are
guessed, and every guess that deserves a look is listed in
``codebook.meta["draft_notes"]``.

Rules
-----
- Names: the column name when it is an ASCII identifier; an ASCII name with
  other characters has them replaced by ``_`` (``Q1.a`` → ``Q1_a``); any other
  name becomes ``q1``, ``q2`` … by column position (问卷星 questions keep their
  number: ``q7``); ``source`` then holds the original name.  Clashes get ``_2``.
- SAV/DTA: the variable label becomes ``label_zh`` and ``question``; value
  labels become ``codes``: two codes → ``binary``; more → ``ordinal`` when the
  labels look ordered (非常/比较/一般/满意/同意/从不/经常 …, "5000元以下",
  "very", "agree" …), else ``nominal`` (flagged for review).  Labels such as
  不知道/拒答/不适用/缺失 become ``missing`` codes instead.  Observed values
  without a label (a scale labelled only at its ends) are added as codes
  labelled by their number.  Numbers without labels → ``continuous``
  (``count`` for whole numbers ≥ 0 with at most 20 distinct values); dates →
  ``date``; text → ``text``.  CSV/XLSX columns whose every cell is a number
  count as numbers.
- 问卷星: 序号 → ``id``; 提交答卷时间 → ``date``; 所用时间 → ``continuous``
  (unit 秒); 来源/来源详情 → ``text``; 来自IP → ``text`` with ``pii: quasi``;
  总分 → ``continuous``.  A multi-select → one ``multiselect`` with codes 1..K
  labelled by the option texts; its ``source`` lists the option columns
  (code version) or names one ``┋``-joined column (text version; options as
  far as they were chosen).  A matrix → one variable per row, ``q<N>_<k>``.
  Single choices: text version → codes 1..K from the distinct answers in order
  of first appearance; code version → codes 1..max labelled ``选项k``.  问卷星's
  −2/−3 and (跳过)/(空) are declared missing.
- Personal data: a column whose values look like mainland mobile or 18-digit
  ID-card numbers, or whose header says 姓名/手机/电话/身份证/微信/支付宝…,
  gets ``pii: direct`` (type ``text``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from flexemp.codebook.model import Code, Codebook, Variable
from flexemp.codebook.yaml_io import NAME_RE
from flexemp.ingest.pseudonymise import looks_like_identifier

if TYPE_CHECKING:
    from flexemp.io.readers import RawData

PII_HEADER = re.compile(
    r"姓名|名字|手机|电话|联系方式|身份证|证件号|支付宝|微信号|邮箱|住址|"
    r"(?:^|_)(?:name|full_?name|phone|mobile|tel|email|e_?mail|id_?card|address)(?:$|_)",
    re.IGNORECASE,
)
ORDERED_LABEL = re.compile(
    r"非常|十分|比较|较为|一般|满意|同意|从不|很少|偶尔|有时|经常|总是|很大|较大|较小|很小|"
    r"以下|以上|及以上|不到|不足|超过|\d+\s*[-~～至到]\s*\d+|^\s*\d+\s*[元岁年月天小时次个]|"
    r"\b(?:very|strongly|somewhat|agree|disagree|never|rarely|sometimes|often|always|low|high|less|more)\b",
    re.IGNORECASE,
)
MISSING_LABEL = re.compile(r"不知道|不清楚|说不清|拒答|拒绝回答|不适用|缺失|无回答|\b(?:missing|refused|don't know|n/?a)\b",
                           re.IGNORECASE)
RANGE_LABEL = re.compile(r"\d+\s*[-~～至到]\s*\d+|\d+\s*\S*(?:以下|以上)")
COUNT_MAX_DISTINCT = 20
CHOICE_MAX_CODE = 30
TEXT_MAX_ANSWERS = 30
WJX_FIXED: dict[str, tuple[str, str, str | None]] = {
    "序号": ("resp_id", "id", None),
    "提交答卷时间": ("submitted_at", "date", None),
    "所用时间": ("duration_sec", "continuous", None),
    "来源": ("source_channel", "text", None),
    "来源详情": ("source_detail", "text", None),
    "来自IP": ("ip", "text", "quasi"),
    "总分": ("total_score", "continuous", None),
}


# ------------------------------------------------------------------ helpers
def _name(col: str, position: int, used: set[str], number: int | None = None) -> str:
    if NAME_RE.match(col):
        base = col
    elif col.isascii() and re.search(r"[A-Za-z]", col):
        base = re.sub(r"[^A-Za-z0-9_]+", "_", col).strip("_") or f"q{position + 1}"
        base = base if NAME_RE.match(base) else f"v_{base}"
    else:
        base = f"q{number}" if number is not None else f"q{position + 1}"
    name, k = base, 2
    while name in used:
        name, k = f"{base}_{k}", k + 1
    used.add(name)
    return name


def _source(name: str, col: str) -> tuple[str, ...]:
    return () if name == col else (col,)


def _is_pii(col: str, values: pd.Series) -> bool:
    kind, _ = looks_like_identifier(values.dropna())
    return kind is not None or bool(PII_HEADER.search(col) and not pd.api.types.is_numeric_dtype(values))


def _is_date(values: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(values):
        return True
    present = values.dropna()
    return len(present) > 0 and pd.api.types.infer_dtype(present, skipna=True) in ("datetime", "date", "datetime64")


def _numbers_as_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns whose every non-empty cell is a number become float64 (CSV/XLSX)."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_numeric_dtype(s) or _is_date(s):
            continue
        text = s.astype("string").str.strip()
        present = text.notna() & (text != "")
        num = pd.to_numeric(text.where(present), errors="coerce")
        if bool(present.any()) and bool(num[present].notna().all()):
            out[col] = num.astype("float64")
    return out


def _unique_labels(pairs: list[tuple[float, str]]) -> tuple[Code, ...]:
    """Codes from (value, label); empty labels get the number, repeated labels get '(value)'."""
    seen: set[str] = set()
    codes = []
    for value, label in pairs:
        text = label.strip() or f"{value:g}"
        if text in seen:
            text = f"{text} ({value:g})"
        seen.add(text)
        codes.append(Code(float(value), text))
    return tuple(codes)


def _looks_ordered(labels: list[str]) -> bool:
    return sum(bool(ORDERED_LABEL.search(t)) for t in labels) * 2 >= len(labels)


def _numeric_variable(name: str, col: str, values: pd.Series, label: str, notes: list[str],
                      question: str | None = None, missing: tuple[float | str, ...] = ()) -> Variable:
    num = pd.to_numeric(values, errors="coerce").dropna()
    num = num[~num.isin([m for m in missing if not isinstance(m, str)])]
    whole = bool(len(num)) and bool(np.all(num == np.floor(num))) and float(num.min()) >= 0
    vtype = "count" if whole and num.nunique() <= COUNT_MAX_DISTINCT else "continuous"
    if vtype == "count":
        notes.append(f"{name}: whole numbers {num.min():g}–{num.max():g}, drafted as count; make it ordinal/nominal with codes "
                     "if it is coded")
    return Variable(name=name, type=cast(Any, vtype), label_zh=label, question=question, source=_source(name, col),
                    missing=missing)


def _text_variable(name: str, col: str, values: pd.Series, label: str, notes: list[str],
                   question: str | None = None) -> Variable:
    distinct = values.dropna().astype("string").str.strip().nunique()
    if 0 < distinct <= 10:
        notes.append(f"{name}: text with {distinct} distinct answers; if it is a choice question make it nominal "
                     "with codes labelled by the answers")
    return Variable(name=name, type="text", label_zh=label, question=question, source=_source(name, col))


# ------------------------------------------------------------------ SAV / DTA / plain files
def _labelled(name: str, col: str, s: pd.Series, labels: dict[Any, str], label: str, question: str | None,
              notes: list[str]) -> Variable:
    if not all(isinstance(k, int | float | np.integer | np.floating) for k in labels):
        notes.append(f"{name}: value labels on text values {sorted(map(str, labels))[:5]}; drafted as text — "
                     "recode to numbers to use them as codes")
        return Variable(name=name, type="text", label_zh=label, question=question, source=_source(name, col))
    lab = {float(k): str(v) for k, v in labels.items()}
    missing = tuple(sorted(v for v, t in lab.items() if MISSING_LABEL.search(t)))
    if missing:
        notes.append(f"{name}: codes {list(missing)} ({', '.join(lab[m] for m in missing)}) drafted as missing codes")
    seen = pd.to_numeric(s, errors="coerce").dropna().unique()
    extra = sorted(float(v) for v in seen if float(v) not in lab and float(v).is_integer())
    if extra:
        notes.append(f"{name}: values {extra} have no value label (e.g. a scale labelled only at its ends); "
                     "they were added as codes labelled by their number")
    lab.update({v: f"{v:g}" for v in extra})
    codes = _unique_labels(sorted((v, t) for v, t in lab.items() if v not in missing))
    named = [lab[c.value] for c in codes if c.value not in extra]
    if len(codes) == 2:
        vtype = "binary"
    elif len(codes) > 2 and _looks_ordered(named):
        vtype = "ordinal"
    else:
        vtype = "nominal"
    if vtype != "binary":
        ranges = any(RANGE_LABEL.search(t) for t in named)
        notes.append(f"{name}: {len(codes)} codes drafted as {vtype} (from the labels); check ordinal vs nominal"
                     + ("; labels with number ranges may be banded (add bands)" if ranges else ""))
    return Variable(name=name, type=cast(Any, vtype), label_zh=label, question=question, codes=codes,
                    source=_source(name, col), missing=cast(Any, missing))


def _from_labels(frame: pd.DataFrame, var_labels: dict[str, str], val_labels: dict[str, dict[Any, str]],
                 notes: list[str]) -> list[Variable]:
    out: list[Variable] = []
    used: set[str] = set()
    for i, col in enumerate(map(str, frame.columns)):
        name = _name(col, i, used)
        question = var_labels.get(col) or None
        label = question or col
        s = frame[col]
        if _is_pii(col, s):
            out.append(Variable(name=name, type="text", label_zh=label, question=question, pii="direct",
                                source=_source(name, col)))
            notes.append(f"{name} ({col}): looks like a direct identifier; marked pii: direct")
        elif val_labels.get(col):
            out.append(_labelled(name, col, s, val_labels[col], label, question, notes))
        elif _is_date(s):
            out.append(Variable(name=name, type="date", label_zh=label, question=question, source=_source(name, col)))
        elif pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            out.append(_numeric_variable(name, col, s, label, notes, question))
        else:
            out.append(_text_variable(name, col, s, label, notes, question))
    return out


# ------------------------------------------------------------------ 问卷星
def _short(text: str) -> str:
    return text.rstrip("：:？?。 ").strip() or text


def _wjx_choice(name: str, col: str, s: pd.Series, label: str, question: str, version: str,
                notes: list[str], pool: pd.Series | None = None) -> Variable:
    """A single-choice (or fill-in) 问卷星 column; codes come from ``pool`` (default: the column)."""
    from flexemp.io.wjx import SKIPPED, SKIPPED_TEXT, answer_texts, numeric_cells

    s = s if pool is None else pool
    num = numeric_cells(s)
    present = s.notna() & ~s.astype("string").str.strip().isin(SKIPPED_TEXT).fillna(False)
    share = float(num[present].notna().mean()) if bool(present.any()) else 0.0
    if version == "text" and share < 0.9:
        answers = answer_texts(s)
        if any("〖" in a for a in answers):
            notes.append(f"{name}: some answers carry fill-in text 〖…〗; such answers will not match a code at "
                         "ingest — keep the column as text or clean it first")
        if 0 < len(answers) <= TEXT_MAX_ANSWERS:
            notes.append(f"{name}: codes numbered in order of first appearance; reorder them (and make it ordinal) "
                         "if the options are ordered; add options nobody chose")
            return Variable(name=name, type="binary" if len(answers) == 2 else "nominal", label_zh=label,
                            question=question, codes=_unique_labels([(k + 1.0, a) for k, a in enumerate(answers)]),
                            source=(col,), missing=SKIPPED_TEXT)
        return _text_variable(name, col, s, label, notes, question)
    vals = num.dropna()
    vals = vals[~vals.isin(SKIPPED)]
    if share >= 0.9 and version == "code" and len(vals) and bool(np.all(vals == np.floor(vals))) \
            and float(vals.min()) >= 1 and float(vals.max()) <= CHOICE_MAX_CODE:
        top = int(vals.max())
        notes.append(f"{name}: code export without option texts; codes 1–{top} labelled 选项k — replace the labels "
                     "with the questionnaire's options (and add options above the largest answer given)")
        return Variable(name=name, type="binary" if top == 2 else "nominal", label_zh=label, question=question,
                        codes=tuple(Code(float(k), f"选项{k}") for k in range(1, top + 1)), source=(col,),
                        missing=SKIPPED)
    if share >= 0.9:
        return _numeric_variable(name, col, num, label, notes, question,
                                 missing=SKIPPED if version == "code" else SKIPPED_TEXT)
    return _text_variable(name, col, s, label, notes, question)


def _wjx_multiselect(name: str, q: dict[str, Any], frame: pd.DataFrame, label: str, notes: list[str]) -> Variable:
    from flexemp.io.wjx import SEPARATOR, SKIPPED, SKIPPED_TEXT, answer_texts

    if len(q["columns"]) > 1:
        return Variable(name=name, type="multiselect", label_zh=label, question=q["text"] or None,
                        codes=_unique_labels([(k + 1.0, o) for k, o in enumerate(q["options"])]),
                        source=tuple(q["columns"]), missing=SKIPPED)
    col = q["columns"][0]
    opts = answer_texts(frame[col], split=True)
    notes.append(f"{name}: options taken from the answers given, in order of first appearance; add any option "
                 "nobody chose")
    return Variable(name=name, type="multiselect", label_zh=label, question=q["text"] or None,
                    codes=_unique_labels([(k + 1.0, o) for k, o in enumerate(opts)]), source=(col,),
                    separator=SEPARATOR, missing=SKIPPED_TEXT)


def _from_wjx(frame: pd.DataFrame, wjx: dict[str, Any], notes: list[str]) -> list[Variable]:
    out: list[Variable] = []
    used: set[str] = set()
    positions = {c: i for i, c in enumerate(map(str, frame.columns))}
    for col in wjx["metadata_columns"]:
        name, vtype, pii = WJX_FIXED[col]
        used.add(name)
        out.append(Variable(name=name, type=cast(Any, vtype), label_zh=col, pii=cast(Any, pii), source=(col,),
                            unit="秒" if col == "所用时间" else None))
    version = wjx["version"]
    for q in wjx["questions"]:
        first = q["columns"][0]
        name = _name("", positions[first], used, q["number"])
        question = q["text"] or (f"第{q['number']}题" if q["number"] is not None else first)
        label = _short(question)
        if q["kind"] == "multiselect":
            out.append(_wjx_multiselect(name, q, frame, label, notes))
        elif q["kind"] == "matrix":
            pool = pd.concat([frame[c] for c in q["columns"]], ignore_index=True)
            for k, (col, row) in enumerate(zip(q["columns"], q["options"], strict=True), start=1):
                item = _name(f"{name}_{k}", 0, used)
                out.append(_wjx_choice(item, col, frame[col], f"{label}：{row}", f"{question}（{row}）", version,
                                       notes, pool=pool))
            notes.append(f"{name}: matrix question drafted as {len(q['columns'])} items {name}_1…; give them a "
                         "common scale: and the ordinal type if they are ratings")
        elif _is_pii(first, frame[first]):
            out.append(Variable(name=name, type="text", label_zh=label, question=question, pii="direct",
                                source=(first,)))
            notes.append(f"{name} ({first}): looks like a direct identifier; marked pii: direct")
        else:
            out.append(_wjx_choice(name, first, frame[first], label, question, version, notes))
    return out


# ------------------------------------------------------------------ entry point
def draft_codebook(path_or_rawdata: str | Path | RawData, *, dataset: str | None = None) -> Codebook:
    """Draft a codebook from a data file (see the module docstring for the rules).

    Parameters
    ----------
    path_or_rawdata : str, Path or RawData
        A .sav/.dta (labels), a 问卷星 export (.xlsx) or any supported file,
        or what :func:`flexemp.read_data` returned for it.
    dataset : str, optional
        The dataset name (default: the file's stem, made an identifier, or ``survey``).

    Returns
    -------
    Codebook
        With ``meta["draft_notes"]`` (what to review) and ``meta["drafted_from"]``
        (the file name).  ``parse_codebook(cb.to_dict())`` accepts it and
        :func:`flexemp.save_codebook` writes it.

    Raises
    ------
    ReadError
        When the file cannot be read.
    CodebookError
        When ``dataset`` is not an identifier.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "survey.csv"
    >>> pd.DataFrame({"age": [30, 41], "手机号": ["13812345678", "13987654321"]}).to_csv(p, index=False)
    >>> cb = draft_codebook(p)
    >>> [(v.name, v.type, v.pii) for v in cb]
    [('age', 'count', None), ('q2', 'text', 'direct')]
    """
    from flexemp.core.errors import CodebookError
    from flexemp.io.readers import RawData, read_data

    raw = path_or_rawdata if isinstance(path_or_rawdata, RawData) else read_data(path_or_rawdata)
    notes: list[str] = []
    wjx = raw.meta.get("wjx")
    if wjx:
        variables = _from_wjx(raw.frame, wjx, notes)
    else:
        frame = _numbers_as_numbers(raw.frame) if raw.format in ("csv", "xlsx") else raw.frame
        variables = _from_labels(frame, raw.variable_labels, raw.value_labels, notes)
    if dataset is not None and not NAME_RE.match(dataset):
        raise CodebookError(f"dataset={dataset!r} is not an ASCII identifier; use letters, digits and _ "
                            "(e.g. riders_2024)")
    stem = re.sub(r"[^A-Za-z0-9_]+", "_", Path(raw.path).stem).strip("_").lower()
    name = dataset or (stem if NAME_RE.match(stem) else (f"d_{stem}" if stem else "survey"))
    return Codebook(dataset=name, variables=tuple(variables), title_zh=Path(raw.path).stem,
                    meta={"draft_notes": notes, "drafted_from": Path(raw.path).name})
