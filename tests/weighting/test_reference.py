"""flexemp's rake and poststratify against R survey's own example (tests/reference/rake.R)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from flexemp.weighting import poststratify, rake
from tests.reference.load import reference_data, reference_values

# both sides iterate to 1e-13 relative margin error; 1e-8 leaves room for R's own stopping rule
RTOL_RAKE = 1e-8
# post-stratification is one closed-form step on both sides: only rounding differs
RTOL_CLOSED_FORM = 1e-12


def _margins(*variables: str) -> dict[str, dict[object, float]]:
    m = reference_data("apipop_margins")
    return {
        v: dict(
            zip(m.loc[m["variable"] == v, "level"], m.loc[m["variable"] == v, "count"], strict=True)
        )
        for v in variables
    }


def _reference_weights(case: str, data: pd.DataFrame) -> np.ndarray:
    ref = reference_values("rake", case, "weight", vcov="none", weights="prob")
    return ref.loc[data["id"].astype(str)].to_numpy()


def _reference_totals(case: str) -> pd.Series:
    return reference_values("rake", case, "total", vcov="none", weights="prob")


@pytest.mark.parametrize("order", [("sch.wide", "stype"), ("stype", "sch.wide")])
def test_rake_equals_survey_rake(order):
    data = reference_data("apiclus1")
    res = rake(data, _margins(*order), base_weight="pw", tol=1e-13, max_iter=1000)
    assert res.converged
    np.testing.assert_allclose(
        res.weights.to_numpy(), _reference_weights("apiclus1_rake", data), rtol=RTOL_RAKE, atol=0
    )
    assert res.weights.index.equals(data.index)


def test_rake_totals_equal_survey_totals():
    data = reference_data("apiclus1")
    res = rake(data, _margins("stype", "sch.wide"), base_weight="pw", tol=1e-13, max_iter=1000)
    ref = _reference_totals("apiclus1_rake")
    for key, value in ref.items():
        var, level = key.split(":")
        ours = res.weights[data[var] == level].sum()
        assert ours == pytest.approx(value, rel=RTOL_RAKE)


def test_poststratify_equals_survey_poststratify():
    data = reference_data("apiclus1")
    res = poststratify(data, _margins("stype"), base_weight="pw")
    np.testing.assert_allclose(
        res.weights.to_numpy(),
        _reference_weights("apiclus1_poststratify", data),
        rtol=RTOL_CLOSED_FORM,
        atol=0,
    )
    assert res.iterations == 1 and res.converged


def test_default_survey_stopping_rule_differs_from_the_limit():
    """survey::rake's default (epsilon = 1) stops early: the stored weights are the converged ones."""
    data = reference_data("apiclus1")
    loose = rake(data, _margins("sch.wide", "stype"), base_weight="pw", max_iter=1, tol=1.0)
    ref = _reference_weights("apiclus1_rake", data)
    assert np.max(np.abs(loose.weights.to_numpy() / ref - 1)) > RTOL_RAKE
