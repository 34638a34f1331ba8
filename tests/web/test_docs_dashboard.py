"""docs/dashboard.md is code: its Python example runs."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "dashboard.md"


def test_examples_run(monkeypatch, capsys):
    monkeypatch.setenv("FLEXEMP_HOME", "unused")  # the example sets its own; both restored afterwards
    monkeypatch.setenv("FLEXEMP_PSEUDONYM_KEY", "docs-test-key-0123456789abcdef")
    text = DOC.read_text(encoding="utf-8")
    code = "\n".join(re.findall(r"```python\n(.*?)```", text, flags=re.S))
    assert "load_dashboard" in code and "make_server" in code
    exec(compile(code, str(DOC), "exec"), {})
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("['2022Q1', '2022Q2'] ['emp_change', 'inc_change', 'cons_change']")
    assert out[1:3] == ["404 not_found", "405"]
    assert out[3].startswith("Industry,")
    assert out[4] == "True True"  # the --where population: fewer rows, every one accounted for


def test_every_route_and_error_code_is_documented():
    from flexemp.web.site import ERROR_CODES

    text = DOC.read_text(encoding="utf-8")
    assert all(code in text for code in ERROR_CODES.values())
    assert "`/wave/<wave>/<grouping>`" in text and "flexemp serve" in text
