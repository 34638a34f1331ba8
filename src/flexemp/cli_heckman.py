"""Selection-model command of the CLI: ``flexemp heckman`` (registered by ``register(app)``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from flexemp.cli_render import console, print_frame, print_json


def heckman(
    data: Annotated[Path, typer.Option("--data", help="Data file: CSV, Parquet, SAV or DTA.")],
    outcome: Annotated[
        str, typer.Option("--outcome", help='Outcome equation, e.g. "y ~ x1 + x2".')
    ],
    select: Annotated[
        str,
        typer.Option("--select", help='Selection (or treatment) probit, e.g. "s ~ z1 + x1 + x2".'),
    ],
    variant: Annotated[
        str,
        typer.Option(
            "--variant", help="twostep (Heckman 1979) or control (probit control function)."
        ),
    ] = "twostep",
    second_stage: Annotated[
        str,
        typer.Option(
            "--second-stage", help="With --variant control: ols, logit, probit, oprobit or ologit."
        ),
    ] = "oprobit",
    vcov: Annotated[
        str, typer.Option("--vcov", help="With --variant control: classical, robust or cluster.")
    ] = "classical",
    cluster: Annotated[
        str | None, typer.Option("--cluster", help="Cluster column (with --vcov cluster).")
    ] = None,
    bootstrap: Annotated[
        int | None,
        typer.Option(
            "--bootstrap", help="With --variant control: bootstrap replicates of both stages."
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Bootstrap seed.")] = 20240101,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of tables.")
    ] = False,
) -> None:
    """Sample-selection correction: Heckman two-step, or a probit control function added to any model.

    Example: flexemp heckman --data mroz.csv --outcome "lwage ~ educ + exper + expersq" --select "inlf ~ educ + exper + expersq + nwifeinc + age + kidslt6 + kidsge6"
    """
    from flexemp.core.errors import UnsupportedOptionError
    from flexemp.core.options import validate_option
    from flexemp.io.analysis import read_analysis_data
    from flexemp.models.heckman import heckman2s, selection_correction

    validate_option("--variant", variant, ("twostep", "control"))
    frame = read_analysis_data(data)
    if variant == "twostep":
        if vcov != "classical" or cluster is not None or bootstrap is not None:
            raise UnsupportedOptionError(
                "--vcov/--cluster/--bootstrap apply to --variant control; the two-step "
                "covariance is the corrected classical one"
            )
        out = heckman2s(outcome, select, frame).to_dict()
    else:
        out = selection_correction(
            select,
            outcome,
            frame,
            model=second_stage,
            vcov=vcov,
            cluster=cluster,
            bootstrap=bootstrap,
            seed=seed,
        ).to_dict()
    if as_json:
        print_json(out)
        return
    _render(out)


def _render(out: dict[str, Any]) -> None:
    import pandas as pd

    console.print(
        f"[bold]{out['model']}[/bold]  n = {out['nobs']:,}"
        + (f"  selected = {out['nobs_selected']:,}" if "nobs_selected" in out else "")
    )
    print_frame(pd.DataFrame(out["outcome"]).round(6), title="Outcome equation", max_rows=500)
    print_frame(
        pd.DataFrame(out["selection"]).round(6), title="Selection equation (probit)", max_rows=500
    )
    line = (
        f"lambda = {out['lambda']:.6g} (se {out['lambda_se']:.6g}, p = {out['lambda_p_value']:.4g})"
    )
    if "rho" in out:
        line += f"  rho = {out['rho']:.4g}  sigma = {out['sigma']:.6g}"
    console.print(line)


def register(app: typer.Typer) -> None:
    """Add ``heckman`` to the main app."""
    app.command()(heckman)
