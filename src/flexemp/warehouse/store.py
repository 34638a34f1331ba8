"""The warehouse: a DuckDB file holding waves, raw files, provenance and screenings.

Every write happens inside one transaction, so a crash or Ctrl-C half-way
through a load leaves the file exactly as it was.  Reads never change it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from flexemp.codebook import Codebook, load_codebook
from flexemp.core.errors import WarehouseError, WaveNotFoundError
from flexemp.core.types import Provenance
from flexemp.warehouse.schema import (
    DDL,
    SCHEMA_VERSION,
    data_table,
    default_db_path,
    quarantine_table,
)


@dataclass(frozen=True)
class StoredWave:
    """One stored wave: its provenance, validated rows and codebook."""

    provenance: Provenance
    data: pd.DataFrame
    codebook: Codebook


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


class Warehouse:
    """A DuckDB warehouse file.

    Parameters
    ----------
    path : str or Path, optional
        The DuckDB file; defaults to :func:`default_db_path`.
    read_only : bool
        Open without the right to write (the file must exist).

    Raises
    ------
    WarehouseError
        When a read-only warehouse does not exist or the file is not a
        flexemp warehouse.
    """

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        self.read_only = read_only
        if read_only and not self.path.exists():
            raise WarehouseError(
                f"no warehouse at {self.path}; load data with `flexemp ingest` or build the demo with `flexemp demo`"
            )
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot open the warehouse {self.path}: {exc}") from exc
        if not read_only:
            for stmt in DDL:
                self.con.execute(stmt)
            self.con.execute(
                "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING", [SCHEMA_VERSION]
            )
        else:
            tables = {r[0] for r in self.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
            if "loads" not in tables:
                self.con.close()
                raise WarehouseError(f"{self.path} is not a flexemp warehouse (no 'loads' table)")

    # ------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Close the connection."""
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All-or-nothing: commit at the end, roll back on any exception (Ctrl-C included)."""
        if self.read_only:
            raise WarehouseError(f"{self.path} is open read-only")
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # ------------------------------------------------------------ queries
    def loads(self, *, include_superseded: bool = False) -> pd.DataFrame:
        """All loads (current ones only unless ``include_superseded``), oldest first."""
        where = "" if include_superseded else "WHERE status = 'current'"
        return self.con.execute(
            f"SELECT load_id, dataset, wave, status, loaded_at, file_name, file_sha256, codebook_sha256, "
            f"rows_read, rows_stored, rows_quarantined, policy, pii, raw_retained, flexemp_version "
            f"FROM loads {where} ORDER BY load_id"
        ).df()

    def waves(self) -> list[Provenance]:
        """Provenance of every current wave."""
        return [self._provenance(r) for r in self.loads().to_dict("records")]

    @staticmethod
    def _provenance(r: Mapping[Any, Any]) -> Provenance:
        return Provenance(
            dataset=r["dataset"],
            wave=r["wave"],
            load_id=int(r["load_id"]),
            loaded_at=pd.Timestamp(r["loaded_at"]).isoformat(),
            file_name=r["file_name"],
            file_sha256=r["file_sha256"],
            codebook_sha256=r["codebook_sha256"],
            rows_read=int(r["rows_read"]),
            rows_stored=int(r["rows_stored"]),
            rows_quarantined=int(r["rows_quarantined"]),
            flexemp_version=r["flexemp_version"],
            status=r["status"],
            extra={"policy": r["policy"], "pii": r["pii"], "raw_retained": bool(r["raw_retained"])},
        )

    def find_load(self, wave: str, dataset: str | None = None, *, load_id: int | None = None) -> Provenance:
        """The current load of ``wave`` (of ``dataset`` when several datasets share the wave name).

        Raises
        ------
        WaveNotFoundError
            When no such wave is stored, or the wave name is ambiguous.
        """
        every = self.loads(include_superseded=True)
        if load_id is not None:
            hit = every[every["load_id"] == load_id]
            if hit.empty:
                raise WaveNotFoundError(f"no load with id {load_id} in {self.path}")
            return self._provenance(hit.iloc[0].to_dict())
        cur = every[(every["status"] == "current") & (every["wave"] == wave)]
        if dataset is not None:
            cur = cur[cur["dataset"] == dataset]
        if cur.empty:
            known = ", ".join(f"{d}/{w}" for d, w in every.loc[every["status"] == "current", ["dataset", "wave"]].itertuples(index=False))
            raise WaveNotFoundError(
                f"wave {wave!r}{' of dataset ' + repr(dataset) if dataset else ''} is not in {self.path}; "
                f"stored: {known or '(nothing yet)'}"
            )
        if len(cur) > 1:
            names = ", ".join(sorted(cur["dataset"]))
            raise WaveNotFoundError(f"wave {wave!r} exists for several datasets ({names}); name one with --dataset")
        return self._provenance(cur.iloc[0].to_dict())

    def codebook(self, prov: Provenance) -> Codebook:
        """The codebook a load was validated against."""
        row = self.con.execute("SELECT yaml FROM codebooks WHERE sha256 = ?", [prov.codebook_sha256]).fetchone()
        if row is None:
            raise WarehouseError(f"codebook {prov.codebook_sha256[:12]} of load {prov.load_id} is missing")
        return load_codebook(row[0] if "\n" in row[0] else row[0] + "\n")

    def data(self, prov: Provenance) -> pd.DataFrame:
        """The validated rows of a load, ordered by ``_row``."""
        return self.con.execute(f"SELECT * FROM {data_table(prov.load_id)} ORDER BY _row").df()

    def quarantine(self, prov: Provenance) -> pd.DataFrame:
        """The quarantined rows of a load with their reasons (empty if none)."""
        return self.con.execute(f"SELECT * FROM {quarantine_table(prov.load_id)} ORDER BY _row").df()

    def report(self, prov: Provenance) -> dict[str, Any]:
        """The validation report stored with a load."""
        row = self.con.execute("SELECT report_json FROM loads WHERE load_id = ?", [prov.load_id]).fetchone()
        return json.loads(row[0]) if row and row[0] else {}

    def latest_screening(self, load_id: int) -> tuple[int, dict[str, Any]] | None:
        """The id and sample flow of the latest screening stored for a load (None if never screened)."""
        hit = self.con.execute(
            "SELECT screening_id, flow_json FROM screenings WHERE load_id = ? ORDER BY screening_id DESC LIMIT 1",
            [int(load_id)],
        ).fetchone()
        return None if hit is None else (int(hit[0]), json.loads(hit[1]))

    def wave(self, wave: str, dataset: str | None = None) -> StoredWave:
        """Provenance, data and codebook of a current wave."""
        prov = self.find_load(wave, dataset)
        return StoredWave(prov, self.data(prov), self.codebook(prov))

    def raw_file(self, prov: Provenance, key: bytes | None = None) -> bytes:
        """The raw file of a load, byte for byte (decrypted with the pseudonym key if needed).

        Raises
        ------
        WarehouseError
            When the raw file was not retained or cannot be decrypted.
        """
        row = self.con.execute(
            "SELECT content, encrypted FROM raw_files WHERE sha256 = ?", [prov.file_sha256]
        ).fetchone()
        if row is None or row[0] is None:
            raise WarehouseError(
                f"the raw file of {prov.dataset}/{prov.wave} was not retained (it held direct identifiers "
                "and no pseudonym key was configured)"
            )
        content, encrypted = bytes(row[0]), bool(row[1])
        if not encrypted:
            return content
        from cryptography.fernet import Fernet, InvalidToken

        from flexemp.ingest.pseudonymise import raw_file_key, resolve_key

        k = resolve_key(key)
        if k is None:
            raise WarehouseError("the raw file is encrypted; configure the pseudonym key used at ingest")
        try:
            return Fernet(raw_file_key(k)).decrypt(content)
        except InvalidToken as exc:
            raise WarehouseError("the raw file cannot be decrypted with this key (not the key used at ingest)") from exc

    # ------------------------------------------------------------ writes
    def next_id(self, table: str, column: str) -> int:
        """One more than the largest id used so far."""
        row = self.con.execute(f"SELECT coalesce(max({column}), 0) + 1 FROM {table}").fetchone()
        return int(row[0]) if row else 1

    def insert_frame(self, table: str, frame: pd.DataFrame) -> None:
        """Create ``table`` from a DataFrame (inside the caller's transaction)."""
        self.con.register("_flexemp_frame", frame)
        try:
            self.con.execute(f"CREATE TABLE {table} AS SELECT * FROM _flexemp_frame")
        finally:
            self.con.unregister("_flexemp_frame")

    def now(self) -> dt.datetime:
        """The time stamp written into records (UTC, seconds)."""
        return _now()
