"""Rendering helpers for the command line (rich tables, JSON, the error line)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from flexemp.core.jsonable import to_jsonable

# piped output (files, CI logs) gets a wide console so tables are not squeezed into 80 columns
if TYPE_CHECKING:
    import pandas as pd

console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 160)


def print_json(obj: Any) -> None:
    """Print one JSON object on stdout (UTF-8, Chinese unescaped)."""
    typer.echo(json.dumps(to_jsonable(obj), ensure_ascii=False, indent=2, default=str))


def print_frame(frame: pd.DataFrame, title: str | None = None, max_rows: int = 50) -> None:
    """Print a DataFrame as a rich table (at most ``max_rows`` rows)."""
    import pandas as pd  # imported here so that `flexemp --help` stays fast
    table = Table(title=title, show_lines=False, header_style="bold")
    for col in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[col])
        table.add_column(str(col), justify="right" if numeric else "left")
    for row in frame.head(max_rows).itertuples(index=False):
        table.add_row(*["" if pd.isna(v) else (f"{v:,}" if isinstance(v, int) else str(v)) for v in row])
    console.print(table)
    if len(frame) > max_rows:
        console.print(f"… {len(frame) - max_rows} more rows (use --json for all)")


def print_flow(flow: dict[str, Any], title: str) -> None:
    """Print a sample flow ``{"n_start", "steps": [...]}`` as a table."""
    import pandas as pd
    steps = pd.DataFrame(flow["steps"], columns=["step", "rule", "n_before", "n_excluded", "n_after"])
    steps = steps.rename(
        columns={"step": "步骤", "rule": "规则", "n_before": "筛选前", "n_excluded": "剔除", "n_after": "筛选后"}
    )
    print_frame(steps, title=f"{title}  (n = {flow['n_start']:,} → {flow['n_final']:,})")


def error_line(message: str) -> None:
    """Print one red ``Error:`` line (multi-line messages keep their details)."""
    err_console.print(f"[bold red]Error:[/bold red] {escape(message)}", soft_wrap=True)
