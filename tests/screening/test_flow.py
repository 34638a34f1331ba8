"""The sample flow: sequential counts, every row accounted for, nothing deleted or mutated."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flexemp.codebook import parse_codebook
from flexemp.core.errors import ScreeningError, UnsupportedOptionError
from flexemp.core.types import SampleFlowStep
from flexemp.screening import ScreeningResult, load_rules, screen

NAN = float("nan")

CB = parse_codebook(
    {
        "dataset": "flow_test",
        "variables": [
            {"name": "rid", "type": "id", "label_zh": "编号"},
            {"name": "phone", "type": "text", "label_zh": "手机号"},
            {"name": "age", "type": "continuous", "label_zh": "年龄"},
            {"name": "hukou", "type": "nominal", "label_zh": "户口", "codes": {1: "农业户口", 2: "非农业户口"}},
            {"name": "platform", "type": "binary", "label_zh": "平台就业", "codes": {0: "否", 1: "是"}},
            {"name": "weishang", "type": "binary", "label_zh": "微商自主创业", "codes": {0: "否", 1: "是"}},
            {"name": "sat", "type": "ordinal", "label_zh": "满意度", "codes": {1: "不满意", 2: "一般", 3: "满意"}},
            {"name": "duration", "type": "continuous", "label_zh": "答题时长"},
            *({"name": f"q{i}", "type": "ordinal", "label_zh": f"题{i}", "codes": {1: "1", 2: "2", 3: "3"}}
              for i in range(1, 4)),
        ],
    }
)

RULES = """\
rules:
  - name: 16岁及以上
    keep: "age >= 16"
  - name: 满意度无缺失
    complete: [sat]
"""


def small() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "_row": [1, 2, 3, 4, 5],
            "age": [30.0, 15.0, 40.0, 12.0, 55.0],
            "sat": [1.0, 2.0, NAN, 3.0, 2.0],
        },
        index=[10, 11, 12, 13, 14],
    )


def test_sequential_flow_and_flags():
    data = small()
    res = screen(data, CB, RULES)
    assert isinstance(res, ScreeningResult)
    assert res.flow == (
        SampleFlowStep(1, "16岁及以上", 5, 2, 3),
        SampleFlowStep(2, "满意度无缺失", 3, 1, 2),
    )
    assert res.n_start == 5 and res.n_final == 2
    assert res.kept.index.equals(data.index)
    assert res.kept.tolist() == [True, False, False, False, True]
    assert res.excluded_by.index.equals(data.index)
    assert res.excluded_by.isna().tolist() == [True, False, False, False, True]
    assert res.excluded_by.dropna().tolist() == ["16岁及以上", "满意度无缺失", "16岁及以上"]
    ex = res.excluded_rows()
    assert list(ex.columns) == ["_row", "step", "rule"]
    assert ex.to_dict("list") == {"_row": [2, 3, 4], "step": [1, 2, 1], "rule": ["16岁及以上", "满意度无缺失", "16岁及以上"]}


def test_row_with_two_faults_counted_once_at_first_rule():
    data = small().assign(sat=[1.0, NAN, NAN, 3.0, 2.0])  # row 2 is under 16 and has no answer
    res = screen(data, CB, RULES)
    assert [(s.n_excluded, s.n_after) for s in res.flow] == [(2, 3), (1, 2)]


def test_to_dict_and_table():
    res = screen(small(), CB, RULES)
    assert res.to_dict() == {
        "n_start": 5,
        "n_final": 2,
        "steps": [
            {"step": 1, "rule": "16岁及以上", "n_before": 5, "n_excluded": 2, "n_after": 3},
            {"step": 2, "rule": "满意度无缺失", "n_before": 3, "n_excluded": 1, "n_after": 2},
        ],
        "undecided": {"16岁及以上": 0, "满意度无缺失": 0},
    }
    zh = res.table()
    assert list(zh.columns) == ["步骤", "规则", "筛选前", "剔除", "筛选后"]
    assert zh.values.tolist() == [[1, "16岁及以上", 5, 2, 3], [2, "满意度无缺失", 3, 1, 2]]
    assert list(res.table("en").columns) == ["Step", "Rule", "Before", "Excluded", "After"]
    with pytest.raises(UnsupportedOptionError, match="lang='fr'"):
        res.table("fr")


def test_undecided_recorded_for_keep_and_drop():
    data = small().assign(age=[30.0, NAN, 40.0, NAN, 55.0])
    rules = [{"name": "保留", "keep": "age >= 16"}]
    assert screen(data, CB, rules).to_dict()["undecided"] == {"保留": 2}
    assert screen(data, CB, rules).n_final == 3  # unknown rows are not kept
    drop = screen(data, CB, [{"name": "剔除", "drop": "age < 16"}])
    assert drop.n_final == 5 and drop.undecided == (2,)  # unknown rows are not dropped


def test_input_frame_unchanged():
    data = pd.DataFrame(
        {
            "_row": [3, 1, 2, 4],
            "rid": ["a", "b", "c", "d"],
            "phone": pd.array(["x", "x", None, "y"], dtype="string"),
            "age": [20.0, 30.0, 15.0, 40.0],
            "hukou": [1.0, 2.0, 1.0, 1.0],
            "q1": [1.0, 1.0, 2.0, 3.0],
            "q2": [1.0, 2.0, 2.0, 3.0],
            "q3": [1.0, 3.0, 2.0, 3.0],
        }
    )
    before = data.copy(deep=True)
    rules = [
        {"name": "a", "keep": "age >= 16 and hukou == '农业户口'"},
        {"name": "b", "straightlining": {"items": ["q1", "q2", "q3"]}},
        {"name": "c", "duplicates": {"columns": ["phone"]}},
    ]
    res = screen(data, CB, rules)
    pd.testing.assert_frame_equal(data, before)
    assert res.excluded_rows().to_dict("list") == {"_row": [1, 2, 3, 4], "step": [1, 1, 2, 2], "rule": ["a", "a", "b", "b"]}


def test_duplicates_see_only_rows_still_in_the_sample():
    """The first occurrence may have been excluded earlier: then the next one is kept."""
    data = pd.DataFrame({"_row": [1, 2, 3], "age": [12.0, 30.0, 40.0],
                         "phone": pd.array(["p", "p", "p"], dtype="string")})
    res = screen(data, CB, [{"name": "年龄", "keep": "age >= 16"}, {"name": "重复", "duplicates": {"columns": ["phone"]}}])
    assert res.excluded_rows()["_row"].tolist() == [1, 3]
    assert res.excluded_rows()["rule"].tolist() == ["年龄", "重复"]


def test_seed_004_under_16s():
    """Seed 004: 26,276 questionnaires, 26,252 after dropping those under 16 (so 24 under 16)."""
    rng = np.random.default_rng(4)
    n, young = 26_276, 24
    age = rng.integers(16, 80, size=n).astype(float)
    age[rng.choice(n, size=young, replace=False)] = rng.integers(10, 16, size=young)
    data = pd.DataFrame({"_row": np.arange(1, n + 1), "age": age})
    res = screen(data, CB, [{"name": "剔除16岁以下", "drop": "age < 16"}])
    assert res.to_dict()["steps"] == [
        {"step": 1, "rule": "剔除16岁以下", "n_before": 26_276, "n_excluded": 24, "n_after": 26_252}
    ]


def test_seed_000_steps():
    """Seed 000: keep rural hukou, drop non-platform and 微商, drop missing values (hand-built frame)."""
    data = pd.DataFrame(
        {
            "_row": range(1, 11),
            "hukou": [1, 2, 1, 1, 1, 2, 1, 1, NAN, 1],
            "platform": [1, 1, 0, 1, 1, 1, 1, 1, 1, 1],
            "weishang": [0, 0, 0, 1, 0, 0, 0, 0, 0, NAN],
            "age": [30, 40, 25, 33, NAN, 50, 28, 200, 35, 41],
            "sat": [3, 2, 1, 2, 3, 3, NAN, 2, 1, 3],
        },
        dtype=float,
    )
    rules = [
        {"name": "保留农村户籍", "keep": "hukou == '农业户口'"},
        {"name": "剔除非平台工作和微商自主创业", "drop": "platform == '否' or weishang == '是'"},
        {"name": "剔除缺失值", "complete": ["age", "sat"]},
        {"name": "剔除异常值", "keep": "16 <= age <= 80"},
    ]
    res = screen(data, CB, rules)
    assert [(s.n_before, s.n_excluded, s.n_after) for s in res.flow] == [(10, 3, 7), (7, 2, 5), (5, 2, 3), (3, 1, 2)]
    assert res.excluded_rows()["_row"].tolist() == [2, 3, 4, 5, 6, 7, 8, 9]
    assert data["_row"][res.kept].tolist() == [1, 10]  # row 10: missing 微商 is unknown → not dropped


def test_ruleset_accepted_directly_and_empty_data():
    rs = load_rules(RULES, CB)
    res = screen(small().iloc[:0], CB, rs)
    assert res.n_start == 0 and res.n_final == 0
    assert [s.n_before for s in res.flow] == [0, 0]
    assert res.excluded_rows().empty
    assert res.rules is rs


def test_refusals():
    with pytest.raises(ScreeningError, match="no '_row' column"):
        screen(small().drop(columns="_row"), CB, RULES)
    with pytest.raises(ScreeningError, match=r"rules\[1\] \(满意度无缺失\) needs column\(s\) sat"):
        screen(small().drop(columns="sat"), CB, RULES)
    with pytest.raises(ScreeningError, match="distinct row numbers"):
        screen(small().assign(_row=[1, 1, 2, 3, 4]), CB, RULES)
    with pytest.raises(ScreeningError, match="unknown variable 'agee'"):
        screen(small(), CB, [{"name": "x", "keep": "agee > 1"}])
    with pytest.raises(ScreeningError, match="DataFrame"):
        screen(small().to_dict(), CB, RULES)  # type: ignore[arg-type]


def test_result_is_frozen():
    res = screen(small(), CB, RULES)
    with pytest.raises(AttributeError):
        res.n_start = 3  # type: ignore[misc]


# ---------------------------------------------------------------- properties
@st.composite
def datasets(draw):
    n = draw(st.integers(0, 40))
    maybe = st.one_of(st.none(), st.integers(1, 3))
    cols = {
        "age": draw(st.lists(st.one_of(st.none(), st.integers(5, 70)), min_size=n, max_size=n)),
        "hukou": draw(st.lists(st.one_of(st.none(), st.integers(1, 2)), min_size=n, max_size=n)),
        "sat": draw(st.lists(maybe, min_size=n, max_size=n)),
        "duration": draw(st.lists(st.one_of(st.none(), st.integers(0, 200)), min_size=n, max_size=n)),
        "q1": draw(st.lists(maybe, min_size=n, max_size=n)),
        "q2": draw(st.lists(maybe, min_size=n, max_size=n)),
        "q3": draw(st.lists(maybe, min_size=n, max_size=n)),
        "phone": draw(st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "c"])), min_size=n, max_size=n)),
    }
    frame = pd.DataFrame({k: [NAN if v is None else float(v) for v in vals] for k, vals in cols.items() if k != "phone"})
    frame["phone"] = pd.array(cols["phone"], dtype="string")
    frame.insert(0, "_row", np.arange(1, n + 1))
    return frame


@settings(max_examples=60, deadline=None)
@given(data=datasets(), min_age=st.integers(5, 70), min_sec=st.integers(1, 200), k=st.integers(2, 3),
       perm_seed=st.integers(0, 2**32 - 1))
def test_every_row_accounted_for_and_order_invariant(data, min_age, min_sec, k, perm_seed):
    rules = [
        {"name": "年龄", "keep": f"age >= {min_age}"},
        {"name": "户籍", "drop": "hukou == '非农业户口'"},
        {"name": "完整", "complete": ["sat"]},
        {"name": "时长", "speeders": {"duration": "duration", "min_seconds": min_sec}},
        {"name": "直线", "straightlining": {"items": ["q1", "q2", "q3"], "min_items": k}},
        {"name": "重复", "duplicates": {"columns": ["phone"]}},
    ]
    before = data.copy(deep=True)
    res = screen(data, CB, rules)
    pd.testing.assert_frame_equal(data, before)
    steps = res.flow
    assert [s.step for s in steps] == list(range(1, len(rules) + 1))
    assert res.n_start == len(data)
    assert res.n_start - sum(s.n_excluded for s in steps) == res.n_final == int(res.kept.sum())
    prev = res.n_start
    for s in steps:
        assert s.n_before == prev and s.n_after == s.n_before - s.n_excluded
        prev = s.n_after
    ex = res.excluded_rows()
    assert len(ex) == res.n_start - res.n_final
    assert ex.groupby("step").size().reindex(range(1, 7), fill_value=0).tolist() == [s.n_excluded for s in steps]
    # closed form for the first rule: age known and at least min_age
    assert steps[0].n_excluded == int((~(data["age"] >= min_age)).sum())
    # row order does not change the counts nor which rows are excluded, and by which rule
    perm = np.random.default_rng(perm_seed).permutation(len(data))
    shuffled = screen(data.iloc[perm], CB, rules)
    assert shuffled.flow == res.flow
    pd.testing.assert_frame_equal(shuffled.excluded_rows(), ex)
