"""The stored references are complete and well formed."""

from __future__ import annotations

import math

import pytest

from tests.reference.load import COLUMNS, load_reference, reference_meta

TOPICS = ["ols", "binary", "ordered", "mlogit", "vif"]


@pytest.mark.parametrize("topic", TOPICS)
def test_reference_file_is_well_formed(topic):
    frame = load_reference(topic)
    assert list(frame.columns) == COLUMNS
    assert frame["value"].map(math.isfinite).all()
    assert not frame.duplicated(["case", "model", "vcov", "weights", "term", "quantity"]).any()
    meta = reference_meta(topic)
    assert meta["r_version"].startswith("R version")
    assert set(frame["case"]) <= set(meta["cases"])


@pytest.mark.parametrize("topic", ["ols", "binary", "ordered", "mlogit"])
def test_every_estimate_has_a_standard_error(topic):
    frame = load_reference(topic)
    keys = ["case", "vcov", "weights", "term"]
    est = frame[frame["quantity"] == "estimate"].set_index(keys).index
    se = frame[frame["quantity"] == "std_error"].set_index(keys).index
    assert est.sort_values().equals(se.sort_values())
