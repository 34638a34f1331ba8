"""The one helper that reads the stored reference outputs (see README.md in this folder)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
COLUMNS = ["case", "model", "vcov", "weights", "term", "quantity", "value"]


@cache
def _load(topic: str) -> pd.DataFrame:
    frame = pd.read_csv(
        HERE / "out" / f"{topic}.csv", dtype={c: str for c in COLUMNS}, keep_default_na=False
    )
    frame["value"] = frame["value"].map(
        float
    )  # Python's float() is correctly rounded: exact round trip
    return frame


def load_reference(topic: str) -> pd.DataFrame:
    """``out/<topic>.csv`` with ``value`` parsed at full precision (written with 17 significant digits).

    Columns ``case, model, vcov, weights, term, quantity, value``; every column but ``value`` is a
    string (an empty ``term`` marks a statistic).  A fresh copy each call, so callers may modify it.
    """
    return _load(topic).copy()


def reference_meta(topic: str) -> dict[str, object]:
    """The JSON sidecar: R version, package versions and the cases."""
    return json.loads((HERE / "out" / f"{topic}.json").read_text(encoding="utf-8"))


def reference_values(
    topic: str, case: str, quantity: str, *, vcov: str = "classical", weights: str = "none"
) -> pd.Series:
    """Values of one quantity (indexed by term) for a case, covariance type and weighting."""
    f = load_reference(topic)
    sel = f[
        (f["case"] == case)
        & (f["quantity"] == quantity)
        & (f["vcov"] == vcov)
        & (f["weights"] == weights)
    ]
    if sel.empty:
        raise KeyError(f"no reference {topic}/{case}/{quantity}/{vcov}/{weights}")
    return sel.set_index("term")["value"]


def reference_scalar(
    topic: str, case: str, quantity: str, *, vcov: str = "classical", weights: str = "none"
) -> float:
    """A single value (a statistic with an empty term)."""
    return float(reference_values(topic, case, quantity, vcov=vcov, weights=weights).iloc[0])


def reference_value(
    df: pd.DataFrame,
    case: str,
    quantity: str,
    term: str | None = None,
    vcov: str | None = None,
    weights: str | None = None,
) -> float:
    """One value of a frame from :func:`load_reference`.

    ``term=None`` selects a statistic (empty term: ``loglik``, ``nobs``, ``r2``, ``vif_max`` ...);
    ``vcov=None`` / ``weights=None`` do not filter.  The selected rows must hold one value (estimates
    are repeated under every vcov with the same value, so ``vcov=None`` is fine for them); otherwise
    ``KeyError`` names what matched.
    """
    sel = df[(df["case"] == case) & (df["quantity"] == quantity) & (df["term"] == (term or ""))]
    if vcov is not None:
        sel = sel[sel["vcov"] == vcov]
    if weights is not None:
        sel = sel[sel["weights"] == weights]
    values = sel["value"].unique()
    if len(values) != 1:
        found = sel[["vcov", "weights"]].drop_duplicates().to_records(index=False).tolist()
        raise KeyError(
            f"reference {case}/{quantity}/term={term!r}/vcov={vcov}/weights={weights}: "
            f"{len(sel)} rows with {len(values)} distinct values (vcov, weights found: {found})"
        )
    return float(values[0])


def reference_topics() -> list[str]:
    """The topics with a stored output, ``out/<topic>.csv``."""
    return sorted(p.stem for p in (HERE / "out").glob("*.csv"))


def reference_data(name: str) -> pd.DataFrame:
    """``data/<name>.csv`` (written by ``export_data.py``; floats at 17 significant digits)."""
    return pd.read_csv(HERE / "data" / f"{name}.csv")
