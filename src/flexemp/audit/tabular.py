"""CSV and XLSX transcriptions: one spreadsheet row per table row, turned into the YAML structure.

Columns (a header row; names as in the YAML format, see docs/audit.md):

- ``kind`` and ``title`` on every row — rows with the same kind and title form one table, in
  the order they first appear;
- table settings, taken from the first non-empty cell of the table: ``basis``, ``df``,
  ``ci_level``, ``n``, ``question``, ``claimed_mean``, ``claimed_sd``, ``thresholds`` written as
  ``*:0.10;**:0.05;***:0.01`` and ``midpoints`` as ``18;25.5;35.5``;
- row values: the row keys of the kind (``term, coef, se, t, p, stars, ci_low, ci_high`` for a
  regression; ``variable, mean, sd, n, binary …`` for a descriptive table; ``code, label, count,
  percent`` for the options of a frequency table; ``group, percents`` (``44;11;37``) and
  ``claimed_mean`` for banded means; ``group, shares`` (``up:29;same:54;down:17``) and
  ``claimed_index`` for diffusion indices; ``instrument, coef, se, claimed_f`` for a first stage).

Cells are read as text, so a CSV keeps every printed digit.  In an XLSX file, type numbers as
text (or format the cells as text) to keep trailing zeros: a number cell ``0.090`` arrives as
0.09 and is taken to be printed with two decimals.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from flexemp.audit.formats import KINDS, ROW_KEYS, TABLE_KEYS
from flexemp.core.errors import AuditFormatError, FlexempError

LIST_KEYS = {"percents", "midpoints"}
MAP_KEYS = {"shares", "thresholds"}


def _cell(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, float):
        return repr(value)
    text = str(value).strip()
    return text or None


def _convert(key: str, text: str, where: str) -> Any:
    if key in LIST_KEYS:
        return [p.strip() for p in text.split(";") if p.strip()]
    if key in MAP_KEYS:
        out: dict[str, str] = {}
        for part in text.split(";"):
            if not part.strip():
                continue
            name, sep, val = part.partition(":")
            if not sep:
                raise AuditFormatError(f"{where}: {key} must be written as name:value;name:value, got {text!r}")
            out[name.strip()] = val.strip()
        return out
    if key == "binary":
        return text.lower() in ("true", "1", "yes", "是")
    return text


def load_tabular(path: str | Path) -> list[dict[str, Any]]:
    """Read a CSV/XLSX transcription into the list of tables ``audit_tables`` takes.

    Raises
    ------
    AuditFormatError
        Unreadable file, missing ``kind``/``title`` columns, unknown kinds or columns.
    """
    from flexemp.io.readers import read_data

    p = Path(path)
    try:
        frame = read_data(p).frame
    except FlexempError as exc:
        raise AuditFormatError(f"{p}: {exc}") from None
    missing = [c for c in ("kind", "title") if c not in frame.columns]
    if missing:
        raise AuditFormatError(f"{p}: a transcription needs the columns kind and title (missing: {', '.join(missing)})")
    known = {"kind", "title", "note", "source"} | set().union(*TABLE_KEYS.values()) | set().union(*ROW_KEYS.values())
    unknown = [str(c) for c in frame.columns if c not in known]
    if unknown:
        raise AuditFormatError(f"{p}: unknown column(s) {unknown}; see docs/audit.md for the columns of each kind")
    tables: dict[tuple[str, str], dict[str, Any]] = {}
    for i, rec in enumerate(frame.to_dict("records")):  # a transcription has tens of rows, not respondents
        where = f"{p.name} row {i + 2}"
        cells = {k: _cell(v) for k, v in rec.items()}
        kind, title = cells["kind"], cells["title"]
        if kind not in KINDS:
            raise AuditFormatError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
        table = tables.setdefault((kind, title or ""), {"kind": kind, "title": title})
        row_key = "options" if kind == "frequency" else "rows"
        for key in TABLE_KEYS[kind] - {"rows", "options"}:
            if cells.get(key) is not None and key not in table:
                table[key] = _convert(key, str(cells[key]), where)
        row = {k: _convert(k, str(v), where) for k, v in cells.items() if k in ROW_KEYS[kind] and v is not None}
        if row:
            table.setdefault(row_key, []).append(row)
    return list(tables.values())
