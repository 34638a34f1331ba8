"""Journal-style regression tables (三线表, seed 000 Table 2), marginal-effect and VIF tables.

Every number cell holds the result's own float (``Cell.value``); only its display is rounded.
Stars use strict inequalities (p = 0.05 exactly gets one star with the default thresholds).
The robustness tables (IV, PSM, Heckman, batteries) are in :mod:`flexemp.present.robustness_tables`;
the layout rules are described in docs/tables.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

import pandas as pd

from flexemp.codebook import Codebook
from flexemp.core.errors import UnsupportedOptionError
from flexemp.core.options import validate_option
from flexemp.models.diagnostics.vif import VIFResult
from flexemp.models.margins import MarginsResult
from flexemp.models.results import EstimationResult
from flexemp.present.labels import term_labels
from flexemp.present.table import Cell, ColumnGroup, Row, Table, p_value_cell

__all__ = ["margins_table", "regression_table", "star_marks", "vif_table"]

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


def check_stars(stars: Sequence[float]) -> tuple[float, ...]:
    """1-3 distinct thresholds in (0, 1), largest first (else ``UnsupportedOptionError``)."""
    th = tuple(sorted((float(s) for s in stars), reverse=True))
    if not 1 <= len(th) <= 3 or len(set(th)) != len(th) or not all(0 < s < 1 for s in th):
        raise UnsupportedOptionError(
            f"stars={tuple(stars)!r}: give 1 to 3 distinct p-value thresholds in (0, 1), e.g. (0.10, 0.05, 0.01)"
        )
    return th


def star_marks(p_value: float | None, stars: Sequence[float] = (0.10, 0.05, 0.01)) -> str:
    """Stars for a p-value: one per threshold that ``p_value`` is strictly below.

    Parameters
    ----------
    p_value : float or None
        None or NaN gives no stars.
    stars : sequence of float
        1-3 thresholds (any order).

    Returns
    -------
    str

    Raises
    ------
    UnsupportedOptionError
        Not 1-3 distinct thresholds in (0, 1).

    Examples
    --------
    >>> star_marks(0.0099), star_marks(0.01), star_marks(0.05), star_marks(0.0999), star_marks(0.1)
    ('***', '**', '*', '*', '')
    """
    th = check_stars(stars)
    if p_value is None or not math.isfinite(p_value):
        return ""
    return "*" * sum(p_value < s for s in th)


def _pct(x: float) -> str:
    return f"{x * 100:g}%"


def star_note(stars: Sequence[float], lang: str) -> str:
    """"***、**、*分别表示在1%、5%、10%水平上显著" (or the English sentence) for the thresholds."""
    th = check_stars(stars)[::-1]  # smallest first: most stars first
    marks = ["*" * (len(th) - i) for i in range(len(th))]
    if lang == "zh":
        if len(th) == 1:
            return f"{marks[0]}表示在{_pct(th[0])}水平上显著"
        return f"{'、'.join(marks)}分别表示在{'、'.join(_pct(s) for s in th)}水平上显著"
    if len(th) == 1:
        return f"{marks[0]} denotes significance at the {_pct(th[0])} level"
    return f"{', '.join(marks)} denote significance at the {', '.join(_pct(s) for s in th)} levels"


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
    stars: tuple[float, ...] = (0.10, 0.05, 0.01)
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


def regression_table(
    results: EstimationResult | Sequence[EstimationResult],
    *,
    codebook: Codebook | None = None,
    lang: str = "zh",
    title: str = "",
    key: str = "",
    column_labels: Sequence[str] | None = None,
    dep_var_labels: Sequence[str] | bool | None = None,
    beneath: str = "se",
    stars: Sequence[float] = (0.10, 0.05, 0.01),
    decimals: int = 3,
    order: Sequence[str] | None = None,
    keep: Sequence[str] | None = None,
    drop: Sequence[str] | None = None,
    controls: Sequence[str] | None = None,
    show_intercept: bool = True,
    show_cuts: bool = True,
    stats: Sequence[str] = ("nobs", "pseudo_r2", "n_clusters"),
    notes: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> Table:
    """A journal regression table, one column per model (seed 000 Table 2).

    Parameters
    ----------
    results : EstimationResult or sequence of them
        Fitted models (``IVResult`` shows its second stage; use ``iv_table`` for both stages).
        A multinomial logit gives one column per non-base outcome under one column group.
    codebook : Codebook, optional
        Labels of terms, dependent variables and outcome codes.
    lang : {"zh", "en"}
    title, key : str
        The table's title and its key in results.json.
    column_labels : sequence of str, optional
        Column headers (default "(1)", "(2)" …; outcome labels for mlogit columns).
    dep_var_labels : sequence of str, bool or None
        Column groups: None/True → consecutive columns with the same dependent variable share
        a group labelled by it; False → none; a sequence → one label per column (consecutive
        equal labels merge, e.g. ``["被解释变量：生活满意度"] * 5``).
    beneath : {"se", "t", "p", "ci"} or parts joined by "+"
        The line(s) under each coefficient: standard error or t/z in parentheses, the
        p-value in brackets, or the confidence interval at the model's ``conf_level`` in
        brackets; ``"se+ci"`` gives two lines (seed 003's coefficient, SE and 95% CI).
    stars : sequence of float
        1-3 p-value thresholds; stars count the thresholds p is strictly below.
    decimals : int
        Displayed decimals (the cell keeps the full float).
    order : sequence of str, optional
        Terms shown first, in this order (e.g. the treatments).
    keep, drop : sequence of str, optional
        Terms to show / to leave out.  An entry is a term name or a variable, which stands
        for all its terms (``"education"`` covers ``C(education)[T.2]`` …).
    controls : sequence of str, optional
        Control variables: all their terms (including ``C(x)[T.k]`` levels; interactions only
        when every variable in them is a control) collapse into one row "控制变量 | 已控制"
        ("未控制" in a model without them).
    show_intercept, show_cuts : bool
        Show the intercept / the cut points of ordered models (切点1 …) at the end.
    stats : sequence of str
        From ``nobs, r2, adj_r2, pseudo_r2, loglik, aic, bic, rmse, n_clusters``.
        ``pseudo_r2`` shows R² in a row of its own for linear models; a row empty in every
        column (e.g. 聚类数 without clustering) is left out.
    notes : sequence of str, optional
        Replace the default note (stars and covariance type); ``()`` for none.
    labels : mapping, optional
        Term → label overrides (e.g. ``{"z_contract": "地区劳动合同平均值"}``).

    Returns
    -------
    Table
        ``meta["row_terms"]`` gives the term behind each row (None for others).

    Raises
    ------
    UnsupportedOptionError
        An empty list, an unknown option value, a term in ``order``/``keep``/``drop`` or a
        control that no model has, label lists of the wrong length.

    Notes
    -----
    Stata: ``esttab m1 m2, se star(* 0.10 ** 0.05 *** 0.01) indicate("Controls = x*")``.

    Examples
    --------
    >>> import flexemp
    >>> from flexemp.synth import get_dataset
    >>> ds = get_dataset("platform_workers"); pw = ds.generate()
    >>> fits = [flexemp.oprobit(f"life_sat ~ {t} + male + age + C(education)", pw,
    ...                         vcov="cluster", cluster="province") for t in ("contract", "training")]
    >>> tab = regression_table(fits, codebook=ds.codebook(), controls=["male", "age", "education"])
    >>> [r.label for r in tab.rows if r.kind != "sub"][:3]
    ['劳动合同', '入职培训', '切点1']
    >>> tab.notes[0]
    '注：***、**、*分别表示在1%、5%、10%水平上显著；括号内为聚类标准误。'
    """
    lay = layout(codebook, lang, beneath, stars, decimals, labels)
    items = as_list(results, EstimationResult, "regression_table")
    cols = [c for r in items for c in columns_of(r, codebook, lang)]
    rows, terms = coef_rows(cols, lay, order=order, keep=keep, drop=drop, controls=controls,
                            show_intercept=show_intercept, show_cuts=show_cuts)
    rows += stat_rows(cols, stats, lay)
    return assemble(cols, rows, terms, lay, title=title, key=key, column_labels=column_labels,
                    dep_var_labels=dep_var_labels, notes=notes,
                    meta={"models": [r.model for r in items]})


def margins_table(
    margins: MarginsResult | Sequence[MarginsResult],
    *,
    codebook: Codebook | None = None,
    lang: str = "zh",
    title: str = "",
    key: str = "",
    column_labels: Sequence[str] | None = None,
    dep_var_labels: Sequence[str] | bool | None = None,
    beneath: str = "se",
    stars: Sequence[float] = (0.10, 0.05, 0.01),
    decimals: int = 3,
    order: Sequence[str] | None = None,
    keep: Sequence[str] | None = None,
    drop: Sequence[str] | None = None,
    notes: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> Table:
    """Average marginal effects laid out as :func:`regression_table`.

    Parameters
    ----------
    margins : MarginsResult or sequence of them
        From :func:`flexemp.margins`: one column for a binary model, one per outcome category
        ("y=1" …) under a group "(1)", "(2)" … per model for ordered and multinomial models.
    codebook, lang, title, key, column_labels, dep_var_labels, beneath, stars, decimals, order, keep, drop, notes, labels
        As in :func:`regression_table`.

    Returns
    -------
    Table

    Raises
    ------
    UnsupportedOptionError
        As :func:`regression_table`.

    Notes
    -----
    Stata ``margins, dydx(*)``; delta-method SEs from the model's covariance type.

    Examples
    --------
    >>> import flexemp
    >>> from flexemp.synth import get_dataset
    >>> pw = get_dataset("platform_workers").generate()
    >>> me = flexemp.margins(flexemp.probit("injury ~ contract + age", pw), pw)
    >>> margins_table(me, lang="en").columns
    ('(1)',)
    """
    lay = layout(codebook, lang, beneath, stars, decimals, labels)
    items = as_list(margins, MarginsResult, "margins_table")
    multi = any(m.table["outcome"].notna().any() for m in items)
    cols: list[Column] = []
    for i, m in enumerate(items):
        tab = m.table
        outs = [None] if tab["outcome"].isna().all() else list(dict.fromkeys(tab["outcome"]))
        for o in outs:
            sub = tab if o is None else tab[tab["outcome"] == o]
            header = "" if o is None else f"y={o}"
            cols.append(Column(coef_dict(sub), header, f"({i + 1})" if multi else "", m.vcov_type))
    if dep_var_labels is None and not multi:
        dep_var_labels = False
    rows, terms = coef_rows(cols, lay, order=order, keep=keep, drop=drop)
    lead = _t(lang, "表中为平均边际效应", "average marginal effects")
    return assemble(cols, rows, terms, lay, title=title, key=key, column_labels=column_labels,
                    dep_var_labels=dep_var_labels, notes=notes, note_lead=lead,
                    meta={"models": [m.model for m in items]})


def vif_table(
    vif_result: VIFResult,
    *,
    codebook: Codebook | None = None,
    lang: str = "zh",
    title: str = "",
    key: str = "",
    decimals: int = 2,
    labels: Mapping[str, str] | None = None,
) -> Table:
    """Variance inflation factors: VIF and 1/VIF per term, then the maximum and the mean.

    Parameters
    ----------
    vif_result : VIFResult
        From :func:`flexemp.vif`.
    codebook, lang, title, key, decimals, labels
        As in :func:`regression_table` (seed 000 reports "max 1.59, mean 1.19": 2 decimals).

    Returns
    -------
    Table
        Rows per term, then "最大值"/"Max" and "平均值"/"Mean" (stat rows).

    Raises
    ------
    UnsupportedOptionError
        ``vif_result`` is not a VIFResult.

    Notes
    -----
    Stata ``estat vif``.

    Examples
    --------
    >>> import flexemp
    >>> from flexemp.synth import get_dataset
    >>> pw = get_dataset("platform_workers").generate()
    >>> tab = vif_table(flexemp.vif("life_sat ~ contract + age + male", pw))
    >>> tab.columns, tab.rows[-1].label
    (('VIF', '1/VIF'), '平均值')
    """
    if not isinstance(vif_result, VIFResult):
        raise UnsupportedOptionError(f"vif_table needs a VIFResult (flexemp.vif), not {type(vif_result).__name__}")
    lay = layout(codebook, lang, "se", (0.1,), decimals, labels)
    rows = [Row(label_of(str(t), codebook, lang, labels), (Cell(float(v), decimals), Cell(1.0 / float(v), decimals)))
            for t, v in vif_result.vif.items()]
    rows += [Row(_t(lang, zh, en), (Cell(v, decimals), Cell(None)), kind="stat")
             for zh, en, v in (("最大值", "Max", vif_result.max), ("平均值", "Mean", vif_result.mean))]
    note = _t(lang, "注：VIF为方差膨胀因子；", "Note: VIF is the variance inflation factor; ") + (_t(
        lang, "以中心化R²计算。", "computed from centred R².") if vif_result.centered else _t(
        lang, "模型无常数项，采用非中心化定义。", "uncentred definition (no constant)."))
    return Table(title=title, columns=("VIF", "1/VIF"), rows=tuple(rows),
                 stub_header=_t(lay.lang, "变量", "Variable"), notes=(note,), key=key,
                 meta={"row_terms": [*map(str, vif_result.vif.index), None, None]})
