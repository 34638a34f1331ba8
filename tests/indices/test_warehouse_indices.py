"""Indices over the stored, screened waves: SQL on the warehouse equals diffusion_index on the same rows."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from flexemp.cli import app
from flexemp.core.errors import DroppedRowsWarning, IndexInputError, WaveNotFoundError
from flexemp.indices import diffusion_index
from flexemp.indices.warehouse import warehouse_indices
from flexemp.warehouse.store import Warehouse
from tests.small_warehouse import WAVES, build_small_warehouse


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    # screened with a rule that really excludes rows: the demo's rule plus the flexible-worker rule
    return build_small_warehouse(tmp_path_factory.mktemp("wh_idx"), n=1200, key="index-test-key-0123456789abcdef",
                                 extra_rules='  - name: 有工作\n    keep: "emp_status == 1"\n')


def _screened(db) -> pd.DataFrame:
    frames = []
    with Warehouse(db, read_only=True) as store:
        for wave in WAVES:
            stored = store.wave(wave, "flex_sentiment")
            sid = store.con.execute("SELECT max(screening_id) FROM screenings WHERE load_id = ?",
                                    [stored.provenance.load_id]).fetchone()[0]
            out = store.con.execute("SELECT _row FROM screen_exclusions WHERE screening_id = ?", [sid]).df()
            frame = stored.data[~stored.data["_row"].isin(out["_row"])]
            frames.append(frame.assign(wave=wave))
    return pd.concat(frames, ignore_index=True)


def test_equals_diffusion_index_on_the_screened_rows(db):
    data = _screened(db)
    assert data["emp_status"].eq(1).all()  # the screening's exclusions were applied
    scores = {1: 1.0, 2: 0.5, 3: 0.0, 4: -0.5, 5: -1.0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DroppedRowsWarning)
        sql = warehouse_indices(db, ["emp_change", "inc_change"], dataset="flex_sentiment", by="industry")
        ref = diffusion_index(data, ["emp_change", "inc_change"], by="industry", wave="wave", scores=scores)
    assert len(sql) == len(ref)
    for col in ("index", "se", "conf_low", "conf_high", "n_eff"):
        np.testing.assert_allclose(sql[col].to_numpy(float), ref[col].to_numpy(float), rtol=1e-12, equal_nan=True)
    assert sql["n"].tolist() == ref["n"].tolist() and sql["suppressed"].tolist() == ref["suppressed"].tolist()
    assert sorted(set(sql["wave"])) == list(WAVES)
    assert 'FROM "fx_index_waves"' in sql.attrs["sql"]  # the one index query, run on the stacked stored waves


def test_choosing_waves_and_refusals(db):
    one = warehouse_indices(db, "emp_change", dataset="flex_sentiment", waves=["2022Q2"])
    assert one["wave"].tolist() == ["2022Q2"]
    with pytest.raises(WaveNotFoundError):
        warehouse_indices(db, "emp_change", dataset="flex_sentiment", waves=["2030Q1"])
    with pytest.raises(IndexInputError):
        warehouse_indices(db, "emp_change", dataset="no_such_dataset")


def test_cli_over_the_warehouse(db):
    res = CliRunner().invoke(app, ["index", "--db", str(db), "--dataset", "flex_sentiment", "--var", "emp_change",
                                   "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)["indices"]
    api = warehouse_indices(db, "emp_change", dataset="flex_sentiment")
    assert [r["index"] for r in rows] == pytest.approx(api["index"].tolist(), rel=1e-12)
    both = CliRunner().invoke(app, ["index", "--db", str(db), "--data", "x.csv", "--var", "emp_change"])
    assert both.exit_code != 0 and "one of them" in both.output
