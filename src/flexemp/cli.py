"""The ``flexemp`` command line: each command parses, calls one API function, renders.

A library error becomes one red ``Error:`` line and exit code 1; ``--debug``
shows the traceback instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from flexemp.cli_render import console, error_line, print_flow, print_frame, print_json
from flexemp.core.errors import FlexempError


class _Group(TyperGroup):
    """Turns FlexempError into one ``Error:`` line (traceback only with --debug)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except FlexempError as exc:
            if (ctx.obj or {}).get("debug"):
                raise
            error_line(str(exc))
            report = getattr(exc, "report", None)
            if report is not None and not (ctx.obj or {}).get("json"):
                _print_issues(report)
            raise typer.Exit(1) from None


def _print_issues(report: Any, limit: int = 20) -> None:
    frame = report.to_frame()
    if len(frame):
        print_frame(frame[["row", "column", "value", "rule", "message"]], title="Validation report", max_rows=limit)


app = typer.Typer(
    cls=_Group,
    help="flexemp — survey research and quarterly monitoring of flexible employment (灵活就业).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    add_completion=False,
)
codebook_app = typer.Typer(help="Check or draft codebooks.", no_args_is_help=True)
key_app = typer.Typer(help="Manage the pseudonymisation key.", no_args_is_help=True)
app.add_typer(codebook_app, name="codebook")
app.add_typer(key_app, name="key")

# ---------------------------------------------------------------- shared options
DbOpt = Annotated[
    Path | None,
    typer.Option("--db", help="Warehouse file (default: $FLEXEMP_HOME/warehouse.duckdb).", dir_okay=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]
WaveOpt = Annotated[str, typer.Option("--wave", help="Wave label, e.g. 2022Q2.")]
DatasetOpt = Annotated[
    str | None, typer.Option("--dataset", help="Dataset name, when several datasets share the wave label.")
]
EncodingOpt = Annotated[
    str | None, typer.Option("--encoding", help="CSV encoding: utf-8, utf-8-sig, gbk or gb18030 (default: detect).")
]


@app.callback()
def _root(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
) -> None:
    ctx.obj = {"debug": debug}


def _mark_json(ctx: typer.Context, as_json: bool) -> None:
    ctx.obj = {**(ctx.obj or {}), "json": as_json}


# ---------------------------------------------------------------- codebook
@codebook_app.command("check")
def codebook_check(
    path: Annotated[Path, typer.Argument(help="Codebook YAML file.")],
    as_json: JsonOpt = False,
) -> None:
    """Validate a codebook and name the variable, field and line of every error.

    Example: flexemp codebook check riders.codebook.yaml
    """
    from flexemp.codebook import load_codebook

    cb = load_codebook(path)
    direct = [v.name for v in cb.direct_identifiers()]
    summary = {"dataset": cb.dataset, "variables": len(cb), "stored_columns": len(cb.stored_columns()),
               "direct_identifiers": direct, "ok": True}
    print_json(summary) if as_json else console.print(
        f"[green]OK[/green] {path}: dataset {cb.dataset}, {len(cb)} variables, "
        f"direct identifiers: {', '.join(direct) or 'none'}"
    )


@codebook_app.command("draft")
def codebook_draft(
    path: Annotated[Path, typer.Argument(help="A .sav/.dta file, a 问卷星 .xlsx export, or any data file.")],
    out: Annotated[Path | None, typer.Option("--out", help="Write the draft here (default: print it).")] = None,
    dataset: Annotated[str | None, typer.Option("--dataset", help="Dataset name for the draft.")] = None,
    encoding: EncodingOpt = None,
) -> None:
    """Draft a codebook from variable and value labels or 问卷星 headers.

    Example: flexemp codebook draft survey.sav --out survey.codebook.yaml
    """
    from flexemp.codebook import dump_codebook, save_codebook
    from flexemp.codebook.draft import draft_codebook
    from flexemp.io.readers import read_data

    cb = draft_codebook(read_data(path, encoding=encoding), dataset=dataset)
    if out is None:
        typer.echo(dump_codebook(cb))
    else:
        save_codebook(cb, out)
        console.print(f"Draft codebook written to {out}; review types, codes and pii flags before ingest.")
    for note in cb.meta.get("draft_notes", []):
        console.print(f"[yellow]note:[/yellow] {note}")


# ---------------------------------------------------------------- ingest and warehouse
@app.command()
def ingest(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Raw export: CSV, XLSX, SAV, DTA or Parquet.")],
    codebook: Annotated[Path, typer.Option("--codebook", help="Codebook YAML.")],
    wave: WaveOpt,
    db: DbOpt = None,
    quarantine: Annotated[bool, typer.Option("--quarantine", help="Store valid rows, quarantine invalid ones.")] = False,
    replace: Annotated[bool, typer.Option("--replace", help="Replace a stored wave (earlier version kept).")] = False,
    drop_pii: Annotated[bool, typer.Option("--drop-pii", help="Drop direct identifiers instead of pseudonymising.")] = False,
    encoding: EncodingOpt = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="XLSX sheet name.")] = None,
    ignore_unknown_columns: Annotated[bool, typer.Option("--ignore-unknown-columns", help="Warn about, and skip, columns not in the codebook.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Validate a raw file against its codebook and store it as a wave.

    Example: flexemp ingest riders.csv --codebook riders.csv.codebook.yaml --wave 2023 --quarantine
    """
    from flexemp.warehouse.load import ingest as ingest_file

    _mark_json(ctx, as_json)
    try:
        res = ingest_file(path, codebook, wave, db=db, policy="quarantine" if quarantine else "reject",
                          replace=replace, drop_pii=drop_pii, encoding=encoding, sheet=sheet,
                          ignore_unknown_columns=ignore_unknown_columns)
    except FlexempError as exc:
        if as_json and getattr(exc, "report", None) is not None:
            print_json({"status": "rejected", "message": str(exc), "report": exc.report.to_dict()})  # type: ignore[attr-defined]
        raise
    if as_json:
        print_json(res.to_dict())
        return
    console.print(("[green]" if res.status != "unchanged" else "[yellow]") + res.message)
    if res.report.issues:
        _print_issues(res.report)


@app.command()
def waves(
    db: DbOpt = None,
    all_loads: Annotated[bool, typer.Option("--all", help="Include superseded loads.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List the stored waves with rows stored and quarantined and their provenance.

    Example: flexemp waves --json
    """
    from flexemp.warehouse.store import Warehouse

    with Warehouse(db, read_only=True) as wh:
        frame = wh.loads(include_superseded=all_loads)
    if as_json:
        print_json({"db": str(db) if db else None, "waves": frame.to_dict("records")})
        return
    frame["file_sha256"] = frame["file_sha256"].str[:12]
    frame = frame.rename(columns={"load_id": "load", "rows_read": "read", "rows_stored": "stored",
                                  "rows_quarantined": "quarantined", "file_sha256": "sha256"})
    print_frame(frame[["load", "dataset", "wave", "status", "read", "stored", "quarantined", "pii", "file_name",
                       "sha256", "loaded_at"]], title="Stored waves")


@app.command()
def export(
    wave: WaveOpt,
    out: Annotated[Path, typer.Option("--out", help="Output file (.csv, .parquet, .sav, .dta, .xlsx).")],
    dataset: DatasetOpt = None,
    load_id: Annotated[int | None, typer.Option("--load-id", help="A specific (e.g. superseded) load.")] = None,
    db: DbOpt = None,
) -> None:
    """Write a stored wave (or any earlier load) to a file.

    Example: flexemp export --wave 2022Q2 --dataset flex_sentiment --out q2.parquet
    """
    from flexemp.io.writers import write_data
    from flexemp.warehouse.store import Warehouse

    with Warehouse(db, read_only=True) as wh:
        prov = wh.find_load(wave, dataset, load_id=load_id)
        write_data(wh.data(prov), out, codebook=wh.codebook(prov))
    console.print(f"{prov.dataset}/{prov.wave} (load {prov.load_id}, {prov.rows_stored} rows) written to {out}")


@app.command()
def screen(
    wave: WaveOpt,
    rules: Annotated[Path, typer.Option("--rules", help="Screening rules YAML.")],
    dataset: DatasetOpt = None,
    db: DbOpt = None,
    list_excluded: Annotated[bool, typer.Option("--list-excluded", help="Also list every excluded row.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Screen a stored wave and print the sample flow (excluded rows are flagged, never deleted).

    Example: flexemp screen --wave 2022Q2 --dataset flex_sentiment --rules rules.yaml
    """
    from flexemp.warehouse.screenings import excluded_rows, screen_wave

    res = screen_wave(wave, rules, dataset=dataset, db=db)
    excl = excluded_rows(res.screening_id, db=db) if list_excluded else None
    if as_json:
        print_json({**res.to_dict(), **({"excluded": excl.to_dict("records")} if excl is not None else {})})
        return
    print_flow(res.flow, f"Sample flow — {res.dataset}/{res.wave}")
    if excl is not None:
        print_frame(excl, title="Excluded rows", max_rows=200)


# ---------------------------------------------------------------- synthetic data
@app.command()
def datasets(as_json: JsonOpt = False) -> None:
    """List the embedded synthetic datasets.

    Example: flexemp datasets
    """
    import pandas as pd

    from flexemp.synth import list_datasets

    rows = [{"name": d.name, "title_zh": d.title_zh, "default_n": d.default_n,
             "waves": ", ".join(d.waves) or "-", "seed_document": d.seed_document} for d in list_datasets()]
    print_json({"datasets": rows}) if as_json else print_frame(pd.DataFrame(rows), title="Embedded datasets")


@app.command()
def synth(
    name: Annotated[str, typer.Argument(help="Dataset name (see `flexemp datasets`).")],
    out: Annotated[Path, typer.Option("--out", help="Output file: .csv, .parquet, .sav, .dta or .xlsx.")],
    n: Annotated[int | None, typer.Option("--n", help="Number of rows (default: the calibrated sample size).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed (default: the dataset's).")] = None,
    wave: Annotated[str | None, typer.Option("--wave", help="Wave, for datasets that have waves.")] = None,
    collected: Annotated[bool, typer.Option(
        "--collected", help="The questionnaires as collected: the valid rows, then the invalid ones the survey "
        "had (riders_shanghai: 3 of 103), for screening to remove.")] = False,
) -> None:
    """Write a synthetic dataset and its codebook (FILE.codebook.yaml) beside it.

    Example: flexemp synth flex_sentiment --wave 2022Q2 --n 10000000 --out big.parquet
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from flexemp.synth import get_dataset
    from flexemp.synth.export import codebook_path_for, write_synthetic

    ds = get_dataset(name)
    total = (n if n is not None else ds.default_n) + (ds.n_invalid if collected else 0)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task(f"生成 {name}", total=total)
        write_synthetic(name, out, n=n, seed=seed, wave=wave, collected=collected,
                        progress=lambda k: bar.advance(task, k))
    console.print(f"Wrote {total:,} rows to {out} and the codebook to {codebook_path_for(out)}")


# ---------------------------------------------------------------- keys and demo
@key_app.command("init")
def key_init(
    path: Annotated[Path | None, typer.Option("--path", help="Key file (default: $FLEXEMP_HOME/pseudonym.key).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing key (breaks links to earlier pseudonyms).")] = False,
) -> None:
    """Create a random pseudonymisation key file (mode 0600), outside the warehouse.

    Example: flexemp key init
    """
    from flexemp.ingest.pseudonymise import create_key_file

    written = create_key_file(path, overwrite=force)
    console.print(f"Key written to {written}. Back it up: without it, new waves cannot be linked to old pseudonyms.")


@app.command()
def demo(
    db: DbOpt = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for the demo's outputs.")] = Path("flexemp-demo"),
    as_json: JsonOpt = False,
) -> None:
    """Build the warehouse from the embedded datasets, screen them and print the sample flows.

    Example: flexemp demo --db /tmp/demo.duckdb --out /tmp/flexemp-demo
    """
    from flexemp.demo import run_demo

    result = run_demo(db=db, out=out, console=None if as_json else console)
    if as_json:
        print_json(result.to_dict())
        return
    for item in result.screenings:
        print_flow(item.flow, f"Sample flow — {item.dataset}/{item.wave}")
    console.print(result.summary())


def _register_commands() -> None:
    """Add the commands that live in their own modules (one module per area)."""
    from flexemp import (
        cli_audit,
        cli_batteries,
        cli_describe,
        cli_heckman,
        cli_iv,
        cli_models,
        cli_monitoring,
        cli_psm,
        cli_stakeholders,
        cli_study,
        cli_web,
    )

    for module in (cli_models, cli_iv, cli_psm, cli_heckman, cli_batteries, cli_describe, cli_monitoring,
                   cli_stakeholders, cli_audit, cli_study, cli_web):
        module.register(app)


_register_commands()


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
