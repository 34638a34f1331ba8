"""Descriptive results (:mod:`flexemp.describe`) as journal-style :class:`~flexemp.present.table.Table`.

Each builder takes the result object of one ``flexemp.describe`` function and returns a Table
whose cells hold exactly the result's numbers:

=========================  =======================================================
builder                    result of
=========================  =======================================================
:func:`frequency_table`    :func:`flexemp.describe.tables.frequencies`
:func:`summary_table`      :func:`flexemp.describe.tables.summary_table_data`
:func:`crosstab_table`     :func:`flexemp.describe.compare.crosstab`
:func:`comparison_table`   :func:`flexemp.describe.compare.compare_groups`
:func:`midpoint_table`     :func:`flexemp.describe.tables.midpoint_means`
:func:`multiselect_table`  :func:`flexemp.describe.multiselect.multiselect`
=========================  =======================================================

**Percent cells** hold the value in percent units (``Cell(37.5, decimals=2)`` shows
``37.50``) under a header that says "(%)"; they never use ``Cell(percent=True)``.  Counts are
ints; means and SDs show 3 decimals (``decimals=`` changes it); p values 3 decimals.
Notes (注) state the base n, the weighting and the test used.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from flexemp.core.options import Language, validate_option
from flexemp.describe.compare import CompareResult, CrosstabResult
from flexemp.describe.multiselect import MultiselectResult
from flexemp.describe.tables import FrequencyResult, MidpointResult, SummaryResult
from flexemp.present.table import Cell, ColumnGroup, Row, RowKind, Table, p_value_cell

_L: dict[str, dict[str, str]] = {
    "zh": {
        "variable": "变量",
        "question": "题项",
        "option": "选项",
        "count": "频数",
        "wcount": "加权频数",
        "percent": "百分比(%)",
        "valid": "有效百分比(%)",
        "cum": "累积百分比(%)",
        "coding": "编码说明",
        "n": "样本量",
        "mean": "均值",
        "sd": "标准差",
        "min": "最小值",
        "max": "最大值",
        "total": "合计",
        "stat": "检验统计量",
        "p": "p值",
        "base": "样本量（基数）",
        "mid_mean": "区间中值均值",
        "freq_title": "样本频数分布",
        "sum_title": "描述性统计",
        "ct_title": "交叉表",
        "cmp_title": "分组比较",
        "mid_title": "分布及区间中值均值",
        "ms_title": "多选题选择比例",
    },
    "en": {
        "variable": "Variable",
        "question": "Question",
        "option": "Option",
        "count": "Frequency",
        "wcount": "Weighted frequency",
        "percent": "Percent (%)",
        "valid": "Valid percent (%)",
        "cum": "Cumulative percent (%)",
        "coding": "Coding",
        "n": "N",
        "mean": "Mean",
        "sd": "SD",
        "min": "Min",
        "max": "Max",
        "total": "Total",
        "stat": "Statistic",
        "p": "p-value",
        "base": "N (base)",
        "mid_mean": "Mean of midpoints",
        "freq_title": "Frequencies",
        "sum_title": "Descriptive statistics",
        "ct_title": "Cross-tabulation",
        "cmp_title": "Group comparison",
        "mid_title": "Distribution and mean of interval midpoints",
        "ms_title": "Multiple-response shares",
    },
}


def _num(v: Any, decimals: int | None = None) -> Cell:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return Cell(None)
    if isinstance(v, np.integer | int) and decimals is None:
        return Cell(int(v))
    return Cell(float(v), decimals)


def _pct(v: Any, decimals: int) -> Cell:
    return _num(v, decimals)


def _weight_note(weights: str | None, lang: Language) -> str:
    if weights is None:
        return "未加权。" if lang == "zh" else "Unweighted."
    if lang == "zh":
        return f"百分比与均值按权重变量{weights}加权，频数与样本量为未加权人数。"
    return f"Percentages and means weighted by {weights}; frequencies and N are unweighted counts."


def _note(lang: Language, *parts: str) -> str:
    return ("注：" if lang == "zh" else "Note: ") + ("" if lang == "zh" else " ").join(parts)


def _check_lang(lang: str) -> Language:
    validate_option("lang", lang, Language)
    return "en" if lang == "en" else "zh"


def frequency_table(
    result: FrequencyResult,
    *,
    lang: Language = "zh",
    title: str | None = None,
    decimals: int = 2,
    key: str = "",
) -> Table:
    """Frequency table (seed 001 Table 1): one section per variable, one row per option.

    Columns: 频数, [加权频数], 百分比(%), 有效百分比(%), 累积百分比(%).  Missing rows leave the
    valid and cumulative cells empty.

    Examples
    --------
    >>> from flexemp.synth import get_dataset
    >>> from flexemp.describe.tables import frequencies
    >>> ds = get_dataset("riders_shanghai")
    >>> t = frequency_table(frequencies(ds.generate(), ["sex"], codebook=ds.codebook()))
    >>> t.columns
    ('频数', '百分比(%)', '有效百分比(%)', '累积百分比(%)')
    """
    lang = _check_lang(lang)
    L = _L[lang]
    weighted = result.weights is not None
    cols = [L["count"], *([L["wcount"]] if weighted else []), L["percent"], L["valid"], L["cum"]]
    rows: list[Row] = []
    for _, block in result.table.groupby("variable", sort=False):
        rows.append(Row(str(block["label"].iloc[0]), (), kind="section"))
        for r in block.to_dict("records"):
            cells = [_num(int(r["count"]))]
            if weighted:
                cells.append(_num(float(r["weighted_count"]), decimals))
            cells += [
                _pct(r["percent"], decimals),
                _pct(r["valid_percent"], decimals),
                _pct(r["cumulative_percent"], decimals),
            ]
            rows.append(Row(str(r["option"]), tuple(cells)))
    notes = [
        _note(
            lang,
            f"N={result.n:,}；" if lang == "zh" else f"N = {result.n:,}.",
            _weight_note(result.weights, lang),
        )
    ]
    if result.unknown_codes:
        listed = "；".join(
            f"{k}: {', '.join(f'{v:g}' for v in vs)}" for k, vs in result.unknown_codes.items()
        )
        notes.append(
            _note(
                lang,
                f"以下取值不在编码表中：{listed}。"
                if lang == "zh"
                else f"Values not in the codebook: {listed}.",
            )
        )
    return Table(
        title or L["freq_title"],
        tuple(cols),
        tuple(rows),
        stub_header=L["option"],
        notes=tuple(notes),
        key=key,
        meta={"weights": result.weights},
    )


def summary_table(
    result: SummaryResult,
    *,
    lang: Language = "zh",
    title: str | None = None,
    decimals: int = 3,
    key: str = "",
) -> Table:
    """Table 1 of a paper (seed 000): variable, coding text, N, mean, SD, min, max.

    Examples
    --------
    >>> from flexemp.synth import get_dataset
    >>> from flexemp.describe.tables import summary_table_data
    >>> ds = get_dataset("platform_workers")
    >>> t = summary_table(summary_table_data(ds.generate(), ["contract"], codebook=ds.codebook()))
    >>> t.rows[0].cells[0].text
    '否=0，是=1'
    """
    lang = _check_lang(lang)
    L = _L[lang]
    cols = (L["coding"], L["n"], L["mean"], L["sd"], L["min"], L["max"])
    rows = []
    for r in result.table.to_dict("records"):
        coding = r["coding"] if lang == "zh" else r["coding_en"]
        label = r["label"] if lang == "zh" else r["label_en"]
        rows.append(
            Row(
                str(label),
                (
                    Cell(str(coding)),
                    _num(int(r["n"])),
                    _num(r["mean"], decimals),
                    _num(r["sd"], decimals),
                    Cell(float(r["min"]), _dec(r["min"])),
                    Cell(float(r["max"]), _dec(r["max"])),
                ),
            )
        )
    sd_def = (
        "标准差为加权标准差 sqrt(n/(n−1)·Σw(x−x̄)²/Σw)，同R survey::svyvar与Stata aweight。"
        if lang == "zh"
        else "Weighted SD = sqrt(n/(n−1)·Σw(x−x̄)²/Σw), as R survey::svyvar and Stata aweights."
    )
    parts = [_weight_note(result.weights, lang)] + ([sd_def] if result.weights else [])
    return Table(
        title or L["sum_title"],
        cols,
        tuple(rows),
        stub_header=L["variable"],
        notes=(_note(lang, *parts),),
        key=key,
        meta={"weights": result.weights},
    )


def _dec(v: float) -> int:
    return 0 if float(v).is_integer() else 2


def _test_note(
    method: str, stat: float, df: float, df2: float | None, p: float, lang: Language
) -> str:
    dfs = (
        f"{df:.3g}"
        if df2 is None or (isinstance(df2, float) and math.isnan(df2))
        else f"({df:.3f}, {df2:.1f})"
    )
    pt = "<0.001" if p < 0.001 else f"={p:.3f}"
    if lang == "zh":
        return f"检验：{method}，统计量={stat:.3f}，自由度={dfs}，p{pt}。"
    return f"Test: {method}, statistic = {stat:.3f}, df = {dfs}, p {pt}."


def crosstab_table(
    result: CrosstabResult,
    *,
    lang: Language = "zh",
    title: str | None = None,
    decimals: int = 2,
    key: str = "",
) -> Table:
    """Cross-tabulation: a column group per column level (频数, 百分比(%)) and a total group.

    The stub header and title use the variables' labels; the note gives the χ² test and
    Cramér's V.

    Examples
    --------
    >>> from flexemp.synth import get_dataset
    >>> from flexemp.describe.compare import crosstab
    >>> ds = get_dataset("internet_flex_finance")
    >>> t = crosstab_table(crosstab(ds.generate(), "sex", "flexible", codebook=ds.codebook()))
    >>> [g.label for g in t.column_groups]
    ['稳定就业', '灵活就业', '合计']
    """
    lang = _check_lang(lang)
    L = _L[lang]
    t = result.table
    col_labels = list(dict.fromkeys(t["col_label"]))
    row_labels = list(dict.fromkeys(t["row_label"]))
    cnt = t.pivot(index="row_label", columns="col_label", values="count").loc[
        row_labels, col_labels
    ]
    pct = t.pivot(index="row_label", columns="col_label", values="percent").loc[
        row_labels, col_labels
    ]
    wct = t.pivot(index="row_label", columns="col_label", values="weighted_count").loc[
        row_labels, col_labels
    ]
    row_share = 100 * wct.sum(axis=1) / wct.to_numpy().sum()
    pct_head = (
        {"row": "行百分比(%)", "col": "列百分比(%)", "total": "总百分比(%)"}
        if lang == "zh"
        else {"row": "Row %", "col": "Column %", "total": "Total %"}
    )
    ph = pct_head.get(result.percent_base or "", L["percent"])
    columns: list[str] = []
    groups = []
    for c in [*col_labels, L["total"]]:
        columns += [L["count"], ph if c != L["total"] else L["percent"]]
        groups.append(ColumnGroup(str(c), 2))
    rows = []
    for r in row_labels:
        cells: list[Cell] = []
        for c in col_labels:
            cells += [_num(int(cnt.loc[r, c])), _pct(pct.loc[r, c], decimals)]
        cells += [_num(int(cnt.loc[r].sum())), _pct(row_share[r], decimals)]
        rows.append(Row(str(r), tuple(cells)))
    tot: list[Cell] = []
    col_share = 100 * wct.sum(axis=0) / wct.to_numpy().sum()
    for c in col_labels:
        tot += [_num(int(cnt[c].sum())), _pct(col_share[c], decimals)]
    tot += [_num(int(cnt.to_numpy().sum())), _pct(100.0, decimals)]
    rows.append(Row(L["total"], tuple(tot), kind="stat"))
    x = result.test
    v = f"Cramér's V={x.cramers_v:.3f}。" if lang == "zh" else f"Cramér's V = {x.cramers_v:.3f}."
    notes = (
        _note(
            lang,
            _test_note(x.method, x.statistic, x.df, x.df2, x.p_value, lang),
            v,
            _weight_note(result.weights, lang),
        ),
    )
    rl, cl = (t or n for t, n in zip(result.titles, (result.row, result.col), strict=True))
    return Table(
        title
        or (f"{L['ct_title']}：{rl} × {cl}" if lang == "zh" else f"{L['ct_title']}: {rl} × {cl}"),
        tuple(columns),
        tuple(rows),
        stub_header=rl,
        column_groups=tuple(groups),
        notes=notes,
        key=key,
        meta={"test": x.to_dict(), "weights": result.weights},
    )


def comparison_table(
    result: CompareResult,
    *,
    lang: Language = "zh",
    title: str | None = None,
    decimals: int = 2,
    key: str = "",
) -> Table:
    """Flexible-vs-stable table (seed 003): percent (categorical) or mean (numeric) per group, test, p.

    Categorical variables get a section row and one row per option (percent of the group); the
    statistic and p value sit on the first option row.  Numeric variables get one row of means.
    Group sizes differ by variable (each uses its answered rows); they are in ``result.rows``.

    Examples
    --------
    >>> from flexemp.synth import get_dataset
    >>> from flexemp.describe.compare import compare_groups
    >>> ds = get_dataset("internet_flex_finance")
    >>> res = compare_groups(ds.generate(), ["sex"], "flexible", codebook=ds.codebook())
    >>> comparison_table(res).columns
    ('稳定就业', '灵活就业', '检验统计量', 'p值')
    """
    lang = _check_lang(lang)
    L = _L[lang]
    columns = (*result.group_labels, L["stat"], L["p"])
    tests = {str(r["variable"]): r for r in result.tests.to_dict("records")}
    rows: list[Row] = []
    for var, block in result.rows.groupby("variable", sort=False):
        tr = tests[str(var)]
        stat_cells = (_num(float(tr["statistic"]), 3), p_value_cell(float(tr["p_value"])))
        blank = (Cell(None), Cell(None))
        label = str(block["label"].iloc[0])
        if block["kind"].iloc[0] == "numeric":
            means = [_num(m, decimals) for m in block["estimate"]]
            rows.append(
                Row(
                    f"{label}（{L['mean']}）" if lang == "zh" else f"{label} ({L['mean']})",
                    (*means, *stat_cells),
                )
            )
            continue
        rows.append(Row(f"{label}（%）" if lang == "zh" else f"{label} (%)", (), kind="section"))
        grid = block.pivot(index="code", columns="group", values="estimate")
        names = block.drop_duplicates("code").set_index("code")["option"]
        for i, code in enumerate(grid.index):
            cells = [_pct(grid.loc[code, g], decimals) for g in result.groups]
            rows.append(Row(str(names[code]), (*cells, *(stat_cells if i == 0 else blank))))
    used = "; ".join(dict.fromkeys(result.tests["method"]))
    base = (
        "各变量以该变量与分组均有回答的样本计算；t值为第二组减第一组。"
        if lang == "zh"
        else "Each variable uses the respondents who answered it and the group; t = second group − first."
    )
    notes = (
        _note(
            lang,
            ("检验方法：" if lang == "zh" else "Tests: ") + used + ("。" if lang == "zh" else "."),
            base,
            _weight_note(result.weights, lang),
        ),
    )
    return Table(
        title or L["cmp_title"],
        tuple(columns),
        tuple(rows),
        stub_header=L["variable"],
        notes=notes,
        key=key,
        meta={
            "tests": result.tests.replace({np.nan: None}).to_dict("records"),
            "weights": result.weights,
        },
    )


def midpoint_table(
    result: MidpointResult,
    *,
    lang: Language = "zh",
    title: str | None = None,
    decimals: int = 2,
    key: str = "",
) -> Table:
    """Row percentages by group plus the mean of interval midpoints and N (seed 004 Tables 1-4).

    Examples
    --------
    >>> from flexemp.synth import get_dataset
    >>> from flexemp.describe.tables import midpoint_means
    >>> ds = get_dataset("flex_sentiment")
    >>> res = midpoint_means(ds.generate(n=3000), "hours_band", by="sex", codebook=ds.codebook())
    >>> midpoint_table(res).columns[-2:]
    ('区间中值均值', '样本量')
    """
    lang = _check_lang(lang)
    L = _L[lang]
    dist = result.distribution
    options = list(dict.fromkeys(dist["option"]))
    columns = (*(f"{o}(%)" for o in options), L["mid_mean"], L["n"])
    rows = []
    means = {str(r["group_label"]): r for r in result.means.to_dict("records")}
    for g, block in dist.groupby("group_label", sort=False):
        cells = [_pct(p, decimals) for p in block["percent"]]
        kind: RowKind = (
            "stat" if block["group"].iloc[0] == "__all__" and result.by is not None else "body"
        )
        rows.append(
            Row(
                str(g),
                (*cells, _num(means[str(g)]["mean"], decimals), _num(int(means[str(g)]["n"]))),
                kind=kind,
            )
        )
    mids = "，".join(
        f"{o}={v:g}"
        for o, v in zip(options, [v for _, v in sorted(result.midpoints.items())], strict=True)
    )
    notes = (
        _note(
            lang,
            ("区间中值：" if lang == "zh" else "Interval midpoints: ")
            + mids
            + ("。" if lang == "zh" else "."),
            _weight_note(result.weights, lang),
        ),
    )
    return Table(
        title or L["mid_title"],
        columns,
        tuple(rows),
        stub_header=result.titles[1] or (result.by or ""),
        notes=notes,
        key=key,
        meta={
            "midpoints": {str(k): v for k, v in result.midpoints.items()},
            "weights": result.weights,
        },
    )


def multiselect_table(
    result: MultiselectResult,
    *,
    lang: Language = "zh",
    title: str | None = None,
    decimals: int = 2,
    key: str = "",
) -> Table:
    """Options (sorted as in the result) × groups: percent of respondents choosing each option.

    The last row gives each column's base N (respondents who answered the question).

    Examples
    --------
    >>> from flexemp.synth import get_dataset
    >>> from flexemp.describe.multiselect import multiselect
    >>> ds = get_dataset("internet_flex_finance")
    >>> t = multiselect_table(multiselect(ds.generate(), "risks", codebook=ds.codebook()))
    >>> t.rows[-1].label, t.rows[-1].cells[0].value
    ('样本量（基数）', 4629)
    """
    lang = _check_lang(lang)
    L = _L[lang]
    t = result.table
    glabels = list(dict.fromkeys(t["group_label"]))
    if result.by is not None:  # groups first, total last
        glabels = [g for g in glabels if g != L["total"]] + [L["total"]]
    columns = tuple(f"{g}(%)" for g in glabels)
    grid = t.pivot(index="column", columns="group_label", values="percent")
    order = list(dict.fromkeys(t["column"]))
    names = t.drop_duplicates("column").set_index("column")["option"]
    rows = [
        Row(str(names[c]), tuple(_pct(grid.loc[c, g], decimals) for g in glabels)) for c in order
    ]
    bases = t.drop_duplicates("group_label").set_index("group_label")["base_n"]
    rows.append(Row(L["base"], tuple(_num(int(bases[g])) for g in glabels), kind="stat"))
    base_def = (
        f"基数为回答该题（至少一个选项非缺失）的样本，共{result.base_n:,}人；未作答{result.n_not_asked:,}人不计入。"
        "百分比为选择该选项的人数占基数的比例，各项之和可超过100%。"
        if lang == "zh"
        else f"Base: respondents who answered the question (any option non-missing), N = {result.base_n:,}; "
        f"{result.n_not_asked:,} not asked are excluded. Percent of respondents; may sum past 100%."
    )
    return Table(
        title or (result.label or L["ms_title"]),
        columns,
        tuple(rows),
        stub_header=L["option"],
        notes=(_note(lang, base_def, _weight_note(result.weights, lang)),),
        key=key,
        meta={"base_n": result.base_n, "weights": result.weights},
    )


__all__ = [
    "comparison_table",
    "crosstab_table",
    "frequency_table",
    "midpoint_table",
    "multiselect_table",
    "summary_table",
]
