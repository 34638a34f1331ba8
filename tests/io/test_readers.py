"""Readers: encodings, delimiters, headers, XLSX sheets, 问卷星 exports (both versions), SAV/DTA labels, Parquet."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flexemp.core.errors import EncodingUndecidedError, ReadError
from flexemp.io.readers import read_csv, read_data, read_dta, read_parquet, read_sav, read_xlsx
from tests.io.conftest import WJX_META, write_xlsx

ROWS = "编号,性别,月收入\nR1,男,5000元以下\nR2,女,5000-7500元\n"


# ------------------------------------------------------------------ CSV encodings
@pytest.mark.parametrize(("encoding", "detected"), [("gbk", "gb18030"), ("gb18030", "gb18030"), ("utf-8", "utf-8"),
                                                    ("utf-8-sig", "utf-8-sig")])
def test_csv_encodings_are_detected_and_round_trip(tmp_path, encoding, detected):
    p = tmp_path / "a.csv"
    data = ROWS.encode(encoding)
    p.write_bytes(data)
    raw = read_data(p)
    assert raw.encoding == detected
    assert raw.format == "csv"
    assert list(raw.frame.columns) == ["编号", "性别", "月收入"]
    assert raw.frame["性别"].tolist() == ["男", "女"]
    assert raw.frame["月收入"].tolist() == ["5000元以下", "5000-7500元"]
    assert raw.sha256 == hashlib.sha256(data).hexdigest()
    assert raw.n_rows == 2


def test_random_bytes_are_undecided(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes(bytes(np.random.default_rng(0).integers(128, 256, 400, dtype=np.uint8)))
    with pytest.raises(EncodingUndecidedError, match=re.escape("pass --encoding utf-8|gbk|gb18030")):
        read_data(p)


@pytest.mark.parametrize("text", [
    "name,city\nRenée,Zürich\nJosé,Málaga\nFrançois,Besançon\n",  # not valid GB18030
    "name,city\nMüller,Gérard\nNoël,École\nStraße,Bäcker\n",  # valid GB18030: 黮, 閞, 雔 … but implausible
])
def test_latin1_is_not_taken_for_gbk(tmp_path, text):
    p = tmp_path / "a.csv"
    p.write_bytes(text.encode("latin-1"))
    with pytest.raises(EncodingUndecidedError, match="encoding="):
        read_data(p)


def test_latin1_that_decodes_as_gb18030_is_still_refused_but_can_be_forced(tmp_path):
    p = tmp_path / "a.csv"
    data = "name,city\nMüller,Gérard\n".encode("latin-1")
    p.write_bytes(data)
    assert data.decode("gb18030") == "name,city\nM黮ler,G閞ard\n"  # decodable, so plausibility decides
    with pytest.raises(EncodingUndecidedError):
        read_data(p)
    assert read_data(p, encoding="gb18030").frame["name"].tolist() == ["M黮ler"]  # the user's explicit choice


def test_explicit_encoding_error_names_byte_and_line(tmp_path):
    p = tmp_path / "a.csv"
    data = ROWS.encode("gbk")
    p.write_bytes(data)
    with pytest.raises(ReadError, match=r"byte 0 \(line 1\) is not valid utf-8"):
        read_data(p, encoding="utf-8")
    q = tmp_path / "b.csv"
    head = b"id,name\n1,ok\n"
    q.write_bytes(head + "2,男\n".encode("gbk"))
    offset = len(head) + len(b"2,")  # the first byte of 男 in GBK
    with pytest.raises(ReadError, match=rf"byte {offset} \(line 3\) is not valid utf-8"):
        read_csv(q, encoding="utf-8")
    assert read_data(p, encoding="gbk").frame.iloc[0, 1] == "男"


def test_explicit_utf8_drops_a_byte_order_mark_and_unknown_encoding_is_refused(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes(ROWS.encode("utf-8-sig"))
    raw = read_data(p, encoding="utf-8")
    assert raw.frame.columns.tolist() == ["编号", "性别", "月收入"] and raw.encoding == "utf-8"
    with pytest.raises(ReadError, match="encoding 'latin-1' is not supported"):
        read_data(p, encoding="latin-1")


# ------------------------------------------------------------------ CSV cells, delimiters, headers
def test_empty_cells_are_missing_and_other_text_is_kept(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("a,b\n1,\nNA, x \n", encoding="utf-8")
    frame = read_data(p).frame
    assert frame["a"].iloc[0] == "1" and frame["a"].iloc[1] == "NA"
    assert pd.isna(frame["b"].iloc[0]) and frame["b"].iloc[1] == " x "


@pytest.mark.parametrize("sep", ["\t", ";", ","])
def test_delimiter_is_detected(tmp_path, sep):
    p = tmp_path / "a.txt"
    lines = [["id", "城市", "收入"], ["1", "上海", "5000,5"], ["2", "北京", ""]]
    text = "\n".join(sep.join(f'"{c}"' if sep in c else c for c in r) for r in lines)
    p.write_text(text + "\n", encoding="utf-8")
    raw = read_data(p)
    assert raw.meta["delimiter"] == sep
    assert raw.frame["城市"].tolist() == ["上海", "北京"]
    assert raw.frame["收入"].iloc[0] == "5000,5" and pd.isna(raw.frame["收入"].iloc[1])


@pytest.mark.parametrize(("text", "phrase"), [
    ("a,a\n1,2\n", r"duplicate column names \['a'\]"),
    ("a,\n1,2\n", r"column\(s\) \[2\] are empty"),
    ("a,b\n1,2,3\n", "a data row has more fields than the 2 header columns"),
    ("a,b\n1,2\n1,2,3\n", "line 3"),
    ("", "is empty"),
])
def test_bad_csv_files(tmp_path, text, phrase):
    p = tmp_path / "a.csv"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ReadError, match=phrase):
        read_data(p)


def test_dispatch_errors(tmp_path):
    with pytest.raises(ReadError, match=r"unknown file type \.json; supported: .*\.csv.*\.dta.*\.parquet.*\.sav.*\.xlsx"):
        read_data(tmp_path / "a.json")
    with pytest.raises(ReadError, match="does not exist"):
        read_data(tmp_path / "none.csv")
    p = tmp_path / "data.dat"
    p.write_text("x\n1\n", encoding="utf-8")
    assert read_data(p, format="csv").frame["x"].tolist() == ["1"]
    with pytest.raises(ReadError, match="format 'json' is not supported"):
        read_data(p, format="json")
    pq = tmp_path / "a.parquet"
    pd.DataFrame({"x": [1]}).to_parquet(pq)
    with pytest.raises(ReadError, match="encoding= applies to CSV files only"):
        read_data(pq, encoding="gbk")
    with pytest.raises(ReadError, match="sheet= applies to XLSX files only"):
        read_data(pq, sheet="a")


# ------------------------------------------------------------------ XLSX
def test_xlsx_first_sheet_named_sheet_and_errors(tmp_path):
    p = write_xlsx(tmp_path / "a.xlsx", ["id", "城市", "收入"], [[1, "上海", 5000.5], [2, None, 7000]],
                   sheets={"第二页": [["k"], ["v"]], "空": []})
    raw = read_xlsx(p)
    assert raw.format == "xlsx" and raw.meta == {}
    assert raw.frame["城市"].tolist()[0] == "上海" and pd.isna(raw.frame["城市"].iloc[1])
    assert raw.frame["收入"].tolist() == [5000.5, 7000]
    assert read_data(p, sheet="第二页").frame["k"].tolist() == ["v"]
    with pytest.raises(ReadError, match="has no sheet '无此页'"):
        read_data(p, sheet="无此页")
    with pytest.raises(ReadError, match="the sheet is empty"):
        read_data(p, sheet="空")


@pytest.mark.parametrize(("header", "phrase"), [
    (["a", "a"], r"duplicate column names \['a'\]"),
    (["a", None, "c"], r"column\(s\) \[2\] are empty"),
])
def test_xlsx_bad_headers(tmp_path, header, phrase):
    p = write_xlsx(tmp_path / "a.xlsx", header, [[1, 2, 3][: len(header)]])
    with pytest.raises(ReadError, match=phrase):
        read_data(p)


# ------------------------------------------------------------------ 问卷星
def test_wjx_code_version(wjx_code):
    raw = read_data(wjx_code)
    wjx = raw.meta["wjx"]
    assert wjx["version"] == "code"
    assert wjx["metadata_columns"] == WJX_META
    assert raw.frame["所用时间"].dtype == np.float64
    assert raw.frame["所用时间"].tolist() == [125.0, 125.0, 1 * 3600 + 2 * 60 + 3.0]
    # the two bare "(其他)" option headers are qualified by their question number
    assert wjx["renamed"] == {"3、(其他)": "(其他)", "6、(其他)": "(其他)"}
    by_number = {q["number"]: q for q in wjx["questions"]}
    assert [(n, q["kind"]) for n, q in by_number.items()] == [
        (1, "single"), (2, "multiselect"), (3, "multiselect"), (4, "single"), (5, "matrix"), (6, "multiselect"),
        (7, "single")]
    assert by_number[2]["columns"] == ["第2题(全职)", "第2题(兼职)"] and by_number[2]["options"] == ["全职", "兼职"]
    assert by_number[3]["text"] == "您从事过哪些平台工作？"
    assert by_number[3]["columns"] == ["3、您从事过哪些平台工作？(外卖)", "(网约车)", "3、(其他)"]
    assert by_number[3]["options"] == ["外卖", "网约车", "其他"]
    assert by_number[4]["text"] == "您的年龄(岁)"  # a bracket in a question's text is not an option
    assert by_number[5]["options"] == ["收入", "工时"]
    assert raw.frame["3、(其他)"].tolist() == [0, 1, 0] and raw.frame["6、(其他)"].tolist() == [0, 1, 1]


def test_wjx_text_version(wjx_text):
    raw = read_data(wjx_text)
    wjx = raw.meta["wjx"]
    assert wjx["version"] == "text" and wjx["renamed"] == {}
    kinds = {q["number"]: q["kind"] for q in wjx["questions"]}
    assert kinds == {1: "single", 2: "multiselect", 3: "single", 4: "single", 5: "single"}
    assert raw.frame["所用时间"].tolist() == [125.0, 98.0, 300.0]
    assert raw.frame["2、您从事过哪些平台工作？"].tolist() == ["外卖┋网约车", "快递", "外卖"]


def test_wjx_duration_that_does_not_parse_is_kept(tmp_path):
    p = write_xlsx(tmp_path / "w.xlsx", [*WJX_META[:3], "1、性别"], [[1, "2022/6/1", "125秒", 1], [2, "2022/6/1", "约两分钟", 2]])
    frame = read_data(p).frame
    assert frame["所用时间"].tolist() == [125.0, "约两分钟"]


def test_sheet_without_metadata_is_not_wjx(tmp_path):
    p = write_xlsx(tmp_path / "a.xlsx", ["序号", "1、性别", "所用时间"], [[1, 1, "125秒"]])
    raw = read_data(p)
    assert raw.meta == {} and raw.frame["所用时间"].tolist() == ["125秒"]


# ------------------------------------------------------------------ SAV / DTA / Parquet
def test_sav_with_value_labels(labelled_sav):
    raw = read_data(labelled_sav)
    assert raw.format == "sav" and raw.encoding is None
    assert raw.frame["sex"].tolist() == [1.0, 2.0, 1.0, 2.0]
    assert raw.variable_labels["sex"] == "性别" and "kids" not in raw.variable_labels
    assert raw.value_labels["sex"] == {1.0: "男", 2.0: "女"}
    assert raw.value_labels["trust"][99.0] == "不知道"
    assert raw.sha256 == hashlib.sha256(labelled_sav.read_bytes()).hexdigest()
    assert read_sav(labelled_sav).frame.equals(raw.frame)


def test_dta_with_value_labels(tmp_path):
    import pyreadstat

    p = tmp_path / "s.dta"
    frame = pd.DataFrame({"sex": [1, 2, 1], "inc": [3.5, 4.0, np.nan]})
    pyreadstat.write_dta(frame, str(p), column_labels={"sex": "性别", "inc": "收入"},
                         variable_value_labels={"sex": {1: "男", 2: "女"}})
    raw = read_dta(p)
    assert raw.format == "dta"
    assert raw.frame["sex"].tolist() == [1, 2, 1] and np.isnan(raw.frame["inc"].iloc[2])
    assert raw.variable_labels == {"sex": "性别", "inc": "收入"}
    assert raw.value_labels == {"sex": {1: "男", 2: "女"}}


def test_parquet_and_corrupt_files(tmp_path):
    p = tmp_path / "a.parquet"
    pd.DataFrame({"x": [1, 2], "城市": ["上海", None]}).to_parquet(p)
    raw = read_parquet(p)
    assert raw.format == "parquet" and raw.frame["x"].tolist() == [1, 2] and raw.frame["城市"].iloc[0] == "上海"
    for suffix in (".parquet", ".xlsx", ".sav", ".dta"):
        bad = tmp_path / f"bad{suffix}"
        bad.write_bytes(b"not really a file of that kind")
        with pytest.raises(ReadError, match=f"bad{suffix}: not a readable"):
            read_data(bad)


# ------------------------------------------------------------------ properties
_COMMON_HANZI = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也你能而子那得" \
    "外卖骑手网约车快递主播月收入满意度性别男女上海北京广州"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.text(alphabet=_COMMON_HANZI + "0123456789元-（）", min_size=1, max_size=8),
                         min_size=3, max_size=3), min_size=1, max_size=6),
       st.sampled_from(["gbk", "gb18030", "utf-8", "utf-8-sig"]))
def test_chinese_text_round_trips_in_every_encoding(tmp_path_factory, rows, encoding):
    p = tmp_path_factory.mktemp("enc") / "a.csv"
    text = "甲,乙,丙\n" + "".join(",".join(r) + "\n" for r in rows)
    p.write_bytes(text.encode(encoding))
    raw = read_data(p)
    assert raw.encoding == {"gbk": "gb18030"}.get(encoding, encoding)
    assert raw.frame.to_numpy().tolist() == rows


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=1, max_size=300))
def test_arbitrary_bytes_read_or_raise_read_error(tmp_path_factory, data):
    p = tmp_path_factory.mktemp("fuzz") / "a.csv"
    p.write_bytes(data)
    try:
        raw = read_data(p)
    except ReadError:
        return
    assert raw.encoding in ("utf-8", "utf-8-sig", "gb18030")
