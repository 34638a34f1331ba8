"""The demo builds the warehouse from every embedded dataset, screens it, and is repeatable."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from flexemp.cli import app
from flexemp.demo import DEMO_PLAN, run_demo
from flexemp.synth import get_dataset
from flexemp.synth.export import codebook_path_for, write_synthetic
from flexemp.warehouse.load import ingest
from flexemp.warehouse.store import Warehouse

# seed 004: 26,276 questionnaires, 26,252 after dropping the 24 respondents under 16
SEED_004_FLOW = (26_276, 24, 26_252)
# seed 001: 103 questionnaires collected, 3 removed (key variables missing, invalid), 100 valid
SEED_001_STEPS = [(103, 1, 102), (102, 1, 101), (101, 1, 100)]


def test_demo_twice_gives_the_same_result(tmp_path, monkeypatch):
    monkeypatch.setenv("FLEXEMP_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("FLEXEMP_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("FLEXEMP_PSEUDONYM_KEY_FILE", raising=False)
    db, out = tmp_path / "w.duckdb", tmp_path / "demo"
    first = run_demo(db=db, out=out)
    assert "created" in first.key_note
    assert (tmp_path / "home" / "pseudonym.key").exists()
    assert [r.status for r in first.loads] == ["loaded"] * len(DEMO_PLAN)
    q2 = next(s for s in first.screenings if s.wave == "2022Q2")
    step = q2.flow["steps"][0]
    assert (step["n_before"], step["n_excluded"], step["n_after"]) == SEED_004_FLOW
    with Warehouse(db, read_only=True) as wh:
        waves = {(p.dataset, p.wave): p.rows_stored for p in wh.waves()}
    assert waves == {
        ("flex_sentiment", "2022Q1"): 26_276,
        ("flex_sentiment", "2022Q2"): 26_276,
        ("platform_workers", "2021"): 2_007,
        ("riders_shanghai", "2023"): 103,  # the questionnaires as collected
        ("internet_flex_finance", "2020"): 4_629,
    }
    riders = next(s for s in first.screenings if s.dataset == "riders_shanghai")
    assert [(st["n_before"], st["n_excluded"], st["n_after"]) for st in riders.flow["steps"]] == SEED_001_STEPS
    flows_before = (out / "sample_flows.json").read_text(encoding="utf-8")
    second = run_demo(db=db, out=out)
    assert [r.status for r in second.loads] == ["unchanged"] * len(DEMO_PLAN)
    assert all(s.reused for s in second.screenings)
    assert (out / "sample_flows.json").read_text(encoding="utf-8") == flows_before
    assert json.loads(flows_before)[1]["n_final"] == 26_252
    flows_md = (out / "sample_flows.md").read_text(encoding="utf-8")
    assert "| 1 | 剔除16岁以下样本 | 26,276 | 24 | 26,252 |" in flows_md
    assert "| 3 | 重复受访者（同一手机号） | 101 | 1 | 100 |" in flows_md
    # a demo folder and warehouse from an earlier version (here: the older default seed of platform_workers):
    # that raw file is written again and replaces the wave's load; the files this version generates are reused
    data_file = out / "data" / "platform_workers_2021.csv"
    note_file = out / "data" / "platform_workers_2021.csv.source.json"
    note = json.loads(note_file.read_text(encoding="utf-8"))
    assert note["seed"] == get_dataset("platform_workers").default_seed and note["collected"] is True
    write_synthetic("platform_workers", data_file, seed=20210702, collected=True)
    note_file.write_text(json.dumps({**note, "seed": 20210702}), encoding="utf-8")
    assert ingest(data_file, codebook_path_for(data_file), "2021", db=db, replace=True).status == "replaced"
    third = run_demo(db=db, out=out)
    status = {(r.provenance.dataset, r.provenance.wave): r.status for r in third.loads}
    assert status.pop(("platform_workers", "2021")) == "replaced"
    assert set(status.values()) == {"unchanged"}
    assert json.loads(note_file.read_text(encoding="utf-8")) == note
    with Warehouse(db, read_only=True) as wh:
        stored = wh.wave("2021", "platform_workers").data
    current = get_dataset("platform_workers").generate()
    assert len(stored) == 2_007 and stored["life_sat"].tolist() == current["life_sat"].tolist()
    # seed 002: platform, workers and government are definitive stakeholders
    types = {s["stakeholder"]: s["type"] for s in json.loads((out / "stakeholders.json").read_text(encoding="utf-8"))["stakeholders"]}
    assert types["平台企业"] == types["从业者"] == types["政府机构"] == "definitive"


def test_demo_command_says_where_everything_is(tmp_path, monkeypatch):
    monkeypatch.setenv("FLEXEMP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FLEXEMP_PSEUDONYM_KEY", "demo-test-key-0123456789")
    res = CliRunner().invoke(app, ["demo", "--db", str(tmp_path / "w.duckdb"), "--out", str(tmp_path / "demo")])
    assert res.exit_code == 0, res.output
    assert "Warehouse:" in res.output and "sample_flows.md" in res.output
    assert "26,252" in res.output
