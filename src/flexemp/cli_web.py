"""``flexemp serve``: the monitoring dashboard over the warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flexemp.cli_render import console


def serve(
    db: Annotated[Path | None, typer.Option("--db", help="Warehouse file (default: $FLEXEMP_HOME/warehouse.duckdb).", dir_okay=False)] = None,
    host: Annotated[str, typer.Option("--host", help="Address to bind. 127.0.0.1 = this computer only; 0.0.0.0 exposes the dashboard to every network this computer is on and needs --token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8765,
    token: Annotated[str | None, typer.Option("--token", help="Access token required on every request (default: $FLEXEMP_SERVE_TOKEN).")] = None,
    dataset: Annotated[str | None, typer.Option("--dataset", help="Dataset, when several have sentiment questions.")] = None,
    min_n: Annotated[int, typer.Option("--min-n", help="Suppress cells with fewer respondents.")] = 30,
    weighting: Annotated[str, typer.Option("--weighting", help="region (census region shares, as seed 004) or none.")] = "region",
    where: Annotated[str | None, typer.Option("--where", help="Population condition in the screening rules' syntax, e.g. seed 004's flexible workers: \"emp_status == 1 and (job_type == 2 or (job_type == 3 and biz_registered == 0))\". Weights use all screened rows first; rows where the condition is unknown are left out.")] = None,
) -> None:
    """Serve the read-only monitoring dashboard (indices, breakdowns, sample flow, weights; JSON/CSV/XLSX).

    Example: flexemp serve --db /tmp/demo.duckdb --port 8765 --where "emp_status == 1"
    """
    from flexemp.web.server import make_server

    server = make_server(db, host=host, port=port, token=token, dataset=dataset, min_n=min_n, weighting=weighting,
                         where=where)
    console.print(f"flexemp dashboard on {server.url}/ (read-only; Ctrl-C stops it)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        console.print("stopped")
    finally:
        server.server_close()


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the main app."""
    app.command()(serve)
