"""IV command of the CLI: ``flexemp iv`` (2SLS with first-stage and weak-instrument diagnostics)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from flexemp.cli_render import console, print_frame, print_json

DataOpt = Annotated[Path, typer.Option("--data", help="Data file: CSV, Parquet, SAV or DTA.")]
FormulaOpt = Annotated[
    str, typer.Option("--formula", help='IV formula, e.g. "y ~ x1 + [d ~ z1 + z2]".')
]


def _diagnostics_json(res: Any) -> dict[str, Any]:
    d = res.diagnostics
    out: dict[str, Any] = {
        "kp_rk_lm": d["kp_rk_lm"].stat,
        "kp_rk_lm_p": d["kp_rk_lm"].p_value,
        "kp_rk_wald_f": d["kp_rk_wald_f"].stat,
        "cragg_donald_f": d["cragg_donald_f"].stat,
        "stock_yogo": {
            k[len("stock_yogo_") :] + "%": v.stat
            for k, v in d.items()
            if k.startswith("stock_yogo_") and v.available
        },
    }
    for name in ("sargan", "hansen_j"):
        if name in d and d[name].available:
            out[name], out[f"{name}_p"] = d[name].stat, d[name].p_value
    out["endogeneity"], out["endogeneity_p"] = d["endogeneity"].stat, d["endogeneity"].p_value
    return out


def iv(
    data: DataOpt,
    formula: FormulaOpt,
    weights: Annotated[str | None, typer.Option("--weights", help="Weight column.")] = None,
    weight_kind: Annotated[
        str, typer.Option("--weight-kind", help="freq (frequency) or prob (sampling) weights.")
    ] = "freq",
    vcov: Annotated[
        str, typer.Option("--vcov", help="classical, robust or cluster.")
    ] = "classical",
    cluster: Annotated[
        str | None, typer.Option("--cluster", help="Cluster column (with --vcov cluster).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of tables.")
    ] = False,
) -> None:
    """Two-stage least squares with first-stage F, Kleibergen-Paap, Cragg-Donald, over-id and endogeneity tests.

    Example: flexemp iv --data pw.parquet --formula "life_sat ~ age + [insured ~ loo_insured]" --vcov cluster --cluster province
    """
    from flexemp.io.analysis import read_analysis_data
    from flexemp.models.iv import iv2sls

    res = iv2sls(
        formula,
        read_analysis_data(data),
        weights=weights,
        weight_kind=weight_kind,
        vcov=vcov,
        cluster=cluster,
    )
    if as_json:
        print_json(
            {
                "model": res.model,
                "nobs": res.nobs,
                "loglik": res.loglik,
                "cov_type": res.cov_type,
                "n_clusters": res.n_clusters,
                "params": res.coefficients.to_dict("records"),
                "statistics": res.statistics,
                "dropped": res.sample.dropped,
                "first_stage": {
                    k: {
                        "params": v.coefficients.to_dict("records"),
                        "f": v.f.stat,
                        "f_p": v.f.p_value,
                        "partial_r2": v.partial_r2,
                    }
                    for k, v in res.first_stage.items()
                },
                "diagnostics": _diagnostics_json(res),
            }
        )
        return
    console.print(
        f"[bold]iv2sls[/bold]  n = {res.nobs:,}  vcov = {res.cov_type}"
        + (f" ({res.n_clusters} clusters)" if res.n_clusters else "")
    )
    print_frame(res.coefficients.round(6), title="Second stage", max_rows=500)
    for name, fs in res.first_stage.items():
        print_frame(
            fs.coefficients.round(6),
            title=f"First stage: {name} (F = {fs.f.stat:.3f}, partial R² = {fs.partial_r2:.4f})",
            max_rows=500,
        )
    import pandas as pd

    rows = [
        {"test": k, "statistic": t.stat, "p_value": t.p_value}
        for k, t in res.diagnostics.items()
        if t.available
    ]
    print_frame(pd.DataFrame(rows), title="Diagnostics")


def register(app: typer.Typer) -> None:
    """Add the ``iv`` command to the main app."""
    app.command()(iv)
