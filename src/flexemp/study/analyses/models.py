"""Study analyses that fit models: regression (one column per treatment), VIF, mechanism, heterogeneity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flexemp.core.errors import StudyError
from flexemp.study.analyses.common import MODELS, choice, fit_kwargs, label, names, one, rhs, stars
from flexemp.study.output import AnalysisOutput
from flexemp.study.schema import AnalysisSpec, term_names

if TYPE_CHECKING:
    from flexemp.study.run import StudyContext


def control_names(controls: list[str]) -> list[str]:
    """Variable names behind control terms ("C(province)" → "province")."""
    return list(dict.fromkeys(n for c in controls for n in term_names(c)))


def _coef_sentences(results: list[Any], terms: list[str], ctx: StudyContext, outcome: str,
                    model: str, levels: tuple[float, ...]) -> list[str]:
    from flexemp.present.narrative import coefficient_sentence

    out = []
    for res, term in zip(results, terms, strict=True):
        row = res.coefficients.set_index("term")
        if term not in row.index:
            continue
        est, p = float(row.loc[term, "estimate"]), float(row.loc[term, "p_value"])
        out.append(coefficient_sentence(label(ctx.codebook, term, ctx.lang), est, p,
                                        outcome=label(ctx.codebook, outcome, ctx.lang), model=model,
                                        stars=levels, lang=ctx.lang))
    return out


def regression(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """One model per treatment (or one model without treatments), side by side."""
    import flexemp.models.api as api
    from flexemp.present.regression_table import margins_table, regression_table

    model = choice(a, "model", MODELS, None)
    assert model is not None
    outcome = str(one(a, "outcome"))
    treatments = names(a, "treatments")
    controls = names(a, "controls")
    kw = fit_kwargs(a)
    if model == "mlogit" and one(a, "base") is not None:
        kw["base"] = one(a, "base")
    fit = getattr(api, model)
    formulas = [f"{outcome} ~ {rhs([t, *controls])}" for t in treatments] or [f"{outcome} ~ {rhs(controls)}"]
    results = [fit(f, ctx.data.frame, **kw) for f in formulas]
    levels = stars(a)
    beneath = str(one(a, "beneath", "se"))
    collapse = bool(one(a, "collapse_controls", True)) and bool(controls)
    out = AnalysisOutput(a.id, a.type, a.title)
    out.tables.append(regression_table(
        results, codebook=ctx.codebook, lang=ctx.lang, title=a.title, key=a.id, beneath=beneath,
        stars=levels, order=treatments or None,
        controls=control_names(controls) if collapse else None,
        column_labels=one(a, "column_labels"),
    ))
    if one(a, "margins", False):
        from flexemp.models.margins import margins as ame

        effects = ([ame(r, ctx.data.frame, variables=[t]) for r, t in zip(results, treatments, strict=True)]
                   if treatments else [ame(r, ctx.data.frame) for r in results])
        out.tables.append(margins_table(effects, codebook=ctx.codebook, lang=ctx.lang,
                                        title=f"{a.title}（平均边际效应）" if ctx.lang == "zh"
                                        else f"{a.title} (average marginal effects)",
                                        key=f"{a.id}_margins"))
    if a.text and treatments:
        out.text += _coef_sentences(results, treatments, ctx, outcome, model, levels)
    elif a.text:  # one model: a paragraph on every regressor shown (controls too unless collapsed)
        from flexemp.present.narrative import regression_paragraph

        hidden = set(control_names(controls)) if collapse else set()
        for res in results:
            rows = [(label(ctx.codebook, str(r.term), ctx.lang), float(r.estimate), float(r.p_value))
                    for r in res.coefficients.itertuples(index=False)
                    if r.term != "Intercept" and not str(r.term).startswith("cut")
                    and not (set(term_names(str(r.term))) & hidden)]
            if rows:
                out.text.append(regression_paragraph(rows, outcome=label(ctx.codebook, outcome, ctx.lang),
                                                     stars=levels, lang=ctx.lang))
    if one(a, "chart", False) and treatments:
        import pandas as pd

        from flexemp.present.charts.builders import coefficient_chart

        rows = pd.concat([r.coefficients[r.coefficients["term"] == t] for r, t in zip(results, treatments, strict=True)])
        out.charts.append(coefficient_chart(rows, terms=treatments,
                                            labels=[label(ctx.codebook, t, ctx.lang) for t in treatments],
                                            key="coef", title=a.title, lang=ctx.lang))
    out.results = {"models": [r.to_dict() for r in results], "formulas": formulas}
    return out


def vif(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """Variance inflation factors of a set of regressors (max and mean reported)."""
    from flexemp.models.diagnostics.vif import vif as fit_vif
    from flexemp.present.regression_table import vif_table

    variables = names(a, "variables", required=True)
    if len(variables) < 2:
        raise StudyError(f"{a.where('variables')}: VIF needs at least two regressors")
    lhs = one(a, "outcome") or variables[0]  # the left-hand side only selects complete rows
    res = fit_vif(f"{lhs} ~ {rhs(variables)}", ctx.data.frame)
    out = AnalysisOutput(a.id, a.type, a.title)
    out.tables.append(vif_table(res, codebook=ctx.codebook, lang=ctx.lang, title=a.title, key=a.id))
    out.results = res.to_dict()
    if a.text:
        zh = ctx.lang == "zh"
        mx, mean = float(res.max), float(res.mean)
        verdict = (("均小于10，不存在严重的多重共线性问题" if mx < 10 else "存在大于10的值，需警惕多重共线性")
                   if zh else ("all below 10: no serious multicollinearity" if mx < 10
                               else "some exceed 10: beware of multicollinearity"))
        out.text.append(f"方差膨胀因子（VIF）最大值为{mx:.2f}，均值为{mean:.2f}，{verdict}。" if zh
                        else f"The largest variance inflation factor is {mx:.2f} and the mean {mean:.2f}; {verdict}.")
    return out


def _titled(a: AnalysisSpec, part: str, i: int, n: int, lang: str) -> tuple[str, str]:
    if n == 1:
        return a.title, a.id
    return (f"{a.title}（{part}）" if lang == "zh" else f"{a.title} ({part})"), f"{a.id}_{i}"


def mechanism(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """Each mediator regressed on each treatment with the controls (seed 000 Tables 6-8: one table per mediator)."""
    from flexemp.models.batteries import mechanism as fit_mech
    from flexemp.present.robustness_tables import battery_table

    controls = names(a, "controls")
    mediators = names(a, "mediators")
    res = fit_mech(ctx.data.frame, treatments=names(a, "treatments"), mediators=mediators,
                   controls=controls, model=one(a, "model", "auto"), **fit_kwargs(a))
    out = AnalysisOutput(a.id, a.type, a.title)
    for i, m in enumerate(mediators, 1):
        title, key = _titled(a, label(ctx.codebook, m, ctx.lang), i, len(mediators), ctx.lang)
        out.tables.append(battery_table(res, dependent=m, codebook=ctx.codebook, lang=ctx.lang, title=title,
                                        key=key, controls=control_names(controls) or None, stars=stars(a)))
    if a.text:
        out.text += _battery_sentences(res, ctx, stars(a))
    out.results = {"summary": res.summary.to_dict("records"), "models": res.records()}
    return out


def heterogeneity(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """Treatment × moderator interactions (seed 000 Tables 9-12: one table per moderator)."""
    from flexemp.models.batteries import heterogeneity as fit_het
    from flexemp.present.robustness_tables import battery_table

    controls = names(a, "controls")
    moderators = names(a, "moderators")
    out = AnalysisOutput(a.id, a.type, a.title)
    summaries, records = [], []
    for i, m in enumerate(moderators, 1):
        res = fit_het(ctx.data.frame, outcome=str(one(a, "outcome")), treatments=names(a, "treatments"),
                      moderators=[m], controls=controls, model=one(a, "model", "oprobit"), **fit_kwargs(a))
        title, key = _titled(a, label(ctx.codebook, m, ctx.lang), i, len(moderators), ctx.lang)
        out.tables.append(battery_table(res, codebook=ctx.codebook, lang=ctx.lang, title=title, key=key,
                                        controls=control_names(controls) or None, stars=stars(a)))
        if a.text:
            out.text += _battery_sentences(res, ctx, stars(a))
        summaries += res.summary.to_dict("records")
        records += res.records()
    out.results = {"summary": summaries, "models": records}
    return out


def _battery_sentences(res: Any, ctx: StudyContext, levels: tuple[float, ...]) -> list[str]:
    from flexemp.present.narrative import coefficient_sentence

    out = []
    for row in res.summary.itertuples(index=False):
        term = str(row.term)
        parts = term.split(":")
        lab = " × ".join(label(ctx.codebook, p, ctx.lang) for p in parts)
        out.append(coefficient_sentence(lab, float(row.estimate), float(row.p_value),
                                        outcome=label(ctx.codebook, str(row.dependent), ctx.lang),
                                        stars=levels, lang=ctx.lang))
    return out
