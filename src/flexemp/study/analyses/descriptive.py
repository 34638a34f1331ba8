"""Study analyses that describe the sample: summaries, frequencies, crosstabs, comparisons,
multi-selects, interval-midpoint means and scale reliability."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from flexemp.core.errors import StudyError
from flexemp.present.table import Cell, Row, Table
from flexemp.study.analyses.common import choice, label, names, one
from flexemp.study.output import AnalysisOutput
from flexemp.study.schema import AnalysisSpec

if TYPE_CHECKING:
    from flexemp.study.run import StudyContext


def _weights(ctx: StudyContext, a: AnalysisSpec) -> str | None:
    """The study's weights unless the analysis says ``weighted: false``."""
    return ctx.data.weights if one(a, "weighted", True) else None


def _output(a: AnalysisSpec, table: Table) -> AnalysisOutput:
    return AnalysisOutput(a.id, a.type, a.title, tables=[table])


def summary(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """Variable, coding text, mean and SD (seed 000 Table 1; seed 001 Table 2)."""
    from flexemp.describe.tables import summary_table_data
    from flexemp.present.descriptive_table import summary_table

    res = summary_table_data(
        ctx.data.frame,
        names(a, "variables", required=True),
        codebook=ctx.codebook,
        weights=_weights(ctx, a),
    )
    out = _output(a, summary_table(res, lang=ctx.lang, title=a.title, key=a.id))
    out.results = res.to_dict()
    return out


def frequencies(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """Count and percent of each option per question (seed 001 Table 1), with SPSSAU-style text."""
    from flexemp.describe.tables import frequencies as freq
    from flexemp.present.descriptive_table import frequency_table
    from flexemp.present.narrative_describe import distribution_sentence

    variables = names(a, "variables", required=True)
    res = freq(
        ctx.data.frame, variables, codebook=ctx.codebook, weights=_weights(ctx, a), lang=ctx.lang
    )
    out = _output(a, frequency_table(res, lang=ctx.lang, title=a.title, key=a.id))
    t = res.table
    for var in variables:
        part = t[(t["variable"] == var) & ~t["is_missing"].astype(bool)]
        if part.empty:
            continue
        shares = [
            (str(o), float(p) / 100)
            for o, p in zip(part["option"], part["valid_percent"], strict=True)
        ]
        if a.text:
            out.text.append(
                distribution_sentence(label(ctx.codebook, var, ctx.lang), shares, lang=ctx.lang)
            )
        if one(a, "chart", False):
            from flexemp.present.charts.builders import distribution_chart

            frame = pd.DataFrame(
                {"样本" if ctx.lang == "zh" else "Sample": [s for _, s in shares]},
                index=[o for o, _ in shares],
            )
            out.charts.append(
                distribution_chart(frame, title=label(ctx.codebook, var, ctx.lang), key=var)
            )
    out.results = res.to_dict()
    return out


def crosstab(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """Two-way table with row/column percents, χ² (Rao–Scott when weighted) and Cramér's V."""
    from flexemp.describe.compare import crosstab as xtab
    from flexemp.present.descriptive_table import crosstab_table

    row, col = str(one(a, "row")), str(one(a, "col"))
    res = xtab(
        ctx.data.frame,
        row,
        col,
        codebook=ctx.codebook,
        weights=_weights(ctx, a),
        percent=choice(a, "percent", ("row", "col", "total"), "row"),  # type: ignore[arg-type]
        lang=ctx.lang,
    )
    out = _output(a, crosstab_table(res, lang=ctx.lang, title=a.title, key=a.id))
    out.results = res.to_dict()
    return out


def _gap_sentence(
    label_: str,
    option: str,
    ga: str,
    a: float,
    gb: str,
    b: float,
    test: dict[str, Any] | None,
    lang: str,
) -> str:
    """One categorical comparison: the option whose share differs most, and the test of the whole distribution.

    ``a``/``b`` are percents of groups ``ga``/``gb``; ``test`` has statistic, df and p_value (or None).
    """
    from flexemp.present.narrative_common import DEFAULT_STARS, fmt_level, significance_level

    zh = lang == "zh"
    gap = abs(a - b)
    if zh:
        rel = (
            "两组相同"
            if a == b
            else f"{'高于' if a > b else '低于'}{gb}（{b:.2f}%），相差{gap:.2f}个百分点"
        )
        text = f"从{label_}来看，{ga}中“{option}”的占比为{a:.2f}%，{rel}"
    else:
        rel = (
            "the same in both groups"
            if a == b
            else f"{'higher' if a > b else 'lower'} than among {gb} ({b:.2f}%) by {gap:.2f} percentage points"
        )
        text = f'{label_}: among {ga}, {a:.2f}% answered "{option}", {rel}'
    if test is None or test.get("p_value") is None:
        return text + ("。" if zh else ".")
    p, stat, df = float(test["p_value"]), float(test["statistic"]), test.get("df")
    level = significance_level(p, DEFAULT_STARS)
    ptxt = (
        ("p<0.001" if p < 0.001 else f"p={p:.3f}")
        if zh
        else ("p < 0.001" if p < 0.001 else f"p = {p:.3f}")
    )
    dtxt = "" if df is None else (f"，df={int(float(df))}" if zh else f", df = {int(float(df))}")
    if zh:
        sig = f"在{fmt_level(level)}的统计水平上显著" if level is not None else "未通过显著性检验"
        return f"{text}；两组{label_}分布的差异{sig}（χ²={stat:.2f}{dtxt}，{ptxt}）。"
    sig = (
        f"significant at the {fmt_level(level)} level"
        if level is not None
        else "not statistically significant"
    )
    return f"{text}; the difference between the two distributions is {sig} (χ² = {stat:.2f}{dtxt}, {ptxt})."


def compare(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """Group comparisons (flexible vs stable, seed 003): percents with χ², means with t tests, and charts.

    With two groups the text names, for each categorical variable, the option whose share differs
    most between the groups and the χ² test of the whole distribution (seed 003: "初中及以下学历占比
    高达21%，而这一比例在稳定就业群体中仅占11%"); for a numeric variable it compares the means.
    One bar chart (percent of each group choosing each option) per categorical variable.
    """
    from flexemp.describe.compare import compare_groups
    from flexemp.present.descriptive_table import comparison_table

    group = str(one(a, "group"))
    res = compare_groups(
        ctx.data.frame,
        names(a, "variables", required=True),
        group,
        codebook=ctx.codebook,
        weights=_weights(ctx, a),
        test=choice(a, "test", ("auto", "t", "welch", "chisq"), "auto"),  # type: ignore[arg-type]
        lang=ctx.lang,
    )
    out = _output(a, comparison_table(res, lang=ctx.lang, title=a.title, key=a.id))
    rows = res.rows
    tests: dict[str, dict[str, Any]] = {
        str(t["variable"]): {str(k): v for k, v in t.items()} for t in res.tests.to_dict("records")
    }
    if a.text and len(res.groups) == 2:
        from flexemp.present.narrative_describe import comparison_sentence

        ga, gb = res.group_labels[1], res.group_labels[0]
        for var, part in rows.groupby("variable", sort=False):
            test = tests.get(str(var))
            lab = str(part["label"].iloc[0])
            if part["kind"].iloc[0] == "numeric":
                p = (
                    float(test["p_value"])
                    if test and test.get("p_value") is not None
                    else float("nan")
                )
                if p != p:
                    continue
                va = float(part.loc[part["group"] == res.groups[1], "estimate"].iloc[0])
                vb = float(part.loc[part["group"] == res.groups[0], "estimate"].iloc[0])
                out.text.append(comparison_sentence(lab, ga, va, gb, vb, p, unit="", lang=ctx.lang))
                continue
            wide = part.pivot_table(
                index="option", columns="group", values="estimate", sort=False
            ).fillna(0.0)
            if res.groups[1] not in wide.columns or res.groups[0] not in wide.columns:
                continue
            order = (
                [c.label(ctx.lang) for c in ctx.codebook[str(var)].codes]
                if str(var) in ctx.codebook
                else []
            )
            wide = wide.reindex(
                [o for o in order if o in wide.index] + [o for o in wide.index if o not in order]
            )
            s1, s0 = wide[res.groups[1]], wide[res.groups[0]]
            top = str(
                (s1 - s0).abs().idxmax()
            )  # ties (two options of a binary): the first in codebook order
            out.text.append(
                _gap_sentence(lab, top, ga, float(s1[top]), gb, float(s0[top]), test, ctx.lang)
            )
    if one(a, "chart", True):
        from flexemp.present.charts.builders import distribution_chart

        for var, part in rows[rows["kind"] == "categorical"].groupby("variable", sort=False):
            wide = (
                part.pivot_table(
                    index="option", columns="group_label", values="estimate", sort=False
                )
                / 100
            )
            wide = wide[[g for g in res.group_labels if g in wide.columns]].fillna(0.0)
            out.charts.append(
                distribution_chart(wide, title=str(part["label"].iloc[0]), key=str(var))
            )
    out.results = res.to_dict()
    return out


def multiselect(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """Percent of respondents choosing each option (overall and by group), sorted, base n stated.

    With ``by`` the chart has one bar per group and option (percent of that group's base) and
    the text reads each group's distribution and the option whose share differs most.
    """
    from flexemp.describe.multiselect import multiselect as ms
    from flexemp.present.descriptive_table import multiselect_table

    options = one(a, "options")
    by = one(a, "by")
    res = ms(
        ctx.data.frame,
        options,
        by=by,
        codebook=ctx.codebook,
        weights=_weights(ctx, a),
        lang=ctx.lang,
    )
    out = _output(a, multiselect_table(res, lang=ctx.lang, title=a.title, key=a.id))
    zh = ctx.lang == "zh"
    t = res.table
    overall = t[t["group"] == "__all__"]
    order = list(overall["option"])
    question = str(one(a, "label") or res.label or a.title)
    groups = [g for g in dict.fromkeys(t["group"]) if g != "__all__"] if by else []
    glabels = {g: str(t.loc[t["group"] == g, "group_label"].iloc[0]) for g in groups}
    pct = {
        g: t[t["group"] == g].set_index("option")["percent"].reindex(order)
        for g in ["__all__", *groups]
    }
    bases = {g: int(t.loc[t["group"] == g, "base_n"].iloc[0]) for g in ["__all__", *groups]}
    if a.text and order:
        from flexemp.present.narrative_describe import distribution_sentence

        out.text.append(
            (
                f"本题为多选题，基数为回答该题的{res.base_n:,}人（未作答{res.n_not_asked:,}人不计入），"
                "百分比为选择该选项的人数占基数的比例。"
            )
            if zh
            else (
                f"Multiple answers allowed; base: the {res.base_n:,} respondents who answered "
                f"({res.n_not_asked:,} not asked are excluded); percent of respondents."
            )
        )
        for g in groups or ["__all__"]:
            shares = [(o, float(v) / 100) for o, v in pct[g].items() if v == v]
            q = (
                question
                if g == "__all__"
                else (
                    f"{glabels[g]}群体（{bases[g]:,}人）的{question}"
                    if zh
                    else f"{question} ({glabels[g]}, n = {bases[g]:,})"
                )
            )
            out.text.append(distribution_sentence(q, shares, multiple=True, lang=ctx.lang))
        if len(groups) == 2:
            ga, gb = groups[1], groups[0]
            diff = (pct[ga] - pct[gb]).abs()
            if diff.notna().any():
                top = str(diff.idxmax())
                out.text.append(
                    _gap_sentence(
                        question,
                        top,
                        glabels[ga],
                        float(pct[ga][top]),
                        glabels[gb],
                        float(pct[gb][top]),
                        None,
                        ctx.lang,
                    )
                )
    if one(a, "chart", True) and order:
        from flexemp.present.charts.builders import multiselect_chart

        note = (
            f"基数：回答该题的{res.base_n:,}人；各项之和可超过100%。"
            if zh
            else f"Base: {res.base_n:,} respondents who answered; may sum past 100%."
        )
        if groups:
            from flexemp.present.charts.model import Chart, Series

            series = tuple(
                Series(
                    f"{glabels[g]}（n={bases[g]:,}）" if zh else f"{glabels[g]} (n = {bases[g]:,})",
                    tuple(None if v != v else float(v) / 100 for v in pct[g]),
                )
                for g in groups
            )
            out.charts.append(
                Chart(
                    key="options",
                    kind="hbar",
                    title=question,
                    categories=tuple(order),
                    series=series,
                    percent=True,
                    note=note,
                )
            )
        else:
            out.charts.append(
                multiselect_chart(
                    order,
                    [float(v) / 100 for v in pct["__all__"]],
                    title=question,
                    key="options",
                    note=note,
                )
            )
    out.results = res.to_dict()
    return out


def midpoint_means(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """Mean of band midpoints (income, hours, age) overall or by group (seed 004 Tables 1, 3, 4)."""
    from flexemp.describe.tables import midpoint_means as mm
    from flexemp.present.descriptive_table import midpoint_table

    mids = one(a, "midpoints")
    if mids is not None and not isinstance(mids, dict):
        raise StudyError(
            f"{a.where('midpoints')}: map band codes to midpoints, e.g. {{1: 1500, 2: 4000}}"
        )
    res = mm(
        ctx.data.frame,
        str(one(a, "variable")),
        by=one(a, "by"),
        codebook=ctx.codebook,
        weights=_weights(ctx, a),
        midpoints={float(k): float(v) for k, v in mids.items()} if mids else None,
        lang=ctx.lang,
    )
    out = _output(a, midpoint_table(res, lang=ctx.lang, title=a.title, key=a.id))
    out.results = res.to_dict()
    return out


def reliability(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """Cronbach's α (with its CI), KMO and Bartlett's test of a scale (seed 001's "信度和效度")."""
    from flexemp.describe.scales import reliability as rel

    items = names(a, "items", required=True)
    res = rel(ctx.data.frame, items, codebook=ctx.codebook, reverse=names(a, "reverse") or None)
    zh = ctx.lang == "zh"
    rows = [
        Row("Cronbach's α", (Cell(res.alpha, 3),)),
        Row(
            "95%置信区间" if zh else "95% CI",
            (Cell(None, text_override=f"[{res.alpha_ci[0]:.3f}, {res.alpha_ci[1]:.3f}]"),),
        ),
        Row("标准化α" if zh else "Standardized α", (Cell(res.alpha_std, 3),)),
        Row("KMO", (Cell(res.kmo, 3),)),
        Row("Bartlett球形检验χ²" if zh else "Bartlett χ²", (Cell(res.bartlett.chi2, 3),)),
        Row("自由度" if zh else "df", (Cell(int(res.bartlett.df)),)),
        Row("p值" if zh else "p", (Cell(res.bartlett.p_value, 3),)),
        Row("样本量" if zh else "n", (Cell(int(res.n)),), kind="stat"),
        Row("题项数" if zh else "Items", (Cell(len(items)),), kind="stat"),
    ]
    out = _output(
        a,
        Table(
            a.title,
            ("值" if zh else "Value",),
            tuple(rows),
            stub_header="指标" if zh else "Statistic",
            key=a.id,
        ),
    )
    if a.text:
        good = res.alpha >= 0.7
        out.text.append(
            (
                f"量表的Cronbach's α系数为{res.alpha:.3f}，"
                + ("大于0.7，说明信度较好" if good else "低于0.7，信度欠佳")
                + f"；KMO值为{res.kmo:.3f}，Bartlett球形检验"
                + ("显著" if res.bartlett.p_value < 0.05 else "不显著")
                + f"（p={res.bartlett.p_value:.3f}）。"
            )
            if zh
            else (
                f"Cronbach's alpha is {res.alpha:.3f} ("
                + ("acceptable, ≥ 0.7" if good else "below 0.7")
                + f"); KMO is {res.kmo:.3f}; Bartlett's test p = {res.bartlett.p_value:.3f}."
            )
        )
    out.results = res.to_dict()
    return out
