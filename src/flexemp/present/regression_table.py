"""Journal-style regression tables (三线表, seed 000 Table 2), marginal-effect and VIF tables.

Every number cell holds the result's own float (``Cell.value``); only its display is rounded.
Stars use strict inequalities (p = 0.05 exactly gets one star with the default thresholds).
The star rule is in :mod:`flexemp.present.stars`, the column and row builders shared with the
robustness tables (IV, PSM, Heckman, batteries: :mod:`flexemp.present.robustness_tables`) in
:mod:`flexemp.present.regression_layout`; both are re-exported here. The layout rules are
described in docs/tables.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flexemp.codebook import Codebook
from flexemp.core.errors import UnsupportedOptionError
from flexemp.models.diagnostics.vif import VIFResult
from flexemp.models.margins import MarginsResult
from flexemp.models.results import EstimationResult
from flexemp.present.regression_layout import BENEATH as BENEATH
from flexemp.present.regression_layout import NUM as NUM
from flexemp.present.regression_layout import STAT_LABELS as STAT_LABELS
from flexemp.present.regression_layout import (
    Column,
    _t,
    as_list,
    assemble,
    coef_dict,
    coef_rows,
    columns_of,
    label_of,
    layout,
    stat_rows,
)
from flexemp.present.regression_layout import Layout as Layout
from flexemp.present.regression_layout import beneath_note as beneath_note
from flexemp.present.regression_layout import beneath_parts as beneath_parts
from flexemp.present.regression_layout import default_note as default_note
from flexemp.present.regression_layout import dependent as dependent
from flexemp.present.regression_layout import outcome_label as outcome_label
from flexemp.present.regression_layout import term_variables as term_variables
from flexemp.present.stars import DEFAULT_STARS, star_marks
from flexemp.present.stars import check_stars as check_stars
from flexemp.present.stars import star_note as star_note
from flexemp.present.table import Cell, Row, Table

__all__ = ["margins_table", "regression_table", "star_marks", "vif_table"]


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
    stars: Sequence[float] = DEFAULT_STARS,
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
    stars: Sequence[float] = DEFAULT_STARS,
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
