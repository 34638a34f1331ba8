"""Census 2020 margins: internal consistency of the embedded bulletin tables, the API, refusals.

Every expected number here is either read from the data file itself (totals the bulletin states
next to the items it sums) or a closed form (shares = counts / total).  Nothing is retyped.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import pytest
import yaml

from flexemp.core.errors import MarginsError, UnsupportedOptionError
from flexemp.synth.registry import get_dataset
from flexemp.weighting import rake
from flexemp.weighting.census import (
    CENSUS_VARIABLES,
    census_margins,
    census_source,
    level_map_from_codebook,
)

PCT_HALF_UNIT = (
    0.005 + 1e-12
)  # printed percentages have 2 decimals: |exact − printed| ≤ half a unit
RTOL_SHARES = 1e-12  # shares are one float division of integers

DATA = yaml.safe_load(
    resources.files("flexemp.weighting").joinpath("data/census2020.yaml").read_text("utf-8")
)
TABLES = DATA["tables"]
NATIONAL = DATA["census"]["national_total"]


def _counts(var: str) -> dict[str, int]:
    return {lev["zh"]: lev["population"] for lev in TABLES[var]["levels"]}


@pytest.fixture(scope="module")
def codebook():
    return get_dataset("flex_sentiment").codebook()


def _cb_var(codebook, name):
    return next(v for v in codebook.variables if v.name == name)


# ------------------------------------------------------------------- the data file itself
@pytest.mark.parametrize("var", CENSUS_VARIABLES)
def test_levels_plus_excluded_sum_to_stated_total(var):
    table = TABLES[var]
    assert table["total"] == NATIONAL
    total = sum(_counts(var).values()) + sum(table["not_in_levels"].values())
    assert total == table["total"]


def test_provinces_are_31_and_the_military_is_outside_them():
    assert len(_counts("province")) == 31
    assert TABLES["province"]["not_in_levels"] == TABLES["region"]["not_in_levels"]


@pytest.mark.parametrize("var", CENSUS_VARIABLES)
def test_printed_percentages_agree_with_counts(var):
    for lev in TABLES[var]["levels"]:
        if lev["percent"] is None:
            continue
        exact = 100.0 * lev["population"] / NATIONAL
        assert abs(exact - lev["percent"]) <= PCT_HALF_UNIT, lev


@pytest.mark.parametrize("var", ["region", "sex", "age_group"])
def test_printed_percentages_sum_to_100_within_rounding(var):
    # the percentages are of the national total, so regions (without the military) fall short
    pct = [lev["percent"] for lev in TABLES[var]["levels"]]
    covered = 100.0 * sum(_counts(var).values()) / NATIONAL
    assert abs(sum(pct) - covered) <= PCT_HALF_UNIT * len(pct)


def test_regions_aggregate_provinces_to_the_stated_region_totals():
    prov = _counts("province")
    members = [m for lev in TABLES["region"]["levels"] for m in lev["members"]]
    assert sorted(members) == sorted(prov)  # each province in exactly one region
    for lev in TABLES["region"]["levels"]:
        assert sum(prov[m] for m in lev["members"]) == lev["population"], lev["zh"]


def test_age_16_split_is_a_regrouping_of_table_5_1():
    a, b = _counts("age_group"), _counts("age_group_16")
    assert a["0-14岁"] + a["15-59岁"] == b["0-15岁"] + b["16-59岁"]
    assert a["60岁及以上"] == b["60岁及以上"]
    over65 = TABLES["age_group"]["of_which"][0]
    assert over65["population"] < a[over65["within"]]


def test_province_order_is_the_flex_sentiment_codebook_order(codebook):
    codes = {c.label_zh: int(c.value) for c in _cb_var(codebook, "province").codes}
    assert {lev["zh"]: lev["code"] for lev in TABLES["province"]["levels"]} == codes


@pytest.mark.parametrize("var", CENSUS_VARIABLES)
def test_every_table_cites_its_source(var):
    src = census_source(var)["source"]
    assert src["title"].startswith("第七次全国人口普查公报")
    assert src["date"] == "2021-05-11"
    assert "国家统计局" in src["issuer"]
    assert src["read_at"] and all(r["url"].startswith("http") for r in src["read_at"])


# --------------------------------------------------------------------------------- the API
@pytest.mark.parametrize("var", CENSUS_VARIABLES)
def test_shares_are_counts_over_their_sum(var):
    counts = census_margins(var, as_shares=False)
    shares = census_margins(var)
    assert list(counts.index) == list(_counts(var))
    np.testing.assert_array_equal(counts.to_numpy(), np.array(list(_counts(var).values()), float))
    np.testing.assert_allclose(
        shares.to_numpy(), counts.to_numpy() / counts.sum(), rtol=RTOL_SHARES
    )
    assert abs(shares.sum() - 1.0) < 1e-12
    assert shares.name == var


def test_level_map_merges_and_drops_levels():
    m = census_margins(
        "age_group",
        level_map={"0-14岁": None, "15-59岁": "young", "60岁及以上": "old"},
        as_shares=False,
    )
    c = _counts("age_group")
    assert m.to_dict() == {"young": c["15-59岁"], "old": c["60岁及以上"]}
    merged = census_margins(
        "region", level_map={"东部": "E", "中部": "rest", "西部": "rest", "东北": "rest"}
    )
    r = _counts("region")
    assert merged["E"] == pytest.approx(r["东部"] / sum(r.values()), rel=RTOL_SHARES)


def test_codebook_level_map_and_raking_meets_census_margins(codebook):
    data = get_dataset("flex_sentiment").generate(n=20000, seed=20201101)
    prov_map = level_map_from_codebook(_cb_var(codebook, "province"), "province")
    sex_map = level_map_from_codebook(_cb_var(codebook, "sex"), "sex")
    assert sex_map == {"男": 1, "女": 2}
    margins = {
        "province": census_margins("province", level_map=prov_map).to_dict(),
        "sex": census_margins("sex", level_map=sex_map).to_dict(),
    }
    res = rake(data, margins, max_iter=500)
    assert res.converged
    w = res.weights / res.weights.sum()
    got = w.groupby(data["sex"].astype(int)).sum()
    np.testing.assert_allclose(got[[1, 2]].to_numpy(), list(margins["sex"].values()), atol=1e-8)


# ------------------------------------------------------------------------------ refusals
def test_unknown_variable_is_refused_with_a_suggestion():
    with pytest.raises(UnsupportedOptionError, match="Did you mean 'province'"):
        census_margins("provinc")


def test_level_map_missing_level_is_refused():
    with pytest.raises(MarginsError, match="does not map census level"):
        census_margins("sex", level_map={"男": 1})


def test_level_map_unknown_level_is_refused():
    with pytest.raises(MarginsError, match="does not have"):
        census_margins("sex", level_map={"男": 1, "女": 2, "其他": 3})


def test_level_map_dropping_everything_is_refused():
    with pytest.raises(MarginsError, match="nothing is left"):
        census_margins("sex", level_map={"男": None, "女": None})


def test_codebook_age_bands_do_not_match_census_groups(codebook):
    with pytest.raises(MarginsError, match="by hand"):
        level_map_from_codebook(_cb_var(codebook, "age_band"), "age_group")


def test_count_margins_of_province_and_sex_have_different_totals():
    prov = census_margins("province", as_shares=False)
    sex = census_margins("sex", as_shares=False)
    assert sex.sum() - prov.sum() == TABLES["province"]["not_in_levels"]["现役军人"]
    df = pd.DataFrame({"p": list(prov.index)[:2] * 2, "s": ["男", "女", "女", "男"]})
    with pytest.raises(MarginsError, match="share one population total"):
        rake(df, {"p": prov[:2].to_dict(), "s": sex.to_dict()})
