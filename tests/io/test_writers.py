"""Writers: CSV with BOM, streamed Parquet, labelled SAV, XLSX row limit."""

from __future__ import annotations

import pandas as pd
import pytest

from flexemp.codebook import load_codebook
from flexemp.io import writers
from flexemp.io.readers import read_data

CB = load_codebook(
    "dataset: w\nvariables:\n"
    "  - {name: sex, type: binary, label_zh: 性别, codes: {1: 男, 2: 女}}\n"
    "  - {name: inc, type: continuous, label_zh: 收入}\n"
)


def test_csv_has_bom_and_round_trips(tmp_path):
    p = writers.write_data(pd.DataFrame({"sex": [1, 2], "inc": [3.5, 4.0]}), tmp_path / "a.csv")
    assert p.read_bytes().startswith(b"\xef\xbb\xbf")
    raw = read_data(p)
    assert raw.encoding == "utf-8-sig" and raw.frame["inc"].tolist() == ["3.5", "4.0"]


def test_chunks_stream_to_one_file(tmp_path):
    chunks = [pd.DataFrame({"sex": [1.0, 2.0], "inc": [float(i), 1.0]}) for i in range(3)]
    for suffix in (".csv", ".parquet"):
        p = writers.write_chunks(iter(chunks), tmp_path / f"a{suffix}")
        assert len(read_data(p).frame) == 6


def test_sav_gets_codebook_labels(tmp_path):
    import pyreadstat

    p = writers.write_data(pd.DataFrame({"sex": [1.0, 2.0], "inc": [3.5, 4.0]}), tmp_path / "a.sav", codebook=CB)
    _, meta = pyreadstat.read_sav(str(p))
    assert meta.column_names_to_labels == {"sex": "性别", "inc": "收入"}
    assert meta.variable_value_labels == {"sex": {1.0: "男", 2.0: "女"}}


def test_xlsx_row_limit_and_unknown_format(tmp_path, monkeypatch):
    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 2)
    with pytest.raises(writers.WriteError, match="at most 2"):
        writers.write_data(pd.DataFrame({"x": [1, 2, 3]}), tmp_path / "a.xlsx")
    with pytest.raises(writers.WriteError, match=r"cannot write \.json"):
        writers.write_data(pd.DataFrame({"x": [1]}), tmp_path / "a.json")
