"""Model commands of the CLI: ``flexemp fit`` and ``flexemp vif`` (registered by :mod:`flexemp.cli`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flexemp.cli_render import console, print_frame, print_json

DataOpt = Annotated[Path, typer.Option("--data", help="Data file: CSV, Parquet, SAV or DTA.")]
FormulaOpt = Annotated[str, typer.Option("--formula", help='Model formula, e.g. "y ~ x1 + x2 + C(region)".')]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]


def fit(
    model: Annotated[str, typer.Argument(help="ols, logit, probit, oprobit, ologit or mlogit.")],
    data: DataOpt,
    formula: FormulaOpt,
    weights: Annotated[str | None, typer.Option("--weights", help="Weight column.")] = None,
    weight_kind: Annotated[str, typer.Option("--weight-kind", help="freq (frequency) or prob (sampling) weights.")] = "freq",
    vcov: Annotated[str, typer.Option("--vcov", help="classical, robust or cluster.")] = "classical",
    cluster: Annotated[str | None, typer.Option("--cluster", help="Cluster column (with --vcov cluster).")] = None,
    base: Annotated[str | None, typer.Option("--base", help="Base outcome of mlogit.")] = None,
    with_margins: Annotated[bool, typer.Option("--margins", help="Also average marginal effects (ML models).")] = False,
    codebook: Annotated[Path | None, typer.Option("--codebook", help="Codebook YAML: adds each term's label.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Label language: zh or en.")] = "zh",
    as_json: JsonOpt = False,
) -> None:
    """Fit a model and print the coefficient table (or JSON).

    Example: flexemp fit oprobit --data pw.parquet --formula "life_sat ~ contract + age" --vcov cluster --cluster province --margins
    """
    from flexemp.core.options import Estimator, validate_option
    from flexemp.io.analysis import read_analysis_data
    from flexemp.models import api
    from flexemp.models.margins import margins

    validate_option("MODEL", model, Estimator)
    frame = read_analysis_data(data)
    if base is not None and model != "mlogit":
        from flexemp.core.errors import UnsupportedOptionError

        raise UnsupportedOptionError(f"--base is an mlogit option; {model} has no base outcome")
    kwargs = {} if base is None else {"base": base}
    validate_option("--lang", lang, ("zh", "en"))
    res = getattr(api, model)(formula, frame, weights=weights, weight_kind=weight_kind, vcov=vcov, cluster=cluster, **kwargs)
    me = margins(res, frame) if with_margins else None
    params = res.coefficients
    if codebook is not None:
        from flexemp.codebook import load_codebook
        from flexemp.present.labels import term_labels

        params = params.assign(label=term_labels(list(params["term"]), load_codebook(codebook), lang))
    if as_json:
        out = {"model": res.model, "nobs": res.nobs, "loglik": res.loglik, "cov_type": res.cov_type,
               "n_clusters": res.n_clusters, "params": params.to_dict("records"),
               "statistics": res.statistics, "dropped": res.sample.dropped}
        if me is not None:
            out["margins"] = me.to_records()
        print_json(out)
        return
    console.print(f"[bold]{res.model}[/bold]  n = {res.nobs:,}  vcov = {res.cov_type}"
                  + (f" ({res.n_clusters} clusters)" if res.n_clusters else ""))
    print_frame(params.round(6), title="Coefficients", max_rows=500)
    if me is not None:
        print_frame(me.table.round(6), title="Average marginal effects", max_rows=500)


def vif(data: DataOpt, formula: FormulaOpt, as_json: JsonOpt = False) -> None:
    """Variance inflation factors of a model's regressors, with maximum and mean.

    Example: flexemp vif --data pw.parquet --formula "life_sat ~ contract + training + age + male"
    """
    import pandas as pd

    from flexemp.io.analysis import read_analysis_data
    from flexemp.models.diagnostics.vif import vif as compute_vif

    res = compute_vif(formula, read_analysis_data(data))
    if as_json:
        print_json({"vif": res.to_dict()["vif"], "max": res.max, "mean": res.mean, "centered": res.centered})
        return
    frame = pd.DataFrame({"term": res.vif.index, "VIF": res.vif.round(3).to_numpy()})
    print_frame(frame, title=f"VIF (max {res.max:.2f}, mean {res.mean:.2f}; {'centred' if res.centered else 'uncentred'})")


def register(app: typer.Typer) -> None:
    """Add the model commands to the main app."""
    app.command()(fit)
    app.command()(vif)
