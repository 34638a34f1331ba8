"""The command line: exit codes, the Error: line, JSON shapes, and the whole ingest → screen path."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from flexemp.cli import app

runner = CliRunner()

CODEBOOK = """\
dataset: cli_test
variables:
  - {name: rid, type: id, label_zh: 编号}
  - {name: phone, type: text, label_zh: 手机号, pii: direct}
  - {name: age, type: continuous, label_zh: 年龄, range: [10, 99]}
  - {name: sat, type: ordinal, label_zh: 满意度, codes: {1: 不满意, 2: 一般, 3: 满意}}
"""
RULES = """\
rules:
  - name: 16岁及以上
    keep: "age >= 16"
  - name: 满意度无缺失
    complete: [sat]
"""


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.setenv("FLEXEMP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FLEXEMP_PSEUDONYM_KEY", "cli-test-key-0123456789")
    cb = tmp_path / "cb.yaml"
    cb.write_text(CODEBOOK, encoding="utf-8")
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    raw = tmp_path / "raw.csv"
    pd.DataFrame(
        {"rid": ["a", "b", "c", "d", "e"], "phone": ["13812345678"] * 5, "age": [30, 15, 40, 12, 55], "sat": [1, 2, "", 3, 2]}
    ).to_csv(raw, index=False)
    return {"cb": cb, "rules": rules, "raw": raw, "db": tmp_path / "w.duckdb", "tmp": tmp_path}


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_codebook_check_ok_and_error(files, tmp_path):
    res = invoke("codebook", "check", files["cb"], "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.output) == {"dataset": "cli_test", "variables": 4, "stored_columns": 4,
                                      "direct_identifiers": ["phone"], "ok": True}
    bad = tmp_path / "bad.yaml"
    bad.write_text("dataset: x\nvariables:\n  - {name: a, type: ordnal, label_zh: A}\n", encoding="utf-8")
    res = invoke("codebook", "check", bad)
    assert res.exit_code == 1
    assert "Error:" in res.output and "field 'type'" in res.output and "(line 3)" in res.output
    assert "Traceback" not in res.output


def test_ingest_waves_screen_round_trip(files):
    db = files["db"]
    res = invoke("ingest", files["raw"], "--codebook", files["cb"], "--wave", "2024Q1", "--db", db, "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["status"] == "loaded"
    assert out["provenance"]["rows_stored"] == 5
    res = invoke("ingest", files["raw"], "--codebook", files["cb"], "--wave", "2024Q1", "--db", db)
    assert res.exit_code == 0 and "nothing changed" in res.output
    res = invoke("waves", "--db", db, "--json")
    waves = json.loads(res.output)["waves"]
    assert [(w["dataset"], w["wave"], w["rows_stored"], w["rows_quarantined"]) for w in waves] == [
        ("cli_test", "2024Q1", 5, 0)
    ]
    res = invoke("screen", "--db", db, "--wave", "2024Q1", "--rules", files["rules"], "--json", "--list-excluded")
    assert res.exit_code == 0, res.output
    flow = json.loads(res.output)
    # ages 15 and 12 fail the first rule; row 3 has no satisfaction answer
    assert [(s["step"], s["rule"], s["n_before"], s["n_excluded"], s["n_after"]) for s in flow["steps"]] == [
        (1, "16岁及以上", 5, 2, 3),
        (2, "满意度无缺失", 3, 1, 2),
    ]
    assert [(e["_row"], e["rule"]) for e in flow["excluded"]] == [(2, "16岁及以上"), (3, "满意度无缺失"), (4, "16岁及以上")]
    res = invoke("screen", "--db", db, "--wave", "2024Q1", "--rules", files["rules"])
    assert res.exit_code == 0 and "筛选后" in res.output


def test_ingest_rejects_with_report_and_exit_1(files):
    frame = pd.read_csv(files["raw"])
    frame.loc[2, "age"] = 150
    bad = files["tmp"] / "bad.csv"
    frame.to_csv(bad, index=False)
    res = invoke("ingest", bad, "--codebook", files["cb"], "--wave", "W", "--db", files["db"])
    assert res.exit_code == 1
    assert "Error:" in res.output and "--quarantine" in res.output and "out_of_range" in res.output
    res = invoke("ingest", bad, "--codebook", files["cb"], "--wave", "W", "--db", files["db"], "--json")
    assert res.exit_code == 1
    payload = json.loads(res.output[: res.output.rindex("}") + 1])
    assert payload["status"] == "rejected"
    assert [(i["row"], i["column"], i["rule"]) for i in payload["report"]["issues"]] == [(3, "age", "out_of_range")]
    res = invoke("ingest", bad, "--codebook", files["cb"], "--wave", "W", "--db", files["db"], "--quarantine")
    assert res.exit_code == 0 and "1 quarantined" in res.output


def test_unknown_wave_is_one_error_line(files):
    invoke("ingest", files["raw"], "--codebook", files["cb"], "--wave", "2024Q1", "--db", files["db"])
    res = invoke("screen", "--db", files["db"], "--wave", "1999Q9", "--rules", files["rules"])
    assert res.exit_code == 1
    assert "Error: wave '1999Q9'" in res.output
    assert "Traceback" not in res.output


def test_datasets_and_synth(files):
    res = invoke("datasets", "--json")
    names = [d["name"] for d in json.loads(res.output)["datasets"]]
    assert set(names) == {"platform_workers", "riders_shanghai", "internet_flex_finance", "flex_sentiment"}
    out = files["tmp"] / "r.parquet"
    res = invoke("synth", "riders_shanghai", "--out", out)
    assert res.exit_code == 0, res.output
    assert len(pd.read_parquet(out)) == 100
    assert (files["tmp"] / "r.parquet.codebook.yaml").exists()
    collected = files["tmp"] / "r103.csv"
    res = invoke("synth", "riders_shanghai", "--collected", "--out", collected)
    assert res.exit_code == 0 and "Wrote 103 rows" in res.output, res.output
    raw = pd.read_csv(collected)
    assert len(raw) == 103 and raw["resp_id"].iloc[:100].tolist() == pd.read_parquet(out)["resp_id"].tolist()
    assert raw["unwilling"].isna().sum() == 1 and raw["phone"].duplicated().sum() == 1
    res = invoke("synth", "no_such_data", "--out", out)
    assert res.exit_code == 1 and "available:" in res.output


def test_key_init_refuses_to_overwrite(files):
    path = files["tmp"] / "k.key"
    assert invoke("key", "init", "--path", path).exit_code == 0
    res = invoke("key", "init", "--path", path)
    assert res.exit_code == 1 and "--force" in res.output


def test_cli_import_is_light():
    """`flexemp --help` must not pay for pandas, numpy or duckdb (heavy modules load lazily)."""
    import subprocess
    import sys

    code = "import sys, flexemp.cli; print(sorted(m for m in ('pandas', 'duckdb', 'scipy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
