"""The study file: what it may contain, checked completely before anything runs.

A study (YAML) names its data, optional screening rules and weights, the
analyses with their options, the outputs and the language::

    study: platform_care                # name (used in file names)
    title: 平台关怀与农民灵工生活满意度
    language: zh                        # zh | en
    data:
      dataset: platform_workers         # an embedded dataset …
      # waves: [2022Q1, 2022Q2]         # … and its waves (stacked, column `wave`)
      # file: survey.csv                # … or a file with its codebook
      # codebook: survey.codebook.yaml
      # warehouse: {db: demo.duckdb, wave: 2021, dataset: platform_workers}
    screening: builtin                  # builtin | path to rules.yaml | inline list
    weights: w                          # a column, or {rake: {...}}
    outputs: [html, docx, xlsx, json, charts]
    analyses:
      - {id: table1, type: summary, title: 表1 …, variables: [life_sat, contract]}

Every analysis has ``id`` (unique), ``type`` (see :data:`ANALYSIS_KEYS`),
optional ``title``, ``note``, ``text`` (narrative on/off), ``where`` (a row
condition in the screening rules' syntax, e.g. ``"flexible == 1"``) and
``wave`` (one wave of a multi-wave study), plus the keys of its type.  Unknown keys, missing required keys and variables that are not in
the codebook are reported together, each with its line, before any data is
read.  YAML anchors (``&controls`` / ``*controls``) reuse lists.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flexemp.core.errors import StudyError
from flexemp.core.yaml_lines import LineDict, line_suffix, load_with_lines

TOP_KEYS = {"study", "title", "description", "seed_document", "language", "data", "screening",
            "weights", "outputs", "analyses", "min_n"}
DATA_KEYS = {"dataset", "wave", "waves", "n", "seed", "file", "codebook", "warehouse"}
WAREHOUSE_KEYS = {"db", "wave", "waves", "dataset"}
OUTPUTS = ("html", "docx", "xlsx", "json", "charts", "md", "tex")
COMMON_KEYS = {"id", "type", "title", "note", "text", "where", "wave"}

# type -> (required keys, optional keys)
ANALYSIS_KEYS: dict[str, tuple[set[str], set[str]]] = {
    "sample_flow": (set(), set()),
    "summary": ({"variables"}, {"weighted"}),
    "frequencies": ({"variables"}, {"weighted", "chart"}),
    "crosstab": ({"row", "col"}, {"percent", "weighted"}),
    "compare": ({"variables", "group"}, {"weighted", "chart", "test"}),
    "multiselect": ({"options"}, {"by", "weighted", "chart", "label"}),
    "midpoint_means": ({"variable"}, {"by", "weighted", "midpoints"}),
    "reliability": ({"items"}, {"reverse"}),
    "vif": ({"variables"}, {"outcome"}),
    "regression": ({"model", "outcome"}, {"treatments", "controls", "vcov", "cluster", "weights",
                                          "weight_kind", "beneath", "stars", "margins", "base",
                                          "chart", "column_labels", "collapse_controls"}),
    "iv": ({"outcome", "endogenous"}, {"instruments", "loo_instruments", "controls", "vcov", "cluster"}),
    "psm": ({"outcome", "treatments", "covariates"}, {"score", "k", "replace", "caliper", "ties",
                                                       "estimand", "balance", "se"}),
    "heckman": ({"outcome", "selection"}, {"controls", "selection_controls"}),
    "selection_correction": ({"outcome", "treatment"}, {"model", "controls", "first_stage_controls",
                                                         "vcov", "cluster"}),
    "mechanism": ({"treatments", "mediators"}, {"controls", "vcov", "cluster", "model"}),
    "heterogeneity": ({"outcome", "treatments", "moderators"}, {"controls", "vcov", "cluster", "model"}),
    "weighting": (set(), {"chart"}),
    "index": ({"variables"}, {"by", "waves", "scores", "min_n", "bootstrap", "chart", "labels",
                              "expectations"}),
}

# keys whose values are variable names (a name or a list of names) checked against the codebook
VARIABLE_KEYS = {"variables", "row", "col", "group", "options", "by", "variable", "items", "reverse",
                 "outcome", "treatments", "controls", "cluster", "weights", "endogenous",
                 "instruments", "covariates", "selection", "selection_controls", "treatment",
                 "first_stage_controls", "mediators", "moderators"}


@dataclass(frozen=True)
class AnalysisSpec:
    """One analysis of a study: its id, type, title and options (everything else it was given)."""

    id: str
    type: str
    title: str
    options: dict[str, Any]
    line: int = 0
    note: str = ""
    text: bool = True

    def where(self, key: str | None = None) -> str:
        """``analysis 'table2' (line 40), option 'cluster'`` for messages."""
        at = f" (line {self.line})" if self.line else ""
        return f"analysis {self.id!r}{at}" + (f", option {key!r}" if key else "")


@dataclass(frozen=True)
class StudySpec:
    """A parsed and checked study file."""

    name: str
    title: str
    language: str
    data: dict[str, Any]
    analyses: tuple[AnalysisSpec, ...]
    screening: Any = None
    weights: Any = None
    outputs: tuple[str, ...] = ("html", "docx", "xlsx", "json", "charts")
    min_n: int = 30
    description: str = ""
    seed_document: str = ""
    base_dir: Path = field(default_factory=Path.cwd)
    source: str = ""


def _near(word: str, choices: Any) -> str:
    m = difflib.get_close_matches(str(word), sorted(choices), n=1)
    return f" (did you mean {m[0]!r}?)" if m else ""


_FUNCS = {"C", "I", "Q", "np", "log", "log1p", "exp", "sqrt", "center", "scale", "standardize", "poly",
          "Treatment", "Sum", "Diff", "Helmert", "contr", "treatment", "levels", "reference", "bs"}
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def term_names(term: str) -> list[str]:
    """Variable names in a formula term ("C(province)" → ["province"], "a:b" → ["a", "b"])."""
    if _IDENT.fullmatch(term):
        return [term]
    text = re.sub(r"(['\"]).*?\1", " ", term)  # drop quoted literals
    return [w for w in _IDENT.findall(text) if w not in _FUNCS and not w.isdigit()]


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return term_names(value)
    if isinstance(value, list):
        return [n for v in value if isinstance(v, str) for n in term_names(v)]
    if isinstance(value, dict):  # e.g. loo_instruments {var: group}
        return [k for k in value if isinstance(k, str)]
    return []


def parse_study(source: str | Path) -> StudySpec:
    """Read a study file (path or YAML text) and check its structure.

    Raises
    ------
    StudyError
        Listing every problem (unknown or missing keys, bad types, duplicate
        ids), each with its line.
    """
    path: Path | None = None
    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source and source.endswith((".yaml", ".yml"))):
        path = Path(source)
        if not path.exists():
            raise StudyError(f"study file not found: {path}")
        text = path.read_text(encoding="utf-8")
    else:
        text = str(source)
    origin = str(path) if path else "<study>"
    try:
        raw = load_with_lines(text)
    except Exception as exc:  # yaml.YAMLError and friends
        raise StudyError(f"{origin}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise StudyError(f"{origin}: a study must be a mapping with keys {', '.join(sorted(TOP_KEYS))}")
    problems: list[str] = []
    for key in raw:
        if key not in TOP_KEYS:
            problems.append(f"unknown key {key!r}{_near(key, TOP_KEYS)}")
    for key in ("study", "data", "analyses"):
        if key not in raw:
            problems.append(f"missing key {key!r}")
    language = raw.get("language", "zh")
    if language not in ("zh", "en"):
        problems.append(f"language must be 'zh' or 'en' (got {language!r})")
    data = raw.get("data") or {}
    if not isinstance(data, dict):
        problems.append("data must be a mapping (dataset: NAME, or file: PATH with codebook: PATH)")
        data = {}
    for key in data:
        if key not in DATA_KEYS:
            problems.append(f"data: unknown key {key!r}{_near(key, DATA_KEYS)}{line_suffix(data)}")
    sources = [k for k in ("dataset", "file", "warehouse") if k in data]
    if raw.get("data") is not None and len(sources) != 1:
        problems.append(f"data: give exactly one of dataset, file, warehouse{line_suffix(data)}")
    if "file" in data and "codebook" not in data:
        problems.append(f"data: a file needs its codebook (codebook: PATH){line_suffix(data)}")
    if isinstance(data.get("warehouse"), dict):
        for key in data["warehouse"]:
            if key not in WAREHOUSE_KEYS:
                problems.append(f"data.warehouse: unknown key {key!r}{_near(key, WAREHOUSE_KEYS)}")
    outputs = raw.get("outputs", ["html", "docx", "xlsx", "json", "charts"])
    if not isinstance(outputs, list) or any(o not in OUTPUTS for o in outputs):
        bad = [o for o in outputs] if not isinstance(outputs, list) else [o for o in outputs if o not in OUTPUTS]
        problems.append(f"outputs: unknown {bad!r}; choose from {', '.join(OUTPUTS)}")
        outputs = []
    min_n = raw.get("min_n", 30)
    if not isinstance(min_n, int) or isinstance(min_n, bool) or min_n < 1:
        problems.append(f"min_n must be a positive integer (got {min_n!r})")
        min_n = 30
    analyses = _parse_analyses(raw.get("analyses"), problems)
    if problems:
        raise StudyError(f"{origin}: the study file has {len(problems)} problem(s):\n  - " + "\n  - ".join(problems))
    return StudySpec(
        name=str(raw["study"]),
        title=str(raw.get("title") or raw["study"]),
        language=language,
        data=dict(data),
        analyses=tuple(analyses),
        screening=raw.get("screening"),
        weights=raw.get("weights"),
        outputs=tuple(outputs),
        min_n=min_n,
        description=str(raw.get("description") or ""),
        seed_document=str(raw.get("seed_document") or ""),
        base_dir=path.parent.resolve() if path else Path.cwd(),
        source=origin,
    )


_ID = re.compile(r"^[A-Za-z0-9_\-]+$")


def _parse_analyses(raw: Any, problems: list[str]) -> list[AnalysisSpec]:
    if not isinstance(raw, list) or not raw:
        if raw is not None:
            problems.append("analyses must be a non-empty list")
        return []
    out: list[AnalysisSpec] = []
    seen: set[str] = set()
    for i, item in enumerate(raw, 1):
        where = f"analyses[{i}]{line_suffix(item)}"
        if not isinstance(item, dict):
            problems.append(f"{where}: each analysis must be a mapping with id and type")
            continue
        kind = item.get("type")
        aid = str(item.get("id", f"analysis{i}"))
        if not _ID.match(aid):
            problems.append(f"{where}: id {aid!r} may only contain letters, digits, _ and -")
        if aid in seen:
            problems.append(f"{where}: duplicate id {aid!r}")
        seen.add(aid)
        if kind not in ANALYSIS_KEYS:
            problems.append(f"{where}: unknown type {kind!r}{_near(str(kind), ANALYSIS_KEYS)}; "
                            f"types: {', '.join(sorted(ANALYSIS_KEYS))}")
            continue
        required, optional = ANALYSIS_KEYS[kind]
        allowed = required | optional | COMMON_KEYS
        for key in item:
            if key not in allowed:
                problems.append(f"{where} ({aid}, type {kind}): unknown key {key!r}{_near(key, allowed)}")
        for key in sorted(required - set(item)):
            problems.append(f"{where} ({aid}, type {kind}): missing key {key!r}")
        options = {k: v for k, v in item.items() if k not in COMMON_KEYS - {"where", "wave"}}
        out.append(AnalysisSpec(
            id=aid, type=kind, title=str(item.get("title") or aid), options=options,
            line=item.line if isinstance(item, LineDict) else 0,
            note=str(item.get("note") or ""), text=bool(item.get("text", True)),
        ))
    return out


def study_variables(spec: StudySpec) -> list[tuple[AnalysisSpec | None, str, str]]:
    """Every variable name the study refers to, as (analysis, option, name)."""
    found: list[tuple[AnalysisSpec | None, str, str]] = []
    if isinstance(spec.weights, str):
        found.append((None, "weights", spec.weights))
    elif isinstance(spec.weights, dict):
        margins = spec.weights.get("margins")
        found.extend((None, "weights.margins", n) for n in (margins if isinstance(margins, dict) else {}))
        found.extend((None, "weights.base_weight", n) for n in _names(spec.weights.get("base_weight")))
        for key in ("census", "compare"):
            table = spec.weights.get(key)
            found.extend((None, f"weights.{key}", n) for n in (table if isinstance(table, dict) else {}))
    for a in spec.analyses:
        for key, value in a.options.items():
            if key in VARIABLE_KEYS:
                found.extend((a, key, name) for name in _names(value))
            elif key == "loo_instruments" and isinstance(value, dict):
                found.extend((a, key, n) for n in _names(value.get("group")) + _names(value.get("exclude")))
    return found


def check_variables(spec: StudySpec, known: set[str], derived: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    """Every variable the study names must be in the codebook (or derived by the runner).

    Raises
    ------
    StudyError
        Listing each unknown name with the analysis and option that use it.
    """
    problems = []
    for a, key, name in study_variables(spec):
        if name in known or name in derived:
            continue
        where = a.where(key) if a else f"top-level {key!r}"
        problems.append(f"{where}: variable {name!r} is not in the codebook{_near(name, known)}")
    if problems:
        raise StudyError(f"{spec.source}: {len(problems)} variable(s) not in the codebook:\n  - "
                         + "\n  - ".join(problems))
