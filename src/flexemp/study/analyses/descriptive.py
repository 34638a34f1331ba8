"""Study analyses that describe the sample: summaries, frequencies, crosstabs, comparisons,
multi-selects, interval-midpoint means and scale reliability."""

from __future__ import annotations

from typing import TYPE_CHECKING

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


def summary(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """Variable, coding text, mean and SD (seed 000 Table 1; seed 001 Table 2)."""
    from flexemp.describe.tables import summary_table_data
    from flexemp.present.descriptive_table import summary_table

    res = summary_table_data(ctx.data.frame, names(a, "variables", required=True), codebook=ctx.codebook,
                             weights=_weights(ctx, a))
    out = AnalysisOutput(a.id, a.type, a.title, tables=[summary_table(res, lang=ctx.lang, title=a.title, key=a.id)])
    out.results = res.to_dict()
    return out


def frequencies(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """Count and percent of each option per question (seed 001 Table 1), with SPSSAU-style text."""
    from flexemp.describe.tables import frequencies as freq
    from flexemp.present.descriptive_table import frequency_table
    from flexemp.present.narrative_describe import distribution_sentence

    variables = names(a, "variables", required=True)
    res = freq(ctx.data.frame, variables, codebook=ctx.codebook, weights=_weights(ctx, a), lang=ctx.lang)
    out = AnalysisOutput(a.id, a.type, a.title, tables=[frequency_table(res, lang=ctx.lang, title=a.title, key=a.id)])
    t = res.table
    for var in variables:
        part = t[(t["variable"] == var) & ~t["is_missing"].astype(bool)]
        if part.empty:
            continue
        shares = [(str(o), float(p) / 100) for o, p in zip(part["option"], part["valid_percent"], strict=True)]
        if a.text:
            out.text.append(distribution_sentence(label(ctx.codebook, var, ctx.lang), shares, lang=ctx.lang))
        if one(a, "chart", False):
            from flexemp.present.charts.builders import distribution_chart

            frame = pd.DataFrame({"样本" if ctx.lang == "zh" else "Sample": [s for _, s in shares]},
                                 index=[o for o, _ in shares])
            out.charts.append(distribution_chart(frame, title=label(ctx.codebook, var, ctx.lang), key=var))
    out.results = res.to_dict()
    return out


def crosstab(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """Two-way table with row/column percents, χ² (Rao–Scott when weighted) and Cramér's V."""
    from flexemp.describe.compare import crosstab as xtab
    from flexemp.present.descriptive_table import crosstab_table

    row, col = str(one(a, "row")), str(one(a, "col"))
    res = xtab(ctx.data.frame, row, col, codebook=ctx.codebook, weights=_weights(ctx, a),
               percent=choice(a, "percent", ("row", "col", "total"), "row"), lang=ctx.lang)  # type: ignore[arg-type]
    out = AnalysisOutput(a.id, a.type, a.title)
    out.tables.append(crosstab_table(res, lang=ctx.lang, title=a.title, key=a.id))
    out.results = res.to_dict()
    return out


def compare(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """Group comparisons (flexible vs stable, seed 003): percents with χ², means with t tests, and charts."""
    from flexemp.describe.compare import compare_groups
    from flexemp.present.descriptive_table import comparison_table

    group = str(one(a, "group"))
    res = compare_groups(ctx.data.frame, names(a, "variables", required=True), group, codebook=ctx.codebook,
                         weights=_weights(ctx, a), test=choice(a, "test", ("auto", "t", "welch", "chisq"), "auto"),  # type: ignore[arg-type]
                         lang=ctx.lang)
    out = AnalysisOutput(a.id, a.type, a.title, tables=[comparison_table(res, lang=ctx.lang, title=a.title, key=a.id)])
    rows, tests = res.rows, res.tests.set_index("variable")
    if a.text and len(res.groups) == 2:
        from flexemp.present.narrative_describe import comparison_sentence

        ga, gb = res.group_labels[1], res.group_labels[0]
        for var, part in rows.groupby("variable", sort=False):
            p = float(tests["p_value"].get(var, float("nan")))
            if p != p:
                continue
            if part["kind"].iloc[0] == "numeric":
                va = float(part.loc[part["group"] == res.groups[1], "estimate"].iloc[0])
                vb = float(part.loc[part["group"] == res.groups[0], "estimate"].iloc[0])
                out.text.append(comparison_sentence(str(part["label"].iloc[0]), ga, va, gb, vb, p, unit="",
                                                    lang=ctx.lang))
            else:  # the option most chosen overall
                top = part.groupby("option", sort=False)["estimate"].mean().idxmax()
                sub = part[part["option"] == top]
                va = float(sub.loc[sub["group"] == res.groups[1], "estimate"].iloc[0]) / 100
                vb = float(sub.loc[sub["group"] == res.groups[0], "estimate"].iloc[0]) / 100
                name = (f"{part['label'].iloc[0]}为“{top}”的比例" if ctx.lang == "zh"
                        else f'the share answering "{top}" to {part["label"].iloc[0]}')
                out.text.append(comparison_sentence(name, ga, va * 100, gb, vb * 100, p, lang=ctx.lang))
    if one(a, "chart", True):
        from flexemp.present.charts.builders import distribution_chart

        for var, part in rows[rows["kind"] == "categorical"].groupby("variable", sort=False):
            wide = part.pivot_table(index="option", columns="group_label", values="estimate", sort=False) / 100
            wide = wide[[g for g in res.group_labels if g in wide.columns]]
            out.charts.append(distribution_chart(wide, title=str(part["label"].iloc[0]), key=str(var)))
    out.results = res.to_dict()
    return out


def multiselect(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """Percent of respondents choosing each option (overall and by group), sorted, base n stated."""
    from flexemp.describe.multiselect import multiselect as ms
    from flexemp.present.descriptive_table import multiselect_table

    options = one(a, "options")
    res = ms(ctx.data.frame, options, by=one(a, "by"), codebook=ctx.codebook, weights=_weights(ctx, a),
             lang=ctx.lang)
    out = AnalysisOutput(a.id, a.type, a.title, tables=[multiselect_table(res, lang=ctx.lang, title=a.title, key=a.id)])
    overall = res.table[res.table["group"] == "__all__"]
    shares = [(str(o), float(p) / 100) for o, p in zip(overall["option"], overall["percent"], strict=True)]
    if a.text and shares:
        from flexemp.present.narrative_describe import distribution_sentence

        out.text.append(distribution_sentence(one(a, "label") or res.label, shares, multiple=True, lang=ctx.lang))
    if one(a, "chart", True) and shares:
        from flexemp.present.charts.builders import multiselect_chart

        out.charts.append(multiselect_chart([o for o, _ in shares], [s for _, s in shares],
                                            title=one(a, "label") or res.label or a.title, key="options"))
    out.results = res.to_dict()
    return out


def midpoint_means(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """Mean of band midpoints (income, hours, age) overall or by group (seed 004 Tables 1, 3, 4)."""
    from flexemp.describe.tables import midpoint_means as mm
    from flexemp.present.descriptive_table import midpoint_table

    mids = one(a, "midpoints")
    if mids is not None and not isinstance(mids, dict):
        raise StudyError(f"{a.where('midpoints')}: map band codes to midpoints, e.g. {{1: 1500, 2: 4000}}")
    res = mm(ctx.data.frame, str(one(a, "variable")), by=one(a, "by"), codebook=ctx.codebook,
             weights=_weights(ctx, a), midpoints={float(k): float(v) for k, v in mids.items()} if mids else None,
             lang=ctx.lang)
    out = AnalysisOutput(a.id, a.type, a.title, tables=[midpoint_table(res, lang=ctx.lang, title=a.title, key=a.id)])
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
        Row("95%置信区间" if zh else "95% CI", (Cell(None, text_override=f"[{res.alpha_ci[0]:.3f}, {res.alpha_ci[1]:.3f}]"),)),
        Row("标准化α" if zh else "Standardized α", (Cell(res.alpha_std, 3),)),
        Row("KMO", (Cell(res.kmo, 3),)),
        Row("Bartlett球形检验χ²" if zh else "Bartlett χ²", (Cell(res.bartlett.chi2, 3),)),
        Row("自由度" if zh else "df", (Cell(int(res.bartlett.df)),)),
        Row("p值" if zh else "p", (Cell(res.bartlett.p_value, 3),)),
        Row("样本量" if zh else "n", (Cell(int(res.n)),), kind="stat"),
        Row("题项数" if zh else "Items", (Cell(len(items)),), kind="stat"),
    ]
    out = AnalysisOutput(a.id, a.type, a.title)
    out.tables.append(Table(a.title, ("值" if zh else "Value",), tuple(rows), stub_header="指标" if zh else "Statistic",
                            key=a.id))
    if a.text:
        good = res.alpha >= 0.7
        out.text.append((f"量表的Cronbach's α系数为{res.alpha:.3f}，" + ("大于0.7，说明信度较好" if good else "低于0.7，信度欠佳")
                         + f"；KMO值为{res.kmo:.3f}，Bartlett球形检验" + ("显著" if res.bartlett.p_value < 0.05 else "不显著")
                         + f"（p={res.bartlett.p_value:.3f}）。") if zh else
                        (f"Cronbach's alpha is {res.alpha:.3f} (" + ("acceptable, ≥ 0.7" if good else "below 0.7")
                         + f"); KMO is {res.kmo:.3f}; Bartlett's test p = {res.bartlett.p_value:.3f}."))
    out.results = res.to_dict()
    return out
