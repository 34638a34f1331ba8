"""Declarative screening rules, read from YAML and checked against a codebook.

Format
------
::

    rules:
      - name: 16岁及以上                 # shown in the sample flow (required, unique)
        description: 法定劳动年龄下限    # optional, free text
        keep: "age >= 16"                # keep rows where the condition is true
      - name: 农村户籍
        keep: "hukou == '农业户口'"       # a label is mapped to its code via the codebook
      - name: 平台劳动者
        drop: "job_type in [3, 4] or self_employed == 1"   # drop rows where it is true
      - name: 关键变量无缺失
        complete: [life_sat, contract, training]           # drop rows with any missing
      - name: 答题时间过短
        speeders: {duration: duration_sec, min_seconds: 60}
      - name: 直线作答
        straightlining: {items: [s1, s2, s3, s4, s5], min_items: 5}
      - name: 重复受访者
        duplicates: {columns: [phone]}

The document may also be the bare list of rules.  Each rule has a ``name``,
an optional ``description`` and exactly one of the six kinds:

``keep: EXPR``
    Keep the rows where the condition is true.  Rows where it is false **or
    unknown** (a missing value decides it) are excluded.
``drop: EXPR``
    Exclude the rows where the condition is true.  Rows where it is unknown
    are **not** excluded.  Write ``drop: "isna(x) or x > 3"`` to also drop
    the missing ones.
``complete: [var, ...]``
    Exclude rows where any of the variables is missing.  For a multiselect
    variable, "missing" means all of its option columns are missing.
``speeders: {duration: VAR, min_seconds: S}``
    Exclude rows whose ``VAR`` (a count or continuous variable, seconds) is
    below ``S``.  A missing duration is not excluded.
``straightlining: {items: [var, ...], min_items: K}``
    Exclude rows that answered at least ``K`` of the items (default: all of
    them, at least 2) and gave the same answer to every item answered.
``duplicates: {columns: [var, ...]}``
    Among the rows still in the sample, exclude every row whose values in
    ``columns`` repeat those of an earlier row (by ``_row``); the first
    occurrence is kept.  Rows with a missing value in any of the columns
    are never treated as duplicates.

Expressions (see :mod:`flexemp.screening.expr`) use codebook variable names,
or the stored option columns ``{name}_{code}`` of a multiselect variable.  A
text constant compared with a coded variable is replaced by the code whose
Chinese or English label it is.  Every problem (unknown key or variable,
two kinds in one rule, a bad expression, an unknown label, a duplicate name)
is reported up front by :func:`load_rules`, naming the rule by index and name
and suggesting the nearest valid name.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml

from flexemp.codebook.model import NUMERIC_TYPES, Codebook, Variable
from flexemp.core.errors import ScreeningError
from flexemp.core.yaml_lines import line_suffix, load_with_lines
from flexemp.screening.expr import Expression, ValueKind, evaluate, parse_expression

RuleKind = Literal["keep", "drop", "complete", "speeders", "straightlining", "duplicates"]
RULE_KINDS: tuple[str, ...] = ("keep", "drop", "complete", "speeders", "straightlining", "duplicates")
RULE_KEYS: tuple[str, ...] = ("name", "description", *RULE_KINDS)
TOP_KEYS: tuple[str, ...] = ("rules", "description")
_PARAM_KEYS: dict[str, tuple[str, ...]] = {
    "speeders": ("duration", "min_seconds"),
    "straightlining": ("items", "min_items"),
    "duplicates": ("columns",),
}


# --------------------------------------------------------------------------- rules
@dataclass(frozen=True)
class ExpressionRule:
    """A ``keep`` or ``drop`` rule: a condition evaluated per row."""

    name: str
    kind: Literal["keep", "drop"]
    expression: Expression
    description: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        """The data columns the rule reads."""
        return self.expression.columns

    def evaluate(self, data: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(excluded, undecided)`` boolean arrays for the rows of ``data``."""
        truth = evaluate(self.expression, data)
        if self.kind == "keep":
            return ~truth.true, truth.unknown
        return truth.true, truth.unknown

    def to_dict(self) -> dict[str, Any]:
        """The rule in its YAML form."""
        return _with_description({"name": self.name, self.kind: self.expression.text}, self.description)


@dataclass(frozen=True)
class CompleteRule:
    """Exclude rows with a missing value in any of ``variables``."""

    name: str
    variables: tuple[str, ...]
    groups: tuple[tuple[str, ...], ...]
    description: str | None = None
    kind: Literal["complete"] = field(default="complete", init=False)

    @property
    def columns(self) -> tuple[str, ...]:
        """The data columns the rule reads."""
        return tuple(c for g in self.groups for c in g)

    def evaluate(self, data: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(excluded, undecided)`` for the rows of ``data``."""
        excluded = np.zeros(len(data), dtype=bool)
        for group in self.groups:
            excluded |= data[list(group)].isna().to_numpy().all(axis=1)
        return excluded, np.zeros(len(data), dtype=bool)

    def to_dict(self) -> dict[str, Any]:
        """The rule in its YAML form."""
        return _with_description({"name": self.name, "complete": list(self.variables)}, self.description)


@dataclass(frozen=True)
class SpeedersRule:
    """Exclude rows whose duration is below ``min_seconds`` (missing: not excluded)."""

    name: str
    duration: str
    min_seconds: float
    description: str | None = None
    kind: Literal["speeders"] = field(default="speeders", init=False)

    @property
    def columns(self) -> tuple[str, ...]:
        """The data columns the rule reads."""
        return (self.duration,)

    def evaluate(self, data: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(excluded, undecided)`` for the rows of ``data``."""
        d = _numeric(data, self.duration, self.name)
        miss = np.isnan(d)
        return (d < self.min_seconds) & ~miss, miss

    def to_dict(self) -> dict[str, Any]:
        """The rule in its YAML form."""
        params = {"duration": self.duration, "min_seconds": _plain(self.min_seconds)}
        return _with_description({"name": self.name, "speeders": params}, self.description)


@dataclass(frozen=True)
class StraightliningRule:
    """Exclude rows giving one identical answer to at least ``min_items`` answered items."""

    name: str
    items: tuple[str, ...]
    min_items: int
    description: str | None = None
    kind: Literal["straightlining"] = field(default="straightlining", init=False)

    @property
    def columns(self) -> tuple[str, ...]:
        """The data columns the rule reads."""
        return self.items

    def evaluate(self, data: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(excluded, undecided)`` for the rows of ``data``."""
        arr = np.column_stack([_numeric(data, c, self.name) for c in self.items]) if len(data) else np.empty((0, len(self.items)))
        miss = np.isnan(arr)
        answered = (~miss).sum(axis=1)
        low = np.where(miss, np.inf, arr).min(axis=1, initial=np.inf)
        high = np.where(miss, -np.inf, arr).max(axis=1, initial=-np.inf)
        excluded = (answered >= self.min_items) & (low == high)
        return excluded, answered < self.min_items

    def to_dict(self) -> dict[str, Any]:
        """The rule in its YAML form."""
        params = {"items": list(self.items), "min_items": self.min_items}
        return _with_description({"name": self.name, "straightlining": params}, self.description)


@dataclass(frozen=True)
class DuplicatesRule:
    """Exclude later repeats (by ``_row``) of the values in ``variables``."""

    name: str
    variables: tuple[str, ...]
    stored: tuple[str, ...]
    description: str | None = None
    kind: Literal["duplicates"] = field(default="duplicates", init=False)

    @property
    def columns(self) -> tuple[str, ...]:
        """The data columns the rule reads (``_row`` orders the rows)."""
        return ("_row", *self.stored)

    def evaluate(self, data: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(excluded, undecided)`` for the rows of ``data``."""
        keys = data[list(self.stored)].reset_index(drop=True)
        incomplete: np.ndarray = np.asarray(keys.isna().to_numpy().any(axis=1), dtype=bool)
        excluded = np.zeros(len(data), dtype=bool)
        pos = np.flatnonzero(~incomplete)
        if len(pos):
            order = pos[np.argsort(data["_row"].to_numpy()[pos], kind="stable")]
            excluded[order] = keys.iloc[order].duplicated(keep="first").to_numpy(dtype=bool)
        return excluded, incomplete

    def to_dict(self) -> dict[str, Any]:
        """The rule in its YAML form."""
        return _with_description({"name": self.name, "duplicates": {"columns": list(self.variables)}}, self.description)


Rule = ExpressionRule | CompleteRule | SpeedersRule | StraightliningRule | DuplicatesRule


@dataclass(frozen=True)
class RuleSet:
    """An ordered, checked set of screening rules (build it with :func:`load_rules`)."""

    rules: tuple[Rule, ...]
    description: str | None = None

    def __len__(self) -> int:
        return len(self.rules)

    @property
    def names(self) -> tuple[str, ...]:
        """The rule names, in order."""
        return tuple(r.name for r in self.rules)

    def to_dict(self) -> dict[str, Any]:
        """The rule set in its YAML form (accepted back by :func:`load_rules`)."""
        out: dict[str, Any] = {"rules": [r.to_dict() for r in self.rules]}
        if self.description:
            out["description"] = self.description
        return out

    @property
    def sha256(self) -> str:
        """A stable hash of :meth:`to_dict` (canonical JSON)."""
        text = json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- loading
def load_rules(source: str | Path | list[Any] | dict[str, Any], codebook: Codebook) -> RuleSet:
    """Read screening rules and check every one against the codebook.

    Parameters
    ----------
    source : str, Path, list or dict
        A YAML file path, YAML text, or the parsed document (a mapping with
        ``rules`` or the bare list of rules).  See the module docstring.
    codebook : Codebook
        Variables, types and code labels the rules are checked against.

    Returns
    -------
    RuleSet

    Raises
    ------
    ScreeningError
        Listing every problem, each naming the rule (index and name), the key
        or variable, and the nearest valid name.

    Examples
    --------
    >>> from flexemp.codebook import parse_codebook
    >>> cb = parse_codebook({"dataset": "d", "variables": [
    ...     {"name": "age", "type": "continuous", "label_zh": "年龄"}]})
    >>> load_rules("rules:\\n  - {name: 16岁及以上, keep: 'age >= 16'}", cb).names
    ('16岁及以上',)
    """
    data, origin = _read_source(source)
    description: str | None = None
    if isinstance(data, dict):
        unknown = [k for k in data if k not in TOP_KEYS]
        if unknown:
            raise ScreeningError(
                f"{origin}: unknown top-level key {unknown[0]!r}{_suggest(str(unknown[0]), TOP_KEYS)}; "
                "a rules file has 'rules' (a list) and optionally 'description'"
            )
        description = _opt_text(data.get("description"))
        data = data.get("rules")
    if not isinstance(data, list) or not data:
        raise ScreeningError(f"{origin}: 'rules' must be a non-empty list of rules (see docs/screening.md)")
    scope = _Scope(codebook)
    problems: list[str] = []
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(data):
        rule = _parse_rule(raw, i, scope, problems, seen)
        if rule is not None:
            rules.append(rule)
    if problems:
        listed = "\n".join(f"  - {p}" for p in problems)
        raise ScreeningError(f"{origin}: {len(problems)} problem(s) in the screening rules:\n{listed}")
    return RuleSet(rules=tuple(rules), description=description)


def _read_source(source: Any) -> tuple[Any, str]:
    looks_like_path = isinstance(source, str) and "\n" not in source and (
        source.strip().endswith((".yaml", ".yml")) or _is_file(source)
    )
    if isinstance(source, Path) or looks_like_path:
        path = Path(source)
        if not path.is_file():
            raise ScreeningError(f"rules file {str(path)!r} does not exist; pass a YAML path, YAML text or parsed rules")
        return _parse_yaml(path.read_text(encoding="utf-8"), str(path)), str(path)
    if isinstance(source, str):
        return _parse_yaml(source, "<rules>"), "<rules>"
    if isinstance(source, list | dict):
        return source, "<rules>"
    raise ScreeningError(f"rules must be a YAML path, YAML text, a list or a dict, not {type(source).__name__}")


def _is_file(text: str) -> bool:
    try:
        return Path(text).is_file()
    except (OSError, ValueError):
        return False




def _parse_yaml(text: str, origin: str) -> Any:
    try:
        return load_with_lines(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ScreeningError(f"{origin}: not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None


class _Scope:
    """What rules may refer to: variables, stored columns, kinds and labels."""

    def __init__(self, codebook: Codebook) -> None:
        self.codebook = codebook
        self.kinds: dict[str, ValueKind] = {}
        self.labels: dict[str, dict[str, float]] = {}
        self.hints: dict[str, str] = {}
        for v in codebook:
            if v.type == "multiselect":
                for col in v.stored_columns():
                    self.kinds[col] = "number"
                cols = ", ".join(v.stored_columns())
                self.hints[v.name] = f"multiselect {v.name!r} is stored as one 0/1 column per option ({cols}); use those"
            else:
                self.kinds[v.name] = "number" if v.type in NUMERIC_TYPES else "text"
                if v.codes:
                    self.labels[v.name] = v.label_to_code()
        self.names = [*codebook.names, *(c for c in self.kinds if c not in codebook)]

    def variable(self, name: Any, where: str, key: str, problems: list[str]) -> Variable | None:
        if not isinstance(name, str):
            problems.append(f"{where}: '{key}' must list variable names, got {name!r}")
            return None
        if name in self.codebook:
            return self.codebook[name]
        problems.append(f"{where}: '{key}': unknown variable {name!r}{_suggest(name, self.names)}")
        return None


def _parse_rule(raw: Any, i: int, scope: _Scope, problems: list[str], seen: dict[str, int]) -> Rule | None:
    if not isinstance(raw, dict):
        problems.append(f"rules[{i}]: each rule must be a mapping with 'name' and one of {', '.join(RULE_KINDS)}")
        return None
    name = raw.get("name")
    line = line_suffix(raw)
    where = f"rules[{i}] ({name}){line}"
    n0 = len(problems)
    for key in raw:
        if key not in RULE_KEYS:
            problems.append(f"{where}: unknown key {key!r}{_suggest(str(key), RULE_KEYS)}; allowed: {', '.join(RULE_KEYS)}")
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{where}: 'name' is required and must be non-empty text (it is shown in the sample flow)")
    elif name in seen:
        problems.append(f"{where}: duplicate rule name {name!r} (also rules[{seen[name]}]); names must be unique")
    else:
        seen[name] = i
    description = raw.get("description")
    if description is not None and not isinstance(description, str):
        problems.append(f"{where}: 'description' must be text")
    kinds = [k for k in RULE_KINDS if k in raw]
    if len(kinds) != 1:
        found = f"found {' and '.join(kinds)}; split it into several rules" if kinds else "found none"
        problems.append(f"{where}: a rule needs exactly one of {', '.join(RULE_KINDS)} ({found})")
    if len(problems) > n0:
        return None
    kind = kinds[0]
    value = raw[kind]
    params = _params(value, kind, where, problems) if kind in _PARAM_KEYS else {}
    if len(problems) > n0:
        return None
    rule = _BUILDERS[kind](str(name), value, params, where, scope, problems, description)
    return None if len(problems) > n0 else rule


def _params(value: Any, kind: str, where: str, problems: list[str]) -> dict[str, Any]:
    keys = _PARAM_KEYS[kind]
    if not isinstance(value, dict):
        problems.append(f"{where}: '{kind}' must be a mapping with {', '.join(keys)}")
        return {}
    for key in value:
        if key not in keys:
            problems.append(f"{where}: '{kind}': unknown key {key!r}{_suggest(str(key), keys)}; allowed: {', '.join(keys)}")
    return dict(value)


def _build_expression(kind: str) -> Any:
    def build(name: str, value: Any, params: dict[str, Any], where: str, scope: _Scope,
              problems: list[str], description: str | None) -> Rule | None:
        if not isinstance(value, str):
            problems.append(f"{where}: '{kind}' must be an expression in quotes, e.g. \"age >= 16\"")
            return None
        try:
            expr = parse_expression(value, scope.kinds, scope.labels, hints=scope.hints)
        except ScreeningError as exc:
            problems.append(f"{where}: '{kind}': {exc}")
            return None
        if expr.kind != "bool":
            problems.append(f"{where}: '{kind}': {value!r} is a {expr.kind}, not a condition; write e.g. x == 1")
            return None
        return ExpressionRule(name, kind, expr, description)  # type: ignore[arg-type]

    return build


def _names_list(value: Any, where: str, key: str, problems: list[str], *, min_len: int = 1) -> list[str] | None:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or len(value) < min_len:
        problems.append(f"{where}: '{key}' must be a list of at least {min_len} variable name(s)")
        return None
    dup = sorted({str(v) for v in value if value.count(v) > 1})
    if dup:
        problems.append(f"{where}: '{key}' lists {', '.join(dup)} more than once")
        return None
    return value


def _build_complete(name: str, value: Any, params: dict[str, Any], where: str, scope: _Scope,
                    problems: list[str], description: str | None) -> Rule | None:
    names = _names_list(value, where, "complete", problems)
    if names is None:
        return None
    groups: list[tuple[str, ...]] = []
    for n in names:
        if isinstance(n, str) and n in scope.kinds and n not in scope.codebook:
            groups.append((n,))  # a multiselect option column
            continue
        var = scope.variable(n, where, "complete", problems)
        if var is not None:
            groups.append(var.stored_columns())
    if len(groups) != len(names):
        return None
    return CompleteRule(name, tuple(names), tuple(groups), description)


def _build_speeders(name: str, value: Any, params: dict[str, Any], where: str, scope: _Scope,
                    problems: list[str], description: str | None) -> Rule | None:
    n0 = len(problems)
    for key in ("duration", "min_seconds"):
        if key not in params:
            problems.append(f"{where}: 'speeders' needs '{key}'")
    if len(problems) > n0:
        return None
    var = scope.variable(params["duration"], where, "speeders.duration", problems)
    if var is not None and var.type not in ("count", "continuous"):
        problems.append(f"{where}: 'speeders.duration': {var.name!r} is {var.type}; it must be a count or continuous variable (seconds)")
    ms = params["min_seconds"]
    if isinstance(ms, bool) or not isinstance(ms, int | float) or not math.isfinite(ms) or ms <= 0:
        problems.append(f"{where}: 'speeders.min_seconds' must be a positive number of seconds, got {ms!r}")
    if len(problems) > n0 or var is None:
        return None
    return SpeedersRule(name, var.name, float(ms), description)


def _build_straightlining(name: str, value: Any, params: dict[str, Any], where: str, scope: _Scope,
                          problems: list[str], description: str | None) -> Rule | None:
    n0 = len(problems)
    items = _names_list(params.get("items"), where, "straightlining.items", problems, min_len=2)
    if items is None:
        return None
    for it in items:
        var = scope.variable(it, where, "straightlining.items", problems)
        if var is not None and (var.type not in NUMERIC_TYPES or var.type == "weight"):
            problems.append(f"{where}: 'straightlining.items': {var.name!r} is {var.type}; items must be numeric answers")
    k = params.get("min_items", len(items))
    if isinstance(k, bool) or not isinstance(k, int) or not 2 <= k <= len(items):
        problems.append(f"{where}: 'straightlining.min_items' must be a whole number from 2 to {len(items)}, got {k!r}")
    if len(problems) > n0:
        return None
    return StraightliningRule(name, tuple(items), int(k), description)


def _build_duplicates(name: str, value: Any, params: dict[str, Any], where: str, scope: _Scope,
                      problems: list[str], description: str | None) -> Rule | None:
    n0 = len(problems)
    if "columns" not in params:
        problems.append(f"{where}: 'duplicates' needs 'columns' (the variables that identify a respondent)")
        return None
    names = _names_list(params["columns"], where, "duplicates.columns", problems)
    if names is None:
        return None
    stored: list[str] = []
    for n in names:
        var = scope.variable(n, where, "duplicates.columns", problems)
        if var is not None:
            stored.extend(var.stored_columns())
    if len(problems) > n0:
        return None
    return DuplicatesRule(name, tuple(names), tuple(stored), description)


_BUILDERS: dict[str, Any] = {
    "keep": _build_expression("keep"),
    "drop": _build_expression("drop"),
    "complete": _build_complete,
    "speeders": _build_speeders,
    "straightlining": _build_straightlining,
    "duplicates": _build_duplicates,
}


# --------------------------------------------------------------------------- helpers
def _suggest(name: str, names: Any) -> str:
    near = difflib.get_close_matches(name, [str(n) for n in names], n=1)
    return f" (did you mean {near[0]!r}?)" if near else ""


def _opt_text(x: Any) -> str | None:
    return x if isinstance(x, str) and x.strip() else None


def _with_description(d: dict[str, Any], description: str | None) -> dict[str, Any]:
    if description:
        d["description"] = description
    return d


def _plain(x: float) -> int | float:
    return int(x) if float(x).is_integer() else float(x)


def _numeric(data: pd.DataFrame, column: str, rule: str) -> np.ndarray:
    try:
        return pd.to_numeric(data[column], errors="raise").to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise ScreeningError(
            f"rule {rule!r}: column {column!r} should be numeric but holds non-numeric values ({exc}); "
            "pass validated data (after ingest)"
        ) from exc



def parse_condition(text: str, codebook: Codebook, extra: dict[str, ValueKind] | None = None) -> Expression:
    """A row condition in the rules' expression syntax, over the codebook's variables.

    Used where a condition selects rows outside a rule set (a study analysis'
    ``where:``).  ``extra`` adds columns that are not in the codebook (e.g.
    ``{"wave": "text"}``).

    Raises
    ------
    ScreeningError
        Syntax errors, unknown variables (with the nearest name), unknown labels,
        or an expression that is not a condition.

    Examples
    --------
    >>> from flexemp.synth import get_dataset
    >>> parse_condition("flexible == 1 and age < 40", get_dataset("internet_flex_finance").codebook()).columns
    ('flexible', 'age')
    """
    scope = _Scope(codebook)
    expr = parse_expression(text, {**scope.kinds, **(extra or {})}, scope.labels, hints=scope.hints)
    if expr.kind != "bool":
        raise ScreeningError(f"{text!r} is a {expr.kind}, not a condition; write e.g. x == 1")
    return expr
