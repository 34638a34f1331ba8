"""Diffusion indices from one aggregate query that runs unchanged on DuckDB and Spark.

:func:`cell_sums_query` builds one SQL text returning, per (question, wave, group)
cell, the counts and weighted sums of :class:`flexemp.indices.diffusion.CellSums`.
The engine (:mod:`flexemp.indices.engines`) only runs it; the index, SE, CI and
the 50-line test are finished by :func:`flexemp.indices.diffusion.finish`, the
function the pandas path uses, so every path gives the same numbers.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from flexemp.core.errors import DroppedRowsWarning, IndexInputError
from flexemp.core.options import validate_option
from flexemp.indices.diffusion import (
    SCALES,
    CellSums,
    Scale,
    check_common,
    finish,
    resolve_scores,
)
from flexemp.indices.engines import (
    ENGINES,
    Engine,
    Source,
    duckdb_source,
    resolve_spark_master,
    run_duckdb,
    run_spark,
    spark_session,
    spark_source,
)

if TYPE_CHECKING:
    import duckdb
    from pyspark.sql import SparkSession


def quote_identifier(name: str) -> str:
    """Quote an SQL identifier the ANSI way (double quotes, inner quotes doubled).

    DuckDB reads this by default, Spark with ``spark.sql.ansi.doubleQuotedIdentifiers``.

    Examples
    --------
    >>> quote_identifier('a"b')
    '"a""b"'
    """
    return '"' + str(name).replace('"', '""') + '"'


def sql_double(value: float) -> str:
    """Write a finite float as a DOUBLE literal both engines parse to the same bits.

    Python's ``repr`` is the shortest text that reads back as the same double; a
    literal with an exponent is DOUBLE (not DECIMAL) in DuckDB and Spark alike.

    Examples
    --------
    >>> sql_double(0.5), sql_double(-1), sql_double(1e-20), sql_double(1 / 3)
    ('0.5E0', '-1.0E0', '1e-20', '0.3333333333333333E0')
    """
    x = float(value)
    if not math.isfinite(x):
        raise IndexInputError(f"codes and scores must be finite numbers, got {value!r}.")
    text = repr(x)
    return text if "e" in text else text + "E0"


def cell_sums_query(
    table: str,
    variables: Sequence[str],
    *,
    by: str | None,
    wave: str | None,
    weights: str | None,
    codes: Sequence[float],
    vals: Sequence[float],
) -> str:
    """Build the one aggregate query (identifiers quoted, numbers written as literals).

    The text uses only constructs that DuckDB and Spark SQL (ANSI mode) both
    accept: ``CAST``, ``CASE``, ``isnan``, ``count``/``sum``/``min``/``coalesce``,
    ``UNION ALL`` of aliased subqueries, ``GROUP BY`` and ``ORDER BY … NULLS LAST``.
    Column names must already be checked against the table's schema; codes and
    scores are finite floats written by :func:`sql_double`, so no user text is
    pasted into it.

    Examples
    --------
    >>> sql = cell_sums_query("t", ["q"], by=None, wave=None, weights=None,
    ...                       codes=[1.0, 2.0], vals=[1.0, 0.0])
    >>> "CASE x WHEN 1.0E0 THEN 1.0E0 WHEN 2.0E0 THEN 0.0E0 END" in sql
    True
    """
    q = quote_identifier
    wave_sql = q(wave) if wave is not None else "NULL"
    group_sql = q(by) if by is not None else "NULL"
    w_sql = f"CAST({q(weights)} AS DOUBLE)" if weights is not None else "1E0"
    case = (
        "CASE x "
        + " ".join(
            f"WHEN {sql_double(c)} THEN {sql_double(v)}" for c, v in zip(codes, vals, strict=True)
        )
        + " END"
    )
    selects = []
    for i, v in enumerate(variables):
        x = f"CAST({q(v)} AS DOUBLE)"
        selects.append(
            f"SELECT {i} AS var_i, wave, grp, w, x, {case} AS s FROM ("
            f"SELECT {wave_sql} AS wave, {group_sql} AS grp, {w_sql} AS w, "
            f"CASE WHEN isnan({x}) THEN NULL ELSE {x} END AS x "
            f"FROM {q(table)}) AS r{i}"
        )
    valid_w = "CASE WHEN s IS NOT NULL THEN w END"
    return (
        "SELECT var_i, wave, grp, count(s) AS n, count(*) - count(x) AS n_missing, "
        "count(x) - count(s) AS n_unscored, "
        # isnan(w - w) is true for NaN and for ±infinity
        "count(CASE WHEN w IS NULL OR isnan(w - w) OR w < 0 THEN 1 END) AS n_bad_w, "
        "count(*) AS n_rows, "
        f"coalesce(sum({valid_w}), 0E0) AS sw, "
        "coalesce(sum(w * s), 0E0) AS sws, "
        f"coalesce(sum({valid_w} * w), 0E0) AS sw2, "
        "coalesce(sum(w * w * s), 0E0) AS sw2s, "
        "coalesce(sum(w * w * s * s), 0E0) AS sw2s2 "
        f"FROM ({' UNION ALL '.join(selects)}) AS cells "
        "GROUP BY var_i, wave, grp ORDER BY var_i, wave NULLS LAST, grp NULLS LAST"
    )


def finish_aggregate(
    res: pd.DataFrame,
    variables: Sequence[str],
    *,
    by: str | None,
    wave: str | None,
    weights: str | None,
    scale: str,
    min_n: int,
    conf_level: float,
) -> pd.DataFrame:
    """Check the aggregate of :func:`cell_sums_query` and finish it (any engine).

    Refuses unscored codes and bad weights, drops cells whose wave or group is
    missing (``DroppedRowsWarning``), then calls
    :func:`flexemp.indices.diffusion.finish`.
    """
    if int(res["n_unscored"].sum()) > 0:
        bad_vars = [variables[int(i)] for i in res.loc[res["n_unscored"] > 0, "var_i"].unique()]
        raise IndexInputError(
            f"{int(res['n_unscored'].sum())} answers have codes not in scores ({bad_vars}); "
            "add them to scores or set them to missing."
        )
    if weights is not None and int(res["n_bad_w"].sum()) > 0:
        raise IndexInputError(
            f"weights column {weights!r} has {int(res['n_bad_w'].sum()) // len(variables)} "
            "missing, infinite or negative values; fix or drop those rows."
        )
    null_key = np.zeros(len(res), dtype=bool)
    for key_col, name in (("wave", wave), ("grp", by)):
        if name is not None:
            null_key |= res[key_col].isna().to_numpy()
    if null_key.any():
        n_dropped = int(res.loc[null_key, "n_rows"].sum()) // len(variables)
        warnings.warn(
            f"{n_dropped} rows dropped because {by!r} or {wave!r} is missing.",
            DroppedRowsWarning,
            stacklevel=3,
        )
        res = res.loc[~null_key].reset_index(drop=True)

    def col(name: str, dtype: type) -> np.ndarray:  # type: ignore[type-arg]
        return res[name].to_numpy(dtype=dtype)

    sums = CellSums(
        n=col("n", np.int64),
        n_missing=col("n_missing", np.int64),
        sw=col("sw", np.float64),
        sws=col("sws", np.float64),
        sw2=col("sw2", np.float64),
        sw2s=col("sw2s", np.float64),
        sw2s2=col("sw2s2", np.float64),
    )
    keys = pd.DataFrame(
        {
            "var": [variables[int(i)] for i in res["var_i"].tolist()],
            "wave": pd.Series(res["wave"].tolist() if wave else [None] * len(res), dtype=object),
            "group": pd.Series(res["grp"].tolist() if by else [None] * len(res), dtype=object),
        }
    )
    return finish(keys, sums, scale=scale, min_n=min_n, conf_level=conf_level)


def diffusion_index_sql(
    con: duckdb.DuckDBPyConnection | SparkSession | None,
    table: Source,
    var: str | Sequence[str],
    *,
    by: str | None = None,
    wave: str | None = None,
    weights: str | None = None,
    scores: Mapping[float, float] | None = None,
    scale: Scale = "balance",
    min_n: int = 30,
    conf_level: float = 0.95,
    engine: Engine = "duckdb",
    spark_master: str | None = None,
) -> pd.DataFrame:
    """Diffusion index computed by an SQL engine; same frame as :func:`diffusion_index`.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection, pyspark.sql.SparkSession or None
        Connection of ``engine``. None: a new in-memory DuckDB connection, or the
        SparkSession of ``spark_master`` (started if needed).
    table : str, path or pandas.DataFrame
        A table or view name of ``con``; Parquet files (a ``pathlib.Path``, or a
        string with ``/``, ``*`` or ending in ``.parquet``: file, directory, glob or
        URL such as ``s3a://bucket/waves/``); or a DataFrame (registered in DuckDB;
        written to a temporary Parquet file for a local Spark master).
    var : str or sequence of str
        Question column(s).
    by, wave, weights, scores, scale, min_n, conf_level
        As in :func:`flexemp.indices.diffusion.diffusion_index` (no bootstrap here).
    engine : {"duckdb", "spark"}
        Where the aggregate query runs.
    spark_master : str, optional
        Spark master when ``con`` is None, e.g. ``"spark://head:7077"``; default
        ``$FLEXEMP_SPARK_MASTER``, else ``"local[2]"``.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`flexemp.indices.diffusion.diffusion_index`;
        ``attrs["sql"]`` holds the query that ran and ``attrs["engine"]`` the engine.

    Raises
    ------
    IndexInputError
        Unknown table or column, unscored codes, missing or negative weights;
        pyspark or Java missing; a DataFrame sent to a non-local Spark master.
    UnsupportedOptionError
        ``scale`` or ``engine`` not one of the listed values.

    Notes
    -----
    One query (:func:`cell_sums_query`) returns per cell the counts and Σw, Σw·s,
    Σw², Σw²·s, Σw²·s² (see :class:`flexemp.indices.diffusion.CellSums`); the
    same text runs on both engines. Column names are checked against the
    table's schema and quoted; codes and scores are validated finite numbers.
    The index, SE and CI are then computed on this machine by the function the
    pandas path uses.

    Examples
    --------
    >>> import duckdb
    >>> con = duckdb.connect()
    >>> con.register("t", pd.DataFrame({"q": [1, 2, 3, 4, 5, 3]}))  # doctest: +ELLIPSIS
    <...>
    >>> float(diffusion_index_sql(con, "t", "q", min_n=1)["index"].iloc[0])
    50.0
    >>> out = diffusion_index_sql(None, pd.DataFrame({"q": [1, 1, 4]}), "q", min_n=1)
    >>> float(out["index"].iloc[0]), out.attrs["engine"]
    (75.0, 'duckdb')
    """
    engine = validate_option("engine", engine, ENGINES)  # type: ignore[assignment]
    variables = [var] if isinstance(var, str) else list(var)
    if not variables:
        raise IndexInputError("var is empty; name at least one question column.")
    scale = validate_option("scale", scale, SCALES)  # type: ignore[assignment]
    check_common(min_n, conf_level)
    codes, vals = resolve_scores(scores, scale)
    kw: dict[str, Any] = {"by": by, "wave": wave, "weights": weights}

    def query(name: str, columns: list[str]) -> str:
        for role, names in (("var", variables), *((r, [n]) for r, n in kw.items())):
            for col_name in names:
                if col_name is not None and col_name not in columns:
                    raise IndexInputError(
                        f"{role} {col_name!r} is not a column of table {name!r} "
                        f"(columns: {columns[:20]})."
                    )
        return cell_sums_query(name, variables, codes=codes.tolist(), vals=vals.tolist(), **kw)

    if engine == "duckdb":
        if spark_master is not None:
            raise IndexInputError("spark_master is only used with engine='spark'.")
        dcon, name, columns = duckdb_source(con, table)  # type: ignore[arg-type]
        sql = query(name, columns)
        res = run_duckdb(dcon, sql)
    else:
        if con is not None and spark_master is not None:
            raise IndexInputError("pass either a SparkSession as con or spark_master, not both.")
        spark = con if con is not None else spark_session(spark_master)
        if type(spark).__name__ != "SparkSession":
            raise IndexInputError(
                f"engine='spark' needs a SparkSession (or None), got {type(spark).__name__}."
            )
        master = (
            str(spark.conf.get("spark.master", ""))  # type: ignore[union-attr]
            if con is not None
            else resolve_spark_master(spark_master)
        )
        with spark_source(spark, table, master) as (name, columns):  # type: ignore[arg-type]
            sql = query(name, columns)
            res = run_spark(spark, sql)  # type: ignore[arg-type]
    out = finish_aggregate(res, variables, scale=scale, min_n=min_n, conf_level=conf_level, **kw)
    out.attrs.update(sql=sql, engine=engine)
    return out
