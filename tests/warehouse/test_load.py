"""Loads: reject/quarantine, idempotence, replace, atomicity, no personal data in the file."""

from __future__ import annotations

import hashlib

import pytest

from flexemp.core.errors import (
    PseudonymKeyError,
    ValidationFailed,
    WarehouseError,
    WaveNotFoundError,
)
from flexemp.warehouse.load import ingest
from flexemp.warehouse.store import Warehouse

from .conftest import IDCARDS, PHONES, write_raw


def _snapshot(db):
    """Everything the warehouse holds, as plain Python data."""
    with Warehouse(db, read_only=True) as wh:
        tables = sorted(r[0] for r in wh.con.execute("SELECT table_name FROM information_schema.tables").fetchall())
        return {t: sorted(map(repr, wh.con.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}


def test_load_stores_rows_provenance_and_raw_file(tmp_path, raw_file, codebook_file):
    db = tmp_path / "w.duckdb"
    res = ingest(raw_file, codebook_file, "2023Q1", db=db)
    assert res.status == "loaded"
    prov = res.provenance
    assert (prov.rows_read, prov.rows_stored, prov.rows_quarantined) == (4, 4, 0)
    assert prov.file_sha256 == hashlib.sha256(raw_file.read_bytes()).hexdigest()
    with Warehouse(db, read_only=True) as wh:
        stored = wh.wave("2023Q1")
        assert stored.data["_row"].tolist() == [1, 2, 3, 4]
        assert stored.data["sat"].isna().tolist() == [False, False, True, False]
        assert wh.raw_file(prov) == raw_file.read_bytes()  # byte for byte, decrypted with the key
        assert stored.codebook.dataset == "riders_test"


def test_no_identifier_readable_in_the_database_file(tmp_path, raw_file, codebook_file):
    db = tmp_path / "w.duckdb"
    ingest(raw_file, codebook_file, "2023Q1", db=db)
    with Warehouse(db) as wh:
        wh.con.execute("CHECKPOINT")
    blob = db.read_bytes()
    for secret in [*PHONES, *IDCARDS, "张伟", "王芳"]:
        assert secret.encode("utf-8") not in blob
        assert secret.encode("utf-16-le") not in blob
    with Warehouse(db, read_only=True) as wh:
        data = wh.wave("2023Q1").data
    assert data["phone"].str.fullmatch(r"p_[0-9a-f]{20}").all()


def test_drop_pii_without_key(tmp_path, raw_file, codebook_file, monkeypatch):
    monkeypatch.delenv("FLEXEMP_PSEUDONYM_KEY")
    db = tmp_path / "w.duckdb"
    with pytest.raises(PseudonymKeyError, match="--drop-pii"):
        ingest(raw_file, codebook_file, "2023Q1", db=db)
    res = ingest(raw_file, codebook_file, "2023Q1", db=db, drop_pii=True)
    with Warehouse(db, read_only=True) as wh:
        data = wh.wave("2023Q1").data
        assert not {"name", "phone", "idcard"} & set(data.columns)
        with pytest.raises(WarehouseError, match="not retained"):
            wh.raw_file(res.provenance)
    assert PHONES[0].encode() not in db.read_bytes()


def test_reject_stores_nothing_and_quarantine_keeps_reasons(tmp_path, codebook_file):
    db = tmp_path / "w.duckdb"
    bad = write_raw(tmp_path / "bad.csv", ages=(30, 12, 25, 52))
    Warehouse(db).close()
    before = _snapshot(db)
    with pytest.raises(ValidationFailed, match="pass --quarantine") as info:
        ingest(bad, codebook_file, "2023Q1", db=db)
    assert [(i.row, i.column, i.rule) for i in info.value.report.errors] == [(2, "age", "out_of_range")]
    assert _snapshot(db) == before
    res = ingest(bad, codebook_file, "2023Q1", db=db, policy="quarantine")
    assert (res.provenance.rows_stored, res.provenance.rows_quarantined) == (3, 1)
    with Warehouse(db, read_only=True) as wh:
        q = wh.quarantine(res.provenance)
    assert q["_row"].tolist() == [2]
    assert q["reasons"].tolist() == ["age: out_of_range"]
    assert q["phone"].str.startswith("p_").all()


def test_reload_is_idempotent_and_replace_keeps_history(tmp_path, raw_file, codebook_file):
    db = tmp_path / "w.duckdb"
    first = ingest(raw_file, codebook_file, "2023Q1", db=db)
    snap = _snapshot(db)
    again = ingest(raw_file, codebook_file, "2023Q1", db=db)
    assert again.status == "unchanged" and "nothing changed" in again.message
    assert _snapshot(db) == snap
    other = write_raw(tmp_path / "other.csv", ages=(31, 41, 25, 52))
    with pytest.raises(WarehouseError, match="--replace"):
        ingest(other, codebook_file, "2023Q1", db=db)
    assert _snapshot(db) == snap
    res = ingest(other, codebook_file, "2023Q1", db=db, replace=True)
    assert res.status == "replaced"
    with Warehouse(db, read_only=True) as wh:
        loads = wh.loads(include_superseded=True)
        assert loads["status"].tolist() == ["superseded", "current"]
        old = wh.find_load("2023Q1", load_id=first.provenance.load_id)
        assert wh.data(old)["age"].tolist() == [30.0, 41.0, 25.0, 52.0]
        assert wh.wave("2023Q1").data["age"].tolist() == [31.0, 41.0, 25.0, 52.0]


@pytest.mark.parametrize("exc", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_failure_mid_load_leaves_warehouse_unchanged(tmp_path, raw_file, codebook_file, monkeypatch, exc):
    db = tmp_path / "w.duckdb"
    ingest(raw_file, codebook_file, "2023Q1", db=db)
    snap = _snapshot(db)
    other = write_raw(tmp_path / "other.csv", ages=(33, 41, 25, 52))
    calls = {"n": 0}
    original = Warehouse.insert_frame

    def failing(self, table, frame):
        calls["n"] += 1
        original(self, table, frame)  # the data table is created …
        raise exc  # … then the load dies before the quarantine table and the commit

    monkeypatch.setattr(Warehouse, "insert_frame", failing)
    with pytest.raises(type(exc)):
        ingest(other, codebook_file, "2023Q1", db=db, replace=True)
    assert calls["n"] == 1
    monkeypatch.undo()
    assert _snapshot(db) == snap


def test_unknown_wave_and_ambiguous_wave(tmp_path, raw_file, codebook_file):
    db = tmp_path / "w.duckdb"
    ingest(raw_file, codebook_file, "2023Q1", db=db)
    other_cb = tmp_path / "cb2.yaml"
    other_cb.write_text(codebook_file.read_text(encoding="utf-8").replace("riders_test", "other_test"), encoding="utf-8")
    ingest(raw_file, other_cb, "2023Q1", db=db)
    with Warehouse(db, read_only=True) as wh:
        with pytest.raises(WaveNotFoundError, match="stored: "):
            wh.find_load("2030Q1")
        with pytest.raises(WaveNotFoundError, match="--dataset"):
            wh.find_load("2023Q1")
        assert wh.find_load("2023Q1", "other_test").dataset == "other_test"
    with pytest.raises(WarehouseError, match="no warehouse at"):
        Warehouse(tmp_path / "none.duckdb", read_only=True)
