"""Write ``data/scales.csv``: the first 500 complete rows of psych's ``bfi`` items A1–A5 and C1–C5.

``bfi`` (25 personality items, 1–6 Likert, from the SAPA project; Revelle, psych package) ships with
the R package psych (Debian: r-cran-psych).  Run once; the file is committed and the reference
script ``reliability.R`` reads only it.

    python tests/reference/export_scales.py
"""

from __future__ import annotations

import subprocess
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data" / "scales.csv"

R_CODE = f"""
data(bfi, package = "psych")
cols <- c(paste0("A", 1:5), paste0("C", 1:5))
d <- bfi[complete.cases(bfi[, cols]), cols]
d <- head(d, 500)
write.csv(d, "{OUT.as_posix()}", row.names = FALSE)
"""

if __name__ == "__main__":
    subprocess.run(["Rscript", "-e", R_CODE], check=True)
    print(f"wrote {OUT}")
