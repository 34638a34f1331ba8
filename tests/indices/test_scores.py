"""scores_from_codebook as the default scores of diffusion_index and of `flexemp index`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from flexemp.cli import app
from flexemp.core.errors import IndexInputError
from flexemp.indices import DEFAULT_SCORES, diffusion_index
from flexemp.indices.scores import scores_for_variables
from flexemp.synth import get_dataset
from flexemp.synth.export import write_synthetic


def test_codebook_default_equals_explicit_scores() -> None:
    ds = get_dataset("flex_sentiment")
    d = ds.generate(n=2000)
    a = diffusion_index(d, ["emp_change", "cons_expect"], codebook=ds.codebook())
    b = diffusion_index(d, ["emp_change", "cons_expect"], scores=DEFAULT_SCORES)
    np.testing.assert_array_equal(a["index"].to_numpy(), b["index"].to_numpy())


def test_reversed_codes_follow_the_labels() -> None:
    from flexemp.codebook import parse_codebook

    cb = parse_codebook({"dataset": "d", "variables": [
        {"name": "q", "type": "ordinal", "label_zh": "收入变化", "codes": {1: "减少很多", 2: "减少一点", 3: "不变",
                                                                    4: "增加一点", 5: "增加很多"}}]})
    import pandas as pd

    r = diffusion_index(pd.DataFrame({"q": [5, 5, 1, 4]}), "q", codebook=cb, min_n=1)
    assert float(r["index"].iloc[0]) == pytest.approx(50 + 50 * (1 + 1 - 1 + 0.5) / 4, rel=1e-12)


def test_questions_with_different_codings_refused() -> None:
    from flexemp.codebook import parse_codebook

    cb = parse_codebook({"dataset": "d", "variables": [
        {"name": "a", "type": "ordinal", "label_zh": "甲", "codes": {1: "变好很多", 2: "基本不变", 3: "变差很多"}},
        {"name": "b", "type": "ordinal", "label_zh": "乙", "codes": {1: "变差很多", 2: "基本不变", 3: "变好很多"}}]})
    with pytest.raises(IndexInputError, match="differently"):
        scores_for_variables(cb, ["a", "b"])


def test_cli_reads_sidecar_codebook_and_refuses_unplaceable_label(tmp_path: Path) -> None:
    data = write_synthetic("flex_sentiment", tmp_path / "q2.csv", n=1000)
    runner = CliRunner()
    ok = runner.invoke(app, ["index", "--data", str(data), "--var", "emp_change", "--json"])
    assert ok.exit_code == 0, ok.output
    side = Path(str(data) + ".codebook.yaml")
    side.write_text(side.read_text(encoding="utf-8").replace("变好很多", "说不清").replace("Much better", "Unsure"),
                    encoding="utf-8")
    bad = runner.invoke(app, ["index", "--data", str(data), "--var", "emp_change"])
    assert bad.exit_code == 1
    assert "说不清" in bad.output
    explicit = runner.invoke(app, ["index", "--data", str(data), "--var", "emp_change", "--scores",
                                   "1:1,2:0.5,3:0,4:-0.5,5:-1", "--json"])
    assert explicit.exit_code == 0
    assert explicit.output == ok.output
