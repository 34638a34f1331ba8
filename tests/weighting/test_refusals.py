"""Every refusal path of the weighting stage: the exception class and a key phrase of the message."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from flexemp.core.errors import FlexempError, MarginsError, NonConvergenceWarning, WeightingError
from flexemp.weighting import poststratify, rake, trim

DATA = pd.DataFrame(
    {"sex": ["f", "m", "m", "f"], "region": ["e", "w", "w", "w"], "w0": [1.0, 2.0, 1.0, 1.0]}
)
SEX = {"f": 0.5, "m": 0.5}


@pytest.mark.parametrize(
    ("margins", "kwargs", "error", "phrase"),
    [
        ({"sex": {"f": 0.5, "m": 0.6}}, {}, MarginsError, "shares sum to 1.1"),
        ({"sex": {"f": 0.6, "m": 0.3}}, {}, MarginsError, "not 1"),
        ({"sex": {"f": 0.5, "m": 0.3, "x": 0.2}}, {}, MarginsError, "no respondent in the sample"),
        ({"sex": {"f": 1.0}}, {}, MarginsError, "'m' (2 rows) are not in the margins"),
        ({"age": SEX}, {}, MarginsError, "'age' is not a column"),
        ({"sex": {}}, {}, MarginsError, "non-empty mapping"),
        ({"sex": {"f": -0.5, "m": 1.5}}, {}, MarginsError, "non-negative"),
        ({"sex": {"f": "half", "m": 0.5}}, {}, MarginsError, "must be a number"),
        ({"sex": SEX, "region": {"e": 30, "w": 70}}, {}, MarginsError, "mix shares"),
        (
            {"sex": {"f": 50, "m": 50}, "region": {"e": 30, "w": 80}},
            {},
            MarginsError,
            "one population total",
        ),
        ({"sex": SEX}, {"base_weight": "pw"}, WeightingError, "'pw' is not in the data"),
        ({"sex": SEX}, {"max_iter": 0}, WeightingError, "max_iter"),
        ({"sex": SEX}, {"tol": 0.0}, WeightingError, "tol must be positive"),
        ({"sex": SEX}, {"trim": (2.0, 3.0)}, WeightingError, "0 ≤ lo ≤ 1 ≤ hi"),
    ],
)
def test_rake_refusals(margins, kwargs, error, phrase):
    with pytest.raises(error, match=None) as info:
        rake(DATA, margins, **kwargs)
    assert phrase in str(info.value)
    assert isinstance(info.value, FlexempError) and isinstance(info.value, ValueError)


def test_empty_margins_refused():
    with pytest.raises(MarginsError, match="non-empty mapping"):
        rake(DATA, {})


def test_missing_values_in_margin_variable():
    data = DATA.assign(sex=["f", None, "m", "f"])
    with pytest.raises(MarginsError, match=r"1 missing value\(s\), first at rows \[1\]"):
        rake(data, {"sex": SEX})


def test_type_mismatch_is_named():
    data = DATA.assign(code=[1, 2, 2, 1])
    with pytest.raises(MarginsError, match="1 is not '1'"):
        rake(data, {"code": {"1": 0.5, "2": 0.5}})


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan, np.inf])
def test_bad_base_weights(bad):
    data = DATA.assign(w0=[1.0, bad, 1.0, 1.0])
    with pytest.raises(WeightingError, match=r"1 row\(s\) are not, first \[1\]"):
        rake(data, {"sex": SEX}, base_weight="w0")


def test_data_must_be_a_frame():
    with pytest.raises(WeightingError, match="must be a pandas DataFrame"):
        rake(DATA.to_dict(), {"sex": SEX})  # type: ignore[arg-type]


def test_empty_data_refused():
    with pytest.raises(WeightingError, match="no rows"):
        rake(DATA.iloc[:0], {"sex": SEX})


def test_non_convergence_warns_with_stacklevel_at_caller():
    with pytest.warns(NonConvergenceWarning, match="did not converge in 1 sweeps") as record:
        res = rake(DATA, {"sex": SEX, "region": {"e": 0.5, "w": 0.5}}, max_iter=1)
    assert record[0].filename == __file__
    assert not res.converged and res.max_abs_margin_error > 1e-3


def test_poststratify_takes_one_variable():
    with pytest.raises(MarginsError, match="exactly one cell variable"):
        poststratify(DATA, {"sex": SEX, "region": {"e": 0.5, "w": 0.5}})


@pytest.mark.parametrize(
    ("kwargs", "phrase"),
    [
        ({}, "none was given"),
        ({"upper": 1.0, "percentiles": (1, 99)}, "not both"),
        ({"lower": 3.0, "upper": 1.0}, "swap them"),
        ({"percentiles": (5, 101)}, "0 ≤ low ≤ high ≤ 100"),
    ],
)
def test_trim_refusals(kwargs, phrase):
    with pytest.raises(WeightingError) as info:
        trim(pd.Series([1.0, 2.0, 3.0]), **kwargs)
    assert phrase in str(info.value)


def test_trim_refuses_bad_weights():
    with pytest.raises(WeightingError, match=r"1 row\(s\) are not, first \['b'\]"):
        trim(pd.Series([1.0, -2.0], index=["a", "b"]), upper=1.0)
    with pytest.raises(WeightingError, match="must be a pandas Series"):
        trim([1.0, 2.0], upper=1.0)  # type: ignore[arg-type]
