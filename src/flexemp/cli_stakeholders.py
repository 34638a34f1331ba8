"""Stakeholder command of the CLI: ``flexemp stakeholders`` (registered by :mod:`flexemp.cli`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flexemp.cli_render import console, print_frame, print_json


def parse_thresholds(text: str) -> tuple[float, float]:
    """``"6,8"`` → ``(6.0, 8.0)``; a clear error otherwise.

    Examples
    --------
    >>> parse_thresholds("6, 8.5")
    (6.0, 8.5)
    """
    from flexemp.core.errors import StakeholderScoresError

    parts = [p.strip() for p in text.split(",")]
    try:
        low, high = (float(p) for p in parts)
    except ValueError:
        raise StakeholderScoresError(
            f"--thresholds {text!r} must be two numbers separated by a comma, low then high, e.g. 6,8"
        ) from None
    return low, high


def stakeholders(
    scores: Annotated[
        Path, typer.Argument(help="Scores file (CSV/XLSX): long or wide form, 0-10.")
    ],
    thresholds: Annotated[
        str, typer.Option("--thresholds", help="low,high: >= high is high, >= low medium.")
    ] = "6,8",
    linkage: Annotated[
        str, typer.Option("--linkage", help="single, complete, average or ward.")
    ] = "average",
    n_clusters: Annotated[int, typer.Option("--n-clusters", help="Clusters per attribute.")] = 3,
    lang: Annotated[str, typer.Option("--lang", help="Table language: zh or en.")] = "zh",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of tables.")
    ] = False,
) -> None:
    """Mitchell stakeholder scoring: means, levels, types and the clustering check.

    Example: flexemp stakeholders examples/stakeholder_scores.csv --thresholds 6,8 --linkage average
    """
    from flexemp.io.analysis import read_analysis_data
    from flexemp.stakeholders import mitchell

    res = mitchell(
        read_analysis_data(scores),
        thresholds=parse_thresholds(thresholds),
        linkage=linkage,
        n_clusters=n_clusters,
    )
    if as_json:
        print_json(res.to_dict())
        return
    table = res.table(lang=lang)
    means = table.columns[1:4]
    table[means] = table[means].map(lambda v: f"{v:.2f}")
    print_frame(
        table, title=f"米切尔评分法 Mitchell ({res.n_experts} experts, thresholds {thresholds})"
    )
    for attr, cl in res.clusters.items():
        agr = res.agreement[attr]
        off = "; ".join(f"{s}: rule {r}, cluster {c}" for s, r, c in agr.disagreeing) or "none"
        console.print(
            f"\n[bold]{attr}[/bold] — {linkage} linkage, {cl.n_found} clusters; "
            f"agreement {agr.n_agree}/{agr.n} ({off})"
        )
        console.print(cl.text, markup=False)


def register(app: typer.Typer) -> None:
    """Add the stakeholder command to the main app."""
    app.command()(stakeholders)
