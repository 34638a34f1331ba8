"""The dashboard's tables, charts and JSON payloads, built from a :class:`~flexemp.web.data.Dashboard`.

Index cells come from :mod:`flexemp.present.index_table`, as in the study
tables, so suppression reads the same: a cell with fewer than ``min_n``
answers shows "—" and, in place of the interval, its number of answers
("n=12"; "n<30" for a change between waves); its JSON record has ``index``,
``se``, ``conf_low``, ``conf_high`` and ``p_value`` set to null, ``n`` the
count and ``suppressed`` true.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from flexemp.present.charts.builders import index_chart
from flexemp.present.charts.model import Chart, Series
from flexemp.present.index_table import (
    finite_or_none,
    index_cells,
    suppression_note,
    wave_columns,
    wave_row_cells,
)
from flexemp.present.table import Cell, ColumnGroup, Row, Table
from flexemp.web.data import Dashboard, WaveData

READING_EN = {"景气": "above 50", "不景气": "below 50", "与50无显著差异": "not different from 50", "样本不足": "suppressed"}


def t(lang: str, zh: str, en: str) -> str:
    """Pick the Chinese or English text."""
    return en if lang == "en" else zh


@dataclass(frozen=True)
class View:
    """One page's content: title, tables (keyed), charts, text paragraphs and the JSON payload."""

    page: str
    title: str
    tables: tuple[Table, ...]
    charts: tuple[Chart, ...]
    paragraphs: tuple[str, ...]
    payload: dict[str, Any] = field(default_factory=dict)



def _records(frame: pd.DataFrame, label: dict[str, str], extra: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Index rows as JSON records, suppressed cells' estimates blanked (their count kept)."""
    out = []
    for r in frame.to_dict("records"):
        sup = bool(r["suppressed"])
        rec: dict[str, Any] = {"var": r["var"], "label": label.get(r["var"], r["var"])}
        for k in ("index", "se", "conf_low", "conf_high", "p_value"):
            rec[k] = None if sup else finite_or_none(r[k])
        rec["n"] = int(r["n"])
        rec["suppressed"] = sup
        rec["reading"] = r["reading"]
        out.append({**rec, **(extra or {})})
    return out


def _ns(waves: tuple[WaveData, ...], lang: str) -> str:
    if len(waves) == 1:
        return f"n={waves[0].n_analysis:,}"
    return t(lang, "n：" + "，".join(f"{w.wave}为{w.n_analysis:,}" for w in waves),
             "n: " + "; ".join(f"{w.wave} {w.n_analysis:,}" for w in waves))


def population_text(d: Dashboard, waves: tuple[WaveData, ...], lang: str) -> str:
    """The sentence naming the population the indices describe (condition and n), for every page."""
    if d.where is None:
        return t(lang, f"分析总体：全部筛选后受访者（{_ns(waves, lang)}）。",
                 f"Population: all screened respondents ({_ns(waves, lang)}).")
    return t(lang, f"分析总体：满足条件 {d.where} 的受访者（{_ns(waves, lang)}）；权重先在全部筛选后样本上计算，"
                   "再取该子总体；条件无法判断（如缺答）的受访者不计入。",
             f"Population: respondents with {d.where} ({_ns(waves, lang)}); weights are computed on all screened "
             "respondents first, then this subset is taken; respondents for whom the condition is unknown "
             "(e.g. a missing answer) are left out.")


def _notes(d: Dashboard, lang: str, change: bool = False, waves: tuple[WaveData, ...] | None = None) -> tuple[str, ...]:
    w = d.waves[-1].weighting if d.waves else {"method": "none"}
    weighted = w["method"] != "none"
    notes = [t(lang,
               f"注：指数=50+50×{'加权' if weighted else ''}平均得分（变好很多=1，变好一点=0.5，基本不变=0，变差一点=−0.5，"
               f"变差很多=−1），高于50表示景气、低于50表示不景气；95%置信区间按线性化方法计算；"
               f"{suppression_note(d.min_n, lang)}",
               f"Note: index = 50 + 50 × {'weighted ' if weighted else ''}mean score (+1 … −1); above 50 is "
               f"expansion; 95% CIs by linearization; {suppression_note(d.min_n, lang)}")]
    notes.append(t(lang, "权重：按第七次人口普查四大区域（东部、中部、西部、东北）人口比例事后分层加权，性别与年龄不加权。",
                   "Weights: post-stratified to the 2020 census shares of the four regions; sex and age not weighted.")
                 if weighted else t(lang, "权重：未加权。", "Weights: none (unweighted)."))
    if change:
        notes.append(t(lang, "***、**、*分别表示环比变化在1%、5%、10%水平上显著。",
                       "***, **, * denote changes significant at the 1%, 5%, 10% levels."))
    if d.where is not None:  # downloads carry the population too
        notes.append(population_text(d, d.waves if waves is None else waves, lang))
    return tuple(notes)


def var_labels(d: Dashboard, lang: str) -> dict[str, str]:
    """Question labels from the codebook."""
    return {v: d.codebook[v].label(lang) for v in d.variables}


def group_label(d: Dashboard, grouping: str, code: Any, lang: str) -> str:
    """Label of a group code from the codebook (the code itself when unlabelled)."""
    num = finite_or_none(code)
    text = d.codebook[grouping].code_label(num, lang) if num is not None else None
    return text or str(code)


#: Short legend names of the usual questions (the chart title says change or expectation).
SHORT = {"emp": ("就业", "Employment"), "inc": ("收入", "Income"), "cons": ("消费", "Consumption")}


def short_labels(d: Dashboard, lang: str) -> dict[str, str]:
    """Legend names: 就业/收入/消费 for emp_*/inc_*/cons_* questions, else the codebook label."""
    full = var_labels(d, lang)
    out = {}
    for v in d.variables:
        pair = SHORT.get(v.split("_")[0])
        out[v] = t(lang, *pair) if pair and sum(w.split("_")[0] == v.split("_")[0] for w in d.variables) <= 2 else full[v]
    return out


def _chart_frame(frame: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    return frame.assign(label=frame["var"].map(labels))


def _split(d: Dashboard) -> tuple[tuple[str, ...], tuple[str, ...]]:
    scales = d.codebook.scales()
    change = tuple(v.name for v in scales.get("sentiment", ()) if v.name in d.variables)
    expect = tuple(v for v in d.variables if v not in change)
    return change, expect


def headline(d: Dashboard, lang: str) -> View:
    """The headline page: every question's overall index across waves, the 50 line and CIs."""
    labels = var_labels(d, lang)
    res = d.headline()
    change = d.change()
    waves = list(d.wave_labels)
    cols, groups = wave_columns(waves, change=change is not None, lang=lang)
    rows = []
    for v in d.variables:
        per_wave = [m.iloc[0] if len(m) else None for m in (res[(res["var"] == v) & (res["wave"] == w)] for w in waves)]
        c = None if change is None else change[change["var"] == v]
        cells = wave_row_cells(per_wave, None if c is None or c.empty else c.iloc[0],
                               change_columns=change is not None, min_n=d.min_n)
        rows.append(Row(labels[v], tuple(cells)))
    title = t(lang, "景气指数（分期）", "Sentiment indices by wave")
    table = Table(title, tuple(cols), tuple(rows), stub_header=t(lang, "指标", "Index"), column_groups=tuple(groups),
                  notes=_notes(d, lang, change is not None), key="indices")
    ch, ex = _split(d)
    charts = []
    for key, names, zh, en in (("changes", ch, "本季度变化指数", "Change this quarter"),
                               ("expectations", ex, "下季度预期指数", "Expectations for next quarter")):
        if names:
            part = _chart_frame(res[res["var"].isin(names)], short_labels(d, lang))
            charts.append(index_chart(part, title=t(lang, zh, en), key=key, group="label", lang=lang))
    payload: dict[str, Any] = {
        "indices": [r for w in d.waves for r in _records(w.overall, labels, {"wave": w.wave})],
        "population": [{"wave": w.wave, **w.population} for w in d.waves],
        "change": None if change is None else [
            {"var": r["var"], "label": labels[r["var"]], "wave_current": r["wave_current"],
             "wave_previous": r["wave_previous"], "change": None if r["suppressed"] else finite_or_none(r["change"]),
             "se": None if r["suppressed"] else finite_or_none(r["se"]), "p_value": None if r["suppressed"] else finite_or_none(r["p_value"]),
             "suppressed": bool(r["suppressed"])} for r in change.to_dict("records")],
    }
    intro = t(lang, f"数据集 {d.dataset}，共 {len(waves)} 期：{'、'.join(waves)}。50 为荣枯线。",
              f"Dataset {d.dataset}, {len(waves)} wave(s): {', '.join(waves)}. 50 is the boom/bust line.")
    return View("headline", t(lang, "灵活就业景气监测", "Flexible-employment sentiment monitor"), (table,),
                tuple(charts), (intro, population_text(d, d.waves, lang)), payload)


def _flow_table(w: WaveData, lang: str) -> Table:
    p = w.provenance
    rows = [Row(t(lang, "读入问卷", "Rows read"), (Cell(None), Cell(None), Cell(p.rows_read))),
            Row(t(lang, "未通过数据校验（隔离）", "Failed validation (quarantined)"),
                (Cell(p.rows_read), Cell(p.rows_quarantined), Cell(p.rows_stored)))]
    for st in (w.flow or {}).get("steps", []):
        rows.append(Row(t(lang, f"剔除：{st['rule']}", f"Excluded: {st['rule']}"),
                        (Cell(int(st["n_before"])), Cell(int(st["n_excluded"])), Cell(int(st["n_after"])))))
    pop = w.population
    if pop["where"] is not None:
        rows.append(Row(t(lang, f"分析总体：{pop['where']}", f"Population: {pop['where']}"),
                        (Cell(int(pop["n_screened"])), Cell(int(pop["n_excluded"])), Cell(int(pop["n"])))))
    rows.append(Row(t(lang, "分析样本", "Analysis sample"), (Cell(None), Cell(None), Cell(w.n_analysis)), kind="stat"))
    notes = () if w.flow else (t(lang, "注：该期未保存筛选结果，使用全部入库样本。",
                                 "Note: no screening is stored for this wave; all stored rows are used."),)
    return Table(t(lang, f"样本流程（{w.wave}）", f"Sample flow ({w.wave})"),
                 (t(lang, "筛选前", "Before"), t(lang, "剔除", "Excluded"), t(lang, "筛选后", "After")),
                 tuple(rows), stub_header=t(lang, "步骤", "Step"), notes=notes, key="flow")


def _weight_tables(w: WaveData, lang: str) -> list[Table]:
    dg = w.weighting["diagnostics"]
    summ = dg.get("summary", {})
    method = {"poststratify": t(lang, "事后分层（普查区域）", "Post-stratification (census regions)"),
              "none": t(lang, "未加权", "Unweighted")}[w.weighting["method"]]
    rows = [Row(t(lang, "加权方法", "Method"), (Cell(method),)),
            Row(t(lang, "样本量", "n"), (Cell(int(dg["n"])),)),
            Row(t(lang, "Kish设计效应", "Kish design effect"), (Cell(float(dg["deff_kish"]), 3),)),
            Row(t(lang, "有效样本量", "Effective n"), (Cell(float(dg["n_effective"]), 1),)),
            Row(t(lang, "最小权重", "Min weight"), (Cell(float(summ.get("min", math.nan)), 3),)),
            Row(t(lang, "最大权重", "Max weight"), (Cell(float(summ.get("max", math.nan)), 3),)),
            Row(t(lang, "权重变异系数", "CV of weights"), (Cell(float(dg["cv"]), 3),))]
    out = [Table(t(lang, f"加权诊断（{w.wave}）", f"Weighting diagnostics ({w.wave})"), (t(lang, "数值", "Value"),),
                 tuple(rows), stub_header=t(lang, "指标", "Statistic"), key="weights",
                 notes=(w.weighting["reason"],) if lang == "en" or w.weighting["method"] == "none" else ())]
    if w.margins is not None:
        en = {"东部": "East", "中部": "Central", "西部": "West", "东北": "Northeast"}
        mrows = [Row(t(lang, str(r["level"]), en.get(str(r["level"]), str(r["level"]))),
                     (Cell(float(r["target"]), 2, percent=True), Cell(float(r["before"]), 2, percent=True),
                      Cell(float(r["after"]), 2, percent=True))) for r in w.margins.to_dict("records")]
        out.append(Table(t(lang, f"区域分布：加权前后（{w.wave}）", f"Regions before and after weighting ({w.wave})"),
                         (t(lang, "普查", "Census"), t(lang, "加权前", "Before"), t(lang, "加权后", "After")),
                         tuple(mrows), stub_header=t(lang, "区域", "Region"), key="margins"))
    return out


def wave_page(d: Dashboard, w: WaveData, lang: str) -> View:
    """One wave: its indices, sample flow and weighting diagnostics."""
    labels = var_labels(d, lang)
    rows = []
    for r in w.overall.to_dict("records"):
        reading = r["reading"] if lang == "zh" else READING_EN.get(r["reading"], r["reading"])
        rows.append(Row(labels[r["var"]], (*index_cells(r, min_n=d.min_n), Cell(int(r["n"])), Cell(reading))))
    table = Table(t(lang, f"景气指数（{w.wave}）", f"Sentiment indices ({w.wave})"),
                  (t(lang, "指数", "Index"), t(lang, "95%置信区间", "95% CI"), "n", t(lang, "判断", "Reading")),
                  tuple(rows), stub_header=t(lang, "指标", "Index"), notes=_notes(d, lang, waves=(w,)), key="indices")
    series = Series(w.wave, *(tuple(finite_or_none(x) if not s else None for x, s in zip(w.overall[c], w.overall["suppressed"], strict=True))
                              for c in ("index", "conf_low", "conf_high")))
    chart = Chart(key="wave", kind="coef", title=t(lang, f"景气指数（{w.wave}）", f"Sentiment indices ({w.wave})"),
                  categories=tuple(labels[v] for v in w.overall["var"]), series=(series,), reference=50.0, decimals=1,
                  x_label=t(lang, "指数", "Index"))
    payload = {"wave": w.wave, "provenance": w.provenance.to_dict(), "sample_flow": w.flow,
               "n_analysis": w.n_analysis, "population": w.population,
               "weighting": {**w.weighting, "margins": None if w.margins is None else w.margins.to_dict("records")},
               "indices": _records(w.overall, labels, {"wave": w.wave})}
    return View("wave", t(lang, f"{w.wave} 期", f"Wave {w.wave}"), (table, _flow_table(w, lang), *_weight_tables(w, lang)),
                (chart,), (population_text(d, (w,), lang),), payload)


def group_page(d: Dashboard, w: WaveData, grouping: str, lang: str) -> View:
    """One wave broken down by industry or occupation."""
    labels = var_labels(d, lang)
    res = w.by_group[grouping]
    gname = d.codebook[grouping].label(lang)
    groups = list(dict.fromkeys(res["group"]))
    glabels = {g: group_label(d, grouping, g, lang) for g in groups}
    cols: list[str] = ["n"]
    for _ in d.variables:
        cols += [t(lang, "指数", "Index"), t(lang, "95%置信区间", "95% CI")]
    rows = []
    for g in groups:
        part = res[res["group"] == g]
        cells = [Cell(int(part["n"].max()))]
        for v in d.variables:
            m = part[part["var"] == v]
            cells += index_cells(m.iloc[0] if len(m) else None, min_n=d.min_n)
        rows.append(Row(glabels[g], tuple(cells)))
    notes = (*_notes(d, lang, waves=(w,)), t(lang, f"未回答“{gname}”的 {w.no_group[grouping]} 人（如无工作者）不在分组中。",
                                 f"{w.no_group[grouping]} respondents without an answer on {gname} (e.g. not working) "
                                 "are not in the breakdown."))
    table = Table(t(lang, f"分{gname}景气指数（{w.wave}）", f"Sentiment indices by {gname.lower()} ({w.wave})"),
                  tuple(cols), tuple(rows), stub_header=gname,
                  column_groups=(ColumnGroup("", 1), *(ColumnGroup(labels[v], 2) for v in d.variables)),
                  notes=notes, key="indices")
    charts = []
    for key, names, zh, en in (("changes", _split(d)[0], "本季度变化", "Change this quarter"),
                               ("expectations", _split(d)[1], "下季度预期", "Expectations")):
        series = []
        for v in names:
            part = res[res["var"] == v].set_index("group").reindex(groups)
            vals = [tuple(None if s else finite_or_none(x) for x, s in zip(part[c], part["suppressed"], strict=True))
                    for c in ("index", "conf_low", "conf_high")]
            series.append(Series(short_labels(d, lang)[v], *vals))
        if series:
            charts.append(Chart(key=f"{grouping}_{key}", kind="coef",
                                title=t(lang, f"分{gname}{zh}指数（{w.wave}）", f"{en} by {gname.lower()} ({w.wave})"),
                                categories=tuple(glabels[g] for g in groups), series=tuple(series), reference=50.0,
                                decimals=1, x_label=t(lang, "指数", "Index")))
    recs = []
    for g in groups:
        recs += _records(res[res["group"] == g], labels, {"group": finite_or_none(g) if finite_or_none(g) is not None else g,
                                                         "group_label": glabels[g], "wave": w.wave})
    payload = {"wave": w.wave, "grouping": grouping, "grouping_label": gname, "indices": recs,
               "not_in_breakdown": w.no_group[grouping], "population": w.population}
    return View("grouping", t(lang, f"{w.wave} 期 · 分{gname}", f"Wave {w.wave} · by {gname.lower()}"), (table,),
                tuple(charts), (population_text(d, (w,), lang),), payload)
