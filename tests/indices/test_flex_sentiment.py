"""Indices on the embedded flex_sentiment data reproduce seed 004's published figures."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

from flexemp.indices import diffusion, diffusion_index, sql
from flexemp.synth import get_dataset
from flexemp.synth.flex_sentiment_targets import EXPECT_OVERALL, TABLE5, TABLE6

#: docs/datasets/flex_sentiment.md: the generator matches the seed within 1 point.
ATOL_PUBLISHED = 1.0


@pytest.fixture(scope="module")
def flexible() -> pd.DataFrame:
    d = get_dataset("flex_sentiment").generate()
    rule = (
        (d["age_band"] != 0)
        & (d["emp_status"] == 1)
        & ((d["job_type"] == 2) | ((d["job_type"] == 3) & (d["biz_registered"] == 0)))
    )
    return d[rule.fillna(False)]


def test_overall_q2_matches_table5(flexible: pd.DataFrame) -> None:
    published = {**TABLE5["2022Q2"], **EXPECT_OVERALL}
    r = diffusion_index(flexible, list(published)).set_index("var")["index"]
    np.testing.assert_allclose(r[list(published)], list(published.values()), atol=ATOL_PUBLISHED)


def test_by_industry_matches_table6(flexible: pd.DataFrame) -> None:
    r = diffusion_index(flexible, list(TABLE6), by="industry")
    for var, values in TABLE6.items():
        got = r[r["var"] == var].set_index("group")["index"]
        np.testing.assert_allclose(got.loc[[1, 2, 3, 4, 5]], values, atol=ATOL_PUBLISHED)


@pytest.mark.parametrize("module", [diffusion, sql])
def test_doctests(module: object) -> None:
    result = doctest.testmod(module, globs={"np": np, "pd": pd, **vars(module)})  # type: ignore[arg-type]
    assert result.attempted > 0
    assert result.failed == 0
