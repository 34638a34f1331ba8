"""Study analyses of the monitoring side: sample flow, weighting diagnostics, diffusion indices."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from flexemp.core.errors import StudyError
from flexemp.present.index_table import (
    difference_cells,
    index_cells,
    suppression_note,
    wave_columns,
)
from flexemp.present.table import Cell, ColumnGroup, Row, Table
from flexemp.study.analyses.common import label, names, one
from flexemp.study.output import AnalysisOutput
from flexemp.study.schema import AnalysisSpec

if TYPE_CHECKING:
    from flexemp.study.run import StudyContext


def sample_flow(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """The sample flow of every wave: rows read, failing validation, excluded by each rule, kept.

    Each wave has a count and a "share of the previous step" column, so a step that selects the
    studied population (seed 004: flexible workers, 5,894 of 26,252 = 22.4%) shows its share.
    The rules' conditions are listed in the note; when the weights were computed before the last
    step, the weighted share of the final sample is added.
    """
    zh = ctx.lang == "zh"
    flows = ctx.data.flows
    names_ = [f.wave or ("样本" if zh else "Sample") for f in flows]
    cols: list[str] = []
    for _ in flows:
        cols += ["样本量" if zh else "n", "占上一步比例" if zh else "% of previous step"]
    groups = tuple(ColumnGroup(n, 2) for n in names_) if len(flows) > 1 else ()

    def pair(n: int | None, prev: int | None, excluded: bool = False) -> list[Cell]:
        if n is None:
            return [Cell(None), Cell(None)]
        share = Cell(n / prev, 2, percent=True) if prev and not excluded else Cell(None)
        return [Cell(-n if excluded else n), share]

    rows = [Row("读入样本" if zh else "Rows read", tuple(c for f in flows for c in pair(f.n_read, None)))]
    if any(f.n_invalid for f in flows):
        rows.append(Row("未通过数据校验" if zh else "Failed validation",
                        tuple(c for f in flows for c in pair(f.n_invalid, None, True))))
    n_steps = max((len(f.steps) for f in flows), default=0)
    for i in range(n_steps):
        name = next(f.steps[i].rule for f in flows if len(f.steps) > i)
        rows.append(Row(f"剔除：{name}" if zh else f"Excluded: {name}",
                        tuple(c for f in flows for c in pair(f.steps[i].n_excluded if len(f.steps) > i else None,
                                                             None, True))))
        rows.append(Row(f"保留：{name}" if zh else f"Kept: {name}",
                        tuple(c for f in flows for c in (pair(f.steps[i].n_after, f.steps[i].n_before)
                                                         if len(f.steps) > i else pair(None, None)))))
    rows.append(Row("最终样本" if zh else "Final sample",
                    tuple(c for f in flows for c in pair(f.n_final, f.n_read - f.n_invalid)), kind="stat"))
    notes = [a.note] if a.note else []
    for k, rule in enumerate(ctx.data.rules, 1):
        cond = next((f"{kind}: {rule[kind]}" for kind in ("keep", "drop", "complete", "speeders", "straightlining",
                                                         "duplicates") if kind in rule), "")
        desc = f"（{rule['description']}）" if zh and rule.get("description") else (
            f" ({rule['description']})" if rule.get("description") else "")
        notes.append(f"规则{k}“{rule.get('name')}”：{cond}{desc}" if zh else f"Rule {k} '{rule.get('name')}': {cond}{desc}")
    weighted = [f for f in flows if f.weighted_share is not None]
    if weighted:
        step = weighted[0].weighted_step
        shares = "；".join(f"{f.wave or ''}{(f.weighted_share or 0.0) * 100:.2f}%" for f in weighted)
        notes.append(f"权重在第{step}步之后的样本上计算；加权后最终样本占比：{shares}。" if zh else
                     f"Weights are computed on the sample after step {step}; weighted share of the final sample: "
                     f"{shares.replace('；', '; ')}.")
    out = AnalysisOutput(a.id, a.type, a.title)
    out.tables.append(Table(a.title, tuple(cols), tuple(rows), stub_header="步骤" if zh else "Step", key=a.id,
                            column_groups=groups, notes=tuple(notes)))
    if a.text:
        for f in flows:
            w = f"{f.wave}" if f.wave else ""
            parts = []
            for st in f.steps:
                parts.append(f"经“{st.rule}”保留{st.n_after:,}份（占{st.n_after / st.n_before * 100:.1f}%）" if zh else
                             f"'{st.rule}' kept {st.n_after:,} ({st.n_after / st.n_before * 100:.1f}%)")
            steps_txt = ("，".join(parts) + "，") if zh and parts else ("; ".join(parts) + "; " if parts else "")
            # shares of the questionnaires returned; rows failing validation (if any) are said first
            bad_zh = f"其中{f.n_invalid:,}份未通过数据校验，" if f.n_invalid else ""
            bad_en = f"{f.n_invalid:,} failed validation; " if f.n_invalid else ""
            share = f.n_final / f.n_read * 100 if f.n_read else 0.0
            out.text.append(f"{w}共回收问卷{f.n_read:,}份，{bad_zh}{steps_txt}最终样本{f.n_final:,}份"
                            f"（占回收问卷的{share:.1f}%）。" if zh else
                            f"{w + ': ' if w else ''}{f.n_read:,} questionnaires were returned; {bad_en}{steps_txt}"
                            f"the final sample has {f.n_final:,} ({share:.1f}% of those returned).")
    out.results = {"flows": [f.to_dict() for f in flows], "rules": ctx.data.rules}
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
    census = ctx.data.source.get("census") or {}
    notes = _census_notes(census, zh) + ([a.note] if a.note else [])
    comparisons: list[pd.DataFrame | None] = list(ctx.data.comparisons) or [None] * len(results)
    for w, r, comp in zip(waves, results, comparisons, strict=True):
        parts = [(r.margins_table, True)] + ([(comp, False)] if comp is not None and len(comp) else [])
        rows = []
        for mt, raked in parts:
            for var, part in mt.groupby("variable", sort=False):
                tag = "" if raked else ("（未加权调整，仅对比）" if zh else " (compared, not weighted to)")
                rows.append(Row(label(ctx.codebook, str(var), ctx.lang) + tag, (), kind="section"))
                for text, rec in zip(_level_labels(ctx, str(var), part["level"]), part.itertuples(index=False),
                                     strict=True):
                    rows.append(Row(text, (Cell(float(rec.target), 2, percent=True),
                                           Cell(float(rec.before), 2, percent=True),
                                           Cell(float(rec.after), 2, percent=True))))
        title = (f"{a.title}：各边际加权前后" if zh else f"{a.title}: margins before and after") + (f"（{w}）" if w else "")
        out.tables.append(Table(title, ("总体" if zh else "Population", "加权前" if zh else "Before",
                                        "加权后" if zh else "After"), tuple(rows),
                                stub_header="变量/类别" if zh else "Variable / level",
                                key=f"{a.id}_margins{'_' + w if w else ''}", notes=tuple(notes)))
        if one(a, "chart", True) and w == waves[-1]:
            from flexemp.present.charts.builders import distribution_chart

            heads = ("全国（七普）", "样本（加权前）", "样本（加权后）") if zh else ("Census", "Sample", "Weighted")
            for mt, _ in parts:
                for var, part in mt.groupby("variable", sort=False):
                    frame = pd.DataFrame({heads[0]: part["target"].to_numpy(float),
                                          heads[1]: part["before"].to_numpy(float),
                                          heads[2]: part["after"].to_numpy(float)},
                                         index=_level_labels(ctx, str(var), part["level"]))
                    name = label(ctx.codebook, str(var), ctx.lang)
                    out.charts.append(distribution_chart(
                        frame, title=(f"样本和全国的{name}分布对比（加权前后）" if zh
                                      else f"{name}: sample vs census, before and after weighting") + (f"（{w}）" if w else ""),
                        key=f"{var}{'_' + w if w else ''}", note=notes[0] if notes else ""))
    out.results = {"weighting": [{k: v for k, v in r.to_dict().items() if k != "weights"} for r in results],
                   "census": census or None,
                   "comparisons": [None if c is None else c.to_dict("records") for c in comparisons]}
    return out


def _level_labels(ctx: StudyContext, var: str, levels: Any) -> list[str]:
    v = ctx.codebook[var] if var in ctx.codebook else None  # noqa: SIM401
    return [((v.code_label(float(x), ctx.lang) if v is not None and _is_num(x) else None) or str(x)) for x in levels]


def _census_notes(census: dict[str, Any], zh: bool) -> list[str]:
    """数据来源 lines naming each census bulletin used (weighted to / compared)."""
    out = []
    for role, zh_role, en_role in (("weighted", "加权目标", "weighting targets"), ("compared", "对比", "comparison")):
        for var, src in (census.get(role) or {}).items():
            out.append(f"{zh_role}（{var}）数据来源：{src['issuer']}《{src['source']}》{src['title_zh']}，{src['date']}发布。"
                       if zh else f"Source of the {en_role} for {var}: {src['source']} ({src['title_en']}), "
                       f"{src['issuer']}, {src['date']}.")
    return out


def _is_num(x: Any) -> bool:
    try:
        float(x)
    except (TypeError, ValueError):
        return False
    return True


def _scores(ctx: StudyContext, a: AnalysisSpec, variables: list[str]) -> dict[float, float]:
    """The ``scores`` option, or the scores read from the codebook's answer labels."""
    from flexemp.indices.scores import scores_for_variables

    s = one(a, "scores")
    if s is None:
        return scores_for_variables(ctx.codebook, variables)
    if not isinstance(s, dict):
        raise StudyError(f"{a.where('scores')}: map each answer code to its score, e.g. {{1: 1, 2: 0.5, 3: 0}}")
    return {float(k): float(v) for k, v in s.items()}


def _score_text(ctx: StudyContext, var: str, scores: dict[float, float], zh: bool) -> str:
    v = ctx.codebook[var] if var in ctx.codebook else None  # noqa: SIM401
    parts = [f"{(v.code_label(c, ctx.lang) if v is not None else None) or f'{c:g}'}={sc:+g}".replace("+0=", "0=")
             for c, sc in scores.items()]
    return ("，" if zh else ", ").join(parts)


def _lookup(frame: pd.DataFrame | None, var: str, g: Any, by: str | None, wave: str | None = None,
            wave_col: str = "wave") -> Any:
    if frame is None:
        return None
    m = frame["var"] == var
    if by:
        m &= frame["group"] == g
    if wave is not None:
        m &= frame[wave_col].astype(str) == wave
    return frame[m].iloc[0] if m.any() else None


def index(ctx: StudyContext, a: AnalysisSpec) -> AnalysisOutput:
    """Diffusion indices per question (and group), per wave, with CIs, changes, expectations and suppression.

    Options: ``variables`` (questions), ``by`` (group column), ``waves`` (false: pool the waves),
    ``scores`` (default: from the codebook's labels), ``min_n`` (cells with fewer answers are shown
    as "—" and flagged ``suppressed`` in results.json), ``bootstrap``, ``labels`` ({var: row label}),
    ``expectations`` ({current question: expectation question}: adds the latest wave's expectation
    index and expectation − current, paired SE, seed 004 表 8), ``chart``.
    """
    from flexemp.indices import diffusion_index, expectation_gap, index_change

    zh = ctx.lang == "zh"
    variables = names(a, "variables", required=True)
    by = one(a, "by")
    min_n = int(one(a, "min_n", ctx.spec.min_n))
    boot = one(a, "bootstrap")
    data = ctx.data.frame
    wave = "wave" if ("wave" in data.columns and one(a, "waves", True)) else None
    expectations = one(a, "expectations") or {}
    if not isinstance(expectations, dict) or any(k not in variables for k in expectations):
        raise StudyError(f"{a.where('expectations')}: map each current question (one of {variables}) to its "
                         "expectation question, e.g. {emp_change: emp_expect}")
    scores = _scores(ctx, a, variables + [str(v) for v in expectations.values()])
    res = diffusion_index(data, variables, by=by, wave=wave, weights=ctx.data.weights, scores=scores,
                          min_n=min_n, bootstrap=None if boot is None else int(boot))
    custom = one(a, "labels", {}) or {}
    waves = list(dict.fromkeys(res["wave"].astype(str))) if wave else [None]
    groups = list(dict.fromkeys(res["group"])) if by else [None]
    gvar = ctx.codebook[by] if by and by in ctx.codebook else None

    def glabel(g: Any) -> str:
        if g is None:
            return "总体" if zh else "Overall"
        return ((gvar.code_label(float(g), ctx.lang) if gvar is not None and _is_num(g) else None) or str(g))

    def vlabel(v: str) -> str:
        return str(custom.get(v) or label(ctx.codebook, v, ctx.lang))

    change = None
    if len(waves) >= 2:
        cur = res[res["wave"].astype(str) == waves[-1]]
        prev = res[res["wave"].astype(str) == waves[-2]]
        change = index_change(cur, prev)
    gaps: dict[str, pd.DataFrame] = {}
    last = data if wave is None else data[data["wave"].astype(str) == waves[-1]]
    expected = None
    if expectations:
        expected = diffusion_index(last, [str(v) for v in expectations.values()], by=by, weights=ctx.data.weights,
                                   scores=scores, min_n=min_n)
    for cur_var, exp_var in expectations.items():
        gaps[cur_var] = expectation_gap(last, cur_var, str(exp_var), by=by, weights=ctx.data.weights, scores=scores,
                                        min_n=min_n)
    cols, col_groups = wave_columns(waves, change=change is not None, lang=ctx.lang)
    if gaps:
        col_groups += [ColumnGroup(("下季度预期" if zh else "Next-quarter expectation"), 2),
                       ColumnGroup(("预期−当期" if zh else "Expected − current"), 2)]
        cols += ["指数" if zh else "Index", "95%置信区间" if zh else "95% CI", "差值" if zh else "Gap", "p值" if zh else "p"]
    rows: list[Row] = []
    for var in variables:
        if by and len(variables) > 1:
            rows.append(Row(vlabel(var), (), kind="section"))
        for g in groups:
            cells: list[Cell] = []
            for w in waves:
                cells += index_cells(_lookup(res, var, g, by, w), min_n=min_n)
            if change is not None:
                cells += difference_cells(_lookup(change, var, g, by), "change", min_n=min_n)
            if gaps:
                exp_var = str(expectations.get(var, ""))
                cells += index_cells(_lookup(expected, exp_var, g, by) if var in gaps else None, min_n=min_n)
                cells += difference_cells(_lookup(gaps[var], f"{exp_var} - {var}", g, by) if var in gaps else None,
                                          "gap", min_n=min_n)
            rows.append(Row(glabel(g) if by else vlabel(var), tuple(cells)))
    notes = [(f"注：指数=50+50×加权平均得分（{_score_text(ctx, variables[0], scores, zh)}），"
              f"以50为荣枯线，高于50表示景气、低于50表示不景气；置信区间按线性化方法计算；"
              f"{suppression_note(min_n, ctx.lang)}" if zh else
              f"Note: index = 50 + 50 × weighted mean score ({_score_text(ctx, variables[0], scores, zh)}); "
              f"above 50 is expansion; linearized CIs; {suppression_note(min_n, ctx.lang)}")]
    if change is not None:
        notes.append(f"环比变化为{waves[-1]}减{waves[-2]}（两期为独立样本）；***、**、*分别表示在1%、5%、10%水平上显著。" if zh
                     else f"Change = {waves[-1]} − {waves[-2]} (independent samples); ***, **, * significant at 1%, 5%, 10%.")
    if gaps:
        notes.append(f"下季度预期指数与“预期−当期”差值基于{waves[-1] or ''}同时回答两题的受访者，差值的标准误考虑了两题回答的相关。"
                     if zh else "Expectation indices and gaps use the latest wave's respondents answering both "
                     "questions; the gap's SE accounts for the pairing.")
    if a.note:
        notes.append(a.note)
    out = AnalysisOutput(a.id, a.type, a.title)
    out.tables.append(Table(a.title, tuple(cols), tuple(rows), stub_header=("分组" if zh else "Group") if by
                            else ("景气指数" if zh else "Index"), column_groups=tuple(col_groups), key=a.id,
                            notes=tuple(notes)))
    if a.text and not by:
        from flexemp.present.narrative import index_sentence

        for var in variables:
            r = _lookup(res, var, None, None, waves[-1] if wave else None)
            if r is None or bool(r["suppressed"]):
                continue
            before = _lookup(res, var, None, None, waves[-2]) if change is not None else None
            previous = None if before is None or bool(before["suppressed"]) else float(before["index"])
            out.text.append(index_sentence(vlabel(var), float(r["index"]), float(r["conf_low"]), float(r["conf_high"]),
                                           previous=previous, lang=ctx.lang))
    if one(a, "chart", True) and wave and not by:
        from flexemp.present.charts.builders import index_chart

        frame = res[~res["suppressed"].astype(bool)].copy()
        frame["series"] = [vlabel(v) for v in frame["var"]]
        out.charts.append(index_chart(frame, title=a.title, key="index", group="series", lang=ctx.lang))
    out.results = {"scores": {f"{k:g}": v for k, v in scores.items()}, "min_n": min_n,
                   "indices": _records(res), "change": _records(change) if change is not None else None,
                   "expectation_indices": _records(expected) if expected is not None else None,
                   "expectation_gaps": {k: _records(v) for k, v in gaps.items()} or None}
    return out


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in frame.astype(object).where(frame.notna(), None).to_dict("records")]
