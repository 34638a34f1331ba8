"""Load a raw file into the warehouse: read, validate, pseudonymise, store — atomically."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from flexemp import __version__
from flexemp.codebook import Codebook, codebook_sha256, dump_codebook, load_codebook
from flexemp.core.errors import PseudonymKeyError, ReadError, ValidationFailed, WarehouseError
from flexemp.core.options import QuarantinePolicy, validate_option
from flexemp.core.types import Provenance
from flexemp.ingest.pseudonymise import pseudonymise, raw_file_key, resolve_key
from flexemp.ingest.report import IssueReport
from flexemp.ingest.validate import ValidatedDataset, validate
from flexemp.warehouse.schema import data_table, quarantine_table
from flexemp.warehouse.store import Warehouse

LoadStatus = Literal["loaded", "replaced", "unchanged"]


@dataclass(frozen=True)
class LoadResult:
    """What a load did: ``status``, the provenance record and the validation report."""

    status: LoadStatus
    provenance: Provenance
    report: IssueReport
    message: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "status": self.status,
            "message": self.message,
            "provenance": self.provenance.to_dict(),
            "report": self.report.to_dict(),
        }


def _protect(frame: pd.DataFrame, codebook: Codebook, key: bytes | None) -> pd.DataFrame:
    """Pseudonymise (with a key) or drop (without) every direct identifier."""
    out = frame.copy()
    for var in codebook.direct_identifiers():
        if var.name not in out.columns:
            continue
        if key is None:
            out = out.drop(columns=var.name)
        else:
            out[var.name] = pseudonymise(out[var.name], key)
    return out


def _read(path: Path, encoding: str | None, sheet: str | None) -> pd.DataFrame:
    from flexemp.io.readers import read_data

    return read_data(path, encoding=encoding, sheet=sheet).frame


def ingest(
    path: str | Path,
    codebook: Codebook | str | Path,
    wave: str,
    *,
    db: str | Path | None = None,
    policy: QuarantinePolicy = "reject",
    replace: bool = False,
    drop_pii: bool = False,
    encoding: str | None = None,
    sheet: str | None = None,
    ignore_unknown_columns: bool = False,
    key: bytes | str | None = None,
) -> LoadResult:
    """Validate a raw file against its codebook and store it as a wave.

    Parameters
    ----------
    path : str or Path
        The raw export (CSV, XLSX, SAV, DTA, Parquet).
    codebook : Codebook or path
        The codebook (object or YAML file).
    wave : str
        The wave label, e.g. ``"2022Q2"``.
    db : str or Path, optional
        The warehouse file (default ``$FLEXEMP_HOME/warehouse.duckdb``).
    policy : {"reject", "quarantine"}
        ``reject`` (default) stores nothing when any row has an error;
        ``quarantine`` stores the valid rows and keeps the invalid ones, with
        their reasons, in the load's quarantine table.  File-level errors
        (missing or unknown columns, undeclared personal data) always reject.
    replace : bool
        Allow a different file for a wave that is already stored; the earlier
        version is kept (status ``superseded``) and stays retrievable.
    drop_pii : bool
        Drop direct identifiers instead of pseudonymising them (no key needed).
    encoding, sheet : str, optional
        Passed to the reader (CSV encoding, XLSX sheet).
    ignore_unknown_columns : bool
        Columns not in the codebook become a warning and are not stored.
    key : bytes or str, optional
        The pseudonymisation key; by default from the environment (see
        :mod:`flexemp.ingest.pseudonymise`).

    Returns
    -------
    LoadResult
        ``status`` is ``loaded``, ``replaced`` or ``unchanged`` (the same file
        and codebook were already stored: nothing is written).

    Raises
    ------
    ValidationFailed
        When the file has errors and the policy rejects them; ``.report`` holds
        every issue.  Nothing is stored.
    PseudonymKeyError
        When the codebook marks direct identifiers, no key is configured and
        ``drop_pii`` is false.
    WarehouseError
        When the wave exists with another file and ``replace`` is false.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from flexemp.synth.export import write_synthetic
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> f = write_synthetic("riders_shanghai", tmp / "riders.csv")
    >>> res = ingest(f, tmp / "riders.csv.codebook.yaml", "2023", db=tmp / "w.duckdb", drop_pii=True)
    >>> res.status, res.provenance.rows_stored
    ('loaded', 100)
    """
    validate_option("policy", policy, QuarantinePolicy)
    path = Path(path)
    if not path.is_file():
        raise ReadError(f"{path} does not exist or is not a file")
    cb = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    content = path.read_bytes()
    file_sha = hashlib.sha256(content).hexdigest()
    cb_sha = codebook_sha256(cb)

    with Warehouse(db) as wh:
        current = wh.loads()
        same = current[(current["dataset"] == cb.dataset) & (current["wave"] == wave)]
        if not same.empty:
            old = same.iloc[0]
            if old["file_sha256"] == file_sha and old["codebook_sha256"] == cb_sha:
                prov = wh.find_load(wave, cb.dataset)
                return LoadResult(
                    "unchanged",
                    prov,
                    IssueReport((), prov.rows_read, path.name),
                    f"{cb.dataset}/{wave} already holds this file (sha256 {file_sha[:12]}); nothing changed",
                )
            if not replace:
                raise WarehouseError(
                    f"{cb.dataset}/{wave} is already stored from another file or codebook "
                    f"(load {int(old['load_id'])}, sha256 {str(old['file_sha256'])[:12]}); pass --replace "
                    "(replace=True) to store this one — the earlier version stays retrievable"
                )

        direct = cb.direct_identifiers()
        pkey = resolve_key(key) if direct else None
        if direct and pkey is None and not drop_pii:
            names = ", ".join(v.name for v in direct)
            raise PseudonymKeyError(
                f"the codebook marks direct identifiers ({names}) and no pseudonym key is configured; "
                "set FLEXEMP_PSEUDONYM_KEY, run `flexemp key init`, or pass --drop-pii to drop them"
            )
        column_key = None if drop_pii else pkey

        frame = _read(path, encoding, sheet)
        vd: ValidatedDataset = validate(
            frame, cb, file_name=path.name, ignore_unknown_columns=ignore_unknown_columns
        )
        report = vd.report
        if report.file_errors:
            raise ValidationFailed(f"{path.name}: the file does not match the codebook; nothing stored. {report.summary()}", report)
        if report.errors and policy == "reject":
            raise ValidationFailed(
                f"{path.name}: {report.summary()} Nothing stored; fix the rows or pass --quarantine.", report
            )
        data = _protect(vd.data, cb, column_key)
        quarantine = _protect(vd.quarantine, cb, column_key)

        if direct and pkey is None:
            stored_content: bytes | None = None
            encrypted = False
        elif direct:
            from cryptography.fernet import Fernet

            stored_content = Fernet(raw_file_key(pkey)).encrypt(content)  # type: ignore[arg-type]
            encrypted = True
        else:
            stored_content, encrypted = content, False

        status: LoadStatus = "replaced" if not same.empty else "loaded"
        pii_mode = "none" if not direct else ("dropped" if drop_pii else "pseudonymised")
        with wh.transaction() as con:
            load_id = wh.next_id("loads", "load_id")
            now = wh.now()
            con.execute(
                "INSERT INTO raw_files VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [file_sha, path.name, len(content), encrypted, stored_content, now],
            )
            con.execute(
                "INSERT INTO codebooks VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [cb_sha, cb.dataset, dump_codebook(cb)],
            )
            con.execute(
                "UPDATE loads SET status = 'superseded' WHERE dataset = ? AND wave = ? AND status = 'current'",
                [cb.dataset, wave],
            )
            con.execute(
                "INSERT INTO loads VALUES (?, ?, ?, 'current', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    load_id, cb.dataset, wave, now, path.name, file_sha, cb_sha,
                    report.n_rows, len(data), len(quarantine), policy, pii_mode,
                    stored_content is not None, __version__, json.dumps(report.to_dict(), ensure_ascii=False),
                ],
            )
            wh.insert_frame(data_table(load_id), data)
            wh.insert_frame(quarantine_table(load_id), quarantine)
        prov = wh.find_load(wave, cb.dataset)
    verb = "replaced" if status == "replaced" else "stored"
    msg = (
        f"{cb.dataset}/{wave}: {verb} {prov.rows_stored} of {prov.rows_read} rows"
        f"{f', {prov.rows_quarantined} quarantined' if prov.rows_quarantined else ''} (load {prov.load_id})"
    )
    return LoadResult(status, prov, report, msg)
