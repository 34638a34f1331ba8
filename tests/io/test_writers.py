"""Writers: CSV with BOM, streamed CSV/Parquet, ParquetStreamWriter casting, labelled SAV/DTA, XLSX."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from flexemp.codebook import load_codebook
from flexemp.io import writers
from flexemp.io.readers import read_data
from flexemp.io.writers import ParquetStreamWriter, WriteError, write_chunks, write_data

CB = load_codebook(
    "dataset: w\nvariables:\n"
    "  - {name: sex, type: binary, label_zh: 性别, codes: {1: 男, 2: 女}}\n"
    "  - {name: inc, type: continuous, label_zh: 收入}\n"
    "  - {name: sat, type: ordinal, label_zh: 满意度, codes: {1: 不满意, 2: 一般, 3: 满意}}\n"
    "  - {name: plat, type: multiselect, label_zh: 平台, codes: {1: 外卖, 2: 网约车}}\n"
    "  - {name: city, type: text, label_zh: 城市}\n"
)
FRAME = pd.DataFrame({
    "sex": [1.0, 2.0, np.nan],
    "inc": [3.5, 4.0, 5.25],
    "sat": [1.0, 3.0, 2.0],
    "plat_1": [1.0, 0.0, 1.0],
    "plat_2": [0.0, 1.0, 1.0],
    "city": ["上海", None, "北京"],
})


def test_csv_has_bom_and_round_trips_chinese(tmp_path):
    before = FRAME.copy()
    p = write_data(FRAME, tmp_path / "out" / "a.csv")
    assert p.read_bytes().startswith(b"\xef\xbb\xbf")
    raw = read_data(p)
    assert raw.encoding == "utf-8-sig"
    assert list(raw.frame.columns) == list(FRAME.columns)
    assert raw.frame["city"].iloc[0] == "上海" and pd.isna(raw.frame["city"].iloc[1])
    assert raw.frame["inc"].tolist() == ["3.5", "4.0", "5.25"]
    pd.testing.assert_frame_equal(FRAME, before)  # the caller's frame is untouched


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_chunks_stream_without_concatenating(tmp_path, monkeypatch, suffix):
    def no_concat(*args, **kwargs):
        raise AssertionError("CSV and Parquet must be streamed, not concatenated")

    monkeypatch.setattr(writers.pd, "concat", no_concat)
    chunks = [pd.DataFrame({"k": [i, i], "v": [float(i), 0.5]}) for i in range(3)]
    p = write_chunks(iter(chunks), tmp_path / f"a{suffix}")
    monkeypatch.undo()
    frame = read_data(p).frame
    assert len(frame) == 6
    assert [str(x) for x in frame["k"]] == ["0", "0", "1", "1", "2", "2"]


def test_csv_chunks_must_share_columns(tmp_path):
    chunks = [pd.DataFrame({"a": [1]}), pd.DataFrame({"b": [2]})]
    with pytest.raises(WriteError, match=r"a chunk's columns \['b'\] differ from the first chunk's \['a'\]"):
        write_chunks(chunks, tmp_path / "a.csv")


def test_parquet_stream_writer_casts_and_reorders_to_the_first_schema(tmp_path):
    p = tmp_path / "s.parquet"
    with ParquetStreamWriter(p) as w:
        w.write(pd.DataFrame({"x": [1.5, 2.0], "s": ["a", "b"]}))
        w.write(pd.DataFrame({"s": ["c"], "x": [3]}))  # int64 → double; columns in another order
        assert w.n_rows == 3
    back = pd.read_parquet(p)
    assert list(back.columns) == ["x", "s"]
    assert back["x"].dtype == np.float64 and back["x"].tolist() == [1.5, 2.0, 3.0]
    assert back["s"].tolist() == ["a", "b", "c"]


def test_parquet_stream_writer_refusals(tmp_path):
    w = ParquetStreamWriter(tmp_path / "s.parquet")
    w.write(pd.DataFrame({"x": [1.5]}))
    with pytest.raises(WriteError, match="does not fit the first chunk's column types"):
        w.write(pd.DataFrame({"x": ["not a number"]}))
    with pytest.raises(WriteError, match=r"missing \['x'\], extra \['y'\]"):
        w.write(pd.DataFrame({"y": [1.0]}))
    w.close()
    with pytest.raises(WriteError, match="the writer is closed"):
        w.write(pd.DataFrame({"x": [2.0]}))
    assert pd.read_parquet(tmp_path / "s.parquet")["x"].tolist() == [1.5]


def test_sav_gets_codebook_labels(tmp_path):
    import pyreadstat

    p = write_data(FRAME, tmp_path / "a.sav", codebook=CB)
    back, meta = pyreadstat.read_sav(str(p))
    assert meta.column_names_to_labels == {"sex": "性别", "inc": "收入", "sat": "满意度", "plat_1": "平台：外卖",
                                           "plat_2": "平台：网约车", "city": "城市"}
    assert meta.variable_value_labels == {"sex": {1.0: "男", 2.0: "女"}, "sat": {1.0: "不满意", 2.0: "一般", 3.0: "满意"},
                                          "plat_1": {0.0: "未选", 1.0: "选中"}, "plat_2": {0.0: "未选", 1.0: "选中"}}
    assert back["sat"].tolist() == [1.0, 3.0, 2.0] and np.isnan(back["sex"].iloc[2])
    assert back["city"].tolist() == ["上海", "", "北京"]
    raw = read_data(p)
    assert raw.value_labels["sex"] == {1.0: "男", 2.0: "女"}


def test_sav_labels_skip_text_columns_and_dates_are_kept(tmp_path):
    import pyreadstat

    frame = pd.DataFrame({"sex": ["1", "2"], "when": pd.to_datetime(["2022-06-01", "2022-06-02"])})
    p = write_data(frame, tmp_path / "a.sav", codebook=CB)
    back, meta = pyreadstat.read_sav(str(p))
    assert meta.variable_value_labels == {}  # a raw text column gets no value labels
    assert meta.column_names_to_labels["sex"] == "性别"
    assert back["when"].tolist() == list(pd.to_datetime(["2022-06-01", "2022-06-02"]))


def test_dta_gets_codebook_labels(tmp_path):
    import pyreadstat

    p = write_data(FRAME, tmp_path / "a.dta", codebook=CB)
    back, meta = pyreadstat.read_dta(str(p))
    assert meta.column_names_to_labels["sex"] == "性别"
    assert meta.variable_value_labels["sex"] == {1: "男", 2: "女"}
    assert back["inc"].tolist() == [3.5, 4.0, 5.25]


def test_concatenated_formats_and_xlsx_round_trip(tmp_path):
    chunks = [FRAME.iloc[:2], FRAME.iloc[2:]]
    p = write_chunks(chunks, tmp_path / "a.xlsx")
    raw = read_data(p)
    assert raw.frame["city"].tolist()[0] == "上海" and pd.isna(raw.frame["city"].iloc[1])
    assert raw.frame["inc"].tolist() == [3.5, 4.0, 5.25]
    q = write_chunks(chunks, tmp_path / "b.sav")
    assert read_data(q).frame["inc"].tolist() == [3.5, 4.0, 5.25]


def test_format_argument_overrides_the_extension(tmp_path):
    p = write_data(pd.DataFrame({"x": [1, 2]}), tmp_path / "a.bin", format="parquet")
    assert pd.read_parquet(p)["x"].tolist() == [1, 2]


def test_refusals(tmp_path, monkeypatch):
    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 2)
    with pytest.raises(WriteError, match="XLSX holds at most 2 data rows; 3 given"):
        write_data(pd.DataFrame({"x": [1, 2, 3]}), tmp_path / "a.xlsx")
    with pytest.raises(WriteError, match=r"cannot write \.json; use one of"):
        write_data(pd.DataFrame({"x": [1]}), tmp_path / "a.json")
    with pytest.raises(WriteError, match="format='json' is not supported"):
        write_data(pd.DataFrame({"x": [1]}), tmp_path / "a.csv", format="json")
    with pytest.raises(WriteError, match="no chunks were given"):
        write_chunks(iter([]), tmp_path / "a.parquet")
    with pytest.raises(WriteError, match=r"cannot write a\.sav as SAV"):
        write_data(pd.DataFrame({"1 bad name": [1.0]}), tmp_path / "a.sav")
