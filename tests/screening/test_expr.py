"""The safe expression language: whitelist, label mapping, three-valued logic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flexemp.core.errors import ScreeningError
from flexemp.screening.expr import evaluate, parse_expression

KINDS = {"age": "number", "hukou": "number", "sat": "number", "city": "text", "ch_1": "number"}
LABELS = {"hukou": {"农业户口": 1.0, "rural": 1.0, "非农业户口": 2.0, "urban": 2.0}}
HINTS = {"ch": "multiselect 'ch' is stored as ch_1; use those"}
NAN = float("nan")


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "age": [15.0, 16.0, 40.0, NAN, 70.0],
            "hukou": [1.0, 2.0, 1.0, 1.0, NAN],
            "sat": [1.0, 5.0, NAN, 3.0, 4.0],
            "city": pd.array(["上海", "北京", None, "上海", "杭州"], dtype="string"),
            "ch_1": [0.0, 1.0, 1.0, NAN, 0.0],
        }
    )


def run(text: str) -> tuple[list[bool], list[bool]]:
    t = evaluate(parse_expression(text, KINDS, LABELS, hints=HINTS), frame())
    return t.true.tolist(), t.unknown.tolist()


F, T = False, True


@pytest.mark.parametrize(
    ("text", "true", "unknown"),
    [
        ("age >= 16", [F, T, T, F, T], [F, F, F, T, F]),
        ("16 <= age < 65", [F, T, T, F, F], [F, F, F, T, F]),
        ("age != 40", [T, T, F, F, T], [F, F, F, T, F]),
        ("hukou == '农业户口'", [T, F, T, T, F], [F, F, F, F, T]),
        ("hukou == 'urban'", [F, T, F, F, F], [F, F, F, F, T]),
        ("'农业户口' == hukou", [T, F, T, T, F], [F, F, F, F, T]),
        ("hukou in ['农业户口', 2]", [T, T, T, T, F], [F, F, F, F, T]),
        ("sat not in (1, 5)", [F, F, F, T, T], [F, F, T, F, F]),
        ("age in [-1, 15]", [T, F, F, F, F], [F, F, F, T, F]),
        ("city == '上海'", [T, F, F, T, F], [F, F, T, F, F]),
        ("city in ['北京', '杭州']", [F, T, F, F, T], [F, F, T, F, F]),
        ("isna(sat)", [F, F, T, F, F], [F] * 5),
        ("notna(city)", [T, T, F, T, T], [F] * 5),
        ("not age >= 16", [T, F, F, F, F], [F, F, F, T, F]),
        # Kleene logic: false and unknown = false; true or unknown = true
        ("age >= 16 and sat >= 3", [F, T, F, F, T], [F, F, T, T, F]),
        ("age >= 16 or sat >= 3", [F, T, T, T, T], [F, F, F, F, F]),
        ("(age < 16) or (hukou == 2)", [T, T, F, F, F], [F, F, F, T, T]),
        ("age - 10 * sat > 0", [T, F, F, F, T], [F, F, T, T, F]),
        ("age / (sat - 1) > 5", [F, F, F, F, T], [T, F, T, T, F]),
        ("-age < -20", [F, F, T, F, T], [F, F, F, T, F]),
        ("ch_1 == 1", [F, T, T, F, F], [F, F, F, T, F]),
        ("+age > 39.5", [F, F, T, F, T], [F, F, F, T, F]),
    ],
)
def test_evaluation_closed_form(text, true, unknown):
    assert run(text) == (true, unknown)


def test_columns_and_kind_and_series():
    e = parse_expression("sat > 2 and age >= 16 or isna(sat)", KINDS, LABELS)
    assert e.columns == ("sat", "age")
    assert e.kind == "bool"
    s = evaluate(e, frame()).to_series()
    assert s.dtype == "boolean"
    # row 4: sat > 2 is true, age is missing → unknown; isna(sat) is false → unknown overall
    assert s.isna().tolist() == [F, F, F, T, F]
    assert s.fillna(False).tolist() == [F, T, T, F, T]
    s2 = evaluate(parse_expression("age >= 16", KINDS), frame()).to_series()
    assert s2.isna().tolist() == [F, F, F, T, F]


def test_input_not_modified():
    df = frame()
    before = df.copy()
    evaluate(parse_expression("city == '上海' and age / sat > 1", KINDS), df)
    pd.testing.assert_frame_equal(df, before)


def test_object_dtype_text_with_none():
    df = pd.DataFrame({"city": np.array(["上海", None, "北京"], dtype=object)})
    t = evaluate(parse_expression("city != '上海'", {"city": "text"}), df)
    assert (t.true.tolist(), t.unknown.tolist()) == ([F, F, T], [F, T, F])


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("__import__('os')", "calling '__import__'"),
        ("__import__('os').system('ls') == 0", "calling \"__import__('os').system\""),
        ("age.real > 1", "attribute access"),
        ("city[0] == '上'", "subscripting"),
        ("(lambda: 1)() == 1", "calling 'lambda: 1'"),
        ("lambda: age", "lambda"),
        ("age ** 2 > 100", "operator Pow"),
        ("age % 2 == 0", "operator Mod"),
        ("age // 2 == 0", "operator FloorDiv"),
        ("len(city) > 2", "calling 'len'"),
        ("[a for a in age]", "ListComp"),
        ("age if sat else sat", "IfExp"),
        ("age is None", "the constant None"),
        ("age == True", "the constant True"),
        ("f'{age}' == '1'", "JoinedStr"),
        ("(x := 1) > 0", "NamedExpr"),
        ("~age > 1", "'~'"),
    ],
)
def test_disallowed_syntax(text, phrase):
    with pytest.raises(ScreeningError, match="not allowed") as info:
        parse_expression(text, KINDS, LABELS)
    assert phrase in str(info.value)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("agee >= 16", "unknown variable 'agee' in expression 'agee >= 16'. Did you mean 'age'?"),
        ("ch == 1", "'ch' cannot be used directly: multiselect"),
        ("hukou == '农业'", "'hukou' has no code labelled '农业'; its labels are: 农业户口 (1), rural (1)"),
        ("hukou in ['城镇']", "no code labelled '城镇'"),
        ("age == '十六'", "'age' is numeric and has no code labels"),
        ("city > 3", "cannot compare text with number"),
        ("age + city > 1", "arithmetic needs numbers"),
        ("age", "is not a condition (it yields a number)"),
        ("not age", "'not' needs conditions"),
        ("age and sat > 1", "'and' / 'or' needs conditions"),
        ("(age > 1) == (sat > 1)", "cannot compare conditions"),
        ("age in 3", "'in' needs a list of constants"),
        ("age in range(3)", "'in' needs a list of constants"),
        ("age in [sat]", "may hold only constants"),
        ("age in []", "is empty"),
        ("age in [1, 'x']", "numeric and has no code labels"),
        ("city in ['a', 1]", "mixes text"),
        ("isna(age, sat)", "takes exactly one argument"),
        ("isna(age > 1)", "needs a value, not a condition"),
        ("isna > 1", "isna is a function"),
        ("1 == 1", "does not refer to any variable"),
        ("age >= ", "cannot parse"),
        ("", "non-empty"),
        ("age > 1" + " " * 6000, "characters long"),
        ("-city == 'a'", "unary - needs a number"),
    ],
)
def test_refusals_with_key_phrase(text, phrase):
    def attempt() -> None:
        evaluate(parse_expression(text, KINDS, LABELS, hints=HINTS), frame())

    with pytest.raises(ScreeningError) as info:
        attempt()
    assert phrase in str(info.value)


def test_evaluate_refuses_missing_column_and_non_numeric():
    e = parse_expression("age >= 16", KINDS)
    with pytest.raises(ScreeningError, match=r"needs column\(s\) \['age'\]"):
        evaluate(e, pd.DataFrame({"sat": [1.0]}))
    with pytest.raises(ScreeningError, match="should be numeric"):
        evaluate(e, pd.DataFrame({"age": ["old"]}))


@settings(max_examples=60, deadline=None)
@given(
    a=st.lists(st.one_of(st.none(), st.integers(-5, 5)), min_size=1, max_size=30),
    c=st.integers(-5, 5),
)
def test_not_and_de_morgan_properties(a, c):
    """not flips true/false and keeps unknown; De Morgan holds in three-valued logic."""
    df = pd.DataFrame({"age": [NAN if v is None else float(v) for v in a], "sat": [float(c)] * len(a)})
    kinds = {"age": "number", "sat": "number"}
    base = evaluate(parse_expression(f"age > {c}", kinds), df)
    neg = evaluate(parse_expression(f"not age > {c}", kinds), df)
    assert (neg.true == base.false).all() and (neg.unknown == base.unknown).all()
    lhs = evaluate(parse_expression(f"not (age > {c} and age < sat + 2)", kinds), df)
    rhs = evaluate(parse_expression(f"not age > {c} or not age < sat + 2", kinds), df)
    assert (lhs.true == rhs.true).all() and (lhs.unknown == rhs.unknown).all()
    expect_unknown = np.array([v is None for v in a])
    assert (base.unknown == expect_unknown).all()
    assert (base.true == np.array([v is not None and v > c for v in a])).all()
