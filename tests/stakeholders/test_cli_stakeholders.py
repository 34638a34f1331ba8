"""`flexemp stakeholders`: table, JSON shape, and the Error: line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from flexemp.cli import app
from flexemp.cli_stakeholders import register
from flexemp.io.analysis import read_analysis_data
from flexemp.stakeholders import mitchell

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "stakeholder_scores.csv"
runner = CliRunner()

if "stakeholders" not in typer.main.get_command(app).commands:  # before the lead wires it
    register(app)


def test_table_output():
    res = runner.invoke(app, ["stakeholders", str(EXAMPLE)])
    assert res.exit_code == 0, res.output
    for text in (
        "利益相关者",
        "合法性均值",
        "平台企业",
        "确定型",
        "预期型",
        "潜在型",
        "legitimacy",
        "agreement",
    ):
        assert text in res.output


def test_json_matches_api():
    res = runner.invoke(
        app, ["stakeholders", str(EXAMPLE), "--thresholds", "6,8", "--linkage", "ward", "--json"]
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    api = mitchell(read_analysis_data(EXAMPLE), linkage="ward")
    assert set(out) >= {"stakeholders", "clusters", "agreement"}
    first = out["stakeholders"][0]
    assert {
        "stakeholder",
        "legitimacy_mean",
        "power_mean",
        "urgency_mean",
        "legitimacy_level",
        "type",
    } <= set(first)
    assert [s["type"] for s in out["stakeholders"]] == api.summary["type"].tolist()
    assert first["power_mean"] == pytest.approx(api.summary.loc[0, "power_mean"], rel=1e-12)
    assert out["clusters"]["power"]["method"] == "ward"
    assert out["agreement"]["legitimacy"]["share"] == pytest.approx(
        api.agreement["legitimacy"].share
    )


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["--linkage", "avarage"], "Did you mean 'average'"),
        (["--thresholds", "6"], "two numbers separated by a comma"),
        (["--thresholds", "8,6"], "0 <= low < high <= 10"),
        (["--n-clusters", "12"], "more than the 9 stakeholders"),
    ],
)
def test_errors_become_one_line(args, phrase):
    res = runner.invoke(app, ["stakeholders", str(EXAMPLE), *args])
    assert res.exit_code == 1
    assert "Error:" in res.output and phrase in res.output
