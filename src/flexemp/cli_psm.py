"""``flexemp psm``: propensity-score matching (a thin verb over :func:`flexemp.models.psm.psm`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flexemp.cli_render import console, print_frame, print_json


def psm(
    ctx: typer.Context,
    data: Annotated[Path, typer.Option("--data", help="Data file: CSV, Parquet, SAV or DTA.")],
    treat: Annotated[str, typer.Option("--treat", help="Treatment column (0/1).")],
    outcome: Annotated[str, typer.Option("--outcome", help="Outcome column.")],
    covariates: Annotated[
        list[str], typer.Option("--covariates", help="Score-model covariates (repeat or list).")
    ],
    link: Annotated[str, typer.Option("--link", help="logit or probit.")] = "logit",
    k: Annotated[int, typer.Option("--k", help="Neighbours per unit.")] = 1,
    replace: Annotated[
        bool, typer.Option("--replace/--no-replace", help="Match with replacement.")
    ] = True,
    caliper: Annotated[
        float | None, typer.Option("--caliper", help="Maximum distance on the score.")
    ] = None,
    caliper_scale: Annotated[
        str, typer.Option("--caliper-scale", help="score or sd_logit.")
    ] = "score",
    common_support: Annotated[
        bool, typer.Option("--common-support", help="Drop targets off the common support.")
    ] = False,
    ties: Annotated[str, typer.Option("--ties", help="all or first.")] = "all",
    estimand: Annotated[str, typer.Option("--estimand", help="att, ate or atc.")] = "att",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of tables.")
    ] = False,
) -> None:
    """Propensity-score nearest-neighbour matching: effect, Abadie-Imbens SE, balance table.

    Example: flexemp psm --data pw.parquet --treat contract --outcome life_sat --covariates age male educ --k 1 --json
    """
    from flexemp.io.analysis import read_analysis_data
    from flexemp.models.psm import psm as run_psm

    # "--covariates a b c": click gives the option "a" and leaves "b c" as extra arguments
    covs = [c for item in [*covariates, *ctx.args] for c in item.replace(",", " ").split()]
    res = run_psm(
        read_analysis_data(data),
        treat=treat,
        outcome=outcome,
        covariates=covs,
        link=link,
        k=k,
        replace=replace,
        caliper=caliper,
        caliper_scale=caliper_scale,
        common_support=common_support,
        ties=ties,
        estimand=estimand,
    )
    if as_json:
        print_json(res.to_dict())
        return
    console.print(
        f"[bold]psm[/bold] {res.estimand.upper()}  treated = {res.n_treated:,}  controls = {res.n_control:,}"
        f"  matched controls = {res.n_control_matched:,}"
    )
    print_frame(res.table_row().round(4), title="Effect (SE: Abadie-Imbens 2006)")
    console.print(
        f"SE homoskedastic {res.se_homoskedastic:.4f}; simple {res.se_simple:.4f}; "
        + (
            f"AI (2016, estimated score) {res.se_ai2016:.4f}"
            if res.se_ai2016 is not None
            else f"AI (2016): not available ({res.se_ai2016_reason})"
        )
    )
    print_frame(res.balance.table.round(3), title="Balance (pstest)", max_rows=200)


def register(app: typer.Typer) -> None:
    """Add ``psm`` to the main app."""
    app.command("psm", context_settings={"allow_extra_args": True})(psm)
