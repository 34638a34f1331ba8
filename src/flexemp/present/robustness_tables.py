"""Robustness tables of applied papers (seed 000 Tables 3-12) from fitted results.

``iv_table`` (first and second stage with weak-instrument diagnostics), ``psm_table``
(treated mean, control mean, ATT, SE, t), ``balance_table`` (Stata ``pstest``),
``heckman_table`` (outcome and selection equations, λ/ρ/σ, or the correction term
"逆米尔斯比率") and ``battery_table`` (mechanism and heterogeneity batteries).  They share
the layout rules of :func:`flexemp.present.regression_table.regression_table`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from scipy import stats as sps

from flexemp.codebook import Codebook
from flexemp.core.errors import UnsupportedOptionError
from flexemp.core.options import validate_option
from flexemp.models.batteries import BatteryResult
from flexemp.models.heckman import HeckmanResult, SelectionCorrectionResult
from flexemp.models.iv import IVResult
from flexemp.models.psm import PSMResult
from flexemp.models.results import TestResult
from flexemp.present.regression_layout import (
    _CUT,
    Column,
    Layout,
    _stat_cell,
    _t,
    as_list,
    assemble,
    coef_dict,
    coef_rows,
    columns_of,
    default_note,
    label_of,
    layout,
    stat_rows,
    term_variables,
)
from flexemp.present.stars import DEFAULT_STARS, star_marks
from flexemp.present.table import Cell, Row, Table, p_value_cell

__all__ = ["balance_table", "battery_table", "heckman_table", "iv_table", "psm_table"]


def _rows_for(cols: list[Column], spec: Sequence[tuple[str, str, str]], lay: Layout) -> list[Row]:
    """Stat rows for ``(key, zh, en)``; rows empty in every column are left out."""
    out = []
    for key, zh, en in spec:
        cells = tuple(_stat_cell(c.stats.get(key), lay.decimals) for c in cols)
        if any(x.value is not None for x in cells):
            out.append(Row(_t(lay.lang, zh, en), cells, kind="stat"))
    return out


def _test_cell(t: TestResult | None, lay: Layout, *, stars: bool = True, p: bool = False) -> Cell | None:
    if t is None or not t.available:
        return None
    v = t.p_value if p else t.stat
    if v is None:
        return None
    if p:
        return p_value_cell(v)
    return Cell(float(v), lay.decimals, stars=star_marks(t.p_value, lay.stars) if stars else "")


# --------------------------------------------------------------------------- IV
_IV_ROWS = (
    ("partial_r2", "偏R²", "Partial R²"),
    ("first_f", "第一阶段F值", "First-stage F"),
    ("kp_lm", "Kleibergen-Paap rk LM统计量", "Kleibergen-Paap rk LM statistic"),
    ("kp_lm_p", "Kleibergen-Paap rk LM统计量p值", "Kleibergen-Paap rk LM p-value"),
    ("kp_f", "Kleibergen-Paap rk Wald F统计量", "Kleibergen-Paap rk Wald F statistic"),
    ("cd_f", "Cragg-Donald Wald F统计量", "Cragg-Donald Wald F statistic"),
    ("sy10", "Stock-Yogo 10%临界值", "Stock-Yogo 10% critical value"),
    ("hansen_j", "Hansen J统计量", "Hansen J statistic"),
    ("hansen_j_p", "Hansen J统计量p值", "Hansen J p-value"),
    ("sargan", "Sargan统计量", "Sargan statistic"),
    ("sargan_p", "Sargan统计量p值", "Sargan p-value"),
    ("nobs", "观测值", "Observations"),
)


def iv_table(
    iv_results: IVResult | Sequence[IVResult],
    *,
    codebook: Codebook | None = None,
    lang: str = "zh",
    title: str = "",
    key: str = "",
    beneath: str = "se",
    stars: Sequence[float] = DEFAULT_STARS,
    decimals: int = 3,
    controls: Sequence[str] | None = None,
    show_intercept: bool = False,
    notes: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> Table:
    """2SLS results as seed 000 Table 3: a first-stage and a second-stage column per model.

    Parameters
    ----------
    iv_results : IVResult or sequence of them
        From :func:`flexemp.iv2sls`; one column group per model, labelled by its endogenous
        regressor(s), with columns 第一阶段 (one per endogenous regressor) and 第二阶段.
    codebook, lang, title, key, beneath, stars, decimals, controls, notes, labels
        As in :func:`~flexemp.present.regression_table.regression_table`.
    show_intercept : bool
        Show the constant (off by default, as in most IV tables).

    Returns
    -------
    Table
        Rows: endogenous regressors, instruments, other terms (or 控制变量), then partial R²
        and F of the excluded instruments (first-stage columns), the Kleibergen-Paap rk LM
        statistic (stars from its p-value) and p-value, rk Wald F, Cragg-Donald F, the
        Stock-Yogo 10% critical value (one endogenous regressor, 1-3 instruments), Hansen J
        or Sargan with p-value when over-identified (second-stage column), 观测值.

    Raises
    ------
    UnsupportedOptionError
        An empty list or an invalid option.

    Notes
    -----
    Stata ``ivreg2 y x (d = z), first`` / ``esttab``.

    Examples
    --------
    >>> import flexemp
    >>> from flexemp.synth import get_dataset
    >>> pw = get_dataset("platform_workers").generate()
    >>> pw["z_contract"] = flexemp.loo_mean(pw, "contract", "province", exclude="employer_id")
    >>> res = flexemp.iv2sls("life_sat ~ age + male + [contract ~ z_contract]", pw, vcov="robust")
    >>> iv_table(res, labels={"z_contract": "地区劳动合同平均值"}).columns
    ('第一阶段', '第二阶段')
    """
    lay = layout(codebook, lang, beneath, stars, decimals, labels)
    items = as_list(iv_results, IVResult, "iv_table")
    cols: list[Column] = []
    endog: list[str] = []
    instr: list[str] = []
    for res in items:
        second = columns_of(res, codebook, lang)[0]
        names = list(res.first_stage)
        group = "、".join(label_of(e, codebook, lang, labels) for e in names)
        for fs in res.first_stage.values():
            c = coef_dict(fs.coefficients)
            instr += [t for t in c if t not in second.coefs and t not in instr]
            st = {"partial_r2": fs.partial_r2, "first_f": _test_cell(fs.f, lay), "nobs": res.nobs}
            cols.append(Column(c, _t(lang, "第一阶段", "First stage"), group, res.cov_type,
                               res.spec.conf_level, st))
        endog += [e for e in names if e not in endog]
        d = res.diagnostics
        over = next((k for k in ("hansen_j", "sargan") if k in d), "")
        second.stats = {
            "kp_lm": _test_cell(d.get("kp_rk_lm"), lay),
            "kp_lm_p": _test_cell(d.get("kp_rk_lm"), lay, p=True),
            "kp_f": _test_cell(d.get("kp_rk_wald_f"), lay, stars=False),
            "cd_f": _test_cell(d.get("cragg_donald_f"), lay, stars=False),
            "sy10": _test_cell(d.get("stock_yogo_10"), lay, stars=False),
            over: _test_cell(d.get(over), lay, stars=False),
            f"{over}_p": _test_cell(d.get(over), lay, p=True),
            "nobs": res.nobs,
        }
        second.header, second.group = _t(lang, "第二阶段", "Second stage"), group
        cols.append(second)
    rows, terms = coef_rows(cols, lay, order=endog + instr, controls=controls, show_intercept=show_intercept)
    rows += _rows_for(cols, _IV_ROWS, lay)
    return assemble(cols, rows, terms, lay, title=title, key=key, column_labels=None,
                    dep_var_labels=None, notes=notes, meta={"models": ["iv2sls"] * len(items)})


# --------------------------------------------------------------------------- PSM
_SE_TEXT = {
    "ai2006": ("Abadie-Imbens (2006) 标准误（视倾向得分为已知）", "Abadie-Imbens (2006) standard errors (score treated as known)"),
    "ai2016": ("Abadie-Imbens (2016) 标准误（校正倾向得分的估计误差）",
               "Abadie-Imbens (2016) standard errors (adjusted for the estimated score)"),
    "homoskedastic": ("同方差匹配标准误", "homoskedastic matching standard errors"),
    "simple": ("psmatch2简单标准误", "psmatch2's simple standard errors"),
}
_ESTIMAND = {"att": ("平均处理效应(ATT)", "ATT"), "ate": ("平均处理效应(ATE)", "ATE"),
             "atc": ("控制组平均处理效应(ATC)", "ATC")}


def psm_table(
    psm_results: PSMResult | Sequence[PSMResult],
    *,
    se: str = "ai2006",
    codebook: Codebook | None = None,
    lang: str = "zh",
    title: str = "",
    key: str = "",
    stars: Sequence[float] = DEFAULT_STARS,
    decimals: int = 3,
    notes: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> Table:
    """Matching estimates as seed 000 Table 4: one row per treatment.

    Parameters
    ----------
    psm_results : PSMResult or sequence of them
        From :func:`flexemp.psm`, one per treatment (all with the same estimand).
    se : {"ai2006", "ai2016", "homoskedastic", "simple"}
        Which standard error to show (named in the note); t = effect / SE and the stars use
        its normal p-value.
    codebook, lang, title, key, stars, decimals, notes, labels
        As in :func:`~flexemp.present.regression_table.regression_table`.

    Returns
    -------
    Table
        Columns 处理组均值, 控制组均值, 平均处理效应(ATT), 标准误, t值.

    Raises
    ------
    UnsupportedOptionError
        An empty list, mixed estimands, an invalid option.

    Notes
    -----
    Stata ``psmatch2 d x, outcome(y) neighbor(1)`` / ``teffects psmatch``.

    Examples
    --------
    >>> import flexemp
    >>> from flexemp.synth import get_dataset
    >>> pw = get_dataset("platform_workers").generate()
    >>> r = flexemp.psm(pw, treat="contract", outcome="life_sat", covariates=["age", "male"])
    >>> psm_table(r).columns
    ('处理组均值', '控制组均值', '平均处理效应(ATT)', '标准误', 't值')
    """
    validate_option("se", se, tuple(_SE_TEXT))
    lay = layout(codebook, lang, "se", stars, decimals, labels)
    items = as_list(psm_results, PSMResult, "psm_table")
    est = {r.estimand for r in items}
    if len(est) != 1:
        raise UnsupportedOptionError(f"psm_table: the results mix estimands {sorted(est)}; make one table per estimand")
    d = decimals
    rows = []
    for r in items:
        if se == "ai2016" and r.se_ai2016 is None:
            raise UnsupportedOptionError(f"psm_table: se='ai2016' is not available: {r.se_ai2016_reason}")
        s = {"ai2006": r.se_ai2006, "ai2016": r.se_ai2016 or math.nan,
             "homoskedastic": r.se_homoskedastic, "simple": r.se_simple}[se]
        t = r.estimate / s if s > 0 else math.nan
        p = float(2 * sps.norm.sf(abs(t))) if math.isfinite(t) else None
        rows.append(Row(label_of(str(r.spec["treat"]), codebook, lang, labels),
                        (Cell(r.treated_mean, d), Cell(r.control_mean, d),
                         Cell(r.estimate, d, stars=star_marks(p, lay.stars)), Cell(s, d), Cell(t, d))))
    k = items[0].spec
    how = _t(lang, f"{k['k']}近邻{'有' if k['replace'] else '无'}放回匹配",
             f"{k['k']}-nearest-neighbour matching {'with' if k['replace'] else 'without'} replacement")
    if notes is None:
        body = default_note(lay.stars, "se", [], 0.95, lang).split("；" if lang == "zh" else "; ")[0]
        notes = (body + _t(lang, f"；{how}；标准误为{_SE_TEXT[se][0]}。", f"; {how}; {_SE_TEXT[se][1]}."),)
    cols = (_t(lang, "处理组均值", "Treated mean"), _t(lang, "控制组均值", "Control mean"),
            _t(lang, *_ESTIMAND[items[0].estimand]), _t(lang, "标准误", "Std. error"), _t(lang, "t值", "t"))
    return Table(title=title, columns=cols, rows=tuple(rows), stub_header=_t(lang, "变量", "Variable"),
                 notes=tuple(notes), key=key, meta={"row_terms": [r.spec["treat"] for r in items], "se": se})


def balance_table(
    psm_result: PSMResult,
    *,
    codebook: Codebook | None = None,
    lang: str = "zh",
    title: str = "",
    key: str = "",
    decimals: int = 3,
    labels: Mapping[str, str] | None = None,
) -> Table:
    """Covariate balance before and after matching, as Stata ``pstest, both``.

    Parameters
    ----------
    psm_result : PSMResult
    codebook, lang, title, key, decimals, labels
        As in :func:`~flexemp.present.regression_table.regression_table`.

    Returns
    -------
    Table
        Two rows per covariate (匹配前 / 匹配后) with 处理组均值, 控制组均值, 标准化偏差(%),
        偏差减少(%), t值, p值, 方差比; stat rows with the mean and median |bias|; the
        pseudo-R² and LR χ² of the treatment logit before and after in the note (and in
        ``meta["summary"]``).

    Raises
    ------
    UnsupportedOptionError
        Not a PSMResult.

    Examples
    --------
    >>> import flexemp
    >>> from flexemp.synth import get_dataset
    >>> pw = get_dataset("platform_workers").generate()
    >>> r = flexemp.psm(pw, treat="contract", outcome="life_sat", covariates=["age", "male"])
    >>> [row.cells[0].text for row in balance_table(r).rows[:2]]
    ['匹配前', '匹配后']
    """
    if not isinstance(psm_result, PSMResult):
        raise UnsupportedOptionError(f"balance_table needs a PSMResult, not {type(psm_result).__name__}")
    layout(codebook, lang, "se", DEFAULT_STARS, decimals, labels)
    d = decimals
    rows: list[Row] = []
    terms: list[str | None] = []
    for b in psm_result.balance.table.to_dict("records"):
        for tag, lab in (("before", label_of(b["covariate"], codebook, lang, labels)), ("after", "")):
            after = tag == "after"
            rows.append(Row(lab, (
                Cell(_t(lang, "匹配后", "Matched") if after else _t(lang, "匹配前", "Unmatched")),
                Cell(float(b["mean_treated" if after else "mean_treated_before"]), d),
                Cell(float(b["mean_control_after" if after else "mean_control_before"]), d),
                Cell(float(b[f"std_bias_{tag}"]), 1),
                Cell(float(b["bias_reduction"]), 1) if after else Cell(None),
                Cell(float(b[f"t_{tag}"]), 2), Cell(float(b[f"p_{tag}"]), d),
                Cell(float(b[f"variance_ratio_{tag}"]), 2))))
            terms.append(b["covariate"])
    s = psm_result.balance.summary
    for k, zh, en in (("mean", "平均|标准化偏差|(%)", "Mean |bias| (%)"), ("median", "中位|标准化偏差|(%)", "Median |bias| (%)")):
        for tag, zt, et in (("before", "匹配前", "Unmatched"), ("after", "匹配后", "Matched")):
            cells = [Cell(None)] * 8
            cells[0], cells[3] = Cell(_t(lang, zt, et)), Cell(float(s[f"{k}_abs_bias_{tag}"]), 1)
            rows.append(Row(_t(lang, zh, en) if tag == "before" else "", tuple(cells), kind="stat"))
            terms.append(None)

    def fit(tag: str) -> str:
        return f"{s[f'pseudo_r2_{tag}']:.{d}f}, {s[f'lr_chi2_{tag}']:.2f} (p = {s[f'lr_p_{tag}']:.{d}f})"

    note = _t(lang, f"注：标准化偏差以匹配前两组方差计算；倾向得分logit的伪R²与LR χ²：匹配前 {fit('before')}，匹配后 {fit('after')}。",
              f"Note: standardized bias uses the unmatched variances; pseudo-R² and LR χ² of the treatment "
              f"logit: unmatched {fit('before')}, matched {fit('after')}.")
    cols = tuple(_t(lang, z, e) for z, e in (("样本", "Sample"), ("处理组均值", "Treated"), ("控制组均值", "Control"),
                                               ("标准化偏差(%)", "%bias"), ("偏差减少(%)", "%reduct |bias|"),
                                               ("t值", "t"), ("p值", "p>|t|"), ("方差比", "V(T)/V(C)")))
    return Table(title=title, columns=cols, rows=tuple(rows), stub_header=_t(lang, "变量", "Variable"),
                 notes=(note,) + ((psm_result.balance.summary_note,) if psm_result.balance.summary_note else ()),
                 key=key, meta={"row_terms": terms, "summary": dict(s)})


# --------------------------------------------------------------------------- Heckman
def heckman_table(
    results: HeckmanResult | SelectionCorrectionResult | Sequence[HeckmanResult | SelectionCorrectionResult],
    *,
    codebook: Codebook | None = None,
    lang: str = "zh",
    title: str = "",
    key: str = "",
    beneath: str = "se",
    stars: Sequence[float] = DEFAULT_STARS,
    decimals: int = 3,
    order: Sequence[str] | None = None,
    controls: Sequence[str] | None = None,
    show_first_stage: bool = False,
    show_intercept: bool = True,
    show_cuts: bool = False,
    notes: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> Table:
    """Selection-corrected models: Heckman two-step, or the control-function correction (seed 000 Table 5).

    Parameters
    ----------
    results : HeckmanResult, SelectionCorrectionResult or a sequence of them
        A :class:`HeckmanResult` gives two columns, 结果方程 (outcome equation with λ) and
        选择方程 (probit), with ρ, σ and the selected/total observations.  A
        :class:`SelectionCorrectionResult` gives its second stage, with the correction term
        labelled 逆米尔斯比率 and shown last among the coefficients; ``show_first_stage``
        adds its treatment probit as a column before it.
    codebook, lang, title, key, beneath, stars, decimals, order, controls, show_intercept,
    show_cuts, notes, labels
        As in :func:`~flexemp.present.regression_table.regression_table`.

    Returns
    -------
    Table

    Raises
    ------
    UnsupportedOptionError
        An empty list or an invalid option.

    Notes
    -----
    Stata ``heckman y x, select(s = z x) twostep`` / ``esttab``.  The second-stage standard
    errors of ``selection_correction`` ignore the first-stage estimation unless it was run
    with ``bootstrap=`` (the note does not claim otherwise).

    Examples
    --------
    >>> import flexemp
    >>> from flexemp.synth import get_dataset
    >>> pw = get_dataset("platform_workers").generate()
    >>> r = flexemp.selection_correction("contract ~ education + full_time + works_local", "life_sat ~ contract + age", pw,
    ...                                  model="ols")
    >>> cb = get_dataset("platform_workers").codebook()
    >>> [row.label for row in heckman_table(r, codebook=cb).rows if row.kind == "body"]
    ['劳动合同', '年龄', '逆米尔斯比率', '常数项']
    """
    items = as_list(results, (HeckmanResult, SelectionCorrectionResult), "heckman_table")
    imr = _t(lang, "逆米尔斯比率", "Inverse Mills ratio")
    all_labels = dict(labels or {})
    cols: list[Column] = []
    tail: list[str] = []
    for r in items:
        if isinstance(r, HeckmanResult):
            out = columns_of(r.outcome, codebook, lang)[0]
            sel = columns_of(r.selection, codebook, lang)[0]
            out.header, sel.header = _t(lang, "结果方程", "Outcome"), _t(lang, "选择方程", "Selection")
            sel.group = out.group
            out.stats = {"rho": r.rho, "sigma": r.sigma, "nobs": r.nobs_selected}
            sel.stats = {"nobs": r.nobs}
            all_labels.setdefault("lambda", imr + " (λ)")
            tail += ["lambda"]
            cols += [out, sel]
        else:
            if show_first_stage:
                first = columns_of(r.first_stage, codebook, lang)[0]
                first.header = _t(lang, "第一阶段", "First stage")
                first.stats = {"nobs": first.stats["nobs"], "pseudo_r2": first.stats["pseudo_r2"]}
                cols.append(first)
            second = columns_of(r.second_stage, codebook, lang)[0]
            second.stats = {"nobs": second.stats["nobs"], "pseudo_r2": second.stats["pseudo_r2"],
                            "r2": second.stats["r2"], "n_clusters": second.stats["n_clusters"]}
            all_labels.setdefault(r.term, imr)
            tail.append(r.term)
            cols.append(second)
    lay = layout(codebook, lang, beneath, stars, decimals, all_labels)
    tail = list(dict.fromkeys(tail))
    terms_all = list(dict.fromkeys(t for c in cols for t in c.coefs))
    first_terms = list(order or [])
    rest = [t for t in terms_all if t not in tail and t not in first_terms and t != "Intercept"
            and not _CUT.match(t) and not (controls and set(term_variables(t)) <= set(controls))]
    rows, terms = coef_rows(cols, lay, order=first_terms + rest + tail, controls=controls,
                            show_intercept=show_intercept, show_cuts=show_cuts)
    rows += _rows_for(cols, (("rho", "ρ", "ρ"), ("sigma", "σ", "σ")), lay)
    rows += stat_rows(cols, ("nobs", "pseudo_r2", "n_clusters"), lay)
    return assemble(cols, rows, terms, lay, title=title, key=key, column_labels=None,
                    dep_var_labels=None, notes=notes, meta={"models": [type(r).__name__ for r in items]})


# --------------------------------------------------------------------------- batteries
def battery_table(
    battery: BatteryResult,
    *,
    dependent: str | None = None,
    subgroups: bool = False,
    codebook: Codebook | None = None,
    lang: str = "zh",
    title: str = "",
    key: str = "",
    beneath: str = "se",
    stars: Sequence[float] = DEFAULT_STARS,
    decimals: int = 3,
    order: Sequence[str] | None = None,
    controls: Sequence[str] | None = None,
    stats: Sequence[str] = ("nobs",),
    notes: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> Table:
    """A mechanism or heterogeneity battery as seed 000 Tables 6-8 / 9-12.

    Parameters
    ----------
    battery : BatteryResult
        From :func:`flexemp.mechanism` (one column per mediator × treatment, grouped by
        mediator) or :func:`flexemp.heterogeneity` (one column per treatment × moderator).
    dependent : str, optional
        Only the models of this mediator (seed 000 prints one table per mediator).
    subgroups : bool
        Heterogeneity: also show the subgroup models (columns "own_home=0" …).
    codebook, lang, title, key, beneath, stars, decimals, stats, notes, labels
        As in :func:`~flexemp.present.regression_table.regression_table`.
    order : sequence of str, optional
        Terms first.  Default: the treatments, each followed by its interactions, then the
        moderators (seed 000 Tables 9-12 order).
    controls : sequence of str, optional
        Default: every variable that is not a treatment or moderator collapses into 控制变量.

    Returns
    -------
    Table

    Raises
    ------
    UnsupportedOptionError
        A ``dependent`` not in the battery, an invalid option.

    Examples
    --------
    >>> import flexemp
    >>> from flexemp.synth import get_dataset
    >>> pw = get_dataset("platform_workers").generate()
    >>> het = flexemp.heterogeneity(pw, outcome="life_sat", treatments=["contract"], moderators=["own_home"],
    ...                             controls=["male", "age"])
    >>> cb = get_dataset("platform_workers").codebook()
    >>> [r.label for r in battery_table(het, codebook=cb).rows if r.kind == "body"]
    ['劳动合同', '劳动合同 × 自有住房', '自有住房']
    """
    if not isinstance(battery, BatteryResult):
        raise UnsupportedOptionError(f"battery_table needs a BatteryResult, not {type(battery).__name__}")
    keys = list(battery.models)
    if dependent is not None:
        deps = list(dict.fromkeys(k[0] for k in keys))
        if dependent not in deps:
            raise UnsupportedOptionError(f"dependent={dependent!r} is not in the battery; it has {', '.join(deps)}")
        keys = [k for k in keys if k[0] == dependent]
    if not subgroups:
        keys = [k for k in keys if len(k) < 3 or "=" not in k[2]]
    summ = battery.summary
    treats = list(dict.fromkeys(summ["treatment"]))
    mods = [m for m in dict.fromkeys(summ["moderator"].dropna()) if "=" not in str(m)]
    models = [battery.models[k] for k in keys]
    cols = [columns_of(m, codebook, lang)[0] for m in models]
    for c, k in zip(cols, keys, strict=True):
        if len(k) == 3 and "=" in k[2]:
            var, _, lvl = k[2].partition("=")
            c.header = f"{label_of(var, codebook, lang, labels)}={lvl}"
    present = list(dict.fromkeys(t for c in cols for t in c.coefs))
    if order is None:
        order = []
        for t in treats:
            order += [x for x in present if x == t or (x.startswith(t + ":") and x.split(":")[1] in mods)]
        order += [m for m in mods if m in present]
    if controls is None:
        keep = set(treats) | set(mods)
        controls = list(dict.fromkeys(v for t in present if t != "Intercept" and not _CUT.match(t)
                                      for v in term_variables(t) if v not in keep))
    lay = layout(codebook, lang, beneath, stars, decimals, labels)
    rows, terms = coef_rows(cols, lay, order=order, controls=controls or None,
                            show_intercept=False, show_cuts=False)
    rows += stat_rows(cols, stats, lay)
    return assemble(cols, rows, terms, lay, title=title, key=key, column_labels=None,
                    dep_var_labels=None, notes=notes, meta={"models": [m.model for m in models],
                                                             "keys": [list(k) for k in keys]})
