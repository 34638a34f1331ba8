"""DuckDB path: same numbers as pandas; identifiers validated, values bound."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from flexemp.core.errors import DroppedRowsWarning, IndexInputError
from flexemp.indices import diffusion_index, diffusion_index_sql

#: Same sums in a different order of addition: agreement to rounding.
RTOL_SQL = 1e-12
NUMERIC = ["index", "se", "conf_low", "conf_high", "n_eff", "index_raw", "se_raw", "z", "p_value"]


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(42)
    n = 3000
    q = pd.array(rng.integers(1, 6, n), dtype="Int64")
    q[rng.random(n) < 0.1] = pd.NA
    r = rng.integers(1, 6, n).astype(float)
    r[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "q": q,
            "r": r,
            "occupation": rng.integers(1, 12, n),
            "wave": rng.choice(["2022Q1", "2022Q2"], n),
            "w": rng.uniform(0.2, 3.0, n),
        }
    )


@pytest.mark.parametrize(
    ("by", "wave", "weights", "scale"),
    [
        (None, None, None, "balance"),
        ("occupation", "wave", "w", "balance"),
        ("occupation", None, "w", "share"),
        (None, "wave", None, "balance"),
    ],
)
def test_sql_equals_pandas(
    frame: pd.DataFrame, by: str | None, wave: str | None, weights: str | None, scale: str
) -> None:
    scores = {1: 1.0, 2: 0.75, 3: 0.5, 4: 0.25, 5: 0.0} if scale == "share" else None
    con = duckdb.connect()
    con.register("survey", frame)
    kw = {"by": by, "wave": wave, "weights": weights, "scores": scores, "scale": scale, "min_n": 40}
    a = diffusion_index(frame, ["q", "r"], **kw)  # type: ignore[arg-type]
    b = diffusion_index_sql(con, "survey", ["q", "r"], **kw)  # type: ignore[arg-type]
    assert a[["var", "wave", "group"]].equals(b[["var", "wave", "group"]])
    assert a[["n", "n_missing", "suppressed", "reading"]].equals(
        b[["n", "n_missing", "suppressed", "reading"]]
    )
    np.testing.assert_allclose(b[NUMERIC], a[NUMERIC], rtol=RTOL_SQL, atol=1e-12)


def test_sql_refusals(frame: pd.DataFrame) -> None:
    con = duckdb.connect()
    con.register("survey", frame)
    with pytest.raises(IndexInputError, match="not in the database"):
        diffusion_index_sql(con, "survey; DROP TABLE x", "q")
    with pytest.raises(IndexInputError, match="is not a column"):
        diffusion_index_sql(con, "survey", 'q" FROM survey; --')
    with pytest.raises(IndexInputError, match="not in scores"):
        diffusion_index_sql(con, "survey", "occupation")
    con.register("neg", frame.assign(w=-frame["w"]))
    with pytest.raises(IndexInputError, match="negative"):
        diffusion_index_sql(con, "neg", "q", weights="w")
    con.register("holes", frame.assign(occupation=frame["occupation"].where(frame.index >= 4)))
    with pytest.warns(DroppedRowsWarning, match="4 rows dropped"):
        out = diffusion_index_sql(con, "holes", "q", by="occupation")
    assert out["group"].notna().all()


def test_quoted_identifiers() -> None:
    df = pd.DataFrame({'odd "name"': [1, 2, 3, 4, 5, 1]})
    con = duckdb.connect()
    con.register("t", df)
    out = diffusion_index_sql(con, "t", 'odd "name"', min_n=1)
    assert out["index"].iloc[0] == pytest.approx(
        diffusion_index(df, 'odd "name"', min_n=1)["index"].iloc[0]
    )
