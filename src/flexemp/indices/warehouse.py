"""Diffusion indices over the waves stored in the warehouse, computed in SQL where the data are.

``warehouse_indices(db, "emp_change", dataset="flex_sentiment", by="industry")``
stacks the stored waves of a dataset (each restricted to the rows kept by its
latest stored screening) in a temporary DuckDB view on the warehouse's own
connection and runs the one index query of :mod:`flexemp.indices.sql` on it:
nothing is copied into pandas but the per-cell sums.  Scores default to the
codebook's labels (:func:`~flexemp.indices.scores.scores_from_codebook`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from flexemp.core.errors import IndexInputError
from flexemp.warehouse.schema import data_table
from flexemp.warehouse.store import Warehouse

VIEW = "fx_index_waves"


def _quote(text: str) -> str:
    """An SQL string literal (single quotes doubled)."""
    return "'" + str(text).replace("'", "''") + "'"


def warehouse_indices(
    db: str | Path | None,
    var: str | Sequence[str],
    *,
    dataset: str | None = None,
    waves: Sequence[str] | None = None,
    by: str | None = None,
    weights: str | None = None,
    scores: dict[float, float] | None = None,
    screened: bool = True,
    min_n: int = 30,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Indices per wave (and group) from the stored waves, in DuckDB SQL on the warehouse.

    Parameters
    ----------
    db : path or None
        The warehouse (default ``$FLEXEMP_HOME/warehouse.duckdb``); opened read-only.
    var : str or sequence of str
        Question column(s).
    dataset : str, optional
        Whose waves (needed when several datasets are stored).
    waves : sequence of str, optional
        Which waves, in order (default: every current wave of the dataset, sorted).
    by, weights, min_n, conf_level
        As in :func:`flexemp.diffusion_index`; ``weights`` must be a stored column.
    scores : mapping, optional
        Answer codes to scores (default: from the codebook's labels).
    screened : bool
        Use only the rows kept by each wave's latest stored screening (default); a wave
        never screened is used whole.

    Returns
    -------
    pandas.DataFrame
        The frame of :func:`flexemp.diffusion_index` with ``wave`` filled; ``attrs["sql"]``
        holds the query.

    Raises
    ------
    IndexInputError, WaveNotFoundError
        No stored wave, an unknown wave or dataset, or a column the waves do not have.
    """
    from flexemp.indices.scores import scores_for_variables
    from flexemp.indices.sql import diffusion_index_sql

    variables = [var] if isinstance(var, str) else list(var)
    with Warehouse(db, read_only=True) as store:
        stored = [p for p in store.waves() if dataset is None or p.dataset == dataset]
        if waves is None:
            if len({p.dataset for p in stored}) > 1:
                names = ", ".join(sorted({p.dataset for p in stored}))
                raise IndexInputError(f"the warehouse holds several datasets ({names}); name one with dataset=")
            waves = sorted(p.wave for p in stored)
        if not waves:
            raise IndexInputError(f"no stored waves{' of ' + repr(dataset) if dataset else ''} in {store.path}")
        provs = [store.find_load(str(w), dataset) for w in waves]
        codebook = store.codebook(provs[-1])
        if scores is None:
            scores = scores_for_variables(codebook, variables)
        parts = []
        for prov in provs:
            table = data_table(prov.load_id)
            latest = store.latest_screening(prov.load_id) if screened else None
            where = "" if latest is None else (
                f" WHERE NOT EXISTS (SELECT 1 FROM screen_exclusions e WHERE e.screening_id = {latest[0]}"
                " AND e._row = d._row)")
            parts.append(f'SELECT d.*, {_quote(prov.wave)} AS wave FROM "{table}" d{where}')
        store.con.execute(f"CREATE OR REPLACE TEMP VIEW {VIEW} AS " + " UNION ALL BY NAME ".join(parts))
        try:
            return diffusion_index_sql(store.con, VIEW, variables, by=by, wave="wave", weights=weights,
                                       scores=scores, min_n=min_n, conf_level=conf_level)
        finally:
            store.con.execute(f"DROP VIEW IF EXISTS {VIEW}")
