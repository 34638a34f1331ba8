"""Chart builders: values land where they belong, and bad tables are refused with a clear message."""

from __future__ import annotations

import pandas as pd
import pytest

from flexemp.core.errors import ChartInputError
from flexemp.present.charts import (
    coefficient_chart,
    distribution_chart,
    index_chart,
    multiselect_chart,
    render_html,
    sample_vs_census_chart,
)


def _coefs(terms, est):
    return pd.DataFrame(
        {
            "term": terms,
            "estimate": est,
            "conf_low": [e - 0.1 for e in est],
            "conf_high": [e + 0.1 for e in est],
        }
    )


def test_distribution_rows_are_categories_columns_are_series():
    t = pd.DataFrame({"男": [0.2, 0.5, 0.3], "女": [0.4, 0.4, 0.2]}, index=["初中", "高中", "大学"])
    c = distribution_chart(t, title="学历")
    assert c.kind == "bar" and c.percent
    assert c.categories == ("初中", "高中", "大学")
    assert [(s.name, s.values) for s in c.series] == [
        ("男", (0.2, 0.5, 0.3)),
        ("女", (0.4, 0.4, 0.2)),
    ]


def test_percentages_are_refused():
    with pytest.raises(ChartInputError, match="divide percentages by 100"):
        distribution_chart(pd.DataFrame({"a": [20.0, 80.0]}), title="x")
    with pytest.raises(ChartInputError, match="census_shares"):
        sample_vs_census_chart([0.5, 0.5], [50, 50], ["a", "b"], title="x")
    with pytest.raises(ChartInputError, match="same length"):
        sample_vs_census_chart([0.5, 0.5], [0.5, 0.5], ["a"], title="x")


def test_sample_vs_census_names():
    c = sample_vs_census_chart(pd.Series([0.6, 0.4]), [0.5, 0.5], ["城镇", "农村"], title="户籍")
    assert [s.name for s in c.series] == ["样本", "普查"]
    assert c.series[0].values == (0.6, 0.4)
    c = sample_vs_census_chart(
        [0.6, 0.4], [0.5, 0.5], ["a", "b"], title="t", names=("S", "第七次人口普查")
    )
    assert c.series[1].name == "第七次人口普查"


def test_multiselect_keeps_or_sorts_order():
    c = multiselect_chart(["外卖", "网约车", "快递"], [0.2, 0.5, 0.3], title="平台")
    assert c.categories == ("外卖", "网约车", "快递") and c.kind == "hbar"
    s = multiselect_chart(
        ["外卖", "网约车", "快递", "其他"], [0.2, 0.5, 0.2, None], title="平台", sort=True
    )
    assert s.categories == ("网约车", "外卖", "快递", "其他")  # stable for ties, missing last
    assert s.series[0].values == (0.5, 0.2, 0.2, None)
    with pytest.raises(ChartInputError, match="same length"):
        multiselect_chart(["a"], [0.1, 0.2], title="x")


def test_coefficient_chart_one_and_several_models():
    m1 = _coefs(["Intercept", "contract", "age"], [1.0, 0.2, 0.01])
    c = coefficient_chart(m1, labels={"contract": "劳动合同"}, title="系数")
    assert c.categories == ("劳动合同", "age")
    assert c.series[0].values == (0.2, 0.01)
    assert c.series[0].low == pytest.approx((0.1, -0.09))
    assert c.reference == 0.0 and c.x_label == "估计值（95% 置信区间）"

    class Result:  # anything with a tidy .coefficients table, like EstimationResult
        coefficients = _coefs(["contract"], [0.3])

    c2 = coefficient_chart(
        {"OLS": m1, "Logit": Result()}, ["age", "contract"], ["年龄", "劳动合同"], title="t"
    )
    assert [s.name for s in c2.series] == ["OLS", "Logit"]
    assert c2.series[1].values == (None, 0.3)  # age is not in the second model: no point
    html = render_html(c2)
    assert html.count('class="fx-mark"') == 3


def test_coefficient_chart_refusals():
    m = _coefs(["a", "b"], [0.1, 0.2])
    with pytest.raises(ChartInputError, match=r"\['zz'\] are in no model"):
        coefficient_chart(m, ["a", "zz"], title="t")
    with pytest.raises(ChartInputError, match="conf_high"):
        coefficient_chart(m.drop(columns="conf_high"), title="t")
    with pytest.raises(ChartInputError, match="labels"):
        coefficient_chart(m, ["a", "b"], ["only one"], title="t")
    with pytest.raises(ChartInputError, match="repeat"):
        coefficient_chart(pd.concat([m, m]), title="t")
    with pytest.raises(ChartInputError, match="DataFrame"):
        coefficient_chart([1, 2], title="t")


def test_index_chart_groups_and_waves_in_order():
    f = pd.DataFrame(
        {
            "wave": ["2024Q2", "2024Q1", "2024Q2", "2024Q1"],
            "grp": ["骑手", "骑手", "司机", "司机"],
            "index": [52.0, 48.0, 55.0, 51.0],
            "conf_low": [50.0, 46.0, 53.0, 49.0],
            "conf_high": [54.0, 50.0, 57.0, 53.0],
        }
    )
    c = index_chart(f, title="指数", group="grp")
    assert c.categories == ("2024Q2", "2024Q1")  # order of first appearance
    assert [s.name for s in c.series] == ["骑手", "司机"]
    assert c.series[1].values == (55.0, 51.0) and c.series[1].low == (53.0, 49.0)
    assert c.reference == 50.0 and c.kind == "line"
    no_ci = index_chart(f[f.grp == "骑手"], title="t", conf_low=None, conf_high=None, lang="en")
    assert no_ci.series[0].low is None and no_ci.series[0].name == "All"


def test_index_chart_refusals():
    f = pd.DataFrame(
        {"wave": ["a", "a"], "index": [50.0, 51.0], "conf_low": [1, 1], "conf_high": [2, 2]}
    )
    with pytest.raises(ChartInputError, match="group="):
        index_chart(f, title="t")
    with pytest.raises(ChartInputError, match="not found"):
        index_chart(f.drop(columns="conf_low"), title="t")
