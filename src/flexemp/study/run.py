"""Run a study: check it, load its data, run each analysis with a progress bar, write the folder.

``run_study("examples/platform_care.yaml", "out/platform_care")`` writes
``report.html`` (self-contained, offline), ``tables.docx``, ``tables.xlsx``,
``results.json`` (every number; no timestamps, so two runs diff cleanly),
``charts/`` (PNG and SVG per chart) and ``timings.json`` (where the time went).

Everything that can be checked without the data is checked first (unknown
keys, unknown analysis types, variables missing from the codebook).  If an
analysis fails, the outputs of the analyses finished before it are written and
a :class:`~flexemp.core.errors.StudyError` names the step, the analysis and,
where known, the option.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from flexemp.codebook import Codebook, load_codebook
from flexemp.core.errors import FlexempError, StudyError
from flexemp.core.options import Language
from flexemp.study.context import WEIGHT_COLUMN, StudyData, load_study_data
from flexemp.study.output import AnalysisOutput
from flexemp.study.schema import AnalysisSpec, StudySpec, check_variables, parse_study


@dataclass
class StudyContext:
    """What analyses read: the spec, the data, the language and the outputs so far."""

    spec: StudySpec
    data: StudyData
    outputs: dict[str, AnalysisOutput] = field(default_factory=dict)

    @property
    def lang(self) -> Language:
        """Output language (zh or en)."""
        return "en" if self.spec.language == "en" else "zh"

    @property
    def codebook(self) -> Codebook:
        """The data's codebook."""
        return self.data.codebook


@dataclass
class StudyRun:
    """The outcome of :func:`run_study`: the spec, each analysis' output, the files and timings."""

    spec: StudySpec
    outputs: list[AnalysisOutput]
    files: dict[str, Path]
    timings: dict[str, float]
    out: Path

    def summary(self) -> str:
        """Where everything is, for people."""
        lines = [f"{self.spec.title}: {len(self.outputs)} analyses → {self.out}"]
        lines += [f"  {k}: {v}" for k, v in self.files.items()]
        return "\n".join(lines)


def study_codebook(spec: StudySpec) -> Codebook:
    """The codebook a study's variables are checked against (read without loading the data)."""
    data = spec.data
    if "dataset" in data:
        from flexemp.synth import get_dataset

        return get_dataset(str(data["dataset"])).codebook()
    if "file" in data:
        path = spec.base_dir / str(data["codebook"])
        if not path.exists():
            raise StudyError(f"data.codebook: file not found: {path}")
        return load_codebook(path)
    from flexemp.warehouse.store import Warehouse

    wh = data["warehouse"]
    db = spec.base_dir / str(wh["db"])
    if not db.exists():
        raise StudyError(f"data.warehouse.db: no warehouse at {db}")
    waves = wh.get("waves") or [wh.get("wave")]
    with Warehouse(db, read_only=True) as store:
        return store.codebook(store.find_load(str(waves[0]), wh.get("dataset")))


def check_study(study: str | Path | StudySpec) -> tuple[StudySpec, Codebook]:
    """Parse a study and check every variable against the codebook, without running anything."""
    from flexemp.study.analyses import check_analysis

    spec = study if isinstance(study, StudySpec) else parse_study(study)
    codebook = study_codebook(spec)
    known = set(codebook.names) | set(codebook.stored_columns())
    derived = {"wave"} | ({WEIGHT_COLUMN} if isinstance(spec.weights, dict) else set())
    check_variables(spec, known, derived)
    problems = [p for a in spec.analyses for p in check_analysis(a, spec)]
    problems += [p for a in spec.analyses for p in _check_subset(a, codebook)]
    if problems:
        raise StudyError(f"{spec.source}: {len(problems)} problem(s) with analysis options:\n  - "
                         + "\n  - ".join(problems))
    return spec, codebook


def _check_subset(a: AnalysisSpec, codebook: Codebook) -> list[str]:
    from flexemp.core.errors import ScreeningError
    from flexemp.screening.rules import parse_condition

    problems = []
    where = a.options.get("where")
    if where is not None:
        try:
            parse_condition(str(where), codebook, {"wave": "text", WEIGHT_COLUMN: "number"})
        except ScreeningError as exc:
            problems.append(f"{a.where('where')}: {exc}")
    wave = a.options.get("wave")
    if wave is not None and not isinstance(wave, str | int):
        problems.append(f"{a.where('wave')}: give one wave name, e.g. wave: 2022Q2")
    return problems


def subset_context(ctx: StudyContext, a: AnalysisSpec) -> StudyContext:
    """The context an analysis sees: its ``wave`` and ``where`` applied to the data (rows dropped are counted)."""
    import dataclasses

    import numpy as np

    where, wave = a.options.get("where"), a.options.get("wave")
    if where is None and wave is None:
        return ctx
    frame = ctx.data.frame
    keep = np.ones(len(frame), dtype=bool)
    if wave is not None:
        if "wave" not in frame.columns:
            raise StudyError(f"{a.where('wave')}: the study has no waves (data: waves: [...])")
        keep &= (frame["wave"].astype(str) == str(wave)).to_numpy()
        if not keep.any():
            raise StudyError(f"{a.where('wave')}: no wave {wave!r}; the study's waves: {', '.join(ctx.data.waves)}")
    if where is not None:
        from flexemp.screening.expr import evaluate
        from flexemp.screening.rules import parse_condition

        expr = parse_condition(str(where), ctx.codebook, {"wave": "text", WEIGHT_COLUMN: "number"})
        keep &= evaluate(expr, frame).true  # rows where the condition is unknown (missing) are left out
        if not keep.any():
            raise StudyError(f"{a.where('where')}: no row satisfies {where!r}")
    data = dataclasses.replace(ctx.data, frame=frame.loc[keep].reset_index(drop=True))
    return StudyContext(ctx.spec, data, ctx.outputs)


def run_study(
    study: str | Path | StudySpec,
    out: str | Path,
    *,
    console: Console | None = None,
) -> StudyRun:
    """Check, run and write a study (see the module docstring).

    Parameters
    ----------
    study : path, YAML text or StudySpec
    out : path
        Output folder (created).
    console : rich Console, optional
        Where to show the progress bar; ``None`` for silence.

    Raises
    ------
    StudyError
        Invalid study (before anything runs) or a failing analysis (after the
        finished ones are written).
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from flexemp.study.analyses import RUNNERS
    from flexemp.study.analyses.common import with_note
    from flexemp.study.write import write_outputs

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    spec, _ = check_study(study)
    timings["check"] = time.perf_counter() - t0
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    try:
        data = load_study_data(spec)
    except FlexempError as exc:
        raise StudyError(f"{spec.source}: loading the data failed: {exc}") from exc
    timings["data"] = time.perf_counter() - t0
    ctx = StudyContext(spec, data)
    outputs: list[AnalysisOutput] = []
    progress = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                        TimeElapsedColumn(), console=console, transient=True, disable=console is None)
    failure: StudyError | None = None
    with progress:
        task = progress.add_task(spec.name, total=len(spec.analyses))
        for i, a in enumerate(spec.analyses, 1):
            progress.update(task, description=f"{spec.name} [{i}/{len(spec.analyses)}] {a.id}: {a.title}")
            t0 = time.perf_counter()
            try:
                actx = subset_context(ctx, a)
                result = RUNNERS[a.type](actx, a)
                if a.note and result.tables and not any(a.note in t.notes for t in result.tables):
                    result.tables[0] = with_note(result.tables[0], a.note)  # after the table's own notes
                if actx is not ctx:
                    result.results["subset"] = {"where": a.options.get("where"), "wave": a.options.get("wave"),
                                                "n": len(actx.data.frame), "n_study": len(data.frame)}
            except StudyError as exc:
                failure = StudyError(f"step {i} of {len(spec.analyses)} failed: {exc}")
                break
            except (FlexempError, ValueError, KeyError, ArithmeticError) as exc:
                failure = StudyError(f"step {i} of {len(spec.analyses)} failed: {a.where()} "
                                     f"(type {a.type}): {type(exc).__name__}: {exc}")
                break
            result.seconds = time.perf_counter() - t0
            timings[f"analysis:{a.id}"] = result.seconds
            outputs.append(result)
            ctx.outputs[a.id] = result
            progress.advance(task)
    files = write_outputs(spec, data, outputs, out, timings, failed=str(failure) if failure else None)
    if failure is not None:
        done = ", ".join(o.id for o in outputs) or "none"
        raise StudyError(f"{failure}\n(finished analyses written to {out}: {done})")
    return StudyRun(spec, outputs, files, timings, out)

