"""``flexemp weight`` and ``flexemp index``: weighting to margins and 景气 diffusion indices."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from flexemp.cli_render import console, print_frame, print_json

if TYPE_CHECKING:
    import pandas as pd

DataOpt = Annotated[Path, typer.Option("--data", help="Data file: CSV, Parquet, SAV, DTA or XLSX.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]


def _parse_pairs(text: str, what: str) -> dict[float, float]:
    from flexemp.core.errors import UnsupportedOptionError

    out: dict[float, float] = {}
    for part in text.split(","):
        key, sep, val = part.partition(":")
        try:
            out[float(key)] = float(val)
        except ValueError:
            raise UnsupportedOptionError(f"{what} must look like '1:1,2:0.5,3:0' (code:value); got {part!r}") from None
        if not sep:
            raise UnsupportedOptionError(f"{what} must look like '1:1,2:0.5,3:0'; got {part!r}")
    return out


def weight(
    data: DataOpt,
    margins: Annotated[Path, typer.Option("--margins", help="YAML: variable → {level: share or count}.")],
    out: Annotated[Path, typer.Option("--out", help="Output file: the input plus a `weight` column.")],
    method: Annotated[str, typer.Option("--method", help="rake or poststrat.")] = "rake",
    base_weight: Annotated[str | None, typer.Option("--base-weight", help="Column of base (design) weights.")] = None,
    trim_bounds: Annotated[str | None, typer.Option("--trim", help="LOW,HIGH bounds of weight / base weight, then re-rake.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Weight a sample to population margins (raking or post-stratification) and write it out.

    Example: flexemp weight --data q2.parquet --margins census.yaml --base-weight pw --trim 0.3,3 --out q2_weighted.parquet
    """
    import yaml

    from flexemp.core.errors import UnsupportedOptionError
    from flexemp.core.options import validate_option
    from flexemp.io.analysis import read_analysis_data
    from flexemp.io.writers import write_data
    from flexemp.weighting import poststratify, rake

    validate_option("--method", method, ("rake", "poststrat"))
    spec = yaml.safe_load(margins.read_text(encoding="utf-8"))
    if not isinstance(spec, dict) or not spec:
        raise UnsupportedOptionError(f"{margins}: expected a mapping variable → {{level: share or count}}")
    frame = read_analysis_data(data)
    bounds = None
    if trim_bounds is not None:
        lo, _, hi = trim_bounds.partition(",")
        bounds = (float(lo), float(hi))
    if method == "poststrat":
        if len(spec) != 1 or bounds is not None:
            raise UnsupportedOptionError("--method poststrat takes one cell variable and no --trim; use rake for several margins")
        (var, cells), = spec.items()
        res = poststratify(frame, {var: cells}, base_weight=base_weight)
    else:
        res = rake(frame, spec, base_weight=base_weight, trim=bounds)
    write_data(frame.assign(weight=res.weights.to_numpy()), out)
    if as_json:
        d = res.to_dict()
        d.pop("weights", None)
        print_json({"out": str(out), **d})
        return
    console.print(f"Weights written to {out} ({res.iterations} iterations, converged: {res.converged})")
    print_frame(res.margins_table.round(6), title="Margins before and after", max_rows=500)


def _index_source(data: str) -> str | Path | pd.DataFrame:
    """Parquet (file, directory, glob, URL) goes to the engine as a path; other formats are read here."""
    from flexemp.io.analysis import read_analysis_data

    if "://" in data or "*" in data or data.lower().endswith(".parquet"):
        return data
    if Path(data).is_dir():
        return Path(data)
    return read_analysis_data(data)


def index(
    var: Annotated[list[str], typer.Option("--var", help="Change/expectation question(s), coded 1-5.")],
    by: Annotated[str | None, typer.Option("--by", help="Grouping column (industry, occupation, region …).")] = None,
    wave: Annotated[str | None, typer.Option("--wave", help="Wave column.")] = None,
    weights: Annotated[str | None, typer.Option("--weights", help="Weight column.")] = None,
    scores: Annotated[str | None, typer.Option("--scores", help='Codes to scores, e.g. "1:1,2:0.5,3:0,4:-0.5,5:-1" (default: from the codebook\'s labels 变好很多 … 变差很多).')] = None,
    codebook: Annotated[Path | None, typer.Option("--codebook", help="Codebook YAML for the default scores (default: the data file's FILE.codebook.yaml when present).")] = None,
    min_n: Annotated[int, typer.Option("--min-n", help="Suppress cells with fewer respondents.")] = 30,
    bootstrap: Annotated[int | None, typer.Option("--bootstrap", help="Bootstrap replicates (default: linearization; in memory, DuckDB engine only).")] = None,
    engine: Annotated[str, typer.Option("--engine", help="Where the aggregate query runs: duckdb or spark.")] = "duckdb",
    spark_master: Annotated[str | None, typer.Option("--spark-master", help="Spark master URL, e.g. spark://host:7077 (default $FLEXEMP_SPARK_MASTER or local[2]).")] = None,
    data: Annotated[str | None, typer.Option("--data", help="Data file (CSV, Parquet, SAV, DTA, XLSX) or Parquet directory, glob or URL (hdfs://, s3a://).")] = None,
    db: Annotated[Path | None, typer.Option("--db", help="Instead of --data: the warehouse; indices over its stored, screened waves, in SQL.")] = None,
    dataset: Annotated[str | None, typer.Option("--dataset", help="With --db: whose waves.")] = None,
    waves: Annotated[str | None, typer.Option("--waves", help="With --db: stored waves, comma-separated (default: all of the dataset).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """景气 diffusion indices (0-100, 50 = no change) with SEs, CIs and small-cell suppression.

    From a file (--data) or from the waves stored in the warehouse (--db, screened rows, SQL on the
    warehouse itself).

    Example: flexemp index --data waves/ --var emp_change --by industry --wave wave --engine spark --spark-master spark://head:7077 --json
    Example: flexemp index --db demo.duckdb --dataset flex_sentiment --var emp_change,inc_change --by industry --json
    """
    from flexemp.core.errors import UnsupportedOptionError
    from flexemp.core.options import validate_option
    from flexemp.indices import diffusion_index, diffusion_index_sql
    from flexemp.indices.engines import ENGINES
    from flexemp.io.analysis import read_analysis_data

    validate_option("--engine", engine, ENGINES)
    if bootstrap is not None and (engine != "duckdb" or spark_master is not None):
        raise UnsupportedOptionError("--bootstrap resamples respondents in memory; drop --engine spark / --spark-master")
    variables = [v for item in var for v in item.split(",") if v]
    if (data is None) == (db is None):
        raise UnsupportedOptionError("give --data FILE or --db WAREHOUSE (one of them)")
    if db is not None:
        from flexemp.indices.warehouse import warehouse_indices

        if bootstrap is not None or engine != "duckdb" or wave is not None:
            raise UnsupportedOptionError("with --db, indices run in SQL on the warehouse: drop --bootstrap, --engine "
                                         "and --wave (stored waves are chosen with --waves)")
        table = warehouse_indices(db, variables, dataset=dataset, by=by, weights=weights, min_n=min_n,
                                  waves=[w for w in waves.split(",") if w] if waves else None,
                                  scores=_parse_pairs(scores, "--scores") if scores is not None else None)
        _print_indices(table, as_json)
        return
    if dataset is not None or waves is not None:
        raise UnsupportedOptionError("--dataset and --waves go with --db")
    assert data is not None
    kw: dict[str, Any] = {"by": by, "wave": wave, "weights": weights, "min_n": min_n,
          "scores": _parse_pairs(scores, "--scores") if scores is not None else _codebook_scores(data, codebook, variables)}
    table = (diffusion_index(read_analysis_data(data), variables, bootstrap=bootstrap, **kw) if bootstrap is not None
             else diffusion_index_sql(None, _index_source(data), variables, engine=engine, spark_master=spark_master, **kw))  # type: ignore[arg-type]
    _print_indices(table, as_json)


def _print_indices(table: Any, as_json: bool) -> None:
    if as_json:
        cols = ["var", "wave", "group", "index", "se", "conf_low", "conf_high", "n", "n_eff", "suppressed"]
        print_json({"indices": table[cols].to_dict("records")})
        return
    print_frame(table[["var", "wave", "group", "index", "se", "conf_low", "conf_high", "n", "reading"]].round(3),
                title="景气指数 (50 = 基本不变)", max_rows=500)


def _codebook_scores(data: str, codebook: Path | None, variables: list[str]) -> dict[float, float] | None:
    """Scores from --codebook, else from the data file's sidecar codebook, else None (the default scores)."""
    from flexemp.codebook import load_codebook
    from flexemp.indices.scores import scores_for_variables
    from flexemp.synth.export import codebook_path_for

    path = codebook
    if path is None and "://" not in data and "*" not in data and Path(data).is_file():
        sidecar = codebook_path_for(data)
        path = sidecar if sidecar.exists() else None
    return None if path is None else scores_for_variables(load_codebook(path), variables)


def register(app: typer.Typer) -> None:
    """Add the monitoring commands to the main app."""
    app.command()(weight)
    app.command()(index)
