"""The demo: build a warehouse from the embedded datasets, screen them, show the flows.

For each embedded dataset the demo writes the synthetic raw file and its
codebook under ``OUT/data/`` (the questionnaires as collected,
``generate(collected=True)``: for ``riders_shanghai`` the 103 of seed 001,
whose screening leaves the 100 valid ones), the screening rules under ``OUT/rules/``, ingests
the file into the warehouse (pseudonymising the fake names and phone
numbers), screens it and writes the sample flows to ``OUT/sample_flows.json``
and ``OUT/sample_flows.md``.  Then it runs every bundled example study
(``flexemp.studies``: the seed documents re-created) into ``OUT/studies/<name>/``
and writes ``OUT/index.html`` linking their reports.  Everything is deterministic: a second run finds
the same files already loaded and the same screenings already stored (the
raw files are written only when missing, since XLSX and SAV files carry their
creation time).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from flexemp.ingest.pseudonymise import create_key_file, default_key_file, resolve_key
from flexemp.warehouse.load import LoadResult, ingest
from flexemp.warehouse.schema import default_db_path
from flexemp.warehouse.screenings import StoredScreening, screen_wave

if TYPE_CHECKING:
    from flexemp.synth.registry import SyntheticDataset

#: (dataset, wave, file format) loaded by the demo, in order.
DEMO_PLAN: tuple[tuple[str, str | None, str, str], ...] = (
    # dataset, synthetic wave, stored wave label, file extension
    ("flex_sentiment", "2022Q1", "2022Q1", "csv"),
    ("flex_sentiment", "2022Q2", "2022Q2", "csv"),
    ("platform_workers", None, "2021", "csv"),
    ("riders_shanghai", None, "2023", "xlsx"),
    ("internet_flex_finance", None, "2020", "sav"),
)


@dataclass(frozen=True)
class DemoResult:
    """What the demo did: loads, screenings and where the outputs are."""

    db: Path
    out: Path
    key_note: str
    loads: tuple[LoadResult, ...]
    screenings: tuple[StoredScreening, ...]
    studies: tuple[tuple[str, str, Path], ...] = ()  # (name, title, report path)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "db": str(self.db),
            "out": str(self.out),
            "key": self.key_note,
            "loads": [{**r.provenance.to_dict(), "result": r.status, "message": r.message} for r in self.loads],
            "screenings": [s.to_dict() for s in self.screenings],
            "studies": [{"study": n, "title": t, "report": str(p)} for n, t, p in self.studies],
            "index": str(self.out / "index.html"),
        }

    def summary(self) -> str:
        """Where everything is, for people."""
        lines = [
            f"Warehouse: {self.db}",
            f"Raw files and codebooks: {self.out / 'data'}",
            f"Screening rules: {self.out / 'rules'}",
            f"Sample flows: {self.out / 'sample_flows.md'} and {self.out / 'sample_flows.json'}",
            f"Stakeholder scoring (seed 002): {self.out / 'stakeholders.md'}",
            f"Example studies (seed documents re-created): {self.out / 'index.html'}",
            f"Pseudonym key: {self.key_note}",
            "Next: `flexemp waves --db "
            f"{self.db}` lists the waves; `flexemp screen --db {self.db} --wave 2022Q2 --dataset flex_sentiment "
            f"--rules {self.out / 'rules' / 'flex_sentiment.yaml'} --list-excluded` shows every excluded row.",
        ]
        return "\n".join(lines)


def demo_rules_path(dataset: str) -> Path:
    """The bundled screening rules of an embedded dataset."""
    ref = resources.files("flexemp.synth").joinpath("rules", f"{dataset}.yaml")
    with resources.as_file(ref) as p:
        return Path(p)


def _note_path(data_file: Path) -> Path:
    return data_file.with_name(data_file.name + ".source.json")


def _source_note(ds: SyntheticDataset, wave: str | None) -> dict[str, Any]:
    """What a demo raw file was generated from: dataset, wave, size, seed, collected rows, flexemp version."""
    from flexemp import __version__

    return {"dataset": ds.name, "wave": wave, "n": ds.default_n, "seed": ds.default_seed, "collected": True,
            "flexemp_version": __version__}


def _read_note(data_file: Path) -> dict[str, Any] | None:
    try:
        return dict(json.loads(_note_path(data_file).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _flows_markdown(screenings: tuple[StoredScreening, ...]) -> str:
    parts = ["# 样本筛选流程 / Sample flows\n"]
    for s in screenings:
        parts.append(f"\n## {s.dataset} / {s.wave}\n")
        parts.append(f"初始样本 n = {s.flow['n_start']:,}；最终样本 n = {s.flow['n_final']:,}\n\n")
        parts.append("| 步骤 | 规则 | 筛选前 | 剔除 | 筛选后 |\n|---:|---|---:|---:|---:|\n")
        for st in s.flow["steps"]:
            parts.append(f"| {st['step']} | {st['rule']} | {st['n_before']:,} | {st['n_excluded']:,} | {st['n_after']:,} |\n")
    return "".join(parts)


def _stakeholder_example(out: Path) -> None:
    """Seed 002's Mitchell scoring on the embedded example scores → OUT/stakeholders.{md,json}."""
    from flexemp.stakeholders import mitchell
    from flexemp.stakeholders.example import example_scores

    res = mitchell(example_scores())
    (out / "stakeholders.json").write_text(json.dumps(res.to_dict(), ensure_ascii=False, indent=2, default=str),
                                           encoding="utf-8")
    table = res.table("zh")
    lines = ["# Mitchell 评分法：利益相关者分类（种子文献002）\n", "| " + " | ".join(map(str, table.columns)) + " |",
             "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in table.itertuples(index=False)]
    (out / "stakeholders.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_demo(
    *, db: str | Path | None = None, out: str | Path = "flexemp-demo", console: Console | None = None
) -> DemoResult:
    """Build the demo warehouse and outputs (see the module docstring).

    Parameters
    ----------
    db : path, optional
        Warehouse file (default ``$FLEXEMP_HOME/warehouse.duckdb``).
    out : path
        Output folder (default ``./flexemp-demo``).
    console : rich Console, optional
        Where to show progress; ``None`` for silence.

    Returns
    -------
    DemoResult

    Notes
    -----
    If no pseudonymisation key is configured, the demo creates one at
    ``$FLEXEMP_HOME/pseudonym.key`` (and says so), because the synthetic data
    carry fake names and phone numbers marked as direct identifiers.
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from flexemp.synth import get_dataset
    from flexemp.synth.export import codebook_path_for, write_synthetic

    db_path = Path(db) if db is not None else default_db_path()
    out = Path(out)
    (out / "data").mkdir(parents=True, exist_ok=True)
    (out / "rules").mkdir(parents=True, exist_ok=True)
    if resolve_key() is None:
        key_note = f"created {create_key_file()} (none was configured)"
    else:
        key_note = "the configured key"
        if not (default_key_file().exists()):
            key_note = "the key from the environment"

    loads: list[LoadResult] = []
    screenings: list[StoredScreening] = []
    progress = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                        TimeElapsedColumn(), console=console, transient=True, disable=console is None)
    with progress:
        task = progress.add_task("demo", total=len(DEMO_PLAN))
        for name, synth_wave, wave, ext in DEMO_PLAN:
            progress.update(task, description=f"{name} {wave}: 生成、入库、筛选")
            stem = f"{name}_{wave}"
            data_file = out / "data" / f"{stem}.{ext}"
            ds = get_dataset(name)
            # XLSX and SAV files carry a creation time, so a raw file is written once and reused while it
            # is what this version generates (its source note says so); a file from another version or
            # generator setting is written again and replaces the wave's earlier load in the warehouse
            note = _source_note(ds, synth_wave if ds.waves else None)
            fresh = data_file.exists() and codebook_path_for(data_file).exists() and _read_note(data_file) == note
            if not fresh:
                write_synthetic(name, data_file, wave=note["wave"], collected=True)
                _note_path(data_file).write_text(json.dumps(note, ensure_ascii=False, indent=2), encoding="utf-8")
            loads.append(ingest(data_file, codebook_path_for(data_file), wave, db=db_path, replace=not fresh))
            rules_out = out / "rules" / f"{name}.yaml"
            rules_out.write_text(demo_rules_path(name).read_text(encoding="utf-8"), encoding="utf-8")
            screenings.append(screen_wave(wave, rules_out, dataset=name, db=db_path))
            progress.advance(task)
    _stakeholder_example(out)
    studies = run_example_studies(out / "studies", console=console)
    write_index(out, studies)
    result = DemoResult(db_path, out, key_note, tuple(loads), tuple(screenings), studies)
    (out / "sample_flows.json").write_text(
        json.dumps([s.to_dict() for s in screenings], ensure_ascii=False, indent=2), encoding="utf-8"
    )
    (out / "sample_flows.md").write_text(_flows_markdown(result.screenings), encoding="utf-8")
    return result


def run_example_studies(out: Path, *, console: Console | None = None) -> tuple[tuple[str, str, Path], ...]:
    """Run every bundled example study into ``out/<name>``; (name, title, report) per study."""
    from flexemp.studies import list_studies, study_path
    from flexemp.study.run import run_study

    done = []
    for name in list_studies():
        run = run_study(study_path(name), out / name, console=console)
        done.append((name, run.spec.title, run.files.get("report", out / name)))
    return tuple(done)


def write_index(out: Path, studies: tuple[tuple[str, str, Path], ...]) -> Path:
    """``OUT/index.html``: links to each study's report and outputs (relative, offline)."""
    import html

    rows = []
    for name, title, report in studies:
        rel = report.relative_to(out).as_posix() if report.is_relative_to(out) else report.as_posix()
        folder = rel.rsplit("/", 1)[0]
        rows.append(f'<li><a href="{html.escape(rel)}">{html.escape(title)}</a> '
                    f'<span class="m">（{html.escape(name)}：<a href="{html.escape(folder)}/tables.docx">Word</a> · '
                    f'<a href="{html.escape(folder)}/tables.xlsx">Excel</a> · '
                    f'<a href="{html.escape(folder)}/results.json">JSON</a>）</span></li>')
    page = ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>flexemp 示例研究</title>"
            "<style>body{font-family:\"Noto Sans CJK SC\",\"Microsoft YaHei\",sans-serif;max-width:900px;"
            "margin:2em auto;line-height:1.8}.m{color:#666;font-size:.9em}</style></head><body>"
            "<h1>flexemp 示例研究：种子文献的复现</h1><p>每个研究由一个 YAML 文件定义，"
            "用 <code>flexemp run</code> 一条命令生成报告、Word/Excel 表格和 results.json。</p><ol>"
            + "".join(rows) + "</ol><p class=\"m\">Sample flows: <a href=\"sample_flows.md\">sample_flows.md</a> · "
            "Stakeholders (seed 002): <a href=\"stakeholders.md\">stakeholders.md</a></p></body></html>")
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
