"""Codebook schema: valid codebooks load; every error names variable, field and line."""

from __future__ import annotations

import textwrap

import pytest

from flexemp.codebook import dump_codebook, load_codebook, parse_codebook
from flexemp.codebook.model import Codebook
from flexemp.core.errors import CodebookError, UnknownVariableError

GOOD = textwrap.dedent(
    """\
    dataset: demo
    title_zh: 演示
    variables:
      - name: rid
        type: id
        label_zh: 编号
      - name: life_sat
        type: ordinal
        label_zh: 生活满意度
        label_en: Life satisfaction
        question: 总体而言，您对生活满意吗？
        codes: {1: 非常不满意, 2: 不满意, 3: 一般, 4: 满意, 5: {zh: 非常满意, en: Very satisfied}}
        missing: [-2, -3]
        scale: wellbeing
      - name: income
        type: banded
        label_zh: 月收入
        codes: {1: 5000元以下, 2: 5000-7500元, 3: 7500元及以上}
        bands:
          1: {lower: 0, upper: 5000}
          2: {lower: 5000, upper: 7500, midpoint: 6250}
          3: {lower: 7500, midpoint: 10000}
      - name: reasons
        type: multiselect
        label_zh: 原因
        codes: {1: 收入高, 2: 时间自由}
        source: [第3题(收入高), 第3题(时间自由)]
      - name: channels
        type: multiselect
        label_zh: 渠道
        codes: {1: 朋友介绍, 2: 网络平台}
        source: 第4题
      - name: phone
        type: text
        label_zh: 手机号
        pii: direct
    """
)


def test_good_codebook_loads_with_all_fields():
    cb = load_codebook(GOOD)
    assert cb.dataset == "demo"
    assert cb.names == ("rid", "life_sat", "income", "reasons", "channels", "phone")
    assert cb.id_variable is not None and cb.id_variable.name == "rid"
    sat = cb["life_sat"]
    assert sat.code_label(5, "en") == "Very satisfied"
    assert sat.code_label(5) == "非常满意"
    assert sat.missing == (-2.0, -3.0)
    # the midpoint of a closed band defaults to its centre: (0 + 5000) / 2
    assert cb["income"].midpoints() == {1.0: 2500.0, 2.0: 6250.0, 3.0: 10000.0}
    assert cb["reasons"].stored_columns() == ("reasons_1", "reasons_2")
    assert cb["channels"].separator == "┋"
    assert [v.name for v in cb.direct_identifiers()] == ["phone"]
    assert cb.scales() == {"wellbeing": (sat,)}


def test_round_trip_through_yaml_is_identity():
    cb = load_codebook(GOOD)
    again = load_codebook(dump_codebook(cb))
    assert again == cb


def test_unknown_variable_suggests_nearest():
    cb = load_codebook(GOOD)
    with pytest.raises(UnknownVariableError, match="Did you mean 'income'"):
        cb["incme"]


def _problems(text: str) -> list[str]:
    with pytest.raises(CodebookError) as info:
        load_codebook(text)
    return info.value.problems


@pytest.mark.parametrize(
    ("variable", "phrase"),
    [
        ("{name: x, type: ordinal, label_zh: X}", "field 'codes': is required for type ordinal"),
        ("{name: x, type: binary, label_zh: X, codes: {0: a, 1: b, 2: c}}", "exactly two codes"),
        ("{name: 1x, type: text, label_zh: X}", "field 'name': must be an ASCII identifier"),
        ("{name: x, type: txt, label_zh: X}", "did you mean 'text'"),
        ("{name: x, type: text}", "field 'label_zh': is required"),
        ("{name: x, type: text, label_zh: X, colour: red}", "field 'colour': unknown field"),
        ("{name: x, type: banded, label_zh: X, codes: {1: a, 2: b}, bands: {1: {lower: 0, upper: 5}}}", "code 2 has no band"),
        ("{name: x, type: banded, label_zh: X, codes: {1: a}, bands: {1: {lower: 5}}}", "open-ended; give its midpoint"),
        ("{name: x, type: banded, label_zh: X, codes: {1: a}, bands: {1: {}}}", "has no bounds"),
        ("{name: x, type: banded, label_zh: X, codes: {1: a}, bands: {1: {lower: 5, upper: 1}}}", "is not below upper"),
        ("{name: x, type: banded, label_zh: X, codes: {1: a}, bands: {1: {lower: 0, upper: 10, midpoint: 20}}}", "lies outside"),
        ("{name: x, type: ordinal, label_zh: X, codes: {1: a, 2: b}, missing: [2]}", "both valid codes and missing codes"),
        ("{name: x, type: continuous, label_zh: X, range: [5, 1]}", "is above max"),
        ("{name: x, type: text, label_zh: X, pii: secret}", "field 'pii': must be one of"),
        ("{name: x, type: multiselect, label_zh: X, codes: {1: a, 2: b}, source: [c1, c2, c3]}", "one column per option"),
        ("{name: x, type: ordinal, label_zh: X, codes: {1: a, 2: a}}", "is used for two codes"),
        ("{name: x, type: text, label_zh: X, codes: {1: a}}", "takes no codes"),
    ],
)
def test_each_schema_error_names_variable_field_and_line(variable, phrase):
    text = f"dataset: demo\nvariables:\n  - {{name: ok, type: text, label_zh: 好}}\n  - {variable}\n"
    problems = _problems(text)
    assert len(problems) >= 1
    assert any(phrase in p for p in problems), problems
    assert all("variables[1]" in p and "(line 4)" in p for p in problems), problems


def test_all_problems_reported_at_once():
    text = (
        "dataset: demo\nvariables:\n"
        "  - {name: a, type: ordinal, label_zh: A}\n"
        "  - {name: b, type: nope, label_zh: B}\n"
        "  - {name: a, type: text, label_zh: A2}\n"
    )
    problems = _problems(text)
    assert len(problems) == 3
    assert "duplicate" in problems[2]


def test_top_level_errors():
    assert any("unknown key 'varaibles'" in p for p in _problems("dataset: d\nvaraibles: []\n"))
    assert any("'dataset' must be an identifier" in p for p in _problems("dataset: 数据\nvariables: [{name: a, type: text, label_zh: A}]\n"))
    with pytest.raises(CodebookError, match="not valid YAML at line 3"):
        load_codebook("dataset: d\nvariables: [\n")
    with pytest.raises(CodebookError, match="does not exist"):
        load_codebook("/nonexistent/cb.yaml")


def test_two_id_variables_refused():
    text = "dataset: d\nvariables:\n  - {name: a, type: id, label_zh: A}\n  - {name: b, type: id, label_zh: B}\n"
    assert any("at most one variable may have type 'id'" in p for p in _problems(text))


def test_parse_codebook_from_dict_and_labels():
    cb = parse_codebook(
        {"dataset": "d", "variables": [{"name": "m", "type": "multiselect", "label_zh": "多选",
                                        "codes": {1: {"zh": "甲", "en": "A"}}, "source": ["m1"]}]}
    )
    assert isinstance(cb, Codebook)
    assert cb.labels("zh") == {"m_1": "多选：甲"}
    assert cb.stored_columns() == ("m_1",)
