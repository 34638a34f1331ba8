"""``flexemp audit``: exit codes 0/1/2, the Error: line and the JSON shape."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from flexemp.cli import app
from flexemp.cli_audit import register

if "audit" not in typer.main.get_command(app).commands:  # type: ignore[attr-defined]
    register(app)

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "audit"


def test_exit_0_when_all_consistent() -> None:
    # seed 004 Tables 1, 3, 4, 5, 8 reproduce within rounding
    res = runner.invoke(app, ["audit", str(EXAMPLES / "seed_004.yaml")])
    assert res.exit_code == 0, res.output
    assert "inconsistent 0" in res.output


def test_exit_1_and_json_shape_when_inconsistent() -> None:
    res = runner.invoke(app, ["audit", str(EXAMPLES / "seed_003.yaml"), "--json"])
    assert res.exit_code == 1
    out = json.loads(res.stdout)
    assert set(out) == {"checks", "summary"}
    assert set(out["summary"]) == {"consistent", "inconsistent", "cannot_tell"}
    assert all(
        set(c) == {"table", "row", "check", "verdict", "reason", "numbers"} for c in out["checks"]
    )
    flagged = {(c["row"], c["check"]) for c in out["checks"] if c["verdict"] == "inconsistent"}
    assert ("理财情况", "ci_sign") in flagged and ("性别", "ci_se") in flagged
    assert out["summary"]["inconsistent"] == sum(
        c["verdict"] == "inconsistent" for c in out["checks"]
    )


def test_markdown_in_english() -> None:
    res = runner.invoke(
        app, ["audit", str(EXAMPLES / "seed_001.yaml"), "--markdown", "--lang", "en"]
    )
    assert res.exit_code == 1 and "## Consistency audit of published tables" in res.output


def test_exit_2_when_unreadable(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["audit", str(tmp_path / "nope.yaml")])
    assert (
        missing.exit_code == 2 and "Error:" in missing.output and "file not found" in missing.output
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "- {kind: regression, rows: [{term: a, coef: x1, se: 1, t: 2}]}\n", encoding="utf-8"
    )
    res = runner.invoke(app, ["audit", str(bad)])
    assert res.exit_code == 2 and "Error:" in res.output and "(line 1)" in res.output
    csv = tmp_path / "t.csv"
    csv.write_text("a,b\n", encoding="utf-8")
    res = runner.invoke(app, ["audit", str(csv)])
    assert res.exit_code == 2 and "needs the columns kind and title" in res.output
    other = tmp_path / "t.json"
    other.write_text("{}", encoding="utf-8")
    res = runner.invoke(app, ["audit", str(other)])
    assert res.exit_code == 2 and "YAML (.yaml, .yml), CSV or XLSX" in res.output
