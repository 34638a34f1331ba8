"""Study analyses of the monitoring side: sample flow, weighting diagnostics, diffusion indices."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from flexemp.core.errors import StudyError
from flexemp.present.table import Cell, ColumnGroup, Row, Table
from flexemp.study.analyses.common import label, names, one
from flexemp.study.output import AnalysisOutput
from flexemp.study.schema import AnalysisSpec

if TYPE_CHECKING:
    from flexemp.study.run import StudyContext


def sample_flow(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """The sample flow of every wave: rows read, failing validation, excluded by each rule, kept."""
    zh = ctx.lang == "zh"
    flows = ctx.data.flows
    cols = tuple(f.wave or ("样本" if zh else "Sample") for f in flows)
    rows = [Row("读入样本" if zh else "Rows read", tuple(Cell(f.n_read) for f in flows))]
    if any(f.n_invalid for f in flows):
        rows.append(Row("未通过数据校验" if zh else "Failed validation", tuple(Cell(-f.n_invalid) for f in flows)))
    n_steps = max((len(f.steps) for f in flows), default=0)
    for i in range(n_steps):
        name = next(f.steps[i].rule for f in flows if len(f.steps) > i)
        rows.append(Row(f"剔除：{name}" if zh else f"Excluded: {name}",
                        tuple(Cell(-f.steps[i].n_excluded if len(f.steps) > i else None) for f in flows)))
    rows.append(Row("最终样本" if zh else "Final sample", tuple(Cell(f.n_final) for f in flows), kind="stat"))
    out = AnalysisOutput(a.id, a.type, a.title)
    out.tables.append(Table(a.title, cols, tuple(rows), stub_header="步骤" if zh else "Step", key=a.id,
                            notes=(a.note,) if a.note else ()))
    if a.text:
        for f in flows:
            lost = f.n_read - f.n_final
            w = f"{f.wave}" if f.wave else ""
            out.text.append(f"{w}共回收问卷{f.n_read}份，经数据校验与筛选剔除{lost}份，最终有效样本{f.n_final}份"
                            f"（有效率{f.n_final / f.n_read * 100:.2f}%）。" if zh else
                            f"{w + ': ' if w else ''}{f.n_read} questionnaires were returned; {lost} were excluded "
                            f"by validation and screening, leaving {f.n_final} ({f.n_final / f.n_read * 100:.2f}%).")
    out.results = {"flows": [f.to_dict() for f in flows]}
    return out


def weighting(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """Weighting diagnostics and each margin before and after (sample vs population charts)."""
    if ctx.data.weighting is None:
        raise StudyError(f"{a.where()}: the study computes no weights (add weights: {{method: rake, margins: …}})")
    zh = ctx.lang == "zh"
    out = AnalysisOutput(a.id, a.type, a.title)
    results = ctx.data.weighting
    waves = ctx.data.waves if len(results) > 1 else [None]
    diag_rows = []
    for key, zh_label, en_label, dec in (
        ("n", "样本量", "n", 0), ("deff_kish", "Kish设计效应", "Kish design effect", 3),
        ("n_eff", "有效样本量", "Effective n", 1), ("min", "最小权重", "Min weight", 3),
        ("max", "最大权重", "Max weight", 3), ("cv", "权重变异系数", "CV of weights", 3),
    ):
        cells = []
        for r in results:
            d = r.diagnostics.get("after", {})
            v = d.get(key, d.get("summary", {}).get(key) if isinstance(d.get("summary"), dict) else None)
            cells.append(Cell(None if v is None else (int(v) if dec == 0 else float(v)), None if dec == 0 else dec))
        diag_rows.append(Row(zh_label if zh else en_label, tuple(cells)))
    cols = tuple(w or ("全样本" if zh else "All") for w in waves)
    out.tables.append(Table(a.title, cols, tuple(diag_rows), stub_header="指标" if zh else "Statistic",
                            key=f"{a.id}_diagnostics"))
    for w, r in zip(waves, results, strict=True):
        mt = r.margins_table
        rows = []
        for var, part in mt.groupby("variable", sort=False):
            rows.append(Row(label(ctx.codebook, str(var), ctx.lang), (), kind="section"))
            v = (ctx.codebook[str(var)] if str(var) in ctx.codebook else None)  # noqa: SIM401
            for rec in part.itertuples(index=False):
                lev = rec.level
                text = (v.code_label(float(lev), ctx.lang) if v is not None and _is_num(lev) else None) or str(lev)
                rows.append(Row(text, (Cell(float(rec.target), percent=True), Cell(float(rec.before), percent=True),
                                       Cell(float(rec.after), percent=True))))
        title = (f"{a.title}：各边际加权前后" if zh else f"{a.title}: margins before and after") + (f"（{w}）" if w else "")
        out.tables.append(Table(title, ("总体" if zh else "Population", "加权前" if zh else "Before",
                                        "加权后" if zh else "After"), tuple(rows),
                                stub_header="变量/类别" if zh else "Variable / level", key=f"{a.id}_margins{'_' + w if w else ''}"))
        if one(a, "chart", True):
            from flexemp.present.charts.builders import sample_vs_census_chart

            for var, part in mt.groupby("variable", sort=False):
                v = (ctx.codebook[str(var)] if str(var) in ctx.codebook else None)  # noqa: SIM401
                labels = [((v.code_label(float(x), ctx.lang) if v is not None and _is_num(x) else None) or str(x))
                          for x in part["level"]]
                out.charts.append(sample_vs_census_chart(
                    part["before"].to_numpy(float), part["target"].to_numpy(float), labels,
                    title=f"{label(ctx.codebook, str(var), ctx.lang)}：样本与总体" + (f"（{w}）" if w else "")
                    if zh else f"{label(ctx.codebook, str(var), ctx.lang)}: sample vs population" + (f" ({w})" if w else ""),
                    key=f"{var}{'_' + w if w else ''}", lang=ctx.lang))
    out.results = {"weighting": [{k: v for k, v in r.to_dict().items() if k != "weights"} for r in results]}
    return out


def _is_num(x: Any) -> bool:
    try:
        float(x)
    except (TypeError, ValueError):
        return False
    return True


def _scores(a: AnalysisSpec) -> dict[float, float] | None:
    s = one(a, "scores")
    if s is None:
        return None
    if not isinstance(s, dict):
        raise StudyError(f"{a.where('scores')}: map each answer code to its score, e.g. {{1: 1, 2: 0.5, 3: 0}}")
    return {float(k): float(v) for k, v in s.items()}


def index(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """Diffusion indices per question (and group), per wave, with CIs, changes and small-cell suppression."""
    from flexemp.indices.diffusion import diffusion_index, index_change

    zh = ctx.lang == "zh"
    variables = names(a, "variables", required=True)
    by = one(a, "by")
    min_n = int(one(a, "min_n", ctx.spec.min_n))
    boot = one(a, "bootstrap")
    data = ctx.data.frame
    wave = "wave" if ("wave" in data.columns and one(a, "waves", True)) else None
    res = diffusion_index(data, variables, by=by, wave=wave, weights=ctx.data.weights, scores=_scores(a),
                          min_n=min_n, bootstrap=None if boot is None else int(boot))
    custom = one(a, "labels", {}) or {}
    waves = list(dict.fromkeys(res["wave"].astype(str))) if wave else [None]
    groups = list(dict.fromkeys(res["group"])) if by else [None]
    gvar = ctx.codebook[by] if by and by in ctx.codebook else None

    def glabel(g: Any) -> str:
        if g is None:
            return "总体" if zh else "Overall"
        return ((gvar.code_label(float(g), ctx.lang) if gvar is not None and _is_num(g) else None) or str(g))

    change = None
    if len(waves) >= 2:
        cur = res[res["wave"].astype(str) == waves[-1]]
        prev = res[res["wave"].astype(str) == waves[-2]]
        change = index_change(cur, prev)
    col_groups = [ColumnGroup(w or ("指数" if zh else "Index"), 2) for w in waves]
    cols: list[str] = []
    for _ in waves:
        cols += ["指数" if zh else "Index", "95%置信区间" if zh else "95% CI"]
    if change is not None:
        col_groups.append(ColumnGroup("环比变化" if zh else "Change", 2))
        cols += ["变化" if zh else "Change", "p值" if zh else "p"]
    rows: list[Row] = []
    for var in variables:
        if len(variables) > 1:
            rows.append(Row(custom.get(var) or label(ctx.codebook, var, ctx.lang), (), kind="section"))
        for g in groups:
            cells: list[Cell] = []
            for w in waves:
                m = (res["var"] == var) & ((res["group"] == g) if by else True)
                if w is not None:
                    m &= res["wave"].astype(str) == w
                r = res[m].iloc[0] if m.any() else None
                if r is None or bool(r["suppressed"]):
                    cells += [Cell("—" if r is not None else None), Cell(None)]
                else:
                    cells += [Cell(float(r["index"]), 1),
                              Cell(None, text_override=f"[{r['conf_low']:.1f}, {r['conf_high']:.1f}]")]
            if change is not None:
                m = (change["var"] == var) & ((change["group"] == g) if by else True)
                c = change[m].iloc[0] if m.any() else None
                if c is None or bool(c["suppressed"]) or math.isnan(float(c["change"])):
                    cells += [Cell("—"), Cell(None)]
                else:
                    d = float(c["change"])
                    cells += [Cell(d, 1, stars=_star(float(c["p_value"]))), Cell(float(c["p_value"]), 3)]
            rows.append(Row(glabel(g), tuple(cells)))
    notes = [f"注：指数=50+50×加权平均得分（变好很多=1，变好一点=0.5，基本不变=0，变差一点=−0.5，变差很多=−1），"
             f"高于50表示景气、低于50表示不景气；置信区间按线性化方法计算；样本量不足{min_n}的单元格以“—”表示，不予发布。"
             if zh else
             f"Note: index = 50 + 50 × weighted mean score (+1 … −1); above 50 is expansion; linearized CIs; "
             f"cells with fewer than {min_n} respondents are suppressed (—)."]
    if change is not None:
        notes.append("***、**、*分别表示环比变化在1%、5%、10%水平上显著。" if zh
                     else "***, **, * denote changes significant at the 1%, 5%, 10% levels.")
    out = AnalysisOutput(a.id, a.type, a.title)
    out.tables.append(Table(a.title, tuple(cols), tuple(rows), stub_header=("分组" if zh else "Group") if by
                            else ("指数" if zh else "Index"), column_groups=tuple(col_groups), key=a.id,
                            notes=tuple(notes)))
    if a.text:
        from flexemp.present.narrative import index_sentence

        for var in variables:
            m = (res["var"] == var) & ~res["suppressed"].astype(bool)
            if by:
                continue
            last = res[m & ((res["wave"].astype(str) == waves[-1]) if wave else True)]
            if last.empty:
                continue
            r = last.iloc[0]
            previous: float | None = None
            if change is not None:
                before = res[(res["var"] == var) & (res["wave"].astype(str) == waves[-2])]
                if len(before) and not bool(before["suppressed"].iloc[0]):
                    previous = float(before["index"].iloc[0])
            name = custom.get(var) or label(ctx.codebook, var, ctx.lang)
            out.text.append(index_sentence(name, float(r["index"]), float(r["conf_low"]), float(r["conf_high"]),
                                           previous=previous, lang=ctx.lang))
    if one(a, "chart", True) and wave and not by:
        from flexemp.present.charts.builders import index_chart

        frame = res[~res["suppressed"].astype(bool)].copy()
        frame["series"] = [custom.get(v) or label(ctx.codebook, v, ctx.lang) for v in frame["var"]]
        out.charts.append(index_chart(frame, title=a.title, key="index", group="series", lang=ctx.lang))
    out.results = {"indices": _records(res), "change": _records(change) if change is not None else None}
    return out


def _star(p: float) -> str:
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.10 else ""


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in frame.astype(object).where(frame.notna(), None).to_dict("records")]
