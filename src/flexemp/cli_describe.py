"""Scale commands of the CLI: ``flexemp reliability`` (registered by :mod:`flexemp.cli`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flexemp.cli_render import console, print_frame, print_json


def _split(values: list[str] | None) -> list[str]:
    return [v for raw in values or [] for v in raw.replace(",", " ").split()]


def reliability(
    ctx: typer.Context,
    data: Annotated[
        Path, typer.Option("--data", help="Data file: CSV, XLSX, Parquet, SAV or DTA.")
    ],
    items: Annotated[
        list[str], typer.Option("--items", help="The scale's items: --items a b c (or a,b,c).")
    ],
    reverse: Annotated[
        list[str] | None,
        typer.Option(
            "--reverse",
            help="Reverse-keyed item (repeat or comma-separate); overrides the codebook's flags.",
        ),
    ] = None,
    codebook: Annotated[
        Path | None,
        typer.Option(
            "--codebook",
            help="Codebook YAML: reverse-keyed items, answer codes, missing codes, labels.",
        ),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Table language: zh or en.")] = "zh",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of tables.")
    ] = False,
) -> None:
    """Cronbach's alpha with Feldt's interval, CITC, alpha if item deleted, KMO and Bartlett's test.

    Example: flexemp reliability --data scales.csv --items A1 A2 A3 A4 A5 --reverse A1
    """
    from flexemp.codebook import load_codebook
    from flexemp.core.options import Language, validate_option
    from flexemp.describe.scales import reliability as compute
    from flexemp.io.analysis import read_analysis_data

    validate_option("--lang", lang, Language)
    table_lang: Language = "en" if lang == "en" else "zh"
    cb = load_codebook(codebook) if codebook is not None else None
    rev = _split(reverse) if reverse is not None else None
    res = compute(
        read_analysis_data(data), _split(items) + list(ctx.args), codebook=cb, reverse=rev
    )
    if as_json:
        print_json(res.to_dict())
        return
    lo, hi = res.alpha_ci
    console.print(
        f"[bold]Cronbach α = {res.alpha:.3f}[/bold] (95% CI {lo:.3f}–{hi:.3f}, Feldt), "
        f"standardized α = {res.alpha_std:.3f}, n = {res.n:,}, dropped = {res.n_dropped:,}"
    )
    print_frame(
        res.table(table_lang), title="信度分析" if lang == "zh" else "Reliability", max_rows=500
    )
    print_frame(
        res.validity_table(table_lang),
        title="KMO和Bartlett的检验" if lang == "zh" else "KMO and Bartlett's test",
    )


def register(app: typer.Typer) -> None:
    """Add the scale commands to the main app."""
    app.command(context_settings={"allow_extra_args": True})(reliability)
