"""Readers: encodings, 问卷星 exports (both versions), SAV/DTA labels, Parquet, and clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from flexemp.core.errors import EncodingUndecidedError, ReadError
from flexemp.io.readers import read_data

ROWS = "编号,性别,月收入\nR1,男,5000元以下\nR2,女,5000-7500元\n"


@pytest.mark.parametrize(("encoding", "detected"), [("gbk", "gb18030"), ("gb18030", "gb18030"), ("utf-8", "utf-8"),
                                                    ("utf-8-sig", "utf-8-sig")])
def test_csv_encodings_are_detected(tmp_path, encoding, detected):
    p = tmp_path / "a.csv"
    p.write_bytes(ROWS.encode(encoding))
    raw = read_data(p)
    assert raw.encoding == detected
    assert list(raw.frame.columns) == ["编号", "性别", "月收入"]
    assert raw.frame["月收入"].tolist() == ["5000元以下", "5000-7500元"]


def test_random_bytes_are_undecided(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes(bytes(np.random.default_rng(0).integers(128, 256, 400, dtype=np.uint8)))
    with pytest.raises(EncodingUndecidedError, match="--encoding"):
        read_data(p)


def test_latin1_is_not_taken_for_gbk(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes("name,city\nRenée,Zürich\nJosé,Málaga\nFrançois,Besançon\n".encode("latin-1"))
    with pytest.raises(EncodingUndecidedError):
        read_data(p)


def test_explicit_encoding_error_names_byte_and_line(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes(ROWS.encode("gbk"))
    with pytest.raises(ReadError, match=r"byte 0 \(line 1\) is not valid utf-8"):
        read_data(p, encoding="utf-8")
    assert read_data(p, encoding="gbk").frame.iloc[0, 1] == "男"


def test_empty_cells_are_missing_and_tabs_are_detected(tmp_path):
    p = tmp_path / "a.tsv"
    p.write_text("a\tb\n1\t\n\tx\n", encoding="utf-8")
    frame = read_data(p).frame
    assert frame["a"].tolist()[0] == "1" and pd.isna(frame["a"].iloc[1])
    assert pd.isna(frame["b"].iloc[0]) and frame["b"].iloc[1] == "x"


@pytest.mark.parametrize(("header", "phrase"), [("a,a\n1,2\n", "duplicate column names"), ("a,\n1,2\n", "have no name")])
def test_bad_headers(tmp_path, header, phrase):
    p = tmp_path / "a.csv"
    p.write_text(header, encoding="utf-8")
    with pytest.raises(ReadError, match=phrase):
        read_data(p)


def test_unknown_extension_and_missing_file(tmp_path):
    with pytest.raises(ReadError, match=r"unknown file type \.json"):
        read_data(tmp_path / "a.json")
    with pytest.raises(ReadError, match="does not exist"):
        read_data(tmp_path / "none.csv")


def _wjx_workbook(path, header, rows):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)


META = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"]


def test_wjx_code_version(tmp_path):
    p = tmp_path / "wjx_code.xlsx"
    header = [*META, "1、您的性别：", "2、您从事过哪些平台工作？(外卖)", "2、(网约车)", "第2题(快递)", "3、您的月收入："]
    rows = [
        [1, "2022/6/1 10:00:00", "125秒", "手机提交", "直接访问", "1.2.3.4(上海)", 1, 1, 0, 1, 3],
        [2, "2022/6/1 10:05:00", "2分5秒", "手机提交", "直接访问", "5.6.7.8(北京)", 2, 0, 1, 0, -3],
    ]
    _wjx_workbook(p, header, rows)
    raw = read_data(p)
    wjx = raw.meta["wjx"]
    assert wjx["version"] == "code"
    assert wjx["metadata_columns"] == META
    assert raw.frame["所用时间"].tolist() == [125.0, 125.0]
    multi = [q for q in wjx["questions"] if q["kind"] == "multiselect"]
    assert len(multi) == 1
    assert multi[0]["number"] == 2 and multi[0]["options"] == ["外卖", "网约车", "快递"]
    assert multi[0]["text"] == "您从事过哪些平台工作？"


def test_wjx_text_version_and_draft_then_ingest(tmp_path, monkeypatch):
    monkeypatch.setenv("FLEXEMP_HOME", str(tmp_path / "home"))
    p = tmp_path / "wjx_text.xlsx"
    header = [*META, "1、您的性别：", "2、您从事过哪些平台工作？", "3、您的手机号："]
    rows = [
        [1, "2022/6/1 10:00:00", "125秒", "手机提交", "直接访问", "1.2.3.4", "男", "外卖┋网约车", "13812345678"],
        [2, "2022/6/1 10:05:00", "98秒", "手机提交", "直接访问", "5.6.7.8", "女", "快递", "13987654321"],
        [3, "2022/6/1 10:09:00", "300秒", "手机提交", "直接访问", "5.6.7.9", "男", "外卖", "13700001111"],
    ]
    _wjx_workbook(p, header, rows)
    raw = read_data(p)
    assert raw.meta["wjx"]["version"] == "text"
    from flexemp.codebook import parse_codebook
    from flexemp.codebook.draft import draft_codebook
    from flexemp.warehouse.load import ingest

    cb = draft_codebook(raw, dataset="wjx_demo")
    assert parse_codebook(cb.to_dict()) == cb
    kinds = {v.name: (v.type, v.pii) for v in cb}
    assert kinds["resp_id"] == ("id", None)
    assert kinds["q2"] == ("multiselect", None)
    assert kinds["q3"] == ("text", "direct")
    assert [c.label_zh for c in cb["q2"].codes] == ["外卖", "网约车", "快递"]
    res = ingest(p, cb, "2022Q2", db=tmp_path / "w.duckdb", drop_pii=True)
    from flexemp.warehouse.store import Warehouse

    with Warehouse(tmp_path / "w.duckdb", read_only=True) as wh:
        data = wh.data(res.provenance)
    assert data[["q2_1", "q2_2", "q2_3"]].to_numpy().tolist() == [[1, 1, 0], [0, 0, 1], [1, 0, 0]]
    assert data["q1"].tolist() == [1.0, 2.0, 1.0]


def test_sav_with_value_labels(tmp_path):
    import pyreadstat

    p = tmp_path / "s.sav"
    frame = pd.DataFrame({"sex": [1.0, 2.0, 1.0], "sat": [1.0, 5.0, 3.0], "note": ["a", "b", ""]})
    pyreadstat.write_sav(frame, str(p), column_labels={"sex": "性别", "sat": "生活满意度"},
                         variable_value_labels={"sex": {1: "男", 2: "女"}, "sat": {1: "非常不满意", 5: "非常满意"}})
    raw = read_data(p)
    assert raw.format == "sav"
    assert raw.frame["sex"].tolist() == [1.0, 2.0, 1.0]
    assert raw.variable_labels == {"sex": "性别", "sat": "生活满意度"}
    assert raw.value_labels["sex"] == {1.0: "男", 2.0: "女"}
    from flexemp.codebook.draft import draft_codebook

    cb = draft_codebook(raw)
    assert cb["sex"].type == "binary" and cb["sex"].label_zh == "性别"
    # a scale labelled only at its ends: the observed 3 becomes a code too, flagged for review
    assert cb["sat"].code_values == (1.0, 3.0, 5.0) and cb["sat"].type == "nominal"
    assert any(n.startswith("sat: values [3.0] have no value label") for n in cb.meta["draft_notes"])


def test_parquet_and_corrupt_files(tmp_path):
    p = tmp_path / "a.parquet"
    pd.DataFrame({"x": [1, 2]}).to_parquet(p)
    assert read_data(p).frame["x"].tolist() == [1, 2]
    for suffix in (".parquet", ".xlsx", ".sav", ".dta"):
        bad = tmp_path / f"bad{suffix}"
        bad.write_bytes(b"not really a file of that kind")
        with pytest.raises(ReadError, match="not a readable"):
            read_data(bad)
