"""Screening rules: reading, checking against the codebook, each kind's semantics, refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from flexemp.codebook import parse_codebook
from flexemp.core.errors import ScreeningError
from flexemp.screening.rules import (
    CompleteRule,
    DuplicatesRule,
    ExpressionRule,
    SpeedersRule,
    StraightliningRule,
    load_rules,
)

NAN = float("nan")


@pytest.fixture(scope="module")
def cb():
    return parse_codebook(
        {
            "dataset": "rules_test",
            "variables": [
                {"name": "rid", "type": "id", "label_zh": "编号"},
                {"name": "phone", "type": "text", "label_zh": "手机号", "pii": "direct"},
                {"name": "age", "type": "continuous", "label_zh": "年龄"},
                {"name": "hukou", "type": "nominal", "label_zh": "户口",
                 "codes": {1: {"zh": "农业户口", "en": "Rural"}, 2: {"zh": "非农业户口", "en": "Urban"}}},
                {"name": "job_type", "type": "nominal", "label_zh": "工作类型",
                 "codes": {1: "雇员", 2: "自雇", 3: "平台", 4: "微商"}},
                {"name": "life_sat", "type": "ordinal", "label_zh": "生活满意度",
                 "codes": {1: "非常不满意", 2: "不满意", 3: "一般", 4: "满意", 5: "非常满意"}},
                {"name": "duration_sec", "type": "count", "label_zh": "答题时长"},
                *({"name": f"s{i}", "type": "ordinal", "label_zh": f"题{i}",
                   "codes": {1: "1", 2: "2", 3: "3", 4: "4", 5: "5"}} for i in range(1, 5)),
                {"name": "channel", "type": "multiselect", "label_zh": "求职渠道",
                 "codes": {1: "平台", 2: "熟人", 3: "中介"}},
            ],
        }
    )


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "_row": [1, 2, 3, 4, 5, 6],
            "rid": ["r1", "r2", "r3", "r4", "r5", "r6"],
            "phone": pd.array(["p1", "p2", "p1", None, None, "p2"], dtype="string"),
            "age": [15.0, 16.0, 30.0, NAN, 45.0, 60.0],
            "hukou": [1.0, 2.0, 1.0, 1.0, NAN, 1.0],
            "job_type": [3.0, 1.0, 4.0, 2.0, 3.0, NAN],
            "life_sat": [5.0, NAN, 3.0, 4.0, 2.0, 1.0],
            "duration_sec": [30.0, 60.0, 59.9, NAN, 600.0, 1000.0],
            "s1": [3.0, 2.0, 4.0, NAN, 1.0, 5.0],
            "s2": [3.0, 2.0, 4.0, 2.0, 2.0, 5.0],
            "s3": [3.0, 2.0, NAN, 2.0, 3.0, 5.0],
            "s4": [3.0, 3.0, 4.0, 2.0, 4.0, NAN],
            "channel_1": [1.0, NAN, 0.0, NAN, 1.0, 0.0],
            "channel_2": [0.0, NAN, NAN, NAN, 0.0, 1.0],
            "channel_3": [0.0, NAN, 0.0, NAN, 0.0, 0.0],
        }
    )


def excluded(rule, data=None) -> list[bool]:
    return rule.evaluate(frame() if data is None else data)[0].tolist()


def one(cb, **kind):
    rs = load_rules([{"name": "r", **kind}], cb)
    assert len(rs) == 1
    return rs.rules[0]


F, T = False, True


def test_keep_excludes_false_and_unknown(cb):
    rule = one(cb, keep="age >= 16")
    assert isinstance(rule, ExpressionRule)
    assert rule.kind == "keep"
    assert excluded(rule) == [T, F, F, T, F, F]  # 15 and the missing age
    assert rule.evaluate(frame())[1].tolist() == [F, F, F, T, F, F]


def test_drop_keeps_unknown(cb):
    rule = one(cb, drop="job_type in [3, 4] or hukou == 2")
    # row 6: job_type missing, hukou 1 → unknown → not dropped; row 5: job 3 → true despite missing hukou
    assert excluded(rule) == [T, T, T, F, T, F]
    assert rule.evaluate(frame())[1].tolist() == [F, F, F, F, F, T]


@pytest.mark.parametrize("label", ["农业户口", "Rural", " 农业户口 "])
def test_label_mapped_to_code_zh_and_en(cb, label):
    rule = one(cb, keep=f"hukou == '{label}'")
    assert excluded(rule) == [F, T, F, F, T, F]


def test_label_in_list_and_ordering(cb):
    assert excluded(one(cb, drop="job_type in ['平台', '微商']")) == [T, F, T, F, T, F]
    assert excluded(one(cb, keep="life_sat >= '满意'")) == [F, T, T, F, T, T]


def test_unknown_label_lists_the_labels(cb):
    with pytest.raises(ScreeningError) as info:
        load_rules([{"name": "农村户籍", "keep": "hukou == '农村'"}], cb)
    msg = str(info.value)
    assert "rules[0] (农村户籍)" in msg
    assert "'hukou' has no code labelled '农村'" in msg
    assert "农业户口 (1), Rural (1), 非农业户口 (2), Urban (2)" in msg


def test_complete_with_multiselect(cb):
    rule = one(cb, complete=["life_sat", "channel"])
    assert isinstance(rule, CompleteRule)
    # row 2: life_sat missing (and all channel options missing); row 4: all channel options missing;
    # row 3 has some channel options missing, which is not "all missing"
    assert excluded(rule) == [F, T, F, T, F, F]
    assert rule.columns == ("life_sat", "channel_1", "channel_2", "channel_3")
    assert excluded(one(cb, complete=["channel_2"])) == [F, T, T, T, F, F]
    assert excluded(one(cb, complete=["phone"])) == [F, F, F, T, T, F]


def test_speeders(cb):
    rule = one(cb, speeders={"duration": "duration_sec", "min_seconds": 60})
    assert isinstance(rule, SpeedersRule)
    assert excluded(rule) == [T, F, T, F, F, F]  # 60 itself is fine; missing is not excluded
    assert rule.evaluate(frame())[1].tolist() == [F, F, F, T, F, F]


def test_straightlining(cb):
    rule = one(cb, straightlining={"items": ["s1", "s2", "s3", "s4"], "min_items": 3})
    assert isinstance(rule, StraightliningRule)
    # row1 all 3; row3 4,4,_,4 (3 answered, equal); row4 _,2,2,2; row6 5,5,5,_
    assert excluded(rule) == [T, F, T, T, F, T]
    strict = one(cb, straightlining={"items": ["s1", "s2", "s3", "s4"]})
    assert strict.min_items == 4
    assert excluded(strict) == [T, F, F, F, F, F]
    assert strict.evaluate(frame())[1].tolist() == [F, F, T, T, F, T]


def test_straightlining_empty_frame(cb):
    rule = one(cb, straightlining={"items": ["s1", "s2"]})
    assert excluded(rule, frame().iloc[:0]) == []


def test_duplicates_keep_first_by_row(cb):
    rule = one(cb, duplicates={"columns": ["phone"]})
    assert isinstance(rule, DuplicatesRule)
    assert excluded(rule) == [F, F, T, F, F, T]  # missing phones are never duplicates
    shuffled = frame().iloc[[5, 2, 0, 4, 1, 3]]
    # same rows flagged whatever the frame's order: the earliest _row is kept
    assert shuffled["_row"][rule.evaluate(shuffled)[0]].tolist() == [6, 3]


def test_duplicates_on_several_columns(cb):
    rule = one(cb, duplicates={"columns": ["hukou", "job_type"]})
    data = frame().assign(job_type=[3.0, 1.0, 3.0, 2.0, 3.0, 1.0], hukou=[1.0, 2.0, 1.0, 1.0, 1.0, 2.0])
    assert excluded(rule, data) == [F, F, T, F, T, T]


def test_sources_yaml_text_file_and_parsed(cb, tmp_path):
    text = "description: 示例\nrules:\n  - name: 16岁及以上\n    keep: \"age >= 16\"\n    description: 法定劳动年龄\n"
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    from_text = load_rules(text, cb)
    assert load_rules(path, cb).sha256 == from_text.sha256
    assert load_rules(str(path), cb).sha256 == from_text.sha256
    assert load_rules(from_text.to_dict(), cb).to_dict() == from_text.to_dict()
    assert from_text.to_dict() == {
        "rules": [{"name": "16岁及以上", "keep": "age >= 16", "description": "法定劳动年龄"}],
        "description": "示例",
    }
    bare = load_rules([{"name": "16岁及以上", "keep": "age >= 16", "description": "法定劳动年龄"}], cb)
    assert bare.rules == from_text.rules


def test_round_trip_and_stable_sha(cb):
    rules = [
        {"name": "a", "keep": "age >= 16"},
        {"name": "b", "drop": "job_type in ['平台', 4]"},
        {"name": "c", "complete": ["life_sat", "channel"]},
        {"name": "d", "speeders": {"duration": "duration_sec", "min_seconds": 60}},
        {"name": "e", "straightlining": {"items": ["s1", "s2", "s3"], "min_items": 2}},
        {"name": "f", "duplicates": {"columns": ["phone"]}},
    ]
    rs = load_rules(rules, cb)
    assert rs.to_dict() == {"rules": rules}
    assert load_rules(rs.to_dict(), cb).sha256 == rs.sha256
    assert len(rs.sha256) == 64
    other = load_rules([*rules[:5], {"name": "f", "duplicates": {"columns": ["rid"]}}], cb)
    assert other.sha256 != rs.sha256
    assert rs.names == ("a", "b", "c", "d", "e", "f")


def test_ruleset_is_frozen(cb):
    rs = load_rules([{"name": "a", "keep": "age >= 16"}], cb)
    with pytest.raises(AttributeError):
        rs.rules = ()  # type: ignore[misc]


@pytest.mark.parametrize(
    ("rules", "phrases"),
    [
        ([{"name": "年龄", "kep": "age >= 16"}],
         ["rules[0] (年龄)", "unknown key 'kep' (did you mean 'keep'?)", "found none"]),
        ([{"name": "年龄", "keep": "agee >= 16"}],
         ["rules[0] (年龄)", "unknown variable 'agee'", "Did you mean 'age'?"]),
        ([{"name": "x", "keep": "age >= 16", "drop": "age > 90"}],
         ["rules[0] (x)", "exactly one of", "found keep and drop"]),
        ([{"name": "x", "keep": "age >= 16"}, {"name": "x", "drop": "age > 90"}],
         ["rules[1] (x)", "duplicate rule name 'x' (also rules[0])"]),
        ([{"keep": "age >= 16"}], ["rules[0] (None)", "'name' is required"]),
        ([{"name": "x", "keep": "__import__('os')"}], ["rules[0] (x)", "'keep'", "calling '__import__'", "not allowed"]),
        ([{"name": "x", "keep": "age.real > 1"}], ["attribute access is not allowed"]),
        ([{"name": "x", "keep": 16}], ["'keep' must be an expression in quotes"]),
        ([{"name": "x", "keep": "age + 1"}], ["'age + 1' is a number, not a condition"]),
        ([{"name": "x", "complete": ["life_sta"]}], ["'complete': unknown variable 'life_sta' (did you mean 'life_sat'?)"]),
        ([{"name": "x", "complete": []}], ["'complete' must be a list of at least 1"]),
        ([{"name": "x", "complete": ["age", "age"]}], ["lists age more than once"]),
        ([{"name": "x", "speeders": {"duraton": "duration_sec", "min_seconds": 60}}],
         ["'speeders': unknown key 'duraton' (did you mean 'duration'?)"]),
        ([{"name": "x", "speeders": {"duration": "duration_sec"}}], ["'speeders' needs 'min_seconds'"]),
        ([{"name": "x", "speeders": {"duration": "hukou", "min_seconds": 60}}], ["'hukou' is nominal"]),
        ([{"name": "x", "speeders": {"duration": "duration_sec", "min_seconds": -1}}], ["positive number"]),
        ([{"name": "x", "speeders": "duration_sec"}], ["'speeders' must be a mapping"]),
        ([{"name": "x", "straightlining": {"items": ["s1"]}}], ["at least 2"]),
        ([{"name": "x", "straightlining": {"items": ["s1", "s2"], "min_items": 3}}], ["from 2 to 2"]),
        ([{"name": "x", "straightlining": {"items": ["s1", "phone"]}}], ["'phone' is text"]),
        ([{"name": "x", "straightlining": {"items": ["s1", "s11"]}}], ["unknown variable 's11' (did you mean 's1'?)"]),
        ([{"name": "x", "duplicates": {"column": ["phone"]}}], ["unknown key 'column' (did you mean 'columns'?)"]),
        ([{"name": "x", "duplicates": {"columns": ["phon"]}}], ["unknown variable 'phon' (did you mean 'phone'?)"]),
        ([{"name": "x", "keep": "channel == 1"}], ["multiselect 'channel' is stored as", "channel_1"]),
        (["age >= 16"], ["rules[0]: each rule must be a mapping"]),
        ([], ["non-empty list"]),
        ({"rule": []}, ["unknown top-level key 'rule' (did you mean 'rules'?)"]),
    ],
)
def test_refusals(cb, rules, phrases):
    with pytest.raises(ScreeningError) as info:
        load_rules(rules, cb)
    for phrase in phrases:
        assert phrase in str(info.value)


def test_every_problem_reported_at_once_with_line(cb):
    text = (
        "rules:\n"
        "  - name: a\n    keep: \"agee > 1\"\n"
        "  - name: b\n    dorp: \"age > 1\"\n"
    )
    with pytest.raises(ScreeningError) as info:
        load_rules(text, cb)
    msg = str(info.value)
    assert "3 problem(s)" in msg  # unknown variable; unknown key; no kind
    assert "unknown key 'dorp' (did you mean 'drop'?)" in msg
    assert "rules[0] (a) (line 2)" in msg and "rules[1] (b) (line 4)" in msg


def test_bad_sources(cb, tmp_path):
    with pytest.raises(ScreeningError, match="does not exist"):
        load_rules(tmp_path / "nope.yaml", cb)
    with pytest.raises(ScreeningError, match="does not exist"):
        load_rules("nope.yml", cb)
    with pytest.raises(ScreeningError, match=r"not valid YAML \(line 3\)"):
        load_rules("rules:\n  - {name: a\n", cb)
    with pytest.raises(ScreeningError, match="not int"):
        load_rules(3, cb)  # type: ignore[arg-type]


def test_rule_evaluation_does_not_touch_input(cb):
    data = frame()
    before = data.copy()
    for kind in (
        {"keep": "hukou == '农业户口' and age / 2 > 8"},
        {"complete": ["channel"]},
        {"straightlining": {"items": ["s1", "s2", "s3", "s4"], "min_items": 2}},
        {"duplicates": {"columns": ["phone"]}},
    ):
        one(cb, **kind).evaluate(data)
    pd.testing.assert_frame_equal(data, before)
    assert np.array_equal(data.index, before.index)
