"""Validation: every problem is reported with row, column, value and rule; nothing dropped silently."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from flexemp.ingest.validate import validate


def test_exact_report(codebook, raw_frame):
    vd = validate(raw_frame, codebook, file_name="raw.csv")
    got = {(i.row, i.column, i.value, i.rule) for i in vd.report.errors}
    expected = {
        (2, "age", "15", "out_of_range"),
        (3, "sat", "7", "invalid_code"),
        (3, "rid", "R2", "duplicate_id"),
        (4, "kids", "1.5", "wrong_type"),
        (5, "原因", "天气好", "invalid_option"),
        (5, "insured", "", "missing_required"),
        (7, "w", "0", "out_of_range"),
    }
    assert got == expected
    assert vd.report.bad_rows == frozenset({2, 3, 4, 5, 7})
    assert vd.report.n_rows == 7


def test_rows_are_partitioned_never_lost(codebook, raw_frame):
    vd = validate(raw_frame, codebook)
    assert sorted(vd.data["_row"].tolist() + vd.quarantine["_row"].tolist()) == list(range(1, 8))
    assert vd.data["_row"].tolist() == [1, 6]
    reasons = dict(zip(vd.quarantine["_row"], vd.quarantine["reasons"], strict=True))
    assert reasons[3] == "rid: duplicate_id; sat: invalid_code"
    assert reasons[5] == "原因: invalid_option; insured: missing_required"


def test_conversion_of_codes_labels_missing_and_multiselect(codebook, raw_frame):
    vd = validate(raw_frame, codebook)
    good = vd.data.set_index("_row")
    # label answers become codes: 满意 -> 3, 是 -> 1
    assert good.loc[6, "sat"] == 3.0 and good.loc[6, "insured"] == 1.0
    # multiselect text joined by ┋ becomes one 0/1 column per option
    assert good.loc[1, ["reasons_1", "reasons_2", "reasons_3"]].tolist() == [1.0, 0.0, 1.0]
    assert good.loc[6, ["reasons_1", "reasons_2", "reasons_3"]].tolist() == [1.0, 0.0, 0.0]
    assert vd.data["sat"].dtype == np.float64
    # 99 is a declared missing code: NaN, counted, not an error (row 7 fails only on its weight)
    q = vd.quarantine.set_index("_row")
    assert np.isnan(q.loc[7, "sat"])
    assert vd.n_missing_codes["sat"] == 1


def test_input_frame_not_mutated(codebook, raw_frame):
    before = raw_frame.copy(deep=True)
    validate(raw_frame, codebook)
    pd.testing.assert_frame_equal(raw_frame, before)


def test_missing_and_unknown_columns_are_file_errors(codebook, raw_frame):
    frame = raw_frame.drop(columns=["age"]).assign(extra="x")
    vd = validate(frame, codebook)
    rules = {(i.column, i.rule) for i in vd.report.file_errors}
    assert rules == {("age", "missing_column"), ("extra", "unknown_column")}
    vd2 = validate(raw_frame.assign(extra="x"), codebook, ignore_unknown_columns=True)
    assert not vd2.report.file_errors
    assert [i.rule for i in vd2.report.warnings] == ["unknown_column"]
    assert "extra" not in vd2.data.columns


def test_direct_identifier_values_are_masked_in_report(codebook, raw_frame):
    frame = raw_frame.copy()
    frame.loc[[0, 1], "rid"] = "R1"
    frame["phone"] = frame["phone"].astype(object)
    vd = validate(frame, codebook)
    text = str(vd.report.to_dict())
    for phone in raw_frame["phone"]:
        assert phone not in text


def test_undeclared_phone_numbers_are_refused(codebook, raw_frame):
    cb_text = codebook.to_dict()
    for v in cb_text["variables"]:
        if v["name"] == "phone":
            del v["pii"]
    from flexemp.codebook import parse_codebook

    vd = validate(raw_frame, parse_codebook(cb_text))
    (issue,) = [i for i in vd.report.file_errors if i.rule == "undeclared_pii"]
    assert issue.column == "phone"
    assert "7 value(s) of phone look like mobile phone numbers" in issue.message
    assert "pii: direct" in issue.message


def test_id_card_numbers_detected_in_numeric_column():
    from flexemp.codebook import load_codebook

    cb = load_codebook("dataset: d\nvariables:\n  - {name: code, type: text, label_zh: 证件}\n")
    vd = validate(pd.DataFrame({"code": ["11010519491231002X", "abc"]}), cb)
    assert "ID-card" in vd.report.file_errors[0].message


def test_multiselect_code_columns_take_zero_or_one():
    from flexemp.codebook import load_codebook

    cb = load_codebook(
        "dataset: d\nvariables:\n  - {name: m, type: multiselect, label_zh: 多选, codes: {1: 甲, 2: 乙},"
        " source: ['第1题(甲)', '第1题(乙)'], missing: [-3]}\n"
    )
    frame = pd.DataFrame({"第1题(甲)": [1, 0, -3, 2], "第1题(乙)": [0, 1, -3, 0]})
    vd = validate(frame, cb)
    assert [(i.row, i.column, i.rule) for i in vd.report.errors] == [(4, "第1题(甲)", "invalid_option")]
    assert vd.data[["m_1", "m_2"]].to_numpy().tolist()[:2] == [[1.0, 0.0], [0.0, 1.0]]
    assert vd.data[["m_1", "m_2"]].iloc[2].isna().all()


@pytest.mark.parametrize("n_bad", [0, 1050])
def test_many_errors_are_capped_but_counted(n_bad):
    from flexemp.codebook import load_codebook

    cb = load_codebook("dataset: d\nvariables:\n  - {name: x, type: continuous, label_zh: X, range: [0, 1]}\n")
    frame = pd.DataFrame({"x": [0.5] * 10 + [5.0] * n_bad})
    vd = validate(frame, cb)
    assert vd.report.rows_with_errors == n_bad
    assert len(vd.quarantine) == n_bad
    if n_bad > 1000:
        assert len(vd.report.errors) == 1000
        assert vd.report.warnings[-1].message.startswith("… and 50 more rows")
