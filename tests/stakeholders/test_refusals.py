"""Every refusal path: exception class and the key phrase of its message."""

from __future__ import annotations

import pandas as pd
import pytest

from flexemp.core.errors import StakeholderScoresError, UnsupportedOptionError
from flexemp.stakeholders import mitchell

from .helpers import to_long, wide_scores

MEANS = {"A": (9.0, 9.0, 9.0), "B": (7.0, 7.0, 7.0), "C": (3.0, 3.0, 3.0)}


@pytest.fixture
def wide():
    return wide_scores(MEANS, spread=0.5)


def test_out_of_range_scores_listed(wide):
    wide.loc[0, "power"] = 11.0
    wide.loc[1, "urgency"] = -1.0
    with pytest.raises(StakeholderScoresError, match=r"2 scores are outside 0-10"):
        mitchell(wide)


def test_missing_combination_listed(wide):
    long = to_long(wide)
    drop = (long["expert"] == "e2") & (long["stakeholder"] == "B") & (long["attribute"] == "power")
    with pytest.raises(StakeholderScoresError, match=r"1 scores are missing") as info:
        mitchell(long[~drop])
    assert "expert=e2, stakeholder=B, attribute=power" in str(info.value)


def test_missing_score_value(wide):
    wide.loc[2, "legitimacy"] = None
    with pytest.raises(StakeholderScoresError, match=r"1 missing or non-numeric scores"):
        mitchell(wide)


def test_non_numeric_score():
    long = to_long(wide_scores(MEANS)).astype({"score": object})
    long.loc[0, "score"] = "high"
    with pytest.raises(StakeholderScoresError, match=r"non-numeric"):
        mitchell(long)


def test_unknown_attribute(wide):
    long = to_long(wide)
    long.loc[0, "attribute"] = "salience"
    with pytest.raises(StakeholderScoresError, match=r"unknown attribute") as info:
        mitchell(long)
    assert "salience" in str(info.value)


def test_duplicate_scores(wide):
    with pytest.raises(StakeholderScoresError, match=r"score twice"):
        mitchell(pd.concat([wide, wide.iloc[[0]]]))


@pytest.mark.parametrize(
    ("change", "phrase"),
    [
        (lambda f: f.drop(columns="expert"), "no column expert"),
        (lambda f: f.drop(columns="urgency"), "no column for urgency"),
        (lambda f: f.drop(columns=["legitimacy", "power", "urgency"]), "cannot tell the form"),
        (lambda f: f.assign(attribute="power", score=1.0), "both long-form columns"),
        (lambda f: f.assign(合法性=1.0), "given twice"),
        (
            lambda f: f.assign(stakeholder=["A", None, "C", "A", "B", "C"]),
            "no expert or no stakeholder",
        ),
    ],
)
def test_malformed_frames(wide, change, phrase):
    with pytest.raises(StakeholderScoresError, match=phrase):
        mitchell(change(wide))


def test_not_a_frame():
    with pytest.raises(StakeholderScoresError, match="pandas DataFrame"):
        mitchell([[1, 2, 3]])  # type: ignore[arg-type]


def test_unknown_linkage_names_the_choices(wide):
    with pytest.raises(UnsupportedOptionError, match=r"Did you mean 'average'"):
        mitchell(wide, linkage="avarage")


@pytest.mark.parametrize("thresholds", [(8, 6), (6, 11), (6, 6), ("six", 8)])
def test_bad_thresholds(wide, thresholds):
    with pytest.raises(StakeholderScoresError, match="thresholds"):
        mitchell(wide, thresholds=thresholds)


@pytest.mark.parametrize(
    ("n_clusters", "phrase"),
    [(1, "at least 2"), (4, "more than the 3 stakeholders"), (2.5, "whole number")],
)
def test_bad_n_clusters(wide, n_clusters, phrase):
    with pytest.raises(StakeholderScoresError, match=phrase):
        mitchell(wide, n_clusters=n_clusters)


def test_bad_table_language(wide):
    with pytest.raises(UnsupportedOptionError, match="lang"):
        mitchell(wide).table(lang="fr")
