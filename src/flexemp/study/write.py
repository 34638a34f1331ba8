"""Write a study's output folder: report.html, tables.docx, tables.xlsx, results.json, charts/."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from flexemp.core.jsonable import to_jsonable
from flexemp.study.context import StudyData
from flexemp.study.output import AnalysisOutput
from flexemp.study.schema import StudySpec


def _meta(spec: StudySpec, data: StudyData) -> list[str]:
    zh = spec.language == "zh"
    src = data.source
    what = src.get("dataset") or src.get("file") or src.get("warehouse") or ""
    if src.get("embedded"):
        what = (f"嵌入的合成数据集 {what}（按种子文献校准）" if zh
                else f"embedded synthetic dataset {what} (calibrated to the seed document)")
    n = len(data.frame)
    waves = "、".join(data.waves) if zh else ", ".join(data.waves)
    line = (f"数据：{what}；有效样本 {n} 个" + (f"；波次：{waves}" if waves else "") if zh
            else f"Data: {what}; {n} observations" + (f"; waves: {waves}" if waves else ""))
    return [line]


def results_document(spec: StudySpec, data: StudyData, outputs: list[AnalysisOutput],
                     failed: str | None) -> dict[str, Any]:
    """The results.json document: study, data, sample flows, weighting, every analysis."""
    from flexemp import __version__

    weighting = None
    if data.weighting is not None:
        weighting = [{k: v for k, v in r.to_dict().items() if k != "weights"} for r in data.weighting]
    return to_jsonable({
        "study": spec.name,
        "title": spec.title,
        "language": spec.language,
        "seed_document": spec.seed_document or None,
        "flexemp_version": __version__,
        "data": {**data.source, "n": len(data.frame), "waves": data.waves, "weights": data.weights},
        "sample_flows": [f.to_dict() for f in data.flows],
        "weighting": weighting,
        "failed": failed,
        "analyses": [o.to_dict() for o in outputs],
    })


def write_outputs(spec: StudySpec, data: StudyData, outputs: list[AnalysisOutput], out: Path,
                  timings: dict[str, float], *, failed: str | None = None) -> dict[str, Path]:
    """Write every requested output; record the time each took in ``timings``."""
    files: dict[str, Path] = {}
    chart_files: dict[str, Path] = {}

    def timed(name: str, fn: Any) -> None:
        t0 = time.perf_counter()
        fn()
        timings[f"write:{name}"] = time.perf_counter() - t0

    if "charts" in spec.outputs or "docx" in spec.outputs:
        def charts() -> None:
            from flexemp.present.charts.static import render_png, render_svg

            folder = out / "charts"
            folder.mkdir(exist_ok=True)
            for o in outputs:
                for c in o.charts:
                    png = folder / f"{o.id}_{c.key}.png"
                    render_png(c, png)
                    chart_files[f"{o.id}/{c.key}"] = png
                    if "charts" in spec.outputs:
                        render_svg(c, folder / f"{o.id}_{c.key}.svg")
            files["charts"] = folder
        timed("charts", charts)
    if "html" in spec.outputs:
        def report() -> None:
            from flexemp.present.report import ReportSection, build_report

            sections = [ReportSection(o.id, o.title, o.text, o.tables, o.charts) for o in outputs]
            page = build_report(spec.title, sections, lang=spec.language, description=spec.description,
                                meta=_meta(spec, data), failed=failed)
            (out / "report.html").write_text(page, encoding="utf-8")
            files["report"] = out / "report.html"
        timed("html", report)
    if "docx" in spec.outputs:
        def docx() -> None:
            from flexemp.present.render.docx import DocHeading, DocImage, DocParagraph, write_docx

            items: list[Any] = []
            for o in outputs:
                items.append(DocHeading(o.title, 2))
                items += [DocParagraph(t) for t in o.text]
                items += list(o.tables)
                items += [DocImage(chart_files[f"{o.id}/{c.key}"], 15.0, c.title) for c in o.charts]
            write_docx(items, out / "tables.docx", title=spec.title)
            files["docx"] = out / "tables.docx"
        timed("docx", docx)
    tables = [t for o in outputs for t in o.tables]
    if "xlsx" in spec.outputs:
        def xlsx() -> None:
            from flexemp.present.render.xlsx import write_xlsx

            write_xlsx(tables, out / "tables.xlsx")
            files["xlsx"] = out / "tables.xlsx"
        timed("xlsx", xlsx)
    if "md" in spec.outputs:
        def md() -> None:
            from flexemp.present.render.md import render_markdown

            (out / "tables.md").write_text("\n\n".join(render_markdown(t) for t in tables), encoding="utf-8")
            files["md"] = out / "tables.md"
        timed("md", md)
    if "tex" in spec.outputs:
        def tex() -> None:
            from flexemp.present.render.tex import render_latex

            (out / "tables.tex").write_text("\n\n".join(render_latex(t) for t in tables), encoding="utf-8")
            files["tex"] = out / "tables.tex"
        timed("tex", tex)
    if "json" in spec.outputs:
        def results() -> None:
            doc = results_document(spec, data, outputs, failed)
            (out / "results.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
            files["json"] = out / "results.json"
        timed("json", results)
    (out / "timings.json").write_text(json.dumps({k: round(v, 4) for k, v in timings.items()}, indent=1),
                                      encoding="utf-8")
    return files
