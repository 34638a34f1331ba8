"""`flexemp weight` and `flexemp index`: the commands print what the API computes."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import flexemp
from flexemp.cli import app

runner = CliRunner()


@pytest.fixture
def sample(tmp_path):
    rng = np.random.default_rng(3)
    n = 600
    df = pd.DataFrame({"region": rng.choice(["east", "west"], n, p=[0.7, 0.3]),
                       "sex": rng.choice([1, 2], n), "emp_change": rng.integers(1, 6, n)})
    path = tmp_path / "s.parquet"
    df.to_parquet(path)
    margins = tmp_path / "m.yaml"
    margins.write_text("region: {east: 0.5, west: 0.5}\nsex: {1: 0.51, 2: 0.49}\n", encoding="utf-8")
    return df, path, margins, tmp_path


def test_weight_rakes_to_the_margins(sample):
    df, path, margins, tmp = sample
    out = tmp / "w.parquet"
    res = runner.invoke(app, ["weight", "--data", str(path), "--margins", str(margins), "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    weighted = pd.read_parquet(out)
    share = weighted.groupby("region")["weight"].sum() / weighted["weight"].sum()
    assert share["east"] == pytest.approx(0.5, abs=1e-9) and share["west"] == pytest.approx(0.5, abs=1e-9)
    api = flexemp.rake(df, {"region": {"east": 0.5, "west": 0.5}, "sex": {1: 0.51, 2: 0.49}})
    np.testing.assert_allclose(weighted["weight"], api.weights, rtol=1e-12)
    assert json.loads(res.output)["converged"] is True


def test_index_json_matches_api(sample):
    df, path, _, _ = sample
    res = runner.invoke(app, ["index", "--data", str(path), "--var", "emp_change", "--by", "region", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)["indices"]
    api = flexemp.diffusion_index(df, "emp_change", by="region")
    assert [r["group"] for r in rows] == list(api["group"])
    np.testing.assert_allclose([r["index"] for r in rows], api["index"], rtol=1e-12)
    assert set(rows[0]) == {"var", "wave", "group", "index", "se", "conf_low", "conf_high", "n", "n_eff", "suppressed"}


def test_bad_scores_and_method_are_one_error_line(sample):
    _, path, margins, tmp = sample
    res = runner.invoke(app, ["index", "--data", str(path), "--var", "emp_change", "--scores", "1=1"])
    assert res.exit_code == 1 and "Error:" in res.output and "code:value" in res.output
    res = runner.invoke(app, ["weight", "--data", str(path), "--margins", str(margins), "--out", str(tmp / "x.csv"),
                              "--method", "calibrate"])
    assert res.exit_code == 1 and "rake" in res.output
