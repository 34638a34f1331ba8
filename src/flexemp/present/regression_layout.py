"""The pieces every journal table is built from: columns, coefficient and statistic rows, notes.

:func:`~flexemp.present.regression_table.regression_table`, ``margins_table``, ``vif_table`` and
the robustness tables (:mod:`flexemp.present.robustness_tables`) lay out their rows with these
helpers, so options such as ``beneath``, ``stars``, ``keep``/``drop`` and ``controls`` mean the
same thing in every table. Every number cell holds the result's own float (``Cell.value``); only
its display is rounded. The layout rules are described in docs/tables.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

import pandas as pd

from flexemp.codebook import Codebook
from flexemp.core.errors import UnsupportedOptionError
from flexemp.core.options import validate_option
from flexemp.models.results import EstimationResult
from flexemp.present.labels import term_labels
from flexemp.present.stars import DEFAULT_STARS, _pct, check_stars, star_marks, star_note
from flexemp.present.table import Cell, ColumnGroup, Row, Table, p_value_cell

NUM = ("estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high")

#: Display labels of the model statistics (``stats=``).
STAT_LABELS: dict[str, tuple[str, str]] = {
    "nobs": ("观测值", "Observations"),
    "r2": ("R²", "R²"),
    "adj_r2": ("调整R²", "Adjusted R²"),
    "pseudo_r2": ("伪R²", "Pseudo R²"),
    "loglik": ("对数似然值", "Log likelihood"),
    "aic": ("AIC", "AIC"),
    "bic": ("BIC", "BIC"),
    "rmse": ("均方根误差", "RMSE"),
    "n_clusters": ("聚类数", "Clusters"),
}
_SE_NAME = {
    "classical": ("标准误", "standard errors"),
    "robust": ("稳健标准误", "robust standard errors"),
    "cluster": ("聚类标准误", "cluster-robust standard errors"),
}
_IDENT = re.compile(r"\b[A-Za-z_]\w*\b(?!\s*[(.])")
_CAT = re.compile(r"^C\(\s*([A-Za-z_]\w*)")
_CUT = re.compile(r"^cut\d+$")


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


BENEATH = ("se", "t", "p", "ci")


def beneath_parts(beneath: str) -> tuple[str, ...]:
    """``"se+ci"`` → ``("se", "ci")``: one line under each coefficient per part, in order."""
    parts = tuple(p.strip() for p in str(beneath).split("+"))
    for p in parts:
        validate_option("beneath", p, BENEATH)
    if len(set(parts)) != len(parts):
        raise UnsupportedOptionError(f"beneath={beneath!r} repeats a part; give each of se, t, p, ci once")
    return parts


def beneath_note(beneath: str, cov_types: Sequence[str], conf_level: float, lang: str) -> str:
    """What the bracketed line(s) under each coefficient are, e.g. "括号内为聚类标准误"."""
    parts = beneath_parts(beneath)
    if len(parts) > 1:
        sep = "；" if lang == "zh" else "; "
        return sep.join(beneath_note(p, cov_types, conf_level, lang) for p in parts)
    kinds = list(dict.fromkeys(cov_types))
    if beneath == "p":
        return _t(lang, "方括号内为p值", "p-values in brackets")
    if beneath == "t":
        return _t(lang, "括号内为t值", "t statistics in parentheses")
    if beneath == "ci":
        lvl = _pct(conf_level)
        return _t(lang, f"方括号内为{lvl}置信区间", f"{lvl} confidence intervals in brackets")
    if len(kinds) <= 1:
        zh, en = _SE_NAME.get(kinds[0] if kinds else "", ("标准误", "standard errors"))
        return _t(lang, f"括号内为{zh}", f"{en} in parentheses")
    cols = [_t(lang, f"列({i + 1}){_SE_NAME.get(c, ('标准误', ''))[0]}", f"({i + 1}) {_SE_NAME.get(c, ('', c))[1]}")
            for i, c in enumerate(cov_types)]
    return _t(lang, f"括号内为标准误（{'，'.join(cols)}）", f"standard errors in parentheses ({'; '.join(cols)})")


def default_note(stars: Sequence[float], beneath: str, cov_types: Sequence[str], conf_level: float,
                 lang: str, lead: str = "") -> str:
    """The note under a table: stars, then what is in brackets (see the module docstring)."""
    body = [lead] if lead else []
    body += [star_note(stars, lang), beneath_note(beneath, cov_types, conf_level, lang)]
    if lang == "zh":
        return "注：" + "；".join(body) + "。"
    return "Note: " + "; ".join(body) + "."


def term_variables(term: str) -> tuple[str, ...]:
    """Data variables of a term: ``C(edu)[T.3]`` → (edu,), ``a:b`` → (a, b), ``2:x`` → (x,)."""
    head, sep, rest = term.partition(":")
    if sep and re.fullmatch(r"-?\d+(\.\d+)?", head):
        term = rest
    out: list[str] = []
    for part in term.split(":"):
        m = _CAT.match(part)
        if m:
            out.append(m.group(1))
            continue
        out += [v for v in _IDENT.findall(part.split("[", 1)[0]) if v not in ("I", "C", "np", "log", "exp")]
    return tuple(dict.fromkeys(out))


def dependent(result: EstimationResult) -> str:
    """The dependent variable (left of ``~``) of a result's formula."""
    return result.spec.formula.split("~", 1)[0].strip()


def label_of(name: str, codebook: Codebook | None, lang: str, labels: Mapping[str, str] | None = None) -> str:
    """The display label of a term or variable: ``labels`` first, then the codebook, else built-ins."""
    if labels and name in labels:
        return labels[name]
    if codebook is not None:
        return term_labels([name], codebook, lang)[0]
    if name == "Intercept" or _CUT.match(name):
        return _t(lang, "常数项", "Constant") if name == "Intercept" else _t(lang, f"切点{name[3:]}", f"Cut {name[3:]}")
    return name


def outcome_label(value: Any, var: str, codebook: Codebook | None, lang: str) -> str:
    """Label of an outcome code (e.g. 3 → "一般") or the code itself."""
    text = f"{value:g}" if isinstance(value, float) else str(value)
    if codebook is not None and var in codebook:
        try:
            got = codebook[var].code_label(float(value), lang)
        except (TypeError, ValueError):
            got = None
        if got:
            return str(got)
    return text


@dataclass
class Column:
    """One table column: coefficients by term, statistics, covariance type and headers."""

    coefs: dict[str, dict[str, float]]  # term -> {estimate, std_error, ...}
    header: str
    group: str
    cov_type: str
    conf_level: float = 0.95
    stats: dict[str, Any] = field(default_factory=dict)


def coef_dict(frame: pd.DataFrame) -> dict[str, dict[str, float]]:
    """A tidy coefficient table as term → {estimate, std_error, statistic, p_value, conf_low, conf_high}."""
    return {str(r["term"]): {k: float(r[k]) for k in NUM} for r in frame.to_dict("records")}


def columns_of(result: EstimationResult, codebook: Codebook | None, lang: str) -> list[Column]:
    """The column(s) of one fitted model (one per non-base outcome for mlogit)."""
    coefs = coef_dict(result.coefficients)
    dep = dependent(result)
    group = label_of(dep, codebook, lang)
    stats = {k: result.statistics.get(k) for k in STAT_LABELS}
    stats["nobs"], stats["n_clusters"] = result.nobs, result.n_clusters
    cov, level = result.cov_type, result.spec.conf_level
    if result.model != "mlogit":
        return [Column(coefs, "", group, cov, level, stats)]
    cols = []
    prefixes = list(dict.fromkeys(t.partition(":")[0] for t in coefs))
    codes = {(f"{v:g}" if isinstance(v, float) else str(v)): v for v in result.outcome_levels}
    for i, pre in enumerate(prefixes):
        sub = {t.partition(":")[2]: v for t, v in coefs.items() if t.startswith(pre + ":")}
        header = outcome_label(codes.get(pre, pre), dep, codebook, lang)
        cols.append(Column(sub, header, group, cov, level, stats if i == 0 else {}))
    return cols


def _match(entries: Sequence[str], terms: list[str], what: str) -> list[str]:
    """Terms matched by each entry (a term name, or a variable whose terms all go)."""
    out: list[str] = []
    for e in entries:
        hit = [t for t in terms if t == e] or [t for t in terms if term_variables(t) == (e,)]
        if not hit:
            shown = ", ".join(terms[:30])
            raise UnsupportedOptionError(
                f"{what}: term {e!r} is in none of the models; available terms: {shown}"
            )
        out += [t for t in hit if t not in out]
    return out


@dataclass(frozen=True)
class Layout:
    """Options shared by every table builder."""

    codebook: Codebook | None = None
    lang: str = "zh"
    beneath: str = "se"
    stars: tuple[float, ...] = DEFAULT_STARS
    decimals: int = 3
    labels: Mapping[str, str] | None = None


def coef_rows(cols: list[Column], lay: Layout, *, order: Sequence[str] | None = None,
              keep: Sequence[str] | None = None, drop: Sequence[str] | None = None,
              controls: Sequence[str] | None = None, show_intercept: bool = True,
              show_cuts: bool = True) -> tuple[list[Row], list[str | None]]:
    """Coefficient rows (with the line beneath) and the controls row; the term of each row."""
    terms = list(dict.fromkeys(t for c in cols for t in c.coefs))
    ctrl = set(controls or ())
    if controls:
        missing = [c for c in controls if not any(c in term_variables(t) for t in terms)]
        if missing:
            raise UnsupportedOptionError(f"controls: {', '.join(map(repr, missing))} in none of the models")

    def is_control(t: str) -> bool:
        v = term_variables(t)
        return bool(ctrl) and bool(v) and all(x in ctrl for x in v)

    control_terms = [t for t in terms if is_control(t)]
    first = _match(order or (), terms, "order")
    kept = set(terms if keep is None else _match(keep, terms, "keep")) - set(_match(drop or (), terms, "drop"))
    shown = [t for t in terms if t in kept and t not in control_terms and (show_intercept or t != "Intercept")
             and (show_cuts or not _CUT.match(t))]
    tail = [t for t in shown if t == "Intercept" or _CUT.match(t)]
    body = first + [t for t in shown if t not in first and t not in tail] + [t for t in tail if t not in first]
    rows: list[Row] = []
    row_terms: list[str | None] = []
    d = lay.decimals
    parts = beneath_parts(lay.beneath)
    for t in body:
        top: list[Cell] = []
        sub: list[list[Cell]] = []
        for c in cols:
            r = c.coefs.get(t)
            top.append(Cell(None) if r is None else Cell(r["estimate"], d, stars=star_marks(r["p_value"], lay.stars)))
            sub.append([Cell(None)] * len(parts) if r is None else [_beneath(r, lay, p) for p in parts])
        rows.append(Row(label_of(t, lay.codebook, lay.lang, lay.labels), tuple(top)))
        rows += [Row("", tuple(cells[i] for cells in sub), kind="sub") for i in range(len(parts))]
        row_terms += [t] * (1 + len(parts))
    if control_terms:
        yes, no = _t(lay.lang, "已控制", "Yes"), _t(lay.lang, "未控制", "No")
        cells = tuple(Cell(yes if any(t in c.coefs for t in control_terms) else no) for c in cols)
        rows.append(Row(_t(lay.lang, "控制变量", "Controls"), cells, kind="stat"))
        row_terms.append(None)
    return rows, row_terms


def _beneath(r: dict[str, float], lay: Layout, part: str) -> Cell:
    d = lay.decimals
    if part == "p":
        return p_value_cell(r["p_value"], brackets="[]")
    if part != "ci":
        return Cell(r["std_error" if part == "se" else "statistic"], d, brackets="()")
    return Cell(None, text_override=f"[{r['conf_low']:.{d}f}, {r['conf_high']:.{d}f}]")


def stat_rows(cols: list[Column], stats: Sequence[str], lay: Layout) -> list[Row]:
    """Statistic rows; ``pseudo_r2`` shows R² for linear models; rows empty in every column are left out."""
    rows: dict[str, Row] = {}
    for s in stats:
        validate_option("stats", s, tuple(STAT_LABELS))
        for k in ["pseudo_r2", "r2"] if s == "pseudo_r2" else [s]:
            cells = tuple(_stat_cell(None if (k == "r2" and s == "pseudo_r2" and c.stats.get("pseudo_r2") is not None)
                                     else c.stats.get(k), lay.decimals) for c in cols)
            if k not in rows and any(x.value is not None for x in cells):
                rows[k] = Row(_t(lay.lang, *STAT_LABELS[k]), cells, kind="stat")
    return list(rows.values())


def _stat_cell(v: Any, decimals: int) -> Cell:
    if isinstance(v, Cell):
        return v
    if v is None or isinstance(v, bool):
        return Cell(None)
    if isinstance(v, int):
        return Cell(v)
    if isinstance(v, float | int):
        return Cell(float(v), decimals)
    return Cell(str(v))


def assemble(cols: list[Column], rows: list[Row], row_terms: list[str | None], lay: Layout, *,
             title: str, key: str, column_labels: Sequence[str] | None,
             dep_var_labels: Sequence[str] | bool | None, notes: Sequence[str] | None,
             note_lead: str = "", stub: str | None = None, meta: dict[str, Any] | None = None) -> Table:
    """Headers, column groups and notes around the rows."""
    n = len(cols)
    for name, given in (("column_labels", column_labels), ("dep_var_labels", dep_var_labels)):
        if not isinstance(given, bool | None) and len(given) != n:
            raise UnsupportedOptionError(f"{name} has {len(given)} labels for {n} columns; give one per column")
    headers = list(column_labels) if column_labels is not None else [c.header or f"({i + 1})" for i, c in enumerate(cols)]
    groups_of = ([] if dep_var_labels is False else [c.group for c in cols] if dep_var_labels in (None, True)
                 else list(dep_var_labels))  # type: ignore[arg-type]
    groups = [ColumnGroup(g, len(list(run))) for g, run in groupby(groups_of)]
    if notes is None:
        level = cols[0].conf_level if cols else 0.95
        notes = (default_note(lay.stars, lay.beneath, [c.cov_type for c in cols], level, lay.lang, note_lead),)
    all_meta = {"row_terms": list(row_terms) + [None] * (len(rows) - len(row_terms))}
    all_meta.update(meta or {})
    return Table(title=title, columns=tuple(headers), rows=tuple(rows),
                 stub_header=_t(lay.lang, "变量", "Variable") if stub is None else stub,
                 column_groups=tuple(groups), notes=tuple(notes), key=key, meta=all_meta)


def layout(codebook: Codebook | None, lang: str, beneath: str, stars: Sequence[float], decimals: int,
           labels: Mapping[str, str] | None) -> Layout:
    """Validated :class:`Layout`."""
    validate_option("lang", lang, ("zh", "en"))
    beneath_parts(beneath)
    if not isinstance(decimals, int) or not 0 <= decimals <= 8:
        raise UnsupportedOptionError(f"decimals={decimals!r}: give an integer from 0 to 8")
    return Layout(codebook, lang, beneath, check_stars(stars), decimals, labels)


def as_list(results: Any, kind: type | tuple[type, ...], what: str) -> list[Any]:
    """One result or a sequence of them → a non-empty list, each of ``kind``."""
    items = [results] if isinstance(results, kind) else list(results) if isinstance(results, Sequence) else [results]
    if not items:
        raise UnsupportedOptionError(f"{what}: the list of results is empty; pass at least one fitted result")
    for i, r in enumerate(items):
        if not isinstance(r, kind):
            raise UnsupportedOptionError(f"{what}: item {i} is a {type(r).__name__}, not a fitted result it can show")
    return items
