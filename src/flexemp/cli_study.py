"""Study command of the CLI: ``flexemp run`` (registered by :mod:`flexemp.cli`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flexemp.cli_render import console, print_json


def _resolve(study: str) -> Path:
    """A study file, or the name of a bundled example study (``platform_care``)."""
    path = Path(study)
    if path.exists() or path.suffix in (".yaml", ".yml"):
        return path
    from flexemp.core.errors import StudyError
    from flexemp.studies import list_studies, study_path

    if study in list_studies():
        return study_path(study)
    raise StudyError(f"no study file {study!r} and no bundled study of that name; bundled: "
                     f"{', '.join(list_studies())}")


def run(
    study: Annotated[str, typer.Argument(help="Study file (YAML) or a bundled study's name (platform_care …).")],
    out: Annotated[Path | None, typer.Option("--out", help="Output folder (default: ./<study name>).")] = None,
    check: Annotated[bool, typer.Option("--check", help="Only check the study file and its variables.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the files written and the timings as JSON.")] = False,
) -> None:
    """Run a study: report.html, tables.docx, tables.xlsx, results.json and charts/ in one folder.

    The study file is checked completely (unknown keys, variables missing from
    the codebook) before anything runs; a failing analysis stops the run with a
    message naming the step and option, and the finished analyses are written.

    Example: flexemp run examples/platform_care.yaml --out out/platform_care
    """
    from flexemp.study.run import check_study, run_study

    path = _resolve(study)
    if check:
        spec, _ = check_study(path)
        if as_json:
            print_json({"study": spec.name, "ok": True, "analyses": [a.id for a in spec.analyses]})
        else:
            console.print(f"{path}: OK ({len(spec.analyses)} analyses)")
        return
    from flexemp.study.schema import parse_study

    spec = parse_study(path)
    result = run_study(spec, out or Path(spec.name), console=None if as_json else console)
    if as_json:
        print_json({"study": spec.name, "out": str(result.out),
                    "files": {k: str(v) for k, v in result.files.items()},
                    "timings": {k: round(v, 4) for k, v in result.timings.items()}})
        return
    console.print(result.summary())


def register(app: typer.Typer) -> None:
    """Add the run command to the main app."""
    app.command()(run)
