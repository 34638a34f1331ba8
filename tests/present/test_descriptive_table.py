"""Descriptive tables: every cell equals the number of the flexemp.describe result it comes from."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from flexemp.core.errors import UnsupportedOptionError
from flexemp.describe.compare import compare_groups, crosstab
from flexemp.describe.multiselect import multiselect
from flexemp.describe.tables import frequencies, midpoint_means, summary_table_data
from flexemp.present.descriptive_table import (
    comparison_table,
    crosstab_table,
    frequency_table,
    midpoint_table,
    multiselect_table,
    summary_table,
)
from flexemp.synth import get_dataset

DS = get_dataset("internet_flex_finance")
CB = DS.codebook()


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    d = DS.generate(n=800)
    d["w"] = np.random.default_rng(7).uniform(0.5, 2.0, len(d))
    d.loc[d.index[:30], "education"] = np.nan
    return d


def _body(table):
    return [r for r in table.rows if r.kind == "body"]


@pytest.mark.parametrize("weights", [None, "w"])
def test_frequency_table_cells_equal_result(data, weights):
    res = frequencies(data, ["education", "income"], codebook=CB, weights=weights)
    t = frequency_table(res)
    body = _body(t)
    assert len(body) == len(res.table)
    assert [r.label for r in t.rows if r.kind == "section"] == ["受教育水平", "月收入"]
    cols = [
        "count",
        *(["weighted_count"] if weights else []),
        "percent",
        "valid_percent",
        "cumulative_percent",
    ]
    for row, (_, rec) in zip(body, res.table.iterrows(), strict=True):
        assert row.label == rec["option"]
        for cell, col in zip(row.cells, cols, strict=True):
            if pd.isna(rec[col]):
                assert cell.value is None and cell.text == ""
            else:
                assert cell.value == rec[col]
                assert not cell.percent
    assert [r.label for r in body].count("缺失") == 1  # education has 30 missing values
    assert any("N=800" in n for n in t.notes)
    assert ("按权重变量w加权" in t.notes[0]) == (weights is not None)
    assert t.columns[-3:] == ("百分比(%)", "有效百分比(%)", "累积百分比(%)")


def test_frequency_table_english_headers(data):
    t = frequency_table(frequencies(data, ["sex"], codebook=CB, lang="en"), lang="en")
    assert t.columns == ("Frequency", "Percent (%)", "Valid percent (%)", "Cumulative percent (%)")
    assert t.stub_header == "Option"


def test_summary_table_cells_equal_result(data):
    res = summary_table_data(data, ["sex", "education", "income"], codebook=CB, weights="w")
    t = summary_table(res)
    assert t.columns == ("编码说明", "样本量", "均值", "标准差", "最小值", "最大值")
    for row, (_, rec) in zip(t.rows, res.table.iterrows(), strict=True):
        assert row.label == rec["label"]
        assert row.cells[0].text == rec["coding"]
        assert [c.value for c in row.cells[1:]] == [
            rec["n"],
            rec["mean"],
            rec["sd"],
            rec["min"],
            rec["max"],
        ]
    assert "svyvar" in t.notes[0]
    en = summary_table(res, lang="en")
    assert en.rows[0].label == "Sex" and en.rows[0].cells[0].text == res.table.loc[0, "coding_en"]


@pytest.mark.parametrize("weights", [None, "w"])
def test_crosstab_table_cells_equal_result(data, weights):
    res = crosstab(data, "income", "flexible", codebook=CB, weights=weights)
    t = crosstab_table(res)
    assert [g.label for g in t.column_groups] == ["稳定就业", "灵活就业", "合计"]
    assert t.stub_header == "月收入"
    grid = res.table
    for row in _body(t):
        sub = grid[grid["row_label"] == row.label]
        assert [c.value for c in row.cells[0:4:2]] == list(sub["count"])
        assert [c.value for c in row.cells[1:4:2]] == list(sub["percent"])
        assert row.cells[4].value == sub["count"].sum()
    total = t.rows[-1]
    assert total.kind == "stat" and total.cells[4].value == res.table["count"].sum()
    assert f"{res.test.statistic:.3f}" in t.notes[0]
    assert t.meta["test"]["p_value"] == res.test.p_value


def test_comparison_table_cells_equal_result(data):
    res = compare_groups(data, ["sex", "income_stability"], "flexible", codebook=CB, weights="w")
    t = comparison_table(res)
    assert t.columns == ("稳定就业", "灵活就业", "检验统计量", "p值")
    sex = res.rows[res.rows["variable"] == "sex"]
    first = _body(t)[0]
    assert first.label == sex["option"].iloc[0]
    assert [c.value for c in first.cells[:2]] == list(
        sex[sex["code"] == sex["code"].iloc[0]]["estimate"]
    )
    tests = res.tests.set_index("variable")
    assert first.cells[2].value == tests.loc["sex", "statistic"]
    assert first.cells[3].value == tests.loc["sex", "p_value"]
    num = _body(t)[-1]
    stab = res.rows[res.rows["variable"] == "income_stability"]
    assert [c.value for c in num.cells[:2]] == list(stab["estimate"])
    p = tests.loc["income_stability", "p_value"]
    assert num.cells[3].text == ("<0.001" if p < 0.001 else f"{p:.3f}")


def test_midpoint_table_cells_equal_result(data):
    res = midpoint_means(data, "income", by="flexible", codebook=CB, weights="w")
    t = midpoint_table(res)
    assert t.columns[-2:] == ("区间中值均值", "样本量")
    means = res.means.set_index("group_label")
    for row in t.rows:
        dist = res.distribution[res.distribution["group_label"] == row.label]
        assert [c.value for c in row.cells[:-2]] == list(dist["percent"])
        assert row.cells[-2].value == means.loc[row.label, "mean"]
        assert row.cells[-1].value == means.loc[row.label, "n"]
    assert t.rows[-1].label == "合计" and t.rows[-1].kind == "stat"
    assert "低于3000元=1500" in t.notes[0]


def test_multiselect_table_cells_equal_result(data):
    res = multiselect(data, "hop_reasons", by="flexible", codebook=CB, weights="w")
    t = multiselect_table(res)
    assert t.columns == ("稳定就业(%)", "灵活就业(%)", "合计(%)")
    overall = res.table[res.table["group"] == "__all__"]
    assert [r.label for r in _body(t)] == list(overall["option"])
    for row, (_, rec) in zip(_body(t), overall.iterrows(), strict=True):
        assert row.cells[2].value == rec["percent"]
    base = t.rows[-1]
    assert base.label == "样本量（基数）"
    assert base.cells[2].value == res.base_n
    assert f"{res.base_n:,}" in t.notes[0]


def test_invalid_language_refused(data):
    with pytest.raises(UnsupportedOptionError, match="lang='fr'"):
        frequency_table(frequencies(data, ["sex"], codebook=CB), lang="fr")  # type: ignore[arg-type]
