"""The estimators on the embedded platform_workers data, with the codebook's labels (seed 000, Table 2 style)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import flexemp
from flexemp.cli import app
from flexemp.present.labels import term_labels
from flexemp.synth import get_dataset
from flexemp.synth.export import write_synthetic

CONTROLS = ("male + age + married + education + own_home + health + sleep + daily_hours + days_per_week"
            " + community + loan + night_work + central_west")


@pytest.fixture(scope="module")
def pw():
    ds = get_dataset("platform_workers")
    return ds.generate(), ds.codebook()


def test_table2_ordered_probit_with_labels(pw):
    data, cb = pw
    res = flexemp.oprobit(f"life_sat ~ contract + {CONTROLS}", data, vcov="cluster", cluster="province")
    assert res.nobs == 2007 and res.n_clusters == data["province"].nunique()
    labels = term_labels(list(res.params.index), cb)
    assert labels[0] == cb["contract"].label_zh == "劳动合同"
    assert labels[-4:] == ["切点1", "切点2", "切点3", "切点4"]
    vif = flexemp.vif(f"life_sat ~ contract + {CONTROLS}", data)
    assert 1 <= vif.mean <= vif.max < 10


def test_fit_cli_with_codebook_labels(pw, tmp_path):
    out = write_synthetic("platform_workers", tmp_path / "pw.parquet")
    res = CliRunner().invoke(app, ["fit", "oprobit", "--data", str(out), "--formula", f"life_sat ~ contract + {CONTROLS}",
                                   "--vcov", "cluster", "--cluster", "province", "--codebook",
                                   str(tmp_path / "pw.parquet.codebook.yaml"), "--lang", "en", "--json"])
    assert res.exit_code == 0, res.output
    params = json.loads(res.output)["params"]
    assert params[0]["term"] == "contract" and params[0]["label"] == "Labour contract"
    api = flexemp.oprobit(f"life_sat ~ contract + {CONTROLS}", pw[0], vcov="cluster", cluster="province")
    np.testing.assert_allclose([p["estimate"] for p in params], api.params, rtol=1e-12)
