"""Diffusion indices computed inside DuckDB with one GROUP BY query.

The query returns the per-cell counts and weighted sums of
:class:`flexemp.indices.diffusion.CellSums`; the index, SE, CI and the 50-line
test are finished by the same Python function as the pandas path, so both
give the same numbers.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    import duckdb


def quote_identifier(name: str) -> str:
    """Quote an SQL identifier for DuckDB (double quotes, inner quotes doubled).

    Examples
    --------
    >>> quote_identifier('a"b')
    '"a""b"'
    """
    return '"' + str(name).replace('"', '""') + '"'


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    tables = [
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    ]
    if table not in tables:
        raise IndexInputError(
            f"table {table!r} is not in the database (tables and views: {sorted(tables)[:10]})."
        )
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        "ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def build_query(
    table: str,
    variables: Sequence[str],
    *,
    by: str | None,
    wave: str | None,
    weights: str | None,
    codes: Sequence[float],
    vals: Sequence[float],
) -> tuple[str, list[object]]:
    """Build the GROUP BY query and its parameters (identifiers quoted, values bound).

    Examples
    --------
    >>> sql, params = build_query("t", ["q"], by=None, wave=None, weights=None,
    ...                           codes=[1.0, 2.0], vals=[1.0, 0.0])
    >>> params
    [0, 1.0, 1.0, 2.0, 0.0]
    """
    q = quote_identifier
    wave_sql = q(wave) if wave is not None else "NULL"
    group_sql = q(by) if by is not None else "NULL"
    w_sql = f"CAST({q(weights)} AS DOUBLE)" if weights is not None else "1.0"
    case = "CASE x " + " ".join("WHEN ? THEN ?" for _ in codes) + " END"
    pairs: list[object] = [v for pair in zip(codes, vals, strict=True) for v in pair]
    selects, params = [], []
    for i, v in enumerate(variables):
        selects.append(
            f"SELECT ? AS var_i, wave, grp, w, x, {case} AS s FROM ("
            f"SELECT {wave_sql} AS wave, {group_sql} AS grp, {w_sql} AS w, "
            f"CASE WHEN isnan(CAST({q(v)} AS DOUBLE)) THEN NULL ELSE CAST({q(v)} AS DOUBLE) END "
            f"AS x FROM {q(table)})"
        )
        params += [i, *pairs]
    sql = (
        "SELECT var_i, wave, grp, count(s) AS n, count(*) - count(x) AS n_missing, "
        "count(x) - count(s) AS n_unscored, count(*) - count(w) AS n_null_w, "
        "coalesce(min(w), 0) AS min_w, count(*) AS n_rows, "
        "coalesce(sum(w) FILTER (WHERE s IS NOT NULL), 0) AS sw, "
        "coalesce(sum(w * s), 0) AS sws, "
        "coalesce(sum(w * w) FILTER (WHERE s IS NOT NULL), 0) AS sw2, "
        "coalesce(sum(w * w * s), 0) AS sw2s, coalesce(sum(w * w * s * s), 0) AS sw2s2 "
        f"FROM ({' UNION ALL '.join(selects)}) "
        "GROUP BY var_i, wave, grp ORDER BY var_i, wave, grp"
    )
    return sql, params


def diffusion_index_sql(
    con: duckdb.DuckDBPyConnection,
    table: str,
    var: str | Sequence[str],
    *,
    by: str | None = None,
    wave: str | None = None,
    weights: str | None = None,
    scores: Mapping[float, float] | None = None,
    scale: Scale = "balance",
    min_n: int = 30,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Diffusion index computed by DuckDB; same frame as :func:`diffusion_index`.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        Open connection.
    table : str
        Table or view name (checked against ``information_schema.tables``).
    var : str or sequence of str
        Question column(s).
    by, wave, weights, scores, scale, min_n, conf_level
        As in :func:`flexemp.indices.diffusion.diffusion_index` (no bootstrap here).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`flexemp.indices.diffusion.diffusion_index`.

    Raises
    ------
    IndexInputError
        Unknown table or column, unscored codes, missing or negative weights.
    UnsupportedOptionError
        ``scale`` not one of ``"balance"``, ``"share"``.

    Notes
    -----
    One query: per cell, the counts and Σw, Σw·s, Σw², Σw²·s, Σw²·s² (see
    :class:`flexemp.indices.diffusion.CellSums`). Column names are validated
    against the table and quoted; codes and scores are bound as parameters,
    so no user text is pasted into the SQL.

    Examples
    --------
    >>> import duckdb
    >>> con = duckdb.connect()
    >>> con.register("t", pd.DataFrame({"q": [1, 2, 3, 4, 5, 3]}))  # doctest: +ELLIPSIS
    <...>
    >>> float(diffusion_index_sql(con, "t", "q", min_n=1)["index"].iloc[0])
    50.0
    """
    variables = [var] if isinstance(var, str) else list(var)
    if not variables:
        raise IndexInputError("var is empty; name at least one question column.")
    columns = _table_columns(con, table)
    for role, names in (("var", variables), ("by", [by]), ("wave", [wave]), ("weights", [weights])):
        for name in names:
            if name is not None and name not in columns:
                raise IndexInputError(
                    f"{role} {name!r} is not a column of table {table!r} (columns: {columns[:20]})."
                )
    scale = validate_option("scale", scale, SCALES)  # type: ignore[assignment]
    check_common(min_n, conf_level)
    codes, vals = resolve_scores(scores, scale)
    sql, params = build_query(
        table, variables, by=by, wave=wave, weights=weights,
        codes=codes.tolist(), vals=vals.tolist(),
    )  # fmt: skip
    res = con.execute(sql, params).df()
    if int(res["n_unscored"].sum()) > 0:
        raise IndexInputError(
            f"{int(res['n_unscored'].sum())} answers have codes not in scores "
            f"({[variables[i] for i in res.loc[res['n_unscored'] > 0, 'var_i'].unique()]}); "
            "add them to scores or set them to missing."
        )
    if weights is not None and (int(res["n_null_w"].sum()) > 0 or float(res["min_w"].min()) < 0):
        raise IndexInputError(
            f"weights column {weights!r} has missing or negative values; fix or drop those rows."
        )
    null_key = np.zeros(len(res), dtype=bool)
    for key_col, name in (("wave", wave), ("grp", by)):
        if name is not None:
            null_key |= res[key_col].isna().to_numpy()
    if null_key.any():
        warnings.warn(
            f"{int(res.loc[null_key, 'n_rows'].sum())} rows dropped because {by!r} or {wave!r} "
            "is missing.",
            DroppedRowsWarning,
            stacklevel=2,
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
            "var": [variables[i] for i in res["var_i"].tolist()],
            "wave": pd.Series(res["wave"].tolist() if wave else [None] * len(res), dtype=object),
            "group": pd.Series(res["grp"].tolist() if by else [None] * len(res), dtype=object),
        }
    )
    return finish(keys, sums, scale=scale, min_n=min_n, conf_level=conf_level)
