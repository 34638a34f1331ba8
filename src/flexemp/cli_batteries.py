"""``flexemp mechanism`` and ``flexemp heterogeneity``: one JSON object per fitted model with --json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from flexemp.cli_render import print_frame

DataOpt = Annotated[Path, typer.Option("--data", help="Data file: CSV, Parquet, SAV or DTA.")]
ListOpt = Annotated[list[str], typer.Option(help="Column names (repeat the option or separate by commas).")]


def _names(values: list[str] | None) -> list[str]:
    return [v.strip() for item in (values or []) for v in item.split(",") if v.strip()]


def _emit(res: object, as_json: bool, title: str) -> None:
    from flexemp.core.jsonable import to_jsonable

    if as_json:
        for rec in res.records():  # type: ignore[attr-defined]
            typer.echo(json.dumps(to_jsonable(rec), ensure_ascii=False))
        return
    print_frame(res.summary.round(6), title=title, max_rows=500)  # type: ignore[attr-defined]
    tests = res.tests  # type: ignore[attr-defined]
    if len(tests):
        print_frame(tests.round(6), title="Equality of subgroup coefficients", max_rows=500)


def mechanism(
    data: DataOpt,
    treatments: Annotated[list[str], typer.Option("--treatments", help="Treatment columns.")],
    mediators: Annotated[list[str], typer.Option("--mediators", help="Mediator columns.")],
    controls: Annotated[list[str] | None, typer.Option("--controls", help="Control columns.")] = None,
    model: Annotated[str, typer.Option("--model", help="auto, ols, logit, probit, oprobit or ologit.")] = "auto",
    vcov: Annotated[str, typer.Option("--vcov", help="classical, robust or cluster.")] = "classical",
    cluster: Annotated[str | None, typer.Option("--cluster", help="Cluster column.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per fitted model.")] = False,
) -> None:
    """Regress every mediator on every treatment with the controls (seed 000 Tables 6-8).

    Example: flexemp mechanism --data pw.parquet --treatments contract,training --mediators injury,income,identity --controls male,age --vcov cluster --cluster province
    """
    from flexemp.io.analysis import read_analysis_data
    from flexemp.models.batteries import mechanism as run

    res = run(read_analysis_data(data), treatments=_names(treatments), mediators=_names(mediators),
              controls=_names(controls), model=model, vcov=vcov, cluster=cluster)
    _emit(res, as_json, "Mechanism tests")


def heterogeneity(
    data: DataOpt,
    outcome: Annotated[str, typer.Option("--outcome", help="Outcome column.")],
    treatments: Annotated[list[str], typer.Option("--treatments", help="Treatment columns.")],
    moderators: Annotated[list[str], typer.Option("--moderators", help="Moderator columns.")],
    controls: Annotated[list[str] | None, typer.Option("--controls", help="Control columns.")] = None,
    model: Annotated[str, typer.Option("--model", help="ols, logit, probit, oprobit or ologit.")] = "oprobit",
    vcov: Annotated[str, typer.Option("--vcov", help="classical, robust or cluster.")] = "classical",
    cluster: Annotated[str | None, typer.Option("--cluster", help="Cluster column.")] = None,
    subgroups: Annotated[bool, typer.Option("--subgroups", help="Also fit each level of 0/1 moderators and test equality.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per fitted model.")] = False,
) -> None:
    """Treatment × moderator interaction models (seed 000 Tables 9-12), optionally by subgroup.

    Example: flexemp heterogeneity --data pw.parquet --outcome life_sat --treatments contract --moderators own_home,has_loan --controls male,age --subgroups
    """
    from flexemp.io.analysis import read_analysis_data
    from flexemp.models.batteries import heterogeneity as run

    res = run(read_analysis_data(data), outcome=outcome, treatments=_names(treatments),
              moderators=_names(moderators), controls=_names(controls), model=model, vcov=vcov,
              cluster=cluster, subgroups=subgroups)
    _emit(res, as_json, "Heterogeneity (interaction terms)")


def register(app: typer.Typer) -> None:
    """Add the battery commands to the main app."""
    app.command()(mechanism)
    app.command()(heterogeneity)
