"""Time streaming synthetic data to Parquet, and ingest of a realistic file.

Run: ``python benchmarks/bench_synth.py [--rows 10000000]``

Prints, in one run:
- flexemp's streamed generation of ``flex_sentiment`` to Parquet (target: 10
  million rows in under a minute on a 2-core machine, without holding them in
  memory: peak resident memory is printed beside the size of the full frame);
- the alternative users reach for — build the whole frame in pandas, then
  ``DataFrame.to_parquet`` — on the same rows, for the time and memory it takes;
- ingest (read, validate, pseudonymise, store) of the 26,276-row sentiment wave
  as CSV, against a plain ``pandas.read_csv`` + ``DuckDB`` load without checks.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(code: str) -> tuple[float, float]:
    """Run code in a fresh interpreter; return (seconds, peak MB) it printed."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    secs, mb = out.stdout.strip().splitlines()[-1].split()
    return float(secs), float(mb)


PRELUDE = "import time, resource\n"
FLEXEMP_STREAM = PRELUDE + """
from flexemp.synth.export import write_synthetic
t = time.perf_counter()
write_synthetic("flex_sentiment", {out!r}, n={n}, wave="2022Q2")
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""
PANDAS_WHOLE = PRELUDE + """
from flexemp.synth import get_dataset
t = time.perf_counter()
frame = get_dataset("flex_sentiment").generate({n}, wave="2022Q2")
frame.to_parquet({out!r})
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    n = args.rows
    print(f"machine: {os.cpu_count()} cores; rows: {n:,}")
    secs, mb = _child(FLEXEMP_STREAM.format(out=str(tmp / "stream.parquet"), n=n))
    size = (tmp / "stream.parquet").stat().st_size / 1e6
    print(f"flexemp synth (streamed to Parquet): {secs:7.1f} s, peak {mb:7.0f} MB, file {size:.0f} MB"
          f"  [target < 60 s for 10M rows]")
    secs2, mb2 = _child(PANDAS_WHOLE.format(out=str(tmp / "whole.parquet"), n=n))
    print(f"whole frame in pandas, then to_parquet: {secs2:7.1f} s, peak {mb2:7.0f} MB")
    print(f"ratio time {secs2 / secs:.2f}x, memory {mb2 / mb:.2f}x")

    # ingest of one realistic wave
    os.environ.setdefault("FLEXEMP_PSEUDONYM_KEY", "benchmark-key-0123456789")
    from flexemp.synth.export import codebook_path_for, write_synthetic
    from flexemp.warehouse.load import ingest

    csv = write_synthetic("flex_sentiment", tmp / "q2.csv", wave="2022Q2")
    t = time.perf_counter()
    res = ingest(csv, codebook_path_for(csv), "2022Q2", db=tmp / "w.duckdb")
    t_ingest = time.perf_counter() - t
    import duckdb
    import pandas as pd

    t = time.perf_counter()
    frame = pd.read_csv(csv)
    con = duckdb.connect(str(tmp / "plain.duckdb"))
    con.register("f", frame)
    con.execute("CREATE TABLE t AS SELECT * FROM f")
    con.close()
    t_plain = time.perf_counter() - t
    print(f"flexemp ingest of {res.provenance.rows_read:,} rows (validate + pseudonymise + store): {t_ingest:.2f} s")
    print(f"pandas.read_csv + DuckDB table, no checks:                            {t_plain:.2f} s")
    print(f"peak memory of this process: {_peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
