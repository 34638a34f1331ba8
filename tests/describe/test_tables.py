"""flexemp.describe: closed forms, refusals, codebook-driven text and speed."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from flexemp.codebook import Codebook
from flexemp.codebook.model import Band, Code, Variable
from flexemp.core.errors import UnknownVariableError, UnsupportedOptionError
from flexemp.describe.compare import compare_groups, crosstab
from flexemp.describe.multiselect import multiselect
from flexemp.describe.tables import (
    DescribeError,
    coding_text,
    frequencies,
    midpoint_means,
    summary_table_data,
)
from flexemp.synth import get_dataset

#: sums of a handful of floats
RTOL_CLOSED_FORM = 1e-12

SAT = Variable(
    "sat",
    "ordinal",
    "满意度",
    "Satisfaction",
    codes=(
        Code(1, "不满意", "Dissatisfied"),
        Code(2, "一般", "Neutral"),
        Code(3, "满意", "Satisfied"),
    ),
    missing=(-9,),
)
GRP = Variable("grp", "binary", "组别", "Group", codes=(Code(0, "稳定就业"), Code(1, "灵活就业")))
INC = Variable(
    "inc",
    "banded",
    "月收入",
    "Income",
    codes=(Code(1, "3000元以下"), Code(2, "3000-5000元"), Code(3, "5000元以上")),
    bands=(Band(1, 0, 3000, None), Band(2, 3000, 5000, None), Band(3, 5000, None, None)),
)
MS = Variable(
    "why", "multiselect", "原因", "Reasons", codes=(Code(1, "甲"), Code(2, "乙"), Code(3, "丙"))
)
CB = Codebook("toy", (SAT, GRP, INC, MS))


def toy() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sat": [1, 1, 2, 3, 3, 3, np.nan, -9, 7, 2],
            "grp": [0, 0, 0, 0, 0, 1, 1, 1, 1, 1],
            "inc": [1, 1, 2, 2, 3, 3, 1, 2, 2, 1],
            "why_1": [1, 0, 1, np.nan, 0, 1, 1, 0, np.nan, 1],
            "why_2": [0, 0, 1, np.nan, 0, 1, 0, 1, np.nan, np.nan],
            "why_3": [0, 0, 0, np.nan, 0, 0, 0, 1, np.nan, 0],
            "w": [1.0, 2.0, 1.0, 1.0, 3.0, 1.0, 2.0, 1.0, 1.0, 2.0],
        }
    )


# ------------------------------------------------------------------ frequencies
def test_frequencies_closed_form_with_missing_and_unknown_codes():
    res = frequencies(toy(), "sat", codebook=CB)
    t = res.table
    assert list(t["option"]) == ["不满意", "一般", "满意", "7（未在编码表中）", "缺失"]
    assert list(t["count"]) == [2, 2, 3, 1, 2]  # NaN and the declared missing code -9
    assert res.unknown_codes == {"sat": (7.0,)}
    assert list(t["in_codebook"]) == [True, True, True, False, True]
    np.testing.assert_allclose(t["percent"], [20, 20, 30, 10, 20], rtol=RTOL_CLOSED_FORM)
    np.testing.assert_allclose(
        t["valid_percent"].iloc[:4], [25, 25, 37.5, 12.5], rtol=RTOL_CLOSED_FORM
    )
    np.testing.assert_allclose(
        t["cumulative_percent"].iloc[:4], [25, 50, 87.5, 100], rtol=RTOL_CLOSED_FORM
    )
    assert np.isnan(t["valid_percent"].iloc[4])


def test_frequencies_weighted_closed_form():
    d = toy()
    t = frequencies(d, "sat", codebook=CB, weights="w").table
    w, x = d["w"].to_numpy(), d["sat"].to_numpy()
    assert list(t["count"]) == [2, 2, 3, 1, 2]  # counts stay unweighted
    expected = [w[x == 1].sum(), w[x == 2].sum(), w[x == 3].sum(), w[x == 7].sum()]
    np.testing.assert_allclose(t["weighted_count"].iloc[:4], expected, rtol=RTOL_CLOSED_FORM)
    np.testing.assert_allclose(
        t["percent"], 100 * t["weighted_count"] / w.sum(), rtol=RTOL_CLOSED_FORM
    )
    np.testing.assert_allclose(
        t["valid_percent"].iloc[:4], 100 * np.array(expected) / sum(expected), rtol=RTOL_CLOSED_FORM
    )


def test_frequencies_list_zero_count_codes_and_dropna():
    d = toy().assign(sat=[1, 1, 1, 3, 3, 3, 3, 3, 3, np.nan])
    t = frequencies(d, "sat", codebook=CB, dropna=True).table
    assert list(t["option"]) == ["不满意", "一般", "满意"]
    assert list(t["count"]) == [3, 0, 6]
    np.testing.assert_allclose(t["percent"], [100 / 3, 0, 200 / 3], rtol=RTOL_CLOSED_FORM)


def test_frequencies_english_labels():
    t = frequencies(toy(), "sat", codebook=CB, lang="en").table
    assert list(t["option"])[:3] == ["Dissatisfied", "Neutral", "Satisfied"]
    assert t["option"].iloc[-1] == "Missing"
    assert t["label"].iloc[0] == "Satisfaction"


def test_frequencies_does_not_mutate_input():
    d = toy()
    before = d.copy()
    frequencies(d, ["sat", "inc"], codebook=CB, weights="w")
    pd.testing.assert_frame_equal(d, before)


def test_frequencies_invariant_to_row_order():
    d = toy()
    a = frequencies(d, "sat", codebook=CB, weights="w").table
    b = frequencies(
        d.sample(frac=1, random_state=np.random.default_rng(3)), "sat", codebook=CB, weights="w"
    ).table
    np.testing.assert_allclose(a["percent"], b["percent"], rtol=RTOL_CLOSED_FORM)


def test_frequencies_speed_30_variables_26276_rows():
    ds = get_dataset("flex_sentiment")
    d, cb = ds.generate(), ds.codebook()
    assert len(d) == 26_276
    names = [v.name for v in cb if v.type not in ("text", "id", "multiselect")]
    names = (names * 2)[:30]
    frequencies(d, names[:2], codebook=cb)  # warm-up (imports)
    start = time.perf_counter()
    res = frequencies(d, names, codebook=cb)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"frequencies took {elapsed:.2f} s"
    sums = res.table.groupby("variable")["count"].sum()
    assert all(sums[v] == len(d) * names.count(v) for v in set(names))


# ------------------------------------------------------------------ summary / coding text
def test_coding_text_from_codebook():
    cb = get_dataset("platform_workers").codebook()
    assert coding_text(cb["contract"]) == "否=0，是=1"
    life = coding_text(cb["life_sat"])
    assert life.startswith("非常不满意=1，") and life.endswith("=5")
    assert coding_text(cb["age"]) == "单位：岁；取值范围16–60"
    assert coding_text(cb["contract"], "en").count(", ") == 1


def test_summary_closed_form_unweighted_and_weighted():
    d = toy()
    res = summary_table_data(d, ["inc", "sat"], codebook=CB, weights="w").table.set_index(
        "variable"
    )
    x, w = d["inc"].to_numpy(float), d["w"].to_numpy()
    m = (w * x).sum() / w.sum()
    n = x.size
    sd = np.sqrt(n / (n - 1) * (w * (x - m) ** 2).sum() / w.sum())
    assert res.loc["inc", "mean"] == pytest.approx(m, rel=RTOL_CLOSED_FORM)
    assert res.loc["inc", "sd"] == pytest.approx(sd, rel=RTOL_CLOSED_FORM)
    assert res.loc["sat", "n"] == 8  # NaN and the missing code -9 dropped; code 7 kept
    assert res.loc["sat", "max"] == 7
    u = summary_table_data(d, ["inc"], codebook=CB).table.iloc[0]
    assert u["sd"] == pytest.approx(np.std(x, ddof=1), rel=RTOL_CLOSED_FORM)
    assert u["coding"] == "3000元以下=1，3000-5000元=2，5000元以上=3"


def test_summary_refuses_nominal_and_multiselect():
    cb = get_dataset("flex_sentiment").codebook()
    d = get_dataset("flex_sentiment").generate(n=300)
    with pytest.raises(DescribeError, match="not meaningful"):
        summary_table_data(d, ["occupation"], codebook=cb)


# ------------------------------------------------------------------ refusals
def test_unknown_variable_lists_close_matches():
    with pytest.raises(UnknownVariableError, match=r"'sta'.*Close matches: sat"):
        frequencies(toy(), ["sta"], codebook=CB)


def test_unknown_weights_column():
    with pytest.raises(UnknownVariableError, match="weights column 'wt'"):
        frequencies(toy(), ["sat"], codebook=CB, weights="wt")


def test_negative_weights_refused():
    with pytest.raises(DescribeError, match="negative"):
        frequencies(toy().assign(w=-1.0), ["sat"], codebook=CB, weights="w")


def test_all_missing_variable_refused():
    with pytest.raises(DescribeError, match="no non-missing value"):
        frequencies(toy().assign(sat=np.nan), ["sat"], codebook=CB)


def test_group_with_one_level_refused():
    with pytest.raises(DescribeError, match="one observed level"):
        compare_groups(toy().assign(grp=1), ["sat"], "grp", codebook=CB)
    with pytest.raises(DescribeError, match="single observed level"):
        crosstab(toy().assign(grp=1), "sat", "grp", codebook=CB)


def test_invalid_options_refused():
    with pytest.raises(UnsupportedOptionError, match="percent='rows'"):
        crosstab(toy(), "sat", "grp", codebook=CB, percent="rows")  # type: ignore[arg-type]
    with pytest.raises(UnsupportedOptionError, match="test="):
        compare_groups(toy(), ["sat"], "grp", codebook=CB, test="anova")  # type: ignore[arg-type]


def test_t_test_needs_two_groups():
    d = toy().assign(grp=[0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
    cb = Codebook(
        "toy",
        (SAT, Variable("grp", "nominal", "组", codes=(Code(0, "a"), Code(1, "b"), Code(2, "c")))),
    )
    with pytest.raises(DescribeError, match="two groups"):
        compare_groups(d, ["sat"], "grp", codebook=cb, test="welch")


def test_open_band_without_midpoint_refused_and_override():
    with pytest.raises(DescribeError, match=r"no midpoint for band\(s\) 3"):
        midpoint_means(toy(), "inc", codebook=CB)
    res = midpoint_means(toy(), "inc", by="grp", codebook=CB, midpoints={3: 7000})
    assert res.midpoints == {1.0: 1500.0, 2.0: 4000.0, 3.0: 7000.0}
    mid = toy()["inc"].map(res.midpoints)
    m = res.means.set_index("group")["mean"]
    assert m["__all__"] == pytest.approx(mid.mean(), rel=RTOL_CLOSED_FORM)
    assert m[0.0] == pytest.approx(mid[:5].mean(), rel=RTOL_CLOSED_FORM)
    dist = res.distribution[res.distribution["group"] == 1.0]
    np.testing.assert_allclose(dist["percent"], [40, 40, 20], rtol=RTOL_CLOSED_FORM)


# ------------------------------------------------------------------ crosstab closed forms
def test_crosstab_percent_bases():
    d = toy()
    for base, axis in (("row", 1), ("col", 0)):
        t = crosstab(d, "inc", "grp", codebook=CB, percent=base).table  # type: ignore[arg-type]
        grid = t.pivot(index="row_code", columns="col_code", values="percent").to_numpy()
        np.testing.assert_allclose(grid.sum(axis=axis), 100.0, rtol=RTOL_CLOSED_FORM)
    total = crosstab(d, "inc", "grp", codebook=CB, percent="total").table
    assert total["percent"].sum() == pytest.approx(100.0)
    assert total["count"].sum() == 10


# ------------------------------------------------------------------ multi-select base
def test_multiselect_base_excludes_rows_with_every_option_missing():
    res = multiselect(toy(), "why", codebook=CB)
    assert res.base_n == 8 and res.n_not_asked == 2
    t = res.table.set_index("column")
    d = toy().iloc[[0, 1, 2, 4, 5, 6, 7, 9]].fillna(0)
    for col in ("why_1", "why_2", "why_3"):
        assert t.loc[col, "percent"] == pytest.approx(100 * d[col].mean(), rel=RTOL_CLOSED_FORM)
    assert list(t.index) == ["why_1", "why_2", "why_3"]  # sorted by percent, descending
    assert list(t["percent"]) == sorted(t["percent"], reverse=True)


def test_multiselect_weighted_by_group_and_columns_form():
    d = toy()
    res = multiselect(
        d, ["why_1", "why_2", "why_3"], by="grp", codebook=CB, weights="w", sort=False
    )
    t = res.table
    g1 = d.iloc[[5, 6, 7, 9]].fillna(0)
    row = t[(t["group"] == 1.0) & (t["column"] == "why_1")].iloc[0]
    assert row["base_n"] == 4
    assert row["percent"] == pytest.approx(
        100 * (g1["w"] * g1["why_1"]).sum() / g1["w"].sum(), rel=RTOL_CLOSED_FORM
    )
    assert row["option"] == "甲"


def test_multiselect_refusals():
    with pytest.raises(DescribeError, match="other than 0/1"):
        multiselect(toy().assign(why_1=2), "why", codebook=CB)
    with pytest.raises(UnknownVariableError, match="not a multi-select question"):
        multiselect(toy(), "wyh", codebook=CB)


def test_t_test_needs_two_answers_per_group():
    d = toy().assign(grp=[0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    with pytest.raises(DescribeError, match="fewer than two answers"):
        compare_groups(d, ["inc"], "grp", codebook=CB, test="welch")


def test_compare_groups_methods_name_the_computed_test():
    res = compare_groups(toy(), ["inc", "sat"], "grp", codebook=CB, weights="w", test="auto")
    assert list(res.tests["method"]) == [
        "Rao-Scott F (survey::svychisq, statistic='F')",
        "design-based t test (survey::svyttest)",
    ]


def test_midpoint_means_without_groups():
    res = midpoint_means(toy(), "inc", codebook=CB, weights="w", midpoints={3: 7000})
    d = toy()
    mid = d["inc"].map(res.midpoints)
    assert list(res.means["group"]) == ["__all__"]
    assert res.means["mean"].iloc[0] == pytest.approx(
        (mid * d["w"]).sum() / d["w"].sum(), rel=RTOL_CLOSED_FORM
    )
    assert res.distribution["percent"].sum() == pytest.approx(100.0)
