"""Writers: CSV (UTF-8 with BOM, so Excel shows Chinese), Parquet, SAV/DTA with labels, XLSX.

CSV and Parquet can be written chunk by chunk (:func:`write_chunks`,
:class:`ParquetStreamWriter`), so that millions of rows never sit in memory at
once; SAV, DTA and XLSX are written whole (chunks are concatenated first).

CSV files start with a UTF-8 byte-order mark: Excel on Chinese Windows reads a
CSV without one as GBK and garbles Chinese text; every other tool (and
:func:`flexemp.read_data`) reads it as UTF-8.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, cast

import pandas as pd

from flexemp.codebook import Codebook
from flexemp.core.errors import FlexempError

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".sav": "sav", ".dta": "dta", ".xlsx": "xlsx"}
XLSX_MAX_ROWS = 1_048_575
MULTISELECT_LABELS = {0.0: "未选", 1.0: "选中"}


class WriteError(FlexempError, ValueError):
    """A file cannot be written as asked."""


def _format(path: Path, fmt: str | None) -> str:
    known = sorted(set(FORMATS.values()))
    if fmt is not None:
        if fmt not in known:
            raise WriteError(f"format={fmt!r} is not supported; use one of {', '.join(known)}")
        return fmt
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise WriteError(
            f"{path.name}: cannot write {suffix or '(no extension)'}; use one of {', '.join(sorted(FORMATS))} "
            "(or pass format=)"
        )
    return FORMATS[suffix]


def _labels(codebook: Codebook | None, frame: pd.DataFrame) -> tuple[dict[str, str], dict[str, dict[float, str]]]:
    """Variable labels and value labels for the frame's columns (stored or raw source names).

    Value labels go only to numeric columns of the frame (a raw text column keeps none).
    """
    if codebook is None:
        return {}, {}
    var_labels: dict[str, str] = {}
    val_labels: dict[str, dict[float, str]] = {}
    for v in codebook:
        if v.type == "multiselect":
            stored = v.stored_columns()
            raw = list(v.source) if len(v.source) > 1 else list(stored)
            for col, code, name in zip(raw, v.codes, stored, strict=False):
                var_labels[col] = var_labels[name] = f"{v.label_zh}：{code.label_zh}"
                val_labels[col] = val_labels[name] = dict(MULTISELECT_LABELS)
            continue
        for col in {v.name, *v.source_columns}:
            var_labels[col] = v.label_zh
            if v.codes and v.is_numeric:
                val_labels[col] = {c.value: c.label_zh for c in v.codes}
    numeric = {str(c) for c in frame.columns
               if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])}
    keep = {str(c) for c in frame.columns}
    return ({k: s for k, s in var_labels.items() if k in keep},
            {k: s for k, s in val_labels.items() if k in numeric})


def _for_readstat(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers, booleans and dates as they are; anything else as text ('' for missing)."""
    out = frame.copy()
    for c in out.columns:
        s = out[c]
        if pd.api.types.is_bool_dtype(s):
            out[c] = s.astype("float64")
        elif not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_datetime64_any_dtype(s)):
            out[c] = s.astype("string").fillna("").astype(object)
    return out


def write_data(frame: pd.DataFrame, path: str | Path, *, codebook: Codebook | None = None,
               format: str | None = None) -> Path:
    """Write a DataFrame to CSV, Parquet, SAV, DTA or XLSX (by extension, or ``format=``).

    Parameters
    ----------
    frame : pandas.DataFrame
        The data; it is not modified.
    path : str or Path
        The file to write (parent folders are created).
    codebook : Codebook, optional
        SAV/DTA get its variable labels and value labels (multi-select option
        columns are labelled ``题目：选项`` with 0 = 未选, 1 = 选中).
    format : str, optional
        ``csv``, ``parquet``, ``sav``, ``dta`` or ``xlsx``, overriding the extension.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    WriteError
        Unknown format, too many rows for XLSX, or a failure of the writer.

    Notes
    -----
    CSV is UTF-8 with a byte-order mark so that Excel shows Chinese correctly.
    Stata value labels must have whole-number codes; others are left out.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> p = write_data(pd.DataFrame({"性别": ["男"]}), pathlib.Path(tempfile.mkdtemp()) / "a.csv")
    >>> p.read_bytes()[:3] == b"\\xef\\xbb\\xbf"
    True
    """
    return write_chunks([frame], path, codebook=codebook, format=format)


class ParquetStreamWriter:
    """Append DataFrame chunks to one Parquet file; the schema is fixed by the first chunk.

    Later chunks must have the same columns (in any order); their values are
    cast to the first chunk's types, and a chunk that cannot be cast is a
    :class:`WriteError`.  Use it as a context manager::

        with ParquetStreamWriter("out.parquet") as w:
            for chunk in chunks:
                w.write(chunk)
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._writer: Any = None
        self._schema: Any = None
        self._closed = False
        self.n_rows = 0

    def _table(self, frame: pd.DataFrame) -> Any:
        import pyarrow as pa

        try:
            return pa.Table.from_pandas(frame, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError, TypeError) as exc:
            raise WriteError(f"{self.path.name}: a column cannot be stored in Parquet ({exc}); "
                             "give it one type (e.g. all text)") from exc

    def write(self, frame: pd.DataFrame) -> None:
        """Append one chunk (cast to the first chunk's schema).

        Raises
        ------
        WriteError
            The writer is closed, or the chunk's columns or types do not fit the first chunk's.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._closed:
            raise WriteError(f"{self.path.name}: the writer is closed; open a new ParquetStreamWriter")
        if self._writer is None:
            table = self._table(frame)
            self._schema = table.schema
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(str(self.path), self._schema)
        else:
            names = list(self._schema.names)
            cols = [str(c) for c in frame.columns]
            if sorted(cols) != sorted(names):
                missing = [n for n in names if n not in cols]
                extra = [c for c in cols if c not in names]
                raise WriteError(f"{self.path.name}: a chunk's columns differ from the first chunk's "
                                 f"(missing {missing}, extra {extra})")
            table = self._table(frame[names])
            try:
                table = table.cast(self._schema)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError) as exc:
                raise WriteError(f"{self.path.name}: a chunk does not fit the first chunk's column types: {exc}; "
                                 "give the first chunk the final dtypes (a column that is all missing "
                                 "there has no type)") from exc
        self._writer.write_table(table)
        self.n_rows += len(frame)

    def close(self) -> None:
        """Finish the file (idempotent)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._closed = True

    def __enter__(self) -> ParquetStreamWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _first(it: Iterator[pd.DataFrame], p: Path) -> pd.DataFrame:
    try:
        return next(it)
    except StopIteration:
        raise WriteError(f"{p.name}: no chunks were given; nothing to write") from None


def _write_csv(first: pd.DataFrame, rest: Iterator[pd.DataFrame], p: Path) -> None:
    columns = [str(c) for c in first.columns]
    with p.open("w", encoding="utf-8-sig", newline="") as fh:
        first.to_csv(fh, index=False)
        for chunk in rest:
            if [str(c) for c in chunk.columns] != columns:
                raise WriteError(f"{p.name}: a chunk's columns {list(chunk.columns)} differ from the first "
                                 f"chunk's {columns}")
            chunk.to_csv(fh, index=False, header=False)


def write_chunks(
    chunks: Iterable[pd.DataFrame], path: str | Path, *, codebook: Codebook | None = None, format: str | None = None
) -> Path:
    """Write an iterable of DataFrames as one file; CSV and Parquet are streamed.

    Parameters
    ----------
    chunks : iterable of pandas.DataFrame
        The pieces, all with the same columns.
    path : str or Path
    codebook : Codebook, optional
        Labels for SAV/DTA (see :func:`write_data`).
    format : str, optional
        As for :func:`write_data`.

    Returns
    -------
    Path

    Raises
    ------
    WriteError
        No chunks, chunks whose columns differ, more than 1,048,575 rows for
        XLSX, or a failure of the writer.

    Notes
    -----
    CSV and Parquet are written chunk by chunk (never concatenated); SAV, DTA
    and XLSX need the whole frame and concatenate the chunks.
    """
    p = Path(path)
    fmt = _format(p, format)
    p.parent.mkdir(parents=True, exist_ok=True)
    it: Iterator[pd.DataFrame] = iter(chunks)
    first = _first(it, p)
    if fmt == "csv":
        _write_csv(first, it, p)
        return p
    if fmt == "parquet":
        with ParquetStreamWriter(p) as w:
            w.write(first)
            for chunk in it:
                w.write(chunk)
        return p
    frame = pd.concat([first, *it], ignore_index=True)
    if fmt == "xlsx":
        if len(frame) > XLSX_MAX_ROWS:
            raise WriteError(f"{p.name}: XLSX holds at most {XLSX_MAX_ROWS:,} data rows; {len(frame):,} given. "
                             "Write .parquet or .csv instead")
        try:
            frame.to_excel(p, index=False, engine="openpyxl")
        except (ValueError, TypeError) as exc:
            raise WriteError(f"cannot write {p.name}: {exc}") from exc
        return p
    return _write_readstat(frame, p, fmt, codebook)


def _write_readstat(frame: pd.DataFrame, p: Path, fmt: str, codebook: Codebook | None) -> Path:
    import pyreadstat

    var_labels, val_labels = _labels(codebook, frame)
    out = _for_readstat(frame)
    try:
        if fmt == "sav":
            pyreadstat.write_sav(out, str(p), column_labels=cast(Any, var_labels or None),
                                 variable_value_labels=cast(Any, val_labels or None))
        else:
            ints = {k: {int(c): s for c, s in v.items()} for k, v in val_labels.items()
                    if all(float(c).is_integer() for c in v)}
            pyreadstat.write_dta(out, str(p), column_labels=cast(Any, var_labels or None),
                                 variable_value_labels=cast(Any, ints or None))
    except Exception as exc:  # pyreadstat raises several types (bad names, too long labels …)
        raise WriteError(f"cannot write {p.name} as {fmt.upper()}: {exc}") from exc
    return p
