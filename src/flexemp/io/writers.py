"""Writers: CSV (UTF-8 with BOM, so Excel shows Chinese), Parquet, SAV/DTA with labels, XLSX.

CSV and Parquet can be written chunk by chunk (:func:`write_chunks`,
:class:`ParquetStreamWriter`), so that millions of rows never sit in memory at
once; SAV, DTA and XLSX are written whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, cast

import pandas as pd

from flexemp.codebook import Codebook
from flexemp.core.errors import FlexempError, ReadError

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".sav": "sav", ".dta": "dta", ".xlsx": "xlsx"}
XLSX_MAX_ROWS = 1_048_575


class WriteError(FlexempError, ValueError):
    """A file cannot be written as asked."""


def _format(path: Path, fmt: str | None) -> str:
    if fmt is not None:
        return fmt
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise WriteError(f"{path.name}: cannot write {suffix or '(no extension)'}; use one of {', '.join(sorted(FORMATS))}")
    return FORMATS[suffix]


def _labels(codebook: Codebook | None, columns: list[str]) -> tuple[dict[str, str], dict[str, dict[float, str]]]:
    """Variable labels and value labels for the frame's columns (raw source or stored names)."""
    if codebook is None:
        return {}, {}
    var_labels: dict[str, str] = {}
    val_labels: dict[str, dict[float, str]] = {}
    for v in codebook:
        if v.type == "multiselect":
            names = list(v.source) if len(v.source) > 1 else []
            for col, code, stored in zip(names or v.stored_columns(), v.codes, v.stored_columns(), strict=False):
                var_labels[col] = var_labels[stored] = f"{v.label_zh}：{code.label_zh}"
            continue
        for col in {v.name, *v.source_columns}:
            var_labels[col] = v.label_zh
            if v.codes and v.is_numeric:
                val_labels[col] = {c.value: c.label_zh for c in v.codes}
    keep = set(columns)
    return {k: s for k, s in var_labels.items() if k in keep}, {k: s for k, s in val_labels.items() if k in keep}


def _for_readstat(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for c in out.columns:
        if not pd.api.types.is_numeric_dtype(out[c]):
            out[c] = out[c].astype("string").fillna("").astype(object)
    return out


def write_data(frame: pd.DataFrame, path: str | Path, *, codebook: Codebook | None = None, format: str | None = None) -> Path:
    """Write a DataFrame to CSV, Parquet, SAV, DTA or XLSX (by extension, or ``format=``).

    Parameters
    ----------
    frame : pandas.DataFrame
    path : str or Path
    codebook : Codebook, optional
        SAV/DTA get its variable labels and value labels.
    format : str, optional

    Returns
    -------
    Path

    Raises
    ------
    WriteError
        Unknown format, too many rows for XLSX, or a failure of the writer.
    """
    return write_chunks([frame], path, codebook=codebook, format=format)


class ParquetStreamWriter:
    """Append DataFrame chunks to one Parquet file; the schema is fixed by the first chunk."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._writer: Any = None
        self._schema: Any = None

    def write(self, frame: pd.DataFrame) -> None:
        """Append one chunk (cast to the first chunk's schema)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame, preserve_index=False)
        if self._writer is None:
            self._schema = table.schema
            self._writer = pq.ParquetWriter(str(self.path), self._schema)
        else:
            try:
                table = table.cast(self._schema)
            except (pa.ArrowInvalid, ValueError) as exc:
                raise WriteError(f"{self.path.name}: a chunk does not fit the first chunk's columns: {exc}") from exc
        self._writer.write_table(table)

    def close(self) -> None:
        """Finish the file."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def __enter__(self) -> ParquetStreamWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def write_chunks(
    chunks: Iterable[pd.DataFrame], path: str | Path, *, codebook: Codebook | None = None, format: str | None = None
) -> Path:
    """Write an iterable of DataFrames as one file; CSV and Parquet are streamed.

    Raises
    ------
    WriteError
    """
    p = Path(path)
    fmt = _format(p, format)
    p.parent.mkdir(parents=True, exist_ok=True)
    it: Iterator[pd.DataFrame] = iter(chunks)
    if fmt == "csv":
        with p.open("w", encoding="utf-8-sig", newline="") as fh:
            for i, chunk in enumerate(it):
                chunk.to_csv(fh, index=False, header=i == 0)
        return p
    if fmt == "parquet":
        with ParquetStreamWriter(p) as w:
            for chunk in it:
                w.write(chunk)
        return p
    frame = pd.concat(list(it), ignore_index=True)
    if fmt == "xlsx":
        if len(frame) > XLSX_MAX_ROWS:
            raise WriteError(f"XLSX holds at most {XLSX_MAX_ROWS:,} data rows; {len(frame):,} given. Use .parquet or .csv")
        frame.to_excel(p, index=False, engine="openpyxl")
        return p
    import pyreadstat

    var_labels, val_labels = _labels(codebook, [str(c) for c in frame.columns])
    out = _for_readstat(frame)
    try:
        if fmt == "sav":
            pyreadstat.write_sav(out, str(p), column_labels=cast(Any, var_labels or None),
                                 variable_value_labels=cast(Any, val_labels or None))
        elif fmt == "dta":
            ints = {k: {int(c): s for c, s in v.items()} for k, v in val_labels.items()
                    if all(float(c).is_integer() for c in v)}
            pyreadstat.write_dta(out, str(p), column_labels=cast(Any, var_labels or None),
                                 variable_value_labels=cast(Any, ints or None))
        else:
            raise WriteError(f"unknown format {fmt!r}")
    except (ReadError, WriteError):
        raise
    except Exception as exc:  # pyreadstat raises several types
        raise WriteError(f"cannot write {p.name}: {exc}") from exc
    return p
