"""Audit command of the CLI: ``flexemp audit`` (registered by :mod:`flexemp.cli`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flexemp.cli_render import console, error_line, print_frame, print_json


def audit(
    file: Annotated[
        Path, typer.Argument(help="YAML transcription of published tables (see docs/audit.md).")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of tables.")
    ] = False,
    lang: Annotated[
        str, typer.Option("--lang", help="Language of reasons and report: zh or en.")
    ] = "zh",
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the Markdown report section.")
    ] = False,
) -> None:
    """Audit published tables for internal consistency; exit 0 consistent, 1 inconsistent, 2 unreadable.

    Example: flexemp audit examples/audit/seed_003.yaml --json
    """
    from flexemp.audit import audit_file
    from flexemp.core.errors import AuditFormatError, UnsupportedOptionError

    if lang not in ("zh", "en"):
        raise UnsupportedOptionError(f"--lang must be zh or en, got {lang!r}")
    try:
        rep = audit_file(file)
    except AuditFormatError as exc:
        error_line(str(exc))
        raise typer.Exit(2) from None
    if as_json:
        print_json(rep.to_dict(lang))
    elif markdown:
        typer.echo(rep.to_markdown(lang))
    else:
        frame = rep.to_frame(lang).drop(columns="numbers")
        print_frame(frame, title=str(file), max_rows=1000)
        s = rep.summary
        console.print(
            f"consistent {s['consistent']}  inconsistent {s['inconsistent']}  cannot tell {s['cannot_tell']}"
        )
    raise typer.Exit(rep.exit_code)


def register(app: typer.Typer) -> None:
    """Add the audit command to the main app."""
    app.command()(audit)
