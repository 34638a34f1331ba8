"""Where the aggregate query of :mod:`flexemp.indices.sql` runs: DuckDB or Apache Spark.

The engines differ only here: how the data become a table the query can read
(a table or view name, a pandas DataFrame, or Parquet files), how the query is
run, and how the small aggregate comes back as a pandas DataFrame. The SQL text
and the arithmetic after the aggregate are shared.

Spark runs with ANSI SQL and double-quoted identifiers
(``spark.sql.ansi.enabled``, ``spark.sql.ansi.doubleQuotedIdentifiers``) for the
duration of the query, so it accepts byte for byte the text DuckDB runs.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

import pandas as pd

from flexemp.core.errors import IndexInputError
from flexemp.core.options import Engine

if TYPE_CHECKING:
    import duckdb
    from pyspark.sql import SparkSession

ENGINES: tuple[str, ...] = get_args(Engine)

#: Environment variable naming the Spark master when none is passed.
SPARK_MASTER_ENV = "FLEXEMP_SPARK_MASTER"
DEFAULT_SPARK_MASTER = "local[2]"
#: Name of the view that a DataFrame or Parquet source is registered under.
SOURCE_VIEW = "flexemp_source"

#: What a source may be: a table/view name, a DataFrame, or Parquet file(s).
Source = str | os.PathLike[str] | pd.DataFrame

_SPARK_CONF = {
    "spark.sql.ansi.enabled": "true",
    "spark.sql.ansi.doubleQuotedIdentifiers": "true",
}


def is_parquet_source(table: object) -> bool:
    """Tell a Parquet location from a table name.

    A ``pathlib.Path`` (or other path-like object) is always Parquet; a string is
    Parquet when it contains ``/`` (a path or a URL such as ``s3a://bucket/waves/``),
    a glob ``*``, or ends with ``.parquet``; any other string is a table or view name.

    Examples
    --------
    >>> is_parquet_source("survey"), is_parquet_source("waves/*.parquet")
    (False, True)
    >>> is_parquet_source(Path("q2.parquet")), is_parquet_source("hdfs://nn/flex/waves")
    (True, True)
    """
    if isinstance(table, os.PathLike):
        return True
    if not isinstance(table, str):
        return False
    return "/" in table or "*" in table or table.lower().endswith(".parquet")


def _check_source(table: object) -> None:
    if not isinstance(table, (str, os.PathLike, pd.DataFrame)):
        raise IndexInputError(
            "table must be a table or view name (str), a pandas DataFrame, or a Parquet "
            f"path, directory or glob; got {type(table).__name__}."
        )


# ---------------------------------------------------------------- DuckDB


def duckdb_source(
    con: duckdb.DuckDBPyConnection | None, table: Source
) -> tuple[duckdb.DuckDBPyConnection, str, list[str]]:
    """Return ``(connection, table name, column names)`` for the query.

    A DataFrame is registered and Parquet is opened with ``read_parquet`` as the
    view :data:`SOURCE_VIEW`; a name must be a table or view of ``con``.
    """
    import duckdb

    _check_source(table)
    if con is None:
        con = duckdb.connect()
    elif not isinstance(con, duckdb.DuckDBPyConnection):
        raise IndexInputError(
            f"engine='duckdb' needs a DuckDB connection (or None), got {type(con).__name__}; "
            "pass engine='spark' with a SparkSession."
        )
    if isinstance(table, pd.DataFrame):
        con.register(SOURCE_VIEW, table)
        name = SOURCE_VIEW
    elif is_parquet_source(table):
        con.read_parquet(os.fspath(table)).create_view(SOURCE_VIEW, replace=True)
        name = SOURCE_VIEW
    else:
        name = str(table)
    return con, name, _duckdb_columns(con, name)


def _duckdb_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    tables = [
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    ]
    if table not in tables:
        raise IndexInputError(
            f"table {table!r} is not in the database (tables and views: {sorted(tables)[:10]}); "
            "to read Parquet pass a pathlib.Path or a path containing '/'."
        )
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        "ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def run_duckdb(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """Run the aggregate query on DuckDB and return it as a DataFrame."""
    return con.execute(sql).df()


# ---------------------------------------------------------------- Spark


def _import_pyspark() -> Any:
    try:
        import pyspark.sql
    except ImportError as exc:
        raise IndexInputError(
            "engine='spark' needs pyspark: pip install 'flexemp[spark]' (pyspark >= 3.5), "
            "and Java 17 on the machine (java -version)."
        ) from exc
    return pyspark.sql


def resolve_spark_master(master: str | None = None) -> str:
    """Return the Spark master URL: ``master``, else ``$FLEXEMP_SPARK_MASTER``, else ``local[2]``.

    Examples
    --------
    >>> resolve_spark_master("spark://head:7077")
    'spark://head:7077'
    """
    return master or os.environ.get(SPARK_MASTER_ENV) or DEFAULT_SPARK_MASTER


def spark_session(master: str | None = None) -> SparkSession:
    """Get or start the SparkSession for ``master`` (see :func:`resolve_spark_master`).

    Raises
    ------
    IndexInputError
        pyspark is not installed or Java cannot start; a session with another
        master is already running in this process.
    """
    sql_mod = _import_pyspark()
    url = resolve_spark_master(master)
    active = sql_mod.SparkSession.getActiveSession()
    if active is not None and active.sparkContext.master != url:
        raise IndexInputError(
            f"a SparkSession with master {active.sparkContext.master!r} is already running; "
            f"pass it as con, or stop it before asking for {url!r}."
        )
    builder = (
        sql_mod.SparkSession.builder.master(url)
        .appName("flexemp")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
    )
    try:
        return builder.getOrCreate()  # type: ignore[no-any-return]
    except Exception as exc:  # Java missing or wrong version: surfaced as a Py4J/runtime error
        raise IndexInputError(
            f"could not start Spark with master {url!r} ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''}); Spark needs Java 17 "
            "(java -version, JAVA_HOME) and a reachable master."
        ) from exc


@contextmanager
def _parquet_view(spark: SparkSession, path: str) -> Iterator[tuple[str, list[str]]]:
    """Parquet at ``path`` as the temporary view :data:`SOURCE_VIEW`, dropped afterwards."""
    frame = spark.read.parquet(path)
    frame.createOrReplaceTempView(SOURCE_VIEW)
    try:
        yield SOURCE_VIEW, list(frame.columns)
    finally:
        spark.catalog.dropTempView(SOURCE_VIEW)


@contextmanager
def spark_source(
    spark: SparkSession, table: Source, master: str
) -> Iterator[tuple[str, list[str]]]:
    """Yield ``(table name, column names)`` for the query on Spark.

    Parquet locations are read with ``spark.read.parquet`` (directories, globs,
    ``hdfs://``, ``s3a://`` … as the cluster can read them); a DataFrame is
    written to a temporary Parquet file first, which only a local master can read;
    a name must be a table or view of the session's catalog.
    """
    _check_source(table)
    if isinstance(table, pd.DataFrame):
        if not master.startswith("local"):
            raise IndexInputError(
                f"a pandas DataFrame is written to a local temporary file that the workers of "
                f"{master!r} cannot read; write the waves as Parquet to storage the cluster "
                "reads (HDFS, S3, a shared directory) and pass that path."
            )
        with tempfile.TemporaryDirectory(prefix="flexemp-spark-") as tmp:
            path = Path(tmp) / "source.parquet"
            table.to_parquet(path, index=False)
            with _parquet_view(spark, str(path)) as source:
                yield source
        return
    if is_parquet_source(table):
        with _parquet_view(spark, os.fspath(table)) as source:
            yield source
        return
    name = str(table)
    if not spark.catalog.tableExists(name):
        raise IndexInputError(
            f"table {name!r} is not in the Spark catalog; to read Parquet pass a "
            "pathlib.Path or a path containing '/'."
        )
    yield name, list(spark.table(name).columns)


def run_spark(spark: SparkSession, sql: str) -> pd.DataFrame:
    """Run the aggregate query on Spark (ANSI mode, double-quoted identifiers) and collect it."""
    old: dict[str, str | None] = {key: spark.conf.get(key, None) for key in _SPARK_CONF}
    for key, value in _SPARK_CONF.items():
        spark.conf.set(key, value)
    try:
        result = spark.sql(sql)
        columns = list(result.columns)
        rows = [tuple(r) for r in result.collect()]
    finally:
        for key, previous in old.items():
            if previous is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, previous)
    return pd.DataFrame.from_records(rows, columns=columns)
