"""The one helper that reads the stored reference outputs (see README.md in this folder)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
COLUMNS = ["case", "model", "vcov", "weights", "term", "quantity", "value"]


@cache
def load_reference(topic: str) -> pd.DataFrame:
    """``out/<topic>.csv`` with ``value`` parsed at full precision (written with 17 significant digits)."""
    frame = pd.read_csv(HERE / "out" / f"{topic}.csv", dtype={c: str for c in COLUMNS}, keep_default_na=False)
    frame["value"] = frame["value"].map(float)
    return frame


def reference_meta(topic: str) -> dict[str, object]:
    """The JSON sidecar: R version, package versions and the cases."""
    return json.loads((HERE / "out" / f"{topic}.json").read_text(encoding="utf-8"))


def reference_values(topic: str, case: str, quantity: str, *, vcov: str = "classical", weights: str = "none") -> pd.Series:
    """Values of one quantity (indexed by term) for a case, covariance type and weighting."""
    f = load_reference(topic)
    sel = f[(f["case"] == case) & (f["quantity"] == quantity) & (f["vcov"] == vcov) & (f["weights"] == weights)]
    if sel.empty:
        raise KeyError(f"no reference {topic}/{case}/{quantity}/{vcov}/{weights}")
    return sel.set_index("term")["value"]


def reference_scalar(topic: str, case: str, quantity: str, *, vcov: str = "classical", weights: str = "none") -> float:
    """A single value (a statistic with an empty term)."""
    return float(reference_values(topic, case, quantity, vcov=vcov, weights=weights).iloc[0])


def reference_data(name: str) -> pd.DataFrame:
    """``data/<name>.csv``."""
    return pd.read_csv(HERE / "data" / f"{name}.csv")
