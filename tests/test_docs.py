"""The docs are code: every CLI command and public function is documented; the CLI reference is current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer.main

import flexemp
from flexemp.cli import app

ROOT = Path(__file__).resolve().parent.parent


def _docs_text() -> str:
    parts = [(ROOT / "README.md").read_text(encoding="utf-8")]
    parts += [p.read_text(encoding="utf-8") for p in (ROOT / "docs").rglob("*.md") if p.name != "cli.md"]
    return "\n".join(parts)


def _command_names(group, prefix=()):
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            yield from _command_names(cmd, (*prefix, name))
        else:
            yield " ".join((*prefix, name))


def test_every_cli_command_is_documented_with_an_example():
    text = _docs_text()
    root = typer.main.get_command(app)
    missing = [c for c in _command_names(root) if f"flexemp {c}" not in text]
    assert not missing, f"commands not in README/docs: {missing}"
    for name, cmd in root.commands.items():
        for sub in getattr(cmd, "commands", {name: cmd}).values():
            assert "Example:" in (sub.help or ""), f"{name} {sub.name} has no example in its docstring"


def test_every_public_function_is_documented():
    text = _docs_text()
    missing = [n for n in flexemp.__all__ if n != "__version__" and n not in text]
    assert not missing, f"public names not in README/docs: {missing}"


def test_cli_reference_is_current():
    res = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_cli_docs.py"), "--check"], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
