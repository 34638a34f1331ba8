"""Drafting codebooks: SPSS/Stata labels, plain files, 问卷星 exports in both versions; the drafts parse and save."""

from __future__ import annotations

import pandas as pd
import pytest

from flexemp.codebook import load_codebook, parse_codebook, save_codebook
from flexemp.codebook.draft import draft_codebook
from flexemp.core.errors import CodebookError
from flexemp.io.readers import read_data
from tests.io.conftest import write_labelled_sav, write_wjx_code, write_wjx_text, write_xlsx


def _round_trips(cb, tmp_path):
    assert parse_codebook(cb.to_dict()) == cb
    out = save_codebook(cb, tmp_path / "draft.codebook.yaml")
    assert load_codebook(out) == cb


# ------------------------------------------------------------------ SPSS / Stata
def test_sav_labels_become_codes_and_types(tmp_path):
    cb = draft_codebook(write_labelled_sav(tmp_path / "labelled.sav"))
    assert cb.dataset == "labelled"
    sex = cb["sex"]
    assert (sex.type, sex.label_zh, sex.question) == ("binary", "性别", "性别")
    assert [(c.value, c.label_zh) for c in sex.codes] == [(1.0, "男"), (2.0, "女")]
    # labelled only at its ends: observed 3 and 4 are added, the labels look ordered
    assert cb["sat"].type == "ordinal" and cb["sat"].code_values == (1.0, 3.0, 4.0, 5.0)
    assert cb["sat"].code_label(3.0) == "3"
    assert cb["city"].type == "nominal" and [c.label_zh for c in cb["city"].codes] == ["北京", "上海", "广州"]
    # 99 = 不知道 becomes a missing code, not a category
    assert cb["trust"].type == "ordinal" and cb["trust"].code_values == (1.0, 2.0, 3.0)
    assert cb["trust"].missing == (99.0,)
    assert cb["hours"].type == "continuous" and cb["kids"].type == "count" and cb["kids"].label_zh == "kids"
    assert cb["Q1_a"].source == ("Q1.a",)
    assert (cb["phone"].type, cb["phone"].pii) == ("text", "direct")
    assert cb["note"].type == "text" and cb["note"].pii is None
    notes = cb.meta["draft_notes"]
    assert any(n.startswith("sat: values [3.0, 4.0] have no value label") for n in notes)
    assert any(n.startswith("trust: codes [99.0] (不知道) drafted as missing") for n in notes)
    assert any(n.startswith("city: 3 codes drafted as nominal") for n in notes)
    assert cb.meta["drafted_from"] == "labelled.sav"
    _round_trips(cb, tmp_path)


def test_dta_and_duplicate_value_labels(tmp_path):
    import pyreadstat

    p = tmp_path / "2024 wave.dta"
    pyreadstat.write_dta(pd.DataFrame({"work": [1, 2, 3], "when": pd.to_datetime(["2024-01-01", "2024-02-01", None])}),
                         str(p), column_labels={"work": "工作类型"},
                         variable_value_labels={"work": {1: "外卖", 2: "快递", 3: "外卖"}})
    cb = draft_codebook(p, dataset="riders_2024")
    assert cb.dataset == "riders_2024"
    assert [c.label_zh for c in cb["work"].codes] == ["外卖", "快递", "外卖 (3)"]
    assert cb["when"].type == "date"
    _round_trips(cb, tmp_path)
    assert draft_codebook(p).dataset == "d_2024_wave"


def test_plain_csv_numbers_names_and_identifiers(tmp_path):
    p = tmp_path / "survey.csv"
    pd.DataFrame({
        "age": [30, 41, 25],
        "月收入": [5200.5, 8000.0, 6100.0],
        "姓名": ["张三", "李四", "王五"],
        "ID": ["110101199003071234", "11010119850101123X", "110101197712120011"],
        "city": ["上海", "北京", "上海"],
        "q1": [1, 2, 3],
    }).to_csv(p, index=False, encoding="gbk")
    cb = draft_codebook(p)
    assert [v.name for v in cb] == ["age", "q2", "q3", "ID", "city", "q1"]
    assert cb["q2"].type == "continuous" and cb["q2"].source == ("月收入",) and cb["q2"].label_zh == "月收入"
    assert cb["q3"].pii == "direct" and cb["ID"].pii == "direct"
    assert cb["age"].type == "count" and cb["city"].type == "text" and cb["city"].pii is None
    _round_trips(cb, tmp_path)


def test_name_clash_gets_a_suffix(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text("年龄,q1\n30,1\n", encoding="utf-8")
    cb = draft_codebook(p)
    assert [(v.name, v.source) for v in cb] == [("q1", ("年龄",)), ("q1_2", ("q1",))]


def test_bad_dataset_name_is_refused(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text("a\n1\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="dataset='第一期' is not an ASCII identifier"):
        draft_codebook(p, dataset="第一期")


# ------------------------------------------------------------------ 问卷星
def test_wjx_code_version(tmp_path):
    cb = draft_codebook(write_wjx_code(tmp_path / "wjx_code.xlsx"))
    kinds = {v.name: (v.type, v.pii) for v in cb}
    assert kinds == {
        "resp_id": ("id", None), "submitted_at": ("date", None), "duration_sec": ("continuous", None),
        "source_channel": ("text", None), "source_detail": ("text", None), "ip": ("text", "quasi"),
        "q1": ("binary", None), "q2": ("multiselect", None), "q3": ("multiselect", None), "q4": ("count", None),
        "q5_1": ("nominal", None), "q5_2": ("nominal", None), "q6": ("multiselect", None), "q7": ("text", "direct"),
    }
    assert cb["duration_sec"].unit == "秒" and cb["resp_id"].source == ("序号",)
    q3 = cb["q3"]
    assert q3.source == ("3、您从事过哪些平台工作？(外卖)", "(网约车)", "3、(其他)")
    assert [(c.value, c.label_zh) for c in q3.codes] == [(1.0, "外卖"), (2.0, "网约车"), (3.0, "其他")]
    assert q3.label_zh == "您从事过哪些平台工作" and q3.question == "您从事过哪些平台工作？"
    assert cb["q2"].label_zh == "第2题" and cb["q2"].source == ("第2题(全职)", "第2题(兼职)")
    assert cb["q1"].codes[0].label_zh == "选项1" and cb["q1"].missing == (-2.0, -3.0)
    # matrix items share the code range of the whole matrix (answers 2..5)
    assert cb["q5_1"].code_values == cb["q5_2"].code_values == (1.0, 2.0, 3.0, 4.0, 5.0)
    assert cb["q5_1"].label_zh == "请评价以下方面：收入"
    _round_trips(cb, tmp_path)


def test_wjx_text_version_draft_then_ingest(tmp_path, monkeypatch):
    monkeypatch.setenv("FLEXEMP_HOME", str(tmp_path / "home"))
    p = write_wjx_text(tmp_path / "wjx_text.xlsx")
    cb = draft_codebook(read_data(p), dataset="wjx_demo")
    kinds = {v.name: (v.type, v.pii) for v in cb}
    assert kinds["q2"] == ("multiselect", None) and kinds["q3"] == ("text", "direct")
    assert kinds["q5"] == ("count", None)
    assert cb["q2"].separator == "┋" and cb["q2"].source == ("2、您从事过哪些平台工作？",)
    assert [c.label_zh for c in cb["q2"].codes] == ["外卖", "网约车", "快递"]
    assert [c.label_zh for c in cb["q1"].codes] == ["男", "女"]
    # the skip marker is declared missing, not made a code
    assert [c.label_zh for c in cb["q4"].codes] == ["5000元以下", "5000-7500元"] and "(跳过)" in cb["q4"].missing
    _round_trips(cb, tmp_path)

    from flexemp.warehouse.load import ingest
    from flexemp.warehouse.store import Warehouse

    res = ingest(p, cb, "2022Q2", db=tmp_path / "w.duckdb", drop_pii=True)
    with Warehouse(tmp_path / "w.duckdb", read_only=True) as wh:
        data = wh.data(res.provenance)
    assert data[["q2_1", "q2_2", "q2_3"]].to_numpy().tolist() == [[1, 1, 0], [0, 0, 1], [1, 0, 0]]
    assert data["q1"].tolist() == [1.0, 2.0, 1.0]
    assert data["q4"].tolist()[0] == 1.0 and pd.isna(data["q4"].iloc[1])
    assert "q3" not in data.columns


def test_wjx_unnumbered_column_and_fill_in_answers(tmp_path):
    p = write_xlsx(tmp_path / "w.xlsx", ["序号", "提交答卷时间", "所用时间", "1、您的职业：", "备注"],
                   [[1, "2022/6/1", "10秒", "其他〖主播〗", "无"], [2, "2022/6/1", "12秒", "骑手", "有"],
                    [3, "2022/6/1", "13秒", "骑手", "无"]])
    cb = draft_codebook(p)
    assert cb["q5"].source == ("备注",)  # unnumbered: named by column position
    assert any("〖…〗" in n for n in cb.meta["draft_notes"] if n.startswith("q1"))
    _round_trips(cb, tmp_path)
