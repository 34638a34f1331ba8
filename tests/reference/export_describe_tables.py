"""Write ``data/describe_tables.csv`` for ``describe_tables.R`` from the embedded dataset internet_flex_finance.

The first 600 rows of ``get_dataset("internet_flex_finance").generate()`` (default n and seed),
the columns used by the descriptive-table references, plus

- ``w``: survey weights drawn once from ``np.random.default_rng(20261207)``, uniform on [0.4, 3.0]
  rounded to 4 decimals;
- 25 values of ``education`` set to missing (the same generator), so missing handling is tested.

Run once; the file is committed and the R script reads only it.

    python tests/reference/export_describe_tables.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from flexemp.synth import get_dataset

OUT = Path(__file__).resolve().parent / "data" / "describe_tables.csv"
COLUMNS = ["flexible", "sex", "education", "income", "income_stability", "job_hops"] + [
    f"hop_reasons_{k}" for k in range(1, 6)
]

if __name__ == "__main__":
    d = get_dataset("internet_flex_finance").generate().head(600)[COLUMNS].copy()
    rng = np.random.default_rng(20261207)
    d["w"] = np.round(rng.uniform(0.4, 3.0, len(d)), 4)
    d.loc[rng.choice(len(d), 25, replace=False), "education"] = np.nan
    d.insert(0, "id", np.arange(1, len(d) + 1))
    d.to_csv(OUT, index=False, float_format="%.10g")
    print(f"wrote {OUT}")
