"""Diagnostics (closed forms written out in each test), trimming, the result shape, and doctests."""

from __future__ import annotations

import doctest
import importlib
import json

import numpy as np
import pandas as pd
import pytest

from flexemp.core.errors import WeightingError
from flexemp.weighting import (
    design_effect,
    effective_sample_size,
    rake,
    trim,
    weight_diagnostics,
    weight_summary,
)

RTOL_CLOSED_FORM = 1e-12  # the same formula evaluated in another order
W = np.random.default_rng(42).lognormal(0.0, 0.6, 500)


def test_kish_formulas():
    n = W.size
    mean = W.mean()
    cv2 = ((W - mean) ** 2).mean() / mean**2  # population variance over the squared mean
    assert design_effect(W) == pytest.approx(1 + cv2, rel=RTOL_CLOSED_FORM)
    assert effective_sample_size(W) == pytest.approx(n / (1 + cv2), rel=RTOL_CLOSED_FORM)
    d = weight_diagnostics(pd.Series(W))
    assert d["n_effective"] * d["deff_kish"] == pytest.approx(n, rel=RTOL_CLOSED_FORM)
    assert d["cv"] == pytest.approx(np.sqrt(cv2), rel=1e-10)
    assert d["sum"] == pytest.approx(W.sum(), rel=RTOL_CLOSED_FORM)


def test_scale_invariance():
    assert design_effect(3.7 * W) == pytest.approx(design_effect(W), rel=RTOL_CLOSED_FORM)


def test_summary_order_statistics():
    w = np.arange(1.0, 102.0)  # 1..101: percentile p is 1 + p exactly (type 7)
    s = weight_summary(w)
    assert s == {
        "min": 1.0,
        "p1": 2.0,
        "p5": 6.0,
        "median": 51.0,
        "p95": 96.0,
        "p99": 100.0,
        "max": 101.0,
        "ratio_max_min": 101.0,
    }
    assert weight_summary([0.0, 2.0])["ratio_max_min"] == float("inf")


@pytest.mark.parametrize("bad", [[], [1.0, -1.0], [np.nan, 1.0], [0.0, 0.0]])
def test_diagnostics_refuse_bad_weights(bad):
    with pytest.raises(WeightingError):
        design_effect(bad)


def test_trim_absolute_and_percentile_bounds():
    w = pd.Series(W, index=pd.RangeIndex(10, 510), name="wt")
    t = trim(w, lower=0.5, upper=2.0)
    assert t.index.equals(w.index) and t.name == "wt"
    assert t.min() == 0.5 and t.max() == 2.0
    untouched = (w >= 0.5) & (w <= 2.0)
    assert (t[untouched] == w[untouched]).all()
    p = trim(w, percentiles=(1, 99))
    assert p.min() == pytest.approx(np.percentile(W, 1), rel=1e-15)
    assert p.max() == pytest.approx(np.percentile(W, 99), rel=1e-15)
    assert (p > np.percentile(W, 99)).sum() == 0
    assert trim(w, upper=1.0).min() == w.min()


def test_two_step_trim_then_rerake():
    rng = np.random.default_rng(3)
    data = pd.DataFrame({"sex": rng.choice(["f", "m"], 300, p=[0.2, 0.8])})
    margins = {"sex": {"f": 0.5, "m": 0.5}}
    first = rake(data, margins)
    data2 = data.assign(w1=trim(first.weights, upper=2.0))
    second = rake(data2, margins, base_weight="w1")
    assert second.margins_table["after"].to_numpy() == pytest.approx([0.5, 0.5], abs=1e-12)


def test_result_is_frozen_and_serialisable():
    data = pd.DataFrame({"sex": ["f", "m", "m"]}, index=["a", "b", "c"])
    res = rake(data, {"sex": {"f": 0.5, "m": 0.5}})
    with pytest.raises(AttributeError):
        res.iterations = 3  # type: ignore[misc]
    d = json.loads(json.dumps(res.to_dict()))
    assert d["weights"] == {"index": ["a", "b", "c"], "values": [1.5, 0.75, 0.75]}
    assert d["converged"] is True and d["iterations"] == 1
    assert [m["level"] for m in d["margins"]] == ["f", "m"]
    assert d["margins"][0]["sample"] == pytest.approx(1 / 3)
    assert d["diagnostics"]["before"]["deff_kish"] == 1.0
    assert d["diagnostics"]["after"]["deff_kish"] == pytest.approx(3 * (1.5**2 + 2 * 0.75**2) / 9)
    assert list(res.margins_table.columns) == [
        "variable",
        "level",
        "target",
        "sample",
        "before",
        "after",
    ]


@pytest.mark.parametrize("module", ["calibrate", "diagnostics", "trim"])
def test_doctests(module):
    mod = importlib.import_module(f"flexemp.weighting.{module}")
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
