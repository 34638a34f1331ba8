"""The stored references are complete and well formed (no test of flexemp's estimators here)."""

from __future__ import annotations

import math

import pytest

from tests.reference.load import (
    COLUMNS,
    load_reference,
    reference_data,
    reference_meta,
    reference_topics,
    reference_value,
)

TOPICS = reference_topics()
ESTIMATION_TOPICS = ["ols", "binary", "ordered", "mlogit", "vif"]
MODELS = {"ols", "logit", "probit", "oprobit", "ologit", "mlogit"}
VCOVS = {"classical", "robust", "cluster"}
WEIGHTS = {"none", "freq", "prob"}
DATASETS = ["mroz", "wage1", "housing", "fishing"]


def test_every_estimation_topic_is_stored():
    assert set(ESTIMATION_TOPICS) <= set(TOPICS)


@pytest.mark.parametrize("topic", TOPICS)
def test_reference_file_is_well_formed(topic):
    frame = load_reference(topic)
    assert list(frame.columns) == COLUMNS
    assert frame["value"].map(math.isfinite).all()
    assert (frame["case"] != "").all()
    assert (frame["quantity"] != "").all()
    assert not frame.duplicated(["case", "model", "vcov", "weights", "term", "quantity"]).any()
    meta = reference_meta(topic)
    assert meta["topic"] == topic
    assert meta["r_version"].startswith("R version")
    assert all(isinstance(v, str) and v for v in meta["packages"].values())
    assert set(frame["case"]) == set(meta["cases"])


@pytest.mark.parametrize("topic", ESTIMATION_TOPICS)
def test_estimation_vocabulary(topic):
    frame = load_reference(topic)
    assert set(frame["model"]) <= MODELS
    assert set(frame["vcov"]) <= VCOVS
    assert set(frame["weights"]) <= WEIGHTS
    assert not frame["term"].str.contains(r"\(Intercept\)").any()


@pytest.mark.parametrize("topic", ["ols", "binary", "ordered", "mlogit"])
def test_every_estimate_has_a_standard_error(topic):
    frame = load_reference(topic)
    keys = ["case", "vcov", "weights", "term"]
    est = frame[frame["quantity"] == "estimate"].set_index(keys).index
    se = frame[frame["quantity"] == "std_error"].set_index(keys).index
    assert est.sort_values().equals(se.sort_values())
    ame = frame[frame["quantity"] == "ame"].set_index(keys).index
    ame_se = frame[frame["quantity"] == "ame_se"].set_index(keys).index
    assert ame.sort_values().equals(ame_se.sort_values())
    assert (frame.loc[frame["quantity"].isin(["std_error", "ame_se"]), "value"] > 0).all()


@pytest.mark.parametrize("topic", ["ols", "binary", "ordered", "mlogit"])
def test_every_claimed_vcov_is_present(topic):
    frame = load_reference(topic)
    for case, spec in reference_meta(topic)["cases"].items():
        claimed = {v.strip() for v in spec["vcov"].split(",")}
        rows = frame[(frame["case"] == case) & (frame["quantity"] == "estimate")]
        with_ame = frame[(frame["case"] == case) & frame["quantity"].isin(["estimate", "ame"])]
        assert set(with_ame["vcov"]) == claimed, case
        # the same estimates under every vcov of a weighting
        spread = rows.groupby(["weights", "term"])["value"].nunique()
        assert (spread == 1).all(), case


@pytest.mark.parametrize("topic", ["ols", "binary", "ordered", "mlogit"])
def test_every_fit_has_nobs(topic):
    frame = load_reference(topic)
    fits = frame[frame["quantity"] == "estimate"][["case", "weights"]].drop_duplicates()
    nobs = frame[frame["quantity"] == "nobs"][["case", "weights"]].drop_duplicates()
    margins_only = fits["case"].str.endswith("_margins")
    assert set(map(tuple, fits[~margins_only].values)) == set(map(tuple, nobs.values))


def test_reference_value_selects_one_value():
    frame = load_reference("binary")
    assert (
        reference_value(frame, "mroz_logit", "nobs", weights="freq")
        == reference_data("mroz")["fw"].sum()
    )
    assert reference_value(frame, "mroz_logit", "estimate", term="educ", weights="none") > 0
    with pytest.raises(KeyError, match="distinct values"):
        reference_value(frame, "mroz_logit", "std_error", term="educ", weights="none")


@pytest.mark.parametrize("name", DATASETS)
def test_reference_data_is_complete(name):
    frame = reference_data(name)
    assert len(frame) > 0
    # mroz's lwage is missing for the 325 women not in the labour force (and used by no case)
    assert not frame.drop(columns=["lwage"] if name == "mroz" else []).isna().any().any()
    meta_data = {
        spec["data"]
        for t in ESTIMATION_TOPICS
        for spec in reference_meta(t)["cases"].values()
        if isinstance(spec, dict)
    }
    assert f"data/{name}.csv" in meta_data
