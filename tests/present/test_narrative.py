"""Narrative templates: every sign × significance level × language, thresholds, ties, refusals, determinism.

Expected fragments are derived from the inputs in each test (f-strings), so a
change of format rule shows up as a failure here and in docs/narrative.md.
"""

from __future__ import annotations

import doctest
import math
import re
from pathlib import Path

import numpy as np
import pytest

from flexemp.core.errors import FlexempError, UnsupportedOptionError
from flexemp.present import narrative, narrative_common, narrative_describe
from flexemp.present.narrative import (
    NarrativeInputError,
    coefficient_sentence,
    comparison_sentence,
    distribution_sentence,
    index_sentence,
    mean_sentence,
    regression_paragraph,
    share_sentence,
)

ROOT = Path(__file__).resolve().parents[2]
STARS = (0.10, 0.05, 0.01)
P_VALUES = [0.001, 0.03, 0.07, 0.2, 0.01, 0.05, 0.10]
ESTIMATES = [0.1234, -0.0567, 0.0]


def expected_level(p: float) -> float | None:
    """Closed form of the rule: the smallest level a with p < a (strict)."""
    passed = [a for a in STARS if p < a]
    return min(passed) if passed else None


def pct_text(level: float) -> str:
    return f"{round(level * 100)}%"


# ---------------------------------------------------------------- coefficient_sentence


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("p", P_VALUES)
@pytest.mark.parametrize("b", ESTIMATES)
def test_coefficient_sentence_matrix(b, p, lang):
    label, outcome = ("劳动合同", "生活满意度") if lang == "zh" else ("labour contract", "life satisfaction")
    text = coefficient_sentence(label, b, p, outcome=outcome, lang=lang)
    level = expected_level(p)
    assert f"{b:.3f}".replace("-0.000", "0.000") in text
    assert "nan" not in text.lower()
    if lang == "zh":
        assert text.startswith(f"{label}的系数为")
        assert text.endswith("。")
        assert not re.search(r"[\u4e00-\u9fff] | [\u4e00-\u9fff\d]", text), "no space next to Chinese"
        assert not any(ch in text for ch in ",;:()"), "Chinese text uses full-width punctuation"
        if level is None:
            assert "未通过显著性检验" in text
            assert "显著为" not in text
            assert f"没有证据表明{label}对{outcome}有显著影响" in text
        else:
            assert f"在{pct_text(level)}的统计水平上显著" in text
            if b > 0:
                assert "显著为正" in text and f"对{outcome}有显著的正向影响" in text
            elif b < 0:
                assert "显著为负" in text and f"对{outcome}有显著的负向影响" in text
            else:
                assert "显著为" not in text and "无法判断影响方向" in text
        for other in STARS:
            if other != level:
                assert f"在{pct_text(other)}的统计水平" not in text
    else:
        assert text.startswith(f"The coefficient on {label} is ")
        assert text.endswith(".")
        if level is None:
            assert "not statistically significant" in text
            assert "significant at" not in text
            assert "positive" not in text and "negative" not in text
        else:
            assert f"significant at the {pct_text(level)} level" in text
            if b > 0:
                assert "significant positive association" in text
            elif b < 0:
                assert "significant negative association" in text
            else:
                assert "cannot be determined" in text


@pytest.mark.parametrize(("p", "level"), [(0.01, 0.05), (0.05, 0.10), (0.10, None), (0.0099999, 0.01)])
def test_boundaries_are_strict(p, level):
    zh = coefficient_sentence("教育", 0.2, p, lang="zh")
    en = coefficient_sentence("education", 0.2, p, lang="en")
    if level is None:
        assert "未通过显著性检验" in zh and "not statistically significant" in en
    else:
        assert f"在{pct_text(level)}的统计水平上显著为正" in zh
        assert f"significant at the {pct_text(level)} level" in en


def test_without_outcome_only_states_sign():
    b, p = 0.345, 0.02
    assert coefficient_sentence("技能指导", b, p) == f"技能指导的系数为{b:.3f}，在5%的统计水平上显著为正。"
    assert coefficient_sentence("技能指导", b, 0.5) == f"技能指导的系数为{b:.3f}，未通过显著性检验。"
    assert coefficient_sentence("skill guidance", -b, p, lang="en").endswith("with a negative sign.")


def test_custom_stars_and_level_text():
    text = coefficient_sentence("x", 1.0, 0.0005, stars=(0.05, 0.01, 0.001))
    assert "在0.1%的统计水平上显著为正" in text


def test_small_coefficient_is_not_shown_as_zero():
    b = 0.000412
    text = coefficient_sentence("x", b, 0.001)
    assert "0.000412" in text and "显著为正" in text
    assert "-0.000" not in coefficient_sentence("x", -0.0, 0.5)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("b", [0.3, -0.3])
def test_odds_ratio_for_logit(b, lang):
    orr = math.exp(b)
    change = f"{abs(orr - 1) * 100:.2f}%"
    text = coefficient_sentence("培训", b, 0.001, outcome="参保", model="logit", odds_ratio=orr, lang=lang)
    assert text.count(f"{orr:.2f}") == 1 and change in text
    if lang == "zh":
        assert f"优势比为{orr:.2f}" in text
        assert ("提高" if b > 0 else "降低") + change in text
    else:
        assert ("raises" if b > 0 else "lowers") in text and f"by {change}" in text
    # rounded odds ratio (2 decimals) is accepted
    coefficient_sentence("培训", b, 0.001, model="logit", odds_ratio=round(orr, 2))


def test_odds_ratio_not_interpreted_when_insignificant():
    text = coefficient_sentence("培训", 0.3, 0.4, outcome="参保", model="logit", odds_ratio=math.exp(0.3))
    assert f"优势比为{math.exp(0.3):.2f}" in text
    assert "提高" not in text and "显著为" not in text


def test_odds_ratio_refusals():
    with pytest.raises(NarrativeInputError, match="exp\\(estimate\\)"):
        coefficient_sentence("x", 0.3, 0.01, model="logit", odds_ratio=1.5)
    with pytest.raises(NarrativeInputError, match="model='logit'"):
        coefficient_sentence("x", 0.3, 0.01, model="probit", odds_ratio=math.exp(0.3))
    with pytest.raises(NarrativeInputError, match="model='logit'"):
        coefficient_sentence("x", 0.3, 0.01, odds_ratio=math.exp(0.3))
    with pytest.raises(UnsupportedOptionError, match="probit"):
        coefficient_sentence("x", 0.3, 0.01, model="probitt")


# ---------------------------------------------------------------- NaN and option refusals


@pytest.mark.parametrize("bad", [float("nan"), None, float("inf"), np.nan, "0.1"])
def test_nan_and_none_raise(bad):
    calls = [
        lambda: coefficient_sentence("x", bad, 0.01),
        lambda: coefficient_sentence("x", 0.1, bad),
        lambda: regression_paragraph([("x", bad, 0.01)], outcome="y"),
        lambda: share_sentence("男性", bad),
        lambda: distribution_sentence("q", [("a", bad)]),
        lambda: comparison_sentence("v", "A", bad, "B", 0.2, 0.01),
        lambda: comparison_sentence("v", "A", 0.1, "B", 0.2, bad),
        lambda: index_sentence("指数", bad, 40, 60),
        lambda: index_sentence("指数", 50, bad, 60),
        lambda: mean_sentence("x", bad, 1.0),
        lambda: mean_sentence("x", 1.0, bad),
    ]
    if bad is not None:  # previous=None means "no previous wave", a valid call
        calls.append(lambda: index_sentence("指数", 50, 40, 60, previous=bad))
        calls.append(lambda: index_sentence("指数", 50, 40, 60, previous=40, change_low=bad, change_high=12))
    for call in calls:
        with pytest.raises(NarrativeInputError) as info:
            call()
        assert isinstance(info.value, ValueError) and isinstance(info.value, FlexempError)
        assert "missing" in str(info.value) or "finite" in str(info.value)


def test_out_of_range_and_option_refusals():
    with pytest.raises(NarrativeInputError, match=r"\[0, 1\]"):
        coefficient_sentence("x", 0.1, 1.5)
    with pytest.raises(NarrativeInputError, match="proportions"):
        share_sentence("男性", 69)
    with pytest.raises(UnsupportedOptionError, match="'zh'"):
        share_sentence("男性", 0.69, lang="cn")
    with pytest.raises(UnsupportedOptionError, match="stars"):  # the tables' rule and error (present.stars)
        coefficient_sentence("x", 0.1, 0.01, stars=(0.1, 1.2))
    with pytest.raises(NarrativeInputError, match="non-empty"):
        coefficient_sentence("", 0.1, 0.01)


def test_numpy_scalars_are_accepted():
    text = coefficient_sentence("x", np.float32(0.25), np.float64(0.02))
    assert "0.250" in text and "5%" in text


# ---------------------------------------------------------------- regression_paragraph


def test_regression_paragraph_groups_by_sign_zh():
    rows = [("劳动合同", 0.12, 0.003), ("性别", -0.05, 0.04), ("入职培训", 0.08, 0.03),
            ("年龄", 0.001, 0.6), ("教育", -0.02, 0.10)]
    text = regression_paragraph(rows, outcome="生活满意度")
    pos = [r for r in rows if r[1] > 0 and expected_level(r[2])]
    pos_levels = "、".join(pct_text(expected_level(r[2])) for r in pos)
    assert f"{'、'.join(r[0] for r in pos)}的系数分别在{pos_levels}的统计水平上显著为正" in text
    assert "性别的系数在5%的统计水平上显著为负，说明性别对生活满意度有显著的负向影响" in text
    rest = [r[0] for r in rows if expected_level(r[2]) is None]
    assert text.endswith(f"其余变量（{'、'.join(rest)}）未通过显著性检验。")
    assert text.index("显著为正") < text.index("显著为负") < text.index("其余变量")
    short = regression_paragraph(rows, outcome="生活满意度", list_insignificant=False)
    assert short.endswith("其余变量未通过显著性检验。")


def test_regression_paragraph_same_level_and_edge_groups():
    rows = [("A", 0.3, 0.001), ("B", 0.2, 0.002)]
    assert "A、B的系数均在1%的统计水平上显著为正" in regression_paragraph(rows, outcome="Y")
    assert "其余" not in regression_paragraph(rows, outcome="Y")
    none = regression_paragraph([("A", 0.3, 0.5), ("B", -0.2, 0.3)], outcome="Y")
    assert none == "各变量（A、B）均未通过显著性检验，没有证据表明其对Y有显著影响。"
    assert "显著为" not in none
    en = regression_paragraph([("A", 0.3, 0.5), ("B", -0.2, 0.3)], outcome="Y", lang="en")
    assert "significant at" not in en and en.startswith("None of the variables (A and B)")


def test_regression_paragraph_en():
    rows = [("contract", 0.12, 0.003), ("training", 0.08, 0.03), ("sex", -0.05, 0.04), ("age", 0.0, 0.6)]
    text = regression_paragraph(rows, outcome="life satisfaction", lang="en")
    assert text.startswith("The coefficients on contract and training are positive and significant "
                           "at the 1% and 5% levels respectively")
    assert "the coefficient on sex is negative and significant at the 5% level" in text
    assert text.endswith("the remaining variables (age) are not statistically significant.")


def test_regression_paragraph_refusals():
    with pytest.raises(NarrativeInputError, match="empty"):
        regression_paragraph([], outcome="Y")
    with pytest.raises(NarrativeInputError, match="duplicated"):
        regression_paragraph([("A", 1, 0.01), ("A", 2, 0.02)], outcome="Y")


# ---------------------------------------------------------------- share and distribution


@pytest.mark.parametrize("share", [0.69, 0.0, 1.0, 0.123456])
def test_share_sentence(share):
    assert share_sentence("男性", share) == f"样本中男性占{share * 100:.2f}%。"
    assert share_sentence("男性", share, of="骑手") == f"骑手中男性占{share * 100:.2f}%。"
    assert f"{share * 100:.2f}% of the sample" in share_sentence("men", share, lang="en")


@pytest.mark.parametrize(
    ("top", "phrase"),
    [(0.59, "超过5成的样本为“甲”"), (0.51, "超过5成的样本为“甲”"), (0.70, "超过6成的样本为“甲”"),
     (0.7000001, "超过7成的样本为“甲”"), (0.95, "超过9成的样本为“甲”"), (0.50, "最多的是“甲”"),
     (0.45, "最多的是“甲”"), (1.0, "全部样本为“甲”")],
)
def test_distribution_majority_threshold(top, phrase):
    rest = 1.0 - top
    options = [("甲", top)] + ([("乙", rest * 0.6), ("丙", rest * 0.4)] if rest > 0 else [])
    text = distribution_sentence("问题", options)
    assert phrase in text
    assert f"占{top * 100:.2f}%" in text
    if top <= 0.5:
        assert "成的样本" not in text
    if rest > 0:
        assert f"其次是“乙”，占{rest * 0.6 * 100:.2f}%" in text
    en = distribution_sentence("Q", options, lang="en")
    if 0.5 < top < 1:
        k = max(k for k in range(5, 10) if top > k / 10)
        assert f"more than {k * 10}% of respondents" in en
    else:
        assert "more than" not in en


def test_distribution_ties():
    text = distribution_sentence("渠道", [("甲", 0.3), ("乙", 0.3), ("丙", 0.2), ("丁", 0.2)])
    assert text == "从渠道分布来看，“甲”和“乙”并列最多，均占30.00%；其次是“丙”和“丁”，均占20.00%。"
    en = distribution_sentence("channel", [("a", 0.5), ("b", 0.5)], lang="en")
    assert '"a" and "b" are tied' in en and "more than" not in en
    # equal as displayed (0.01 percentage point) counts as a tie; input order kept
    near = distribution_sentence("q", [("乙", 0.400001), ("甲", 0.400002), ("丙", 0.1)])
    assert "“乙”和“甲”并列最多" in near


def test_distribution_multiselect_and_sum_check():
    opts = [("线上招聘平台", 0.62), ("熟人介绍", 0.55), ("劳务市场", 0.3)]
    with pytest.raises(NarrativeInputError, match="multiple=True"):
        distribution_sentence("找工作渠道", opts)
    text = distribution_sentence("找工作渠道", opts, multiple=True)
    assert "超过6成的样本选择了“线上招聘平台”" in text
    with pytest.raises(NarrativeInputError, match="duplicated"):
        distribution_sentence("q", [("a", 0.2), ("a", 0.3)])
    with pytest.raises(NarrativeInputError, match="empty"):
        distribution_sentence("q", [])


# ---------------------------------------------------------------- comparison


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("a", "b"), [(0.382, 0.251), (0.251, 0.382)])
@pytest.mark.parametrize("p", [0.003, 0.2])
def test_comparison_directions(a, b, p, lang):
    text = comparison_sentence("有房贷", "灵活就业者", a, "稳定就业者", b, p, lang=lang)
    gap = f"{abs(a - b) * 100:.2f}"
    level = expected_level(p)
    assert f"{a * 100:.2f}%" in text and f"{b * 100:.2f}%" in text and gap in text
    if lang == "zh":
        assert ("高于" if a > b else "低于") + f"稳定就业者（{b * 100:.2f}%），相差{gap}个百分点" in text
        if level is None:
            assert text.endswith("差异未通过显著性检验。") and "显著为" not in text
        else:
            assert text.endswith(f"差异在{pct_text(level)}的统计水平上显著。")
    else:
        assert ("higher" if a > b else "lower") + f" than 稳定就业者 ({b * 100:.2f}%) by {gap} percentage points" in text
        if level is None:
            assert "significant at" not in text and "not statistically significant" in text


def test_comparison_equal_values_and_units():
    eq = comparison_sentence("有房贷", "A", 0.25, "B", 0.25, 0.8)
    assert "与B相同" in eq and "高于" not in eq and "低于" not in eq
    near = comparison_sentence("有房贷", "A", 0.250001, "B", 0.25, 0.8)
    assert "基本持平" in near and "高于" not in near
    with pytest.raises(NarrativeInputError, match="is significant"):
        comparison_sentence("有房贷", "A", 0.25, "B", 0.25, 0.001)
    money = comparison_sentence("月收入", "A", 6500.0, "B", 5200.5, 0.02, unit="元", decimals=1)
    assert money == f"A的月收入为{6500:.1f}元，高于B（{5200.5:.1f}元），相差{6500 - 5200.5:.1f}元，差异在5%的统计水平上显著。"


# ---------------------------------------------------------------- index


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    ("x", "lo", "hi"),
    [(48.6, 46.9, 50.3), (47.0, 45.2, 48.8), (52.4, 49.5, 55.3), (61.7, 60.1, 63.3), (50.0, 48.0, 52.0)],
)
def test_index_against_the_50_line(x, lo, hi, lang):
    text = index_sentence("就业景气指数", x, lo, hi, lang=lang)
    excludes = lo > 50 or hi < 50
    assert f"{x:.1f}" in text and f"{lo:.1f}–{hi:.1f}" in text
    if lang == "zh":
        side = "位于50荣枯线上" if x == 50 else ("高于" if x > 50 else "低于") + "50荣枯线"
        assert side in text
        if excludes:
            assert "与50的差异显著" in text and ("扩张" if x > 50 else "收缩") in text
        else:
            assert "与50的差异不显著" in text and "区间，" not in text
    else:
        if excludes:
            assert "significantly different from 50" in text and "not significantly" not in text
        else:
            assert "not significantly different from 50" in text
            assert "expansion" not in text and "contraction" not in text


def test_index_boundary_is_strict():
    assert "差异不显著" in index_sentence("指数", 52.0, 50.0, 54.0)
    assert "差异显著" in index_sentence("指数", 52.0, 50.0001, 54.0)


@pytest.mark.parametrize(("prev", "lo", "hi"), [(46.5, 0.3, 3.9), (46.5, -0.5, 4.7), (50.7, -3.9, -0.3)])
def test_index_change(prev, lo, hi):
    x = 48.6
    change = x - prev
    text = index_sentence("就业景气指数", x, 46.9, 50.3, previous=prev, change_low=lo, change_high=hi)
    word = "上升" if change > 0 else "下降"
    assert f"较上季度{word}{abs(change):.1f}个点" in text
    assert f"{lo:.1f}至{hi:.1f}" in text
    assert ("变化显著" if (lo > 0 or hi < 0) else "变化不显著") in text
    plain = index_sentence("就业景气指数", x, 46.9, 50.3, previous=prev, previous_label="一季度末")
    assert f"较一季度末{word}{abs(change):.1f}个点" in plain and "变化" not in plain
    en = index_sentence("employment index", x, 46.9, 50.3, previous=prev, lang="en")
    assert f"{'up' if change > 0 else 'down'} {abs(change):.1f} points from the previous quarter" in en


def test_index_percent_unit_as_in_seed_004():
    text = index_sentence("就业景气指数", 61.7, 60.1, 63.3, previous=49.8, unit="%")
    assert "就业景气指数为61.7%" in text and "高于50%荣枯线" in text
    assert f"上升{61.7 - 49.8:.1f}个百分点" in text


def test_index_refusals():
    with pytest.raises(NarrativeInputError, match="does not contain"):
        index_sentence("指数", 45.0, 46.0, 50.0)
    with pytest.raises(NarrativeInputError, match="0-100"):
        index_sentence("指数", 145.0, 140.0, 150.0)
    with pytest.raises(NarrativeInputError, match="previous"):
        index_sentence("指数", 45.0, 44.0, 46.0, change_low=0.1, change_high=0.2)
    with pytest.raises(NarrativeInputError, match="both"):
        index_sentence("指数", 45.0, 44.0, 46.0, previous=40, change_low=0.1)
    with pytest.raises(NarrativeInputError, match="does not contain the change"):
        index_sentence("指数", 45.0, 44.0, 46.0, previous=40, change_low=0.1, change_high=0.2)


# ---------------------------------------------------------------- mean


def test_mean_sentence():
    m, s = 3.853, 0.921
    assert mean_sentence("生活满意度", m, s) == f"生活满意度的均值为{m:.2f}，标准差为{s:.2f}。"
    assert f"(SD {s:.3f}; 1-5)" in mean_sentence("x", m, s, "1-5", decimals=3, lang="en")
    with pytest.raises(NarrativeInputError, match="sd"):
        mean_sentence("x", 1.0, -0.1)


# ---------------------------------------------------------------- determinism and docs


def test_determinism():
    def everything() -> list[str]:
        return [
            coefficient_sentence("劳动合同", 0.1234, 0.004, outcome="生活满意度"),
            regression_paragraph([("A", 0.1, 0.01), ("B", -0.2, 0.2)], outcome="Y", lang="en"),
            distribution_sentence("q", {"a": 0.3, "b": 0.3, "c": 0.4}),
            comparison_sentence("v", "A", 0.3, "B", 0.2, 0.04),
            index_sentence("指数", 48.6, 46.9, 50.3, previous=46.5),
            mean_sentence("x", 1.0, 0.5),
        ]

    first = everything()
    assert everything() == first
    assert distribution_sentence("q", {"b": 0.3, "a": 0.3}) != distribution_sentence("q", {"a": 0.3, "b": 0.3})


@pytest.mark.parametrize("module", [narrative, narrative_common, narrative_describe])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_docs_examples_run():
    result = doctest.testfile(str(ROOT / "docs" / "narrative.md"), module_relative=False)
    assert result.attempted > 0 and result.failed == 0
