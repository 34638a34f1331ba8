"""Load and save codebooks in YAML, with schema checks and line-numbered errors.

The YAML form::

    dataset: riders_shanghai          # identifier of the dataset
    title_zh: 上海外卖骑手职业伤害保险调查
    title_en: Shanghai delivery riders and occupational-injury insurance
    variables:
      - name: income                  # ASCII identifier used in formulas
        label_zh: 月收入
        label_en: Monthly income
        question: 您的月收入是？
        type: banded                  # binary ordinal nominal count continuous banded
                                      # multiselect text id date weight
        codes: {1: 5000元以下, 2: {zh: 5000-7500元, en: 5,000-7,500}}
        bands:                        # banded only: [lower, upper) and midpoint
          1: {lower: 0, upper: 5000, midpoint: 2500}
          2: {lower: 5000, upper: 7500}        # midpoint defaults to the centre
        missing: [-2, -3, 99]         # codes meaning "no answer"
        range: [0, 100]               # valid range (numeric types)
        reverse: false                # reverse-keyed item of a scale
        scale: satisfaction           # scale it belongs to
        pii: none                     # direct | quasi | none
        source: 第5题                 # raw column; a multiselect lists one
                                      # column per option, or names one column
                                      # with a separator (问卷星 text export)
        required: true                # a missing value is an error

Every problem is reported with the variable, the field and the line.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
from pathlib import Path
from typing import Any, cast

import yaml

from flexemp.codebook.model import CODED_TYPES, NUMERIC_TYPES, Band, Code, Codebook, Variable
from flexemp.core.errors import CodebookError
from flexemp.core.options import PII_LEVELS, VARIABLE_TYPES, VariableType
from flexemp.core.yaml_lines import line_suffix, load_with_lines

TOP_KEYS = ("dataset", "title_zh", "title_en", "description", "meta", "variables")
VARIABLE_KEYS = (
    "name",
    "label_zh",
    "label_en",
    "question",
    "type",
    "codes",
    "range",
    "missing",
    "bands",
    "reverse",
    "scale",
    "pii",
    "source",
    "separator",
    "required",
    "unit",
)
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DEFAULT_SEPARATOR = "┋"


def _line(obj: Any) -> str:
    return line_suffix(obj)


def _num(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, int | float):
        return None
    f = float(x)
    return f if math.isfinite(f) else None


def _code_key(key: Any) -> float | None:
    """Codes are numbers; YAML may give them as int, float or numeric string."""
    n = _num(key)
    if n is not None:
        return n
    if isinstance(key, str):
        try:
            return float(key.strip())
        except ValueError:
            return None
    return None


def parse_codebook(data: Any, origin: str = "<codebook>") -> Codebook:
    """Build a :class:`Codebook` from already-parsed YAML data, checking the schema.

    Parameters
    ----------
    data : Any
        The parsed YAML document (a mapping).
    origin : str
        Where the data came from, for messages.

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        Listing every problem with variable, field and line.
    """
    problems: list[str] = []
    if not isinstance(data, dict):
        raise CodebookError(f"{origin}: a codebook must be a mapping with 'dataset' and 'variables'")
    for key in data:
        if key not in TOP_KEYS:
            problems.append(f"top level: unknown key {key!r}{_suggest(key, TOP_KEYS)}")
    dataset = data.get("dataset")
    if not isinstance(dataset, str) or not NAME_RE.match(dataset):
        problems.append("top level: 'dataset' must be an identifier such as platform_workers")
        dataset = "unnamed"
    raw_vars = data.get("variables")
    if not isinstance(raw_vars, list) or not raw_vars:
        problems.append("top level: 'variables' must be a non-empty list")
        raw_vars = []
    variables: list[Variable] = []
    seen: dict[str, int] = {}
    for i, rv in enumerate(raw_vars):
        raw_name = rv.get("name") if isinstance(rv, dict) else None
        if isinstance(raw_name, str) and raw_name in seen:
            problems.append(f"variables[{i}] ({raw_name}){_line(rv)}: field 'name': duplicate of variables[{seen[raw_name]}]")
            continue
        if isinstance(raw_name, str):
            seen[raw_name] = i
        var = _parse_variable(rv, i, problems)
        if var is not None:
            variables.append(var)
    ids = [v.name for v in variables if v.type == "id"]
    if len(ids) > 1:
        problems.append(f"top level: at most one variable may have type 'id' (found {', '.join(ids)})")
    stored: dict[str, str] = {}
    for v in variables:
        for col in v.stored_columns():
            if col in stored and stored[col] != v.name:
                problems.append(f"variable {v.name}: stored column {col!r} clashes with variable {stored[col]}")
            stored[col] = v.name
    if problems:
        raise CodebookError(f"{origin}: {len(problems)} problem(s) in the codebook", problems)
    meta = data.get("meta") or {}
    return Codebook(
        dataset=dataset,
        variables=tuple(variables),
        title_zh=data.get("title_zh"),
        title_en=data.get("title_en"),
        description=data.get("description"),
        meta=dict(meta) if isinstance(meta, dict) else {},
    )


def _suggest(key: Any, keys: tuple[str, ...]) -> str:
    import difflib

    near = difflib.get_close_matches(str(key), keys, n=1)
    return f" (did you mean {near[0]!r}?)" if near else ""


def _parse_variable(rv: Any, i: int, problems: list[str]) -> Variable | None:
    if not isinstance(rv, dict):
        problems.append(f"variables[{i}]: each variable must be a mapping with name, type and label_zh")
        return None
    name = rv.get("name")
    where = f"variables[{i}] ({name}){_line(rv)}"
    n_before = len(problems)

    def bad(field: str, msg: str) -> None:
        problems.append(f"{where}: field {field!r}: {msg}")

    for key in rv:
        if key not in VARIABLE_KEYS:
            bad(str(key), f"unknown field{_suggest(key, VARIABLE_KEYS)}")
    if not isinstance(name, str) or not NAME_RE.match(name):
        bad("name", "must be an ASCII identifier (letters, digits, underscore; not starting with a digit)")
        name = f"_var{i}"
    vtype = rv.get("type")
    if vtype not in VARIABLE_TYPES:
        bad("type", f"must be one of {', '.join(VARIABLE_TYPES)}{_suggest(vtype, VARIABLE_TYPES)}")
        vtype = "text"
    label_zh = rv.get("label_zh")
    if not isinstance(label_zh, str) or not label_zh.strip():
        bad("label_zh", "is required (the Chinese label printed in tables)")
        label_zh = name
    label_en = rv.get("label_en")
    if label_en is not None and not isinstance(label_en, str):
        bad("label_en", "must be text")
        label_en = None
    question = rv.get("question")
    if question is not None and not isinstance(question, str):
        bad("question", "must be text")
        question = None

    # codes
    codes: list[Code] = []
    raw_codes = rv.get("codes")
    if raw_codes is not None:
        if not isinstance(raw_codes, dict) or not raw_codes:
            bad("codes", "must be a mapping code → label (or → {zh: …, en: …})")
        else:
            for k, lab in raw_codes.items():
                val = _code_key(k)
                if val is None:
                    bad("codes", f"code {k!r} is not a number")
                    continue
                if isinstance(lab, str):
                    codes.append(Code(val, lab))
                elif isinstance(lab, dict) and isinstance(lab.get("zh"), str):
                    extra = set(lab) - {"zh", "en"}
                    if extra:
                        bad("codes", f"code {k!r}: unknown label keys {sorted(extra)} (use zh, en)")
                    en = lab.get("en")
                    codes.append(Code(val, lab["zh"], en if isinstance(en, str) else None))
                else:
                    bad("codes", f"code {k!r}: label must be text or {{zh: …, en: …}}")
    if vtype in CODED_TYPES or vtype == "multiselect":
        if raw_codes is None:
            bad("codes", f"is required for type {vtype}")
    elif raw_codes is not None and vtype in ("text", "id", "date", "weight", "continuous"):
        bad("codes", f"type {vtype} takes no codes (use ordinal, nominal or banded)")
    if vtype == "binary" and raw_codes is not None and len(codes) != 2:
        bad("codes", f"a binary variable has exactly two codes (found {len(codes)})")
    labels_seen: dict[str, float] = {}
    for c in codes:
        for lab in (c.label_zh, c.label_en):
            if lab is None:
                continue
            key = lab.strip()
            if key in labels_seen and labels_seen[key] != c.value:
                bad("codes", f"label {lab!r} is used for two codes")
            labels_seen[key] = c.value

    # range
    valid_range: tuple[float | None, float | None] | None = None
    rr = rv.get("range")
    if rr is not None:
        if vtype not in NUMERIC_TYPES:
            bad("range", f"type {vtype} takes no range")
        elif not isinstance(rr, list) or len(rr) != 2 or any(x is not None and _num(x) is None for x in rr):
            bad("range", "must be [min, max] (numbers, or null for open)")
        else:
            lo, hi = (_num(x) if x is not None else None for x in rr)
            if lo is not None and hi is not None and lo > hi:
                bad("range", f"min {lo} is above max {hi}")
            valid_range = (lo, hi)

    # missing
    missing: list[float | str] = []
    rm = rv.get("missing")
    if rm is not None:
        if not isinstance(rm, list):
            bad("missing", "must be a list of codes, e.g. [-2, -3, 99]")
        else:
            for m in rm:
                if _num(m) is not None:
                    missing.append(float(m))
                elif isinstance(m, str):
                    missing.append(m)
                else:
                    bad("missing", f"{m!r} is neither a number nor text")
    clash = {float(m) for m in missing if not isinstance(m, str)} & {c.value for c in codes}
    if clash:
        bad("missing", f"codes {sorted(clash)} are both valid codes and missing codes")

    # bands
    bands: list[Band] = []
    rb = rv.get("bands")
    if rb is not None and vtype != "banded":
        bad("bands", f"only banded variables take bands (type is {vtype})")
    elif vtype == "banded":
        if not isinstance(rb, dict):
            bad("bands", "a banded variable needs bands: code → {lower, upper, midpoint}")
        else:
            code_vals = {c.value for c in codes}
            for k, b in rb.items():
                val = _code_key(k)
                if val is None or val not in code_vals:
                    bad("bands", f"band {k!r} is not one of the codes")
                    continue
                if not isinstance(b, dict) or set(b) - {"lower", "upper", "midpoint"}:
                    bad("bands", f"band {k!r} must be {{lower, upper, midpoint}}")
                    continue
                lo, hi, mid = (b.get(x) for x in ("lower", "upper", "midpoint"))
                if any(x is not None and _num(x) is None for x in (lo, hi, mid)):
                    bad("bands", f"band {k!r}: bounds and midpoint must be numbers")
                    continue
                if lo is None and hi is None:
                    bad("bands", f"band {k!r} has no bounds; give lower and/or upper")
                    continue
                if lo is not None and hi is not None and float(lo) >= float(hi):
                    bad("bands", f"band {k!r}: lower {lo} is not below upper {hi}")
                    continue
                if mid is None:
                    if lo is None or hi is None:
                        bad("bands", f"band {k!r} is open-ended; give its midpoint explicitly")
                        continue
                    mid = (float(lo) + float(hi)) / 2
                if (lo is not None and float(mid) < float(lo)) or (hi is not None and float(mid) > float(hi)):
                    bad("bands", f"band {k!r}: midpoint {mid} lies outside [{lo}, {hi})")
                    continue
                bands.append(
                    Band(val, None if lo is None else float(lo), None if hi is None else float(hi), float(mid))
                )
            missing_bands = sorted(code_vals - {b.code for b in bands} - {_code_key(k) for k in rb})
            for mb in missing_bands:
                bad("bands", f"code {mb:g} has no band")
            order = sorted((b for b in bands if b.lower is not None), key=lambda b: b.code)
            for a, b2 in itertools.pairwise(order):
                if a.upper is not None and b2.lower is not None and a.upper > b2.lower:
                    bad("bands", f"bands {a.code:g} and {b2.code:g} overlap")

    reverse = rv.get("reverse", False)
    if not isinstance(reverse, bool):
        bad("reverse", "must be true or false")
        reverse = False
    if reverse and vtype not in ("ordinal", "binary", "continuous", "count"):
        bad("reverse", f"only ordinal scale items can be reverse-keyed (type is {vtype})")
    if reverse and vtype in ("ordinal", "binary") and not codes:
        bad("reverse", "a reverse-keyed item needs its codes")
    scale = rv.get("scale")
    if scale is not None and (not isinstance(scale, str) or not NAME_RE.match(scale)):
        bad("scale", "must be an identifier naming the scale")
        scale = None
    pii = rv.get("pii")
    if pii is not None and pii not in PII_LEVELS:
        bad("pii", f"must be one of {', '.join(PII_LEVELS)}")
        pii = None
    required = rv.get("required", False)
    if not isinstance(required, bool):
        bad("required", "must be true or false")
        required = False
    unit = rv.get("unit")
    if unit is not None and not isinstance(unit, str):
        bad("unit", "must be text")
        unit = None

    # source / separator
    src = rv.get("source")
    source: tuple[str, ...] = ()
    if src is None:
        source = ()
    elif isinstance(src, str) and src.strip():
        source = (src,)
    elif isinstance(src, list) and src and all(isinstance(s, str) and s.strip() for s in src):
        source = tuple(src)
    else:
        bad("source", "must be a raw column name or a list of them")
    separator = rv.get("separator")
    if separator is not None and (vtype != "multiselect" or not isinstance(separator, str) or not separator):
        bad("separator", "only multiselect variables take a separator (non-empty text)")
        separator = None
    if vtype == "multiselect":
        if len(source) > 1 and len(source) != len(codes):
            bad("source", f"a multiselect lists one column per option: {len(codes)} options, {len(source)} columns")
        if len(source) > 1 and separator:
            bad("separator", "a multiselect read from one column per option takes no separator")
        if len(source) <= 1 and separator is None:
            separator = DEFAULT_SEPARATOR
    elif len(source) > 1:
        bad("source", "only multiselect variables read several raw columns")

    if len(problems) > n_before:
        return None
    return Variable(
        name=name,
        type=cast(VariableType, vtype),
        label_zh=label_zh,
        label_en=label_en,
        question=question,
        codes=tuple(codes),
        valid_range=valid_range,
        missing=tuple(missing),
        bands=tuple(sorted(bands, key=lambda b: b.code)),
        reverse=reverse,
        scale=scale,
        pii=pii,
        source=source,
        separator=separator,
        required=required,
        unit=unit,
    )


def load_codebook(source: str | Path) -> Codebook:
    """Load a codebook from a YAML file (or a YAML string containing a newline).

    Parameters
    ----------
    source : str or Path
        Path of the YAML file, or the YAML text itself.

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        When the file cannot be parsed or breaks the schema; every problem is
        listed with its variable, field and line.

    Examples
    --------
    >>> from flexemp.synth import get_dataset
    >>> cb = get_dataset("riders_shanghai").codebook()
    >>> cb.dataset
    'riders_shanghai'
    """
    if isinstance(source, Path) or "\n" not in str(source):
        path = Path(source)
        if not path.exists():
            raise CodebookError(f"codebook file {str(path)!r} does not exist")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CodebookError(f"{path}: codebook files must be UTF-8 ({exc.reason} at byte {exc.start})") from exc
        origin = str(path)
    else:
        text, origin = str(source), "<codebook>"
    try:
        data = load_with_lines(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise CodebookError(f"{origin}: not valid YAML{where}: {getattr(exc, 'problem', exc)}") from exc
    return parse_codebook(data, origin)


def dump_codebook(codebook: Codebook) -> str:
    """Return the codebook as YAML text (UTF-8, Chinese kept readable)."""
    return yaml.safe_dump(codebook.to_dict(), allow_unicode=True, sort_keys=False, width=100)


def save_codebook(codebook: Codebook, path: str | Path) -> Path:
    """Write the codebook to ``path`` as YAML and return the path."""
    p = Path(path)
    p.write_text(dump_codebook(codebook), encoding="utf-8")
    return p


def codebook_sha256(codebook: Codebook) -> str:
    """A stable SHA-256 of the codebook's content (canonical JSON of its YAML form)."""
    text = json.dumps(codebook.to_dict(), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
