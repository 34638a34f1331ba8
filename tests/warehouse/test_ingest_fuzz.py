"""Property: ingest of arbitrary bytes ends in a clear FlexempError (or a load), never an unhandled exception."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flexemp.core.errors import FlexempError
from flexemp.warehouse.load import ingest
from flexemp.warehouse.store import Warehouse

CODEBOOK = """\
dataset: fuzz
variables:
  - {name: rid, type: id, label_zh: 编号}
  - {name: sat, type: ordinal, label_zh: 满意度, codes: {1: 不满意, 2: 一般, 3: 满意}}
"""

# bytes that look a little like each format, plus anything at all
PREFIXES = [b"", b"rid,sat\n", b"rid,sat\nR1,", b"PK\x03\x04", b"$FL2@(#) SPSS", b"PAR1", b"\xef\xbb\xbf", b"<stata_dta>"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".sav", ".dta", ".parquet", ".txt"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=300))
def test_arbitrary_bytes_give_a_clear_error(tmp_path, suffix, prefix, body):
    cb = tmp_path / "cb.yaml"
    cb.write_text(CODEBOOK, encoding="utf-8")
    f = tmp_path / f"raw{suffix}"
    f.write_bytes(prefix + body)
    db = tmp_path / "w.duckdb"
    try:
        res = ingest(f, cb, "W1", db=db, replace=True)
    except FlexempError as exc:
        message = str(exc)
    else:
        message = None
    if message is not None:
        assert message.strip()  # a sentence for people, not an empty error
        return
    # an accidental valid file: then it was really stored
    with Warehouse(db, read_only=True) as wh:
        assert wh.find_load("W1", "fuzz").rows_stored == res.provenance.rows_stored
