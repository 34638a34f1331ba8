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
   Chinese text — at least 80 % of the non-ASCII characters are CJK ideographs
   or CJK/full-width punctuation, with no control characters — → ``gb18030``.
4. Anything else stops with :class:`~flexemp.core.errors.EncodingUndecidedError`
   asking for ``encoding=`` (CLI ``--encoding``): a file is never silently
   mis-decoded.  With an explicit encoding, a byte that does not decode is an
   error naming its offset and line.
"""

from __future__ import annotations

import csv
import hashlib
import io
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


@dataclass(frozen=True)
class RawData:
    """A file as read: frame, format, encoding, labels, metadata and SHA-256 of its bytes."""

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
    ReadError, EncodingUndecidedError

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
    arr = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    non_ascii = arr[arr > 0x7F]
    if non_ascii.size == 0:
        return True
    if np.any((non_ascii >= 0x80) & (non_ascii <= 0x9F)) or np.any(non_ascii == 0xFFFD):
        return False
    cjk = (
        ((non_ascii >= 0x4E00) & (non_ascii <= 0x9FFF))
        | ((non_ascii >= 0x3400) & (non_ascii <= 0x4DBF))
        | ((non_ascii >= 0x3000) & (non_ascii <= 0x303F))
        | ((non_ascii >= 0xFF00) & (non_ascii <= 0xFFEF))
        | ((non_ascii >= 0x2010) & (non_ascii <= 0x2027))  # dashes, quotes, ellipsis
        | (non_ascii == 0x2506)  # ┆-like separators used by survey exports
        | (non_ascii == 0x250B)  # ┋
        | (non_ascii == 0x00B7)
    )
    return bool(cjk.mean() >= CJK_SHARE)


def decode_text(data: bytes, encoding: str | None, name: str) -> tuple[str, str]:
    """Decode a CSV's bytes by the rules in the module docstring; return (text, encoding)."""
    if encoding is not None:
        if encoding not in ENCODINGS:
            raise ReadError(f"encoding {encoding!r} is not supported; use one of {', '.join(ENCODINGS)}")
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise ReadError(
                f"{name}: byte {exc.start} (line {line}) is not valid {encoding}; check the file's encoding"
            ) from exc
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


def read_csv(path: str | Path, *, encoding: str | None = None) -> RawData:
    """Read a CSV with every cell as text (empty cells become missing); see the module docstring.

    Raises
    ------
    ReadError, EncodingUndecidedError
    """
    p = Path(path)
    data = _bytes(p)
    if not data.strip():
        raise ReadError(f"{p.name} is empty")
    text, enc = decode_text(data, encoding, p.name)
    head = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(head.split("\n", 5)[0] if "\n" in head else head, delimiters=",\t;")
        sep = dialect.delimiter
    except csv.Error:
        sep = ","
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=sep))
    except (csv.Error, StopIteration) as exc:
        raise ReadError(f"{p.name}: cannot read the header line: {exc}") from exc
    names = [h.strip() for h in header]
    if any(not n for n in names):
        empty = [i + 1 for i, n in enumerate(names) if not n]
        raise ReadError(f"{p.name}: header column(s) {empty} have no name; name every column")
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ReadError(f"{p.name}: duplicate column names {dup}; column names must be unique")
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False,
                            skipinitialspace=False)
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        raise ReadError(f"{p.name}: not a well-formed CSV file: {exc}") from exc
    frame.columns = names
    frame = frame.replace("", None)
    return RawData(frame, str(p), "csv", hashlib.sha256(data).hexdigest(), encoding=enc, meta={"delimiter": sep})


# ------------------------------------------------------------------ XLSX
def read_xlsx(path: str | Path, *, sheet: str | None = None) -> RawData:
    """Read an XLSX sheet (values, not formulas); 问卷星 exports are recognised (see :mod:`flexemp.io.wjx`).

    Raises
    ------
    ReadError
    """
    from flexemp.io.wjx import detect_wjx

    p = Path(path)
    data = _bytes(p)
    try:
        frame = pd.read_excel(io.BytesIO(data), sheet_name=sheet if sheet is not None else 0, dtype=object,
                              engine="openpyxl")
    except ValueError as exc:
        if sheet is not None and "not found" in str(exc).lower():
            raise ReadError(f"{p.name} has no sheet {sheet!r}") from exc
        raise ReadError(f"{p.name}: not a readable XLSX file: {exc}") from exc
    except Exception as exc:  # openpyxl/zipfile raise many types on corrupt files
        raise ReadError(f"{p.name}: not a readable XLSX file ({type(exc).__name__}: {exc})") from exc
    cols = [str(c).strip() for c in frame.columns]
    bad = [c for c in cols if c.startswith("Unnamed:") or not c]
    if bad:
        raise ReadError(f"{p.name}: {len(bad)} header cell(s) are empty; name every column")
    frame.columns = cols
    frame = frame.replace("", None)
    frame, meta = detect_wjx(frame)
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
    """Read an SPSS .sav/.zsav with its variable and value labels (codes kept as numbers)."""
    return _readstat(Path(path), "sav")


def read_dta(path: str | Path) -> RawData:
    """Read a Stata .dta with its variable and value labels (codes kept as numbers)."""
    return _readstat(Path(path), "dta")


def read_parquet(path: str | Path) -> RawData:
    """Read a Parquet file."""
    p = Path(path)
    data = _bytes(p)
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError …
        raise ReadError(f"{p.name}: not a readable Parquet file ({type(exc).__name__}: {exc})") from exc
    return RawData(frame, str(p), "parquet", hashlib.sha256(data).hexdigest())
