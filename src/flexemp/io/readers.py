"""Readers: CSV (with encoding detection), XLSX (incl. 问卷星 exports), SAV/DTA, Parquet.

Every reader returns a :class:`RawData` with the frame as the file has it (a
CSV's cells as text, so that validation can report the exact raw value), the
variable and value labels of SPSS/Stata files, metadata and the SHA-256 of the
file's bytes.  Any failure of the underlying library becomes a
:class:`~flexemp.core.errors.ReadError` naming the file: a bad file never ends
in an unhandled exception.

Encodings of CSV files
----------------------
1. A UTF-8 byte-order mark → ``utf-8-sig``.
2. Bytes that are valid UTF-8 → ``utf-8``.
3. Otherwise bytes that decode as GB18030 (a superset of GBK) *and* look like
   Chinese text → ``gb18030``: no control, replacement or private-use
   characters; at least 80 % of the non-ASCII characters CJK ideographs or
   CJK/full-width punctuation; and at least 90 % of them in the common GB2312
   set (Latin-1 bytes read as GBK give rare characters such as 黮 or 閞).
4. Anything else stops with :class:`~flexemp.core.errors.EncodingUndecidedError`
   asking for ``encoding=`` (CLI ``--encoding``): a file is never silently
   mis-decoded.  With an explicit encoding, a byte that does not decode is an
   error naming its offset and line (a UTF-8 byte-order mark is dropped).

CSV cells are kept as text (``dtype=str``, no "NA"/"null" guessing); only
empty cells become missing.  XLSX cells keep the type Excel stored (number,
text, date).  问卷星 XLSX exports are normalised as described in
:mod:`flexemp.io.wjx`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from flexemp.core.errors import EncodingUndecidedError, ReadError

FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".sav": "sav",
    ".zsav": "sav",
    ".dta": "dta",
    ".parquet": "parquet",
    ".pq": "parquet",
}
ENCODINGS = ("utf-8", "utf-8-sig", "gbk", "gb18030")
CJK_SHARE = 0.8
GB2312_SHARE = 0.9
SNIFF_LINES = 10


@dataclass(frozen=True)
class RawData:
    """A file as read.

    Attributes
    ----------
    frame : pandas.DataFrame
        Columns as in the file, values as read.
    path : str
    format : str
        ``csv``, ``xlsx``, ``sav``, ``dta`` or ``parquet``.
    sha256 : str
        SHA-256 of the file's bytes (hex).
    encoding : str or None
        CSV only: the encoding used.
    variable_labels : dict
        {column: label} (SAV/DTA).
    value_labels : dict
        {column: {code: label}} (SAV/DTA).
    meta : dict
        E.g. ``{"delimiter": ","}`` or ``{"wjx": {...}}``.
    """

    frame: pd.DataFrame
    path: str
    format: str
    sha256: str
    encoding: str | None = None
    variable_labels: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        """Number of data rows."""
        return len(self.frame)


def _bytes(path: Path) -> bytes:
    if not path.is_file():
        raise ReadError(f"{path} does not exist or is not a file")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ReadError(f"cannot read {path}: {exc}") from exc


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt is not None:
        if fmt not in set(FORMATS.values()):
            raise ReadError(f"format {fmt!r} is not supported; use one of {sorted(set(FORMATS.values()))}")
        return fmt
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ReadError(
            f"{path.name}: unknown file type {suffix or '(none)'}; supported: {', '.join(sorted(FORMATS))}"
        )
    return FORMATS[suffix]


def read_data(
    path: str | Path, *, encoding: str | None = None, sheet: str | None = None, format: str | None = None
) -> RawData:
    """Read any supported file (by extension, or ``format=``).

    Parameters
    ----------
    path : str or Path
    encoding : str, optional
        CSV only: ``utf-8``, ``utf-8-sig``, ``gbk`` or ``gb18030`` (default: detect).
    sheet : str, optional
        XLSX only: the sheet (default: the first).
    format : str, optional
        ``csv``, ``xlsx``, ``sav``, ``dta`` or ``parquet``, overriding the extension.

    Returns
    -------
    RawData

    Raises
    ------
    ReadError
        Unknown extension or format (the message lists the supported ones), a
        missing or unreadable file, ``encoding=`` for a non-CSV file or
        ``sheet=`` for a non-XLSX file.
    EncodingUndecidedError
        A CSV whose encoding cannot be decided.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_bytes("编号,满意度\\nR1,满意\\n".encode("gbk"))
    >>> raw = read_data(p)
    >>> raw.encoding, raw.frame.iloc[0, 1]
    ('gb18030', '满意')
    """
    p = Path(path)
    fmt = _format_of(p, format)
    if fmt == "csv":
        return read_csv(p, encoding=encoding)
    if encoding is not None:
        raise ReadError(f"encoding= applies to CSV files only; {p.name} is {fmt}")
    if fmt == "xlsx":
        return read_xlsx(p, sheet=sheet)
    if sheet is not None:
        raise ReadError(f"sheet= applies to XLSX files only; {p.name} is {fmt}")
    return {"sav": read_sav, "dta": read_dta, "parquet": read_parquet}[fmt](p)


# ------------------------------------------------------------------ CSV
def _looks_chinese(text: str) -> bool:
    """Whether decoded text is plausible Chinese: no control or replacement characters, mostly CJK."""
    arr = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    control = ((arr < 0x20) & ~np.isin(arr, [0x09, 0x0A, 0x0D])) | ((arr >= 0x7F) & (arr <= 0x9F))
    if np.any(control) or np.any(arr == 0xFFFD) or np.any((arr >= 0xE000) & (arr <= 0xF8FF)):
        return False
    non_ascii = arr[arr > 0x7F]
    if non_ascii.size == 0:
        return True
    cjk = (
        ((non_ascii >= 0x4E00) & (non_ascii <= 0x9FFF))
        | ((non_ascii >= 0x3400) & (non_ascii <= 0x4DBF))
        | ((non_ascii >= 0x3000) & (non_ascii <= 0x303F))
        | ((non_ascii >= 0xFF00) & (non_ascii <= 0xFFEF))
        | ((non_ascii >= 0x2010) & (non_ascii <= 0x2027))  # dashes, quotes, ellipsis
        | ((non_ascii >= 0x2460) & (non_ascii <= 0x24FF))  # circled numbers ①
        | (non_ascii == 0x2506)  # ┆-like separators used by survey exports
        | (non_ascii == 0x250B)  # ┋
        | (non_ascii == 0x00B7)
        | (non_ascii == 0x00D7)  # ×
        | (non_ascii == 0x2103)  # ℃
    )
    if cjk.mean() < CJK_SHARE:
        return False
    # Latin-1 text mis-read as GBK yields rare characters (a high byte pairs with the next ASCII letter);
    # real Chinese text is almost all in the common GB2312 set.
    chars = non_ascii.astype("<u4").tobytes().decode("utf-32-le")
    uncommon = chars.encode("gb2312", errors="replace").count(b"?")
    return bool(1 - uncommon / non_ascii.size >= GB2312_SHARE)


def decode_text(data: bytes, encoding: str | None, name: str) -> tuple[str, str]:
    """Decode a CSV's bytes by the rules in the module docstring; return (text, encoding)."""
    if encoding is not None:
        if encoding not in ENCODINGS:
            raise ReadError(f"encoding {encoding!r} is not supported; use one of {', '.join(ENCODINGS)}")
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise ReadError(
                f"{name}: byte {exc.start} (line {line}) is not valid {encoding}; check the file's encoding"
            ) from exc
        return text.removeprefix("\ufeff"), encoding
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise EncodingUndecidedError(
                f"{name} starts with a UTF-8 byte-order mark but byte {exc.start} is not UTF-8; pass --encoding"
            ) from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = ""
    if text and _looks_chinese(text):
        return text, "gb18030"
    raise EncodingUndecidedError(
        f"{name}: cannot tell the text encoding (not UTF-8, and not plausible GBK/GB18030 Chinese text); "
        "pass --encoding utf-8|gbk|gb18030 (Python: encoding=...)"
    )


def _delimiter(text: str) -> str:
    """Comma unless csv.Sniffer, on the first lines, finds tab or semicolon."""
    head = "\n".join(text[:20000].splitlines()[:SNIFF_LINES])
    try:
        return csv.Sniffer().sniff(head, delimiters=",\t;").delimiter
    except csv.Error:
        return ","


def read_csv(path: str | Path, *, encoding: str | None = None) -> RawData:
    """Read a CSV with every cell as text; empty cells become missing.

    Parameters
    ----------
    path : str or Path
    encoding : str, optional
        ``utf-8``, ``utf-8-sig``, ``gbk`` or ``gb18030``; default: detect (see
        the module docstring).

    Returns
    -------
    RawData
        ``frame`` has one ``str`` column per header cell (names stripped of
        surrounding spaces; cells are not stripped), ``encoding`` the encoding
        used and ``meta["delimiter"]`` the delimiter.

    Raises
    ------
    EncodingUndecidedError
        The encoding cannot be decided; pass ``encoding=``.
    ReadError
        An empty file, a byte that is invalid in the given encoding, an empty
        or duplicate header name, or a malformed row.

    Notes
    -----
    Cells are read with ``dtype=str, keep_default_na=False``, so "NA", "null"
    or "-" stay text; then exactly the empty cells ("") become missing (NaN in
    pandas' ``str`` dtype).  The delimiter is a comma unless ``csv.Sniffer``
    finds tab or semicolon on the first lines.
    """
    p = Path(path)
    data = _bytes(p)
    if not data.strip():
        raise ReadError(f"{p.name} is empty")
    text, enc = decode_text(data, encoding, p.name)
    sep = _delimiter(text)
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=sep))
    except (csv.Error, StopIteration) as exc:
        raise ReadError(f"{p.name}: cannot read the header line: {exc}") from exc
    names = _header(header, p.name)
    _check_unique(names, p.name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False,
                                index_col=False)
    except pd.errors.ParserWarning as exc:
        raise ReadError(f"{p.name}: not a well-formed CSV file: a data row has more fields than the "
                        f"{len(names)} header columns; check the delimiter and quoting") from exc
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        raise ReadError(f"{p.name}: not a well-formed CSV file: {str(exc).strip()}") from exc
    if frame.shape[1] != len(names):
        raise ReadError(f"{p.name}: the header has {len(names)} columns but the rows {frame.shape[1]}; check quoting")
    frame.columns = names
    frame = frame.replace("", None)
    return RawData(frame, str(p), "csv", hashlib.sha256(data).hexdigest(), encoding=enc, meta={"delimiter": sep})


# ------------------------------------------------------------------ XLSX
def _header(values: list[Any], name: str) -> list[str]:
    names = ["" if (v is None or (isinstance(v, float) and np.isnan(v))) else str(v).strip() for v in values]
    empty = [i + 1 for i, n in enumerate(names) if not n]
    if empty:
        raise ReadError(f"{name}: header cell(s) in column(s) {empty} are empty; name every column")
    return names


def _check_unique(names: list[str], name: str) -> None:
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ReadError(f"{name}: duplicate column names {dup}; column names must be unique")


def read_xlsx(path: str | Path, *, sheet: str | None = None) -> RawData:
    """Read an XLSX sheet (cell values, not formulas); 问卷星 exports are recognised.

    Parameters
    ----------
    path : str or Path
    sheet : str, optional
        The sheet's name (default: the first sheet).

    Returns
    -------
    RawData
        Headers from the first row; numbers as numbers, text as text, empty
        cells missing (cells typed as object).  For a 问卷星 export
        ``meta["wjx"]`` describes it (see :mod:`flexemp.io.wjx`).

    Raises
    ------
    ReadError
        Not an XLSX file, no such sheet, an empty sheet, an empty or duplicate header.
    """
    from flexemp.io.wjx import detect_wjx, is_wjx, qualify_headers

    p = Path(path)
    data = _bytes(p)
    try:
        grid = pd.read_excel(io.BytesIO(data), sheet_name=sheet if sheet is not None else 0, header=None,
                             dtype=object, engine="openpyxl")
    except ValueError as exc:
        if sheet is not None and "not found" in str(exc).lower():
            raise ReadError(f"{p.name} has no sheet {sheet!r}; pass an existing sheet name") from exc
        raise ReadError(f"{p.name}: not a readable XLSX file: {exc}") from exc
    except Exception as exc:  # openpyxl/zipfile raise many types on corrupt files
        raise ReadError(f"{p.name}: not a readable XLSX file ({type(exc).__name__}: {exc})") from exc
    if grid.empty:
        raise ReadError(f"{p.name}: the sheet is empty; the first row must hold the column names")
    names = _header(grid.iloc[0].tolist(), p.name)
    renamed: dict[str, str] = {}
    if is_wjx(names):
        names, renamed = qualify_headers(names)
    _check_unique(names, p.name)
    frame = grid.iloc[1:].reset_index(drop=True)
    frame.columns = names
    frame = frame.replace("", None)
    frame, meta = detect_wjx(frame, renamed)
    return RawData(frame, str(p), "xlsx", hashlib.sha256(data).hexdigest(), meta=meta)


# ------------------------------------------------------------------ SAV / DTA / Parquet
def _readstat(p: Path, fmt: str) -> RawData:
    import pyreadstat

    data = _bytes(p)
    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    try:
        frame, meta = reader(str(p), apply_value_formats=False)
    except Exception as exc:  # pyreadstat raises its own and OSError types
        raise ReadError(f"{p.name}: not a readable {fmt.upper()} file ({type(exc).__name__}: {exc})") from exc
    labels = {k: v for k, v in (meta.column_names_to_labels or {}).items() if v}
    values = {k: dict(v) for k, v in (meta.variable_value_labels or {}).items()}
    return RawData(frame, str(p), fmt, hashlib.sha256(data).hexdigest(), variable_labels=labels,
                   value_labels=values, meta={"file_label": getattr(meta, "file_label", None)})


def read_sav(path: str | Path) -> RawData:
    """Read an SPSS .sav/.zsav with its variable and value labels.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    RawData
        Codes kept as numbers (``apply_value_formats=False``);
        ``variable_labels`` {column: label} for labelled columns,
        ``value_labels`` {column: {code: label}}, ``meta["file_label"]``.

    Raises
    ------
    ReadError
        When pyreadstat cannot read the file.
    """
    return _readstat(Path(path), "sav")


def read_dta(path: str | Path) -> RawData:
    """Read a Stata .dta with its variable and value labels (as :func:`read_sav`).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    RawData

    Raises
    ------
    ReadError
        When pyreadstat cannot read the file.
    """
    return _readstat(Path(path), "dta")


def read_parquet(path: str | Path) -> RawData:
    """Read a Parquet file (pyarrow through pandas).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    RawData

    Raises
    ------
    ReadError
        When the file is not Parquet.
    """
    p = Path(path)
    data = _bytes(p)
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError …
        raise ReadError(f"{p.name}: not a readable Parquet file ({type(exc).__name__}: {exc})") from exc
    return RawData(frame, str(p), "parquet", hashlib.sha256(data).hexdigest())
