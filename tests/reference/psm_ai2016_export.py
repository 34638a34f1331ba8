"""Export cattaneo2 for the Abadie-Imbens (2016) PSM reference test (run once; the CSV is committed).

Source: ``statsmodels/treatment/tests/results/cataneo2.csv`` shipped with the PyPI package
``statsmodels`` (``pip install statsmodels``; BSD), a copy of Stata's ``cattaneo2.dta``
(Cattaneo 2010, *Journal of Econometrics* 155: 138-154; 4,642 births).  Written: the outcome
``bweight``, the treatment ``mbsmoke`` (1 = smoked; statsmodels' numeric ``mbsmoke_``) and the
covariates ``mmarried, mage, fage, medu, prenatal1`` (numeric ``mmarried_``, ``prenatal1_``),
as integers, in the original row order.  Its summary statistics equal those Stata prints for
``cattaneo2.dta`` in the log cited in ``psm_ai2016_stata.json``.

Run: ``python tests/reference/psm_ai2016_export.py``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

OUT = Path(__file__).resolve().parent / "psm_ai2016_cattaneo2.csv"


def main() -> None:
    src = resources.files("statsmodels.treatment.tests.results") / "cataneo2.csv"
    with resources.as_file(src) as path:
        raw = pd.read_csv(path)
    out = pd.DataFrame(
        {
            "bweight": raw["bweight"],
            "mbsmoke": raw["mbsmoke_"],
            "mmarried": raw["mmarried_"],
            "mage": raw["mage"],
            "fage": raw["fage"],
            "medu": raw["medu"],
            "prenatal1": raw["prenatal1_"],
        }
    ).astype(int)
    out.to_csv(OUT, index=False)
    print(f"wrote {OUT} ({len(out)} rows)")


if __name__ == "__main__":
    main()
