"""The Python examples of docs/iv.md run as written (each block on its own, in a fresh namespace)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "iv.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_docs_have_examples() -> None:
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_docs_iv_example_runs(block: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # loo_mean warns about rows with no one left in their group
        exec(compile(block, "docs/iv.md", "exec"), {})
