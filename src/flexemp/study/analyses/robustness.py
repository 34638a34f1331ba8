"""Study analyses of the robustness battery: IV/2SLS, propensity-score matching, Heckman variants."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from flexemp.core.errors import StudyError
from flexemp.study.analyses.common import choice, fit_kwargs, label, names, one, rhs, stars
from flexemp.study.analyses.models import control_names
from flexemp.study.output import AnalysisOutput
from flexemp.study.schema import AnalysisSpec

if TYPE_CHECKING:
    from flexemp.study.run import StudyContext


def iv(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """2SLS, one model per endogenous regressor (seed 000 Table 3).

    Instruments: ``instruments: [z1, z2]`` (the same for every model) or
    ``loo_instruments: {group: province, exclude: employer_id}`` — the
    leave-one-out group mean of each endogenous variable (seed 000's instrument).
    """
    from flexemp.models.instruments import loo_mean
    from flexemp.models.iv import iv2sls
    from flexemp.present.robustness_tables import iv_table

    outcome = str(one(a, "outcome"))
    endogenous = names(a, "endogenous", required=True)
    controls = names(a, "controls")
    instruments = names(a, "instruments")
    loo = one(a, "loo_instruments")
    if bool(instruments) == bool(loo):
        raise StudyError(f"{a.where('instruments')}: give either instruments: [...] or loo_instruments: "
                         "{group: VAR, exclude: VAR}")
    data = ctx.data.frame
    extra: dict[str, pd.Series] = {}
    formulas = []
    for d in endogenous:
        if loo:
            if not isinstance(loo, dict) or "group" not in loo:
                raise StudyError(f"{a.where('loo_instruments')}: expected {{group: VAR, exclude: VAR}}")
            z = loo_mean(data, d, loo["group"], exclude=loo.get("exclude"))
            extra[str(z.name)] = z
            zs = [str(z.name)]
        else:
            zs = instruments
        formulas.append(f"{outcome} ~ {rhs(controls)} + [{d} ~ {rhs(zs)}]")
    if extra:
        data = data.assign(**extra)
    kw = fit_kwargs(a)
    results = [iv2sls(f, data, **kw) for f in formulas]
    labels = {name: (f"{label(ctx.codebook, name[len('loo_mean_'):], ctx.lang)}（留一法地区均值）"
                     if ctx.lang == "zh" else f"{label(ctx.codebook, name[len('loo_mean_'):], ctx.lang)} "
                     "(leave-one-out regional mean)") for name in extra}
    out = AnalysisOutput(a.id, a.type, a.title)
    out.tables.append(iv_table(results, codebook=ctx.codebook, lang=ctx.lang, title=a.title, key=a.id,
                               controls=control_names(controls) or None, stars=stars(a), labels=labels or None))
    if a.text:
        from flexemp.present.narrative import coefficient_sentence

        for res, d in zip(results, endogenous, strict=True):
            coefs = res.coefficients.set_index("term")
            out.text.append(coefficient_sentence(label(ctx.codebook, d, ctx.lang), float(coefs["estimate"][d]),
                                                 float(coefs["p_value"][d]), outcome=label(ctx.codebook, outcome, ctx.lang),
                                                 stars=stars(a), lang=ctx.lang))
    out.results = {"models": [r.to_dict() for r in results], "formulas": formulas}
    return out


def psm(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """Nearest-neighbour propensity-score matching per treatment, with the balance test (seed 000 Table 4)."""
    from flexemp.models.psm import psm as fit_psm
    from flexemp.present.robustness_tables import balance_table, psm_table

    outcome = str(one(a, "outcome"))
    covariates = names(a, "covariates", required=True)
    caliper = one(a, "caliper")
    results = [
        fit_psm(ctx.data.frame, treat=t, outcome=outcome, covariates=covariates,
                link=choice(a, "score", ("logit", "probit"), "logit") or "logit", k=int(one(a, "k", 1)),
                replace=bool(one(a, "replace", True)), caliper=None if caliper is None else float(caliper),
                ties=choice(a, "ties", ("all", "first"), "all") or "all",
                estimand=choice(a, "estimand", ("att", "ate", "atc"), "att") or "att")
        for t in names(a, "treatments", required=True)
    ]
    out = AnalysisOutput(a.id, a.type, a.title)
    se = choice(a, "se", ("ai2016", "ai2006", "homoskedastic", "simple"), "ai2016") or "ai2016"
    out.tables.append(psm_table(results, se=se, codebook=ctx.codebook, lang=ctx.lang, title=a.title, key=a.id,
                                stars=stars(a)))
    if one(a, "balance", True):
        for i, res in enumerate(results, 1):
            t = label(ctx.codebook, str(res.spec["treat"]), ctx.lang)
            title = f"{a.title}：平衡性检验（{t}）" if ctx.lang == "zh" else f"{a.title}: balance ({t})"
            out.tables.append(balance_table(res, codebook=ctx.codebook, lang=ctx.lang, title=title,
                                            key=f"{a.id}_balance{i}"))
    out.results = {"models": [r.to_dict() for r in results]}
    return out


def heckman(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """The classic two-step selection model (outcome observed only when selected)."""
    from flexemp.models.heckman import heckman2s
    from flexemp.present.robustness_tables import heckman_table

    outcome = str(one(a, "outcome"))
    selection = str(one(a, "selection"))
    controls = names(a, "controls")
    sel_controls = names(a, "selection_controls")
    res = heckman2s(f"{outcome} ~ {rhs(controls)}", f"{selection} ~ {rhs(list(dict.fromkeys(controls + sel_controls)))}",
                    ctx.data.frame)
    out = AnalysisOutput(a.id, a.type, a.title)
    out.tables.append(heckman_table(res, codebook=ctx.codebook, lang=ctx.lang, title=a.title, key=a.id,
                                    stars=stars(a), show_first_stage=True))
    out.results = res.to_dict()
    return out


def selection_correction(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """Self-selection correction (seed 000 Table 5): first-stage probit, its generalized residual as a control."""
    from flexemp.models.heckman import selection_correction as fit_sc
    from flexemp.present.robustness_tables import heckman_table

    outcome = str(one(a, "outcome"))
    controls = names(a, "controls")
    treatments = names(a, "treatment", required=True)
    first = names(a, "first_stage_controls")
    model = choice(a, "model", ("ols", "logit", "probit", "oprobit", "ologit"), "oprobit") or "oprobit"
    kw = {k: v for k, v in fit_kwargs(a).items() if k in ("vcov", "cluster")}
    results = [fit_sc(f"{t} ~ {rhs(list(dict.fromkeys(first + controls)))}",
                      f"{outcome} ~ {rhs([t, *controls])}", ctx.data.frame, model=model, **kw)
               for t in treatments]
    out = AnalysisOutput(a.id, a.type, a.title)
    out.tables.append(heckman_table(results, codebook=ctx.codebook, lang=ctx.lang, title=a.title, key=a.id,
                                    stars=stars(a), order=treatments, controls=control_names(controls) or None,
                                    show_intercept=False))
    out.results = {"models": [r.to_dict() for r in results]}
    return out
