"""`flexemp fit` and `flexemp vif`: JSON shapes and equality with the Python API."""

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
def data_file(tmp_path):
    rng = np.random.default_rng(8)
    n = 800
    df = pd.DataFrame({"x": rng.normal(size=n), "d": rng.integers(0, 2, n).astype(float), "g": rng.integers(0, 20, n)})
    df["y"] = (rng.logistic(size=n) < df["x"] - 0.5 * df["d"]).astype(float)
    df["o"] = np.digitize(df["x"] + rng.normal(size=n), [-0.5, 0.5]).astype(float) + 1
    path = tmp_path / "d.parquet"
    df.to_parquet(path)
    return path, df


def _json(*args):
    res = runner.invoke(app, [str(a) for a in args])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def test_fit_json_matches_api(data_file):
    path, df = data_file
    out = _json("fit", "logit", "--data", path, "--formula", "y ~ x + d", "--vcov", "cluster", "--cluster", "g",
                "--margins", "--json")
    api = flexemp.logit("y ~ x + d", df, vcov="cluster", cluster="g")
    assert set(out) >= {"model", "nobs", "loglik", "cov_type", "n_clusters", "params", "margins"}
    assert (out["model"], out["nobs"], out["cov_type"], out["n_clusters"]) == ("logit", 800, "cluster", 20)
    assert [p["term"] for p in out["params"]] == ["Intercept", "x", "d"]
    assert set(out["params"][0]) == {"term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"}
    np.testing.assert_allclose([p["std_error"] for p in out["params"]], api.std_errors, rtol=1e-12)
    assert [m["term"] for m in out["margins"]] == ["x", "d"]  # in the model's term order


def test_fit_mlogit_base_and_prefixed_terms(data_file):
    path, _ = data_file
    out = _json("fit", "mlogit", "--data", path, "--formula", "o ~ x", "--base", "2", "--json", "--margins")
    assert [p["term"] for p in out["params"]] == ["1:Intercept", "1:x", "3:Intercept", "3:x"]
    assert {m["term"] for m in out["margins"]} == {"1:x", "2:x", "3:x"}


def test_fit_refusals_are_one_error_line(data_file):
    path, _ = data_file
    res = runner.invoke(app, ["fit", "tobit", "--data", str(path), "--formula", "y ~ x"])
    assert res.exit_code == 1 and "Error:" in res.output and "'probit'" in res.output
    res = runner.invoke(app, ["fit", "logit", "--data", str(path), "--formula", "y ~ x", "--vcov", "cluster"])
    assert res.exit_code == 1 and "needs cluster" in res.output
    res = runner.invoke(app, ["fit", "ols", "--data", str(path), "--formula", "y ~ x", "--base", "1"])
    assert res.exit_code == 1 and "mlogit option" in res.output


def test_vif_json(data_file):
    path, df = data_file
    out = _json("vif", "--data", path, "--formula", "y ~ x + d", "--json")
    assert set(out) == {"vif", "max", "mean", "centered"}
    # two regressors: VIF = 1 / (1 - r²) for both
    r = np.corrcoef(df["x"], df["d"])[0, 1]
    assert out["vif"]["x"] == pytest.approx(1 / (1 - r**2), rel=1e-10)
    assert out["max"] == pytest.approx(out["vif"]["d"], rel=1e-10)
