"""docs/charts.md is code: its Python examples run, and every public chart name is documented."""

from __future__ import annotations

import re
from pathlib import Path

import flexemp.present.charts as charts

DOC = Path(__file__).resolve().parents[2] / "docs" / "charts.md"


def test_examples_run():
    text = DOC.read_text(encoding="utf-8")
    code = "\n".join(re.findall(r"```python\n(.*?)```", text, flags=re.S))
    assert "render_png" in code
    exec(compile(code, str(DOC), "exec"), {})


def test_every_public_name_is_documented():
    text = DOC.read_text(encoding="utf-8")
    missing = [n for n in charts.__all__ if n not in text]
    assert not missing
