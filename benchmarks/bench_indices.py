"""Time diffusion indices: flexemp in DuckDB and in NumPy against a pandas groupby, same run.

Run: ``python benchmarks/bench_indices.py [--n 10000000] [--bootstrap 0]``

Data: ``--n`` respondents (default 10 million) × 3 questions (codes 1-5, 5 %
missing), 11 occupations × 5 industries (55 groups) × 8 waves, random weights.
Every method computes, for each question × wave × group cell, the weighted
index 50 + 50·mean score and its linearised SE; the script prints each time and
the largest difference from flexemp's DuckDB result (it must be ~1e-12).

- ``flexemp-sql``: :func:`flexemp.indices.diffusion_index_sql` on a DuckDB table
  (the load ``CREATE TABLE … AS SELECT * FROM df`` is timed separately);
- ``flexemp-numpy``: :func:`flexemp.indices.diffusion_index` on the DataFrame;
- ``pandas-groupby``: map codes to scores, then ``groupby([wave, group]).agg`` of
  the weighted sums per question, the way an analyst would write it.
"""

from __future__ import annotations

import argparse
import time

import duckdb
import numpy as np
import pandas as pd

from flexemp.indices import DEFAULT_SCORES, diffusion_index, diffusion_index_sql

QUESTIONS = ("emp_change", "inc_change", "cons_change")


def make_data(n: int, seed: int = 1) -> pd.DataFrame:
    """Synthetic respondents: 3 questions, 55 groups (occupation × industry), 8 waves."""
    rng = np.random.default_rng(seed)
    occupation = rng.integers(1, 12, n, dtype=np.int8)
    industry = rng.integers(1, 6, n, dtype=np.int8)
    df = pd.DataFrame(
        {
            "wave": rng.integers(0, 8, n, dtype=np.int8),
            "group": (occupation.astype(np.int16) * 10 + industry).astype(np.int16),
            "w": rng.uniform(0.3, 3.0, n),
        }
    )
    p = np.array([0.13, 0.35, 0.41, 0.08, 0.03])
    for q in QUESTIONS:
        codes = rng.choice(np.arange(1, 6), size=n, p=p).astype(np.float64)
        codes[rng.random(n) < 0.05] = np.nan
        df[q] = codes
    return df


def pandas_groupby(df: pd.DataFrame) -> pd.DataFrame:
    """Index and linearised SE per (question, wave, group) with a plain pandas groupby."""
    out = []
    for q in QUESTIONS:
        s = df[q].map(DEFAULT_SCORES)
        d = pd.DataFrame({"wave": df["wave"], "group": df["group"], "w": df["w"], "s": s})
        d = d[s.notna()]
        d["ws"] = d["w"] * d["s"]
        d["w2"] = d["w"] ** 2
        d["w2s"] = d["w2"] * d["s"]
        d["w2s2"] = d["w2s"] * d["s"]
        g = d.groupby(["wave", "group"]).agg(
            n=("s", "size"), sw=("w", "sum"), sws=("ws", "sum"), sw2=("w2", "sum"),
            sw2s=("w2s", "sum"), sw2s2=("w2s2", "sum"),
        )  # fmt: skip
        m = g["sws"] / g["sw"]
        var = (g["sw2s2"] - 2 * m * g["sw2s"] + m * m * g["sw2"]) / g["sw"] ** 2
        g["index"] = 50 + 50 * m
        g["se"] = 50 * np.sqrt(var * g["n"] / (g["n"] - 1))
        out.append(g[["index", "se"]].reset_index().assign(var=q))
    return pd.concat(out, ignore_index=True)


def timed(label: str, fn: object) -> tuple[float, object]:
    t0 = time.perf_counter()
    res = fn()  # type: ignore[operator]
    dt = time.perf_counter() - t0
    print(f"{label:<28} {dt:8.2f} s")
    return dt, res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--bootstrap", type=int, default=0, help="replicates for a numpy bootstrap run")
    args = ap.parse_args()
    print(f"n = {args.n:,} respondents × {len(QUESTIONS)} questions, 55 groups × 8 waves")
    _, df = timed("generate data", lambda: make_data(args.n))
    con = duckdb.connect()
    con.register("df_view", df)
    timed(
        "duckdb load (CREATE TABLE)",
        lambda: con.execute("CREATE TABLE survey AS SELECT * FROM df_view"),
    )
    kw = {"by": "group", "wave": "wave", "weights": "w"}
    t_sql, sql_res = timed(
        "flexemp-sql", lambda: diffusion_index_sql(con, "survey", list(QUESTIONS), **kw)
    )
    t_np, np_res = timed("flexemp-numpy", lambda: diffusion_index(df, list(QUESTIONS), **kw))
    t_pd, pd_res = timed("pandas-groupby", lambda: pandas_groupby(df))
    a = sql_res.sort_values(["var", "wave", "group"]).reset_index(drop=True)  # type: ignore[attr-defined]
    b = np_res.sort_values(["var", "wave", "group"]).reset_index(drop=True)  # type: ignore[attr-defined]
    c = pd_res.sort_values(["var", "wave", "group"]).reset_index(drop=True)  # type: ignore[attr-defined]
    print(f"cells: {len(a)}; max |numpy - sql| index {np.max(np.abs(a['index'] - b['index'])):.2e}, "
          f"se {np.max(np.abs(a['se'] - b['se'])):.2e}; max |pandas - sql| index "
          f"{np.max(np.abs(a['index'].to_numpy() - c['index'].to_numpy())):.2e}")  # fmt: skip
    print(f"speed-up vs pandas-groupby: sql {t_pd / t_sql:.1f}×, numpy {t_pd / t_np:.1f}×")
    if args.bootstrap:
        timed(
            f"flexemp-numpy bootstrap B={args.bootstrap}",
            lambda: diffusion_index(df, "emp_change", **kw, bootstrap=args.bootstrap),
        )


if __name__ == "__main__":
    main()
