"""Validate a raw frame against a codebook: convert, check, and report every problem.

The result is a :class:`ValidatedDataset` whose ``data`` holds every row that
passed (column ``_row`` plus the codebook's stored columns) and whose
``quarantine`` holds every row with an error, with its reasons.  Nothing is
dropped or coerced silently: each problem becomes an :class:`~flexemp.core.types.Issue`
with the row, column, value and rule.

Rules
-----
``missing_column``   a variable's raw column is absent (file-level)
``unknown_column``   the file has a column the codebook does not describe (file-level)
``missing_required`` an empty value where the variable is ``required`` (ids always are)
``wrong_type``       text where a number is expected, a fraction for a count, a bad date
``invalid_code``     a value that is neither a code, a code label nor a missing code
``out_of_range``     a number outside the variable's ``range`` (weights must be > 0)
``invalid_option``   a multi-select cell that is not 0/1, or names an unknown option
``duplicate_id``     the respondent id was already used on an earlier row
``undeclared_pii``   phone or ID-card numbers in a column not marked ``pii: direct`` (file-level)

Values of direct identifiers are never written into the report in clear.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from flexemp.codebook.model import CODED_TYPES, Codebook, Variable
from flexemp.core.types import Issue
from flexemp.ingest.pseudonymise import looks_like_identifier, mask_value
from flexemp.ingest.report import IssueReport

ROW = "_row"
#: At most this many issues of one rule and column are listed one by one.
MAX_LISTED = 1000


@dataclass(frozen=True)
class ValidatedDataset:
    """A raw file checked against its codebook.

    ``data`` has the valid rows (``_row`` plus the stored columns, numbers as
    float64 with NaN for missing), ``quarantine`` the rows with errors
    (``_row``, ``reasons`` and the converted values that could be read), and
    ``report`` every issue.  ``n_missing_codes`` counts, per column, values
    recognised as missing codes and turned into NaN.
    """

    data: pd.DataFrame
    quarantine: pd.DataFrame
    report: IssueReport
    codebook: Codebook
    n_missing_codes: dict[str, int]


class _Collector:
    def __init__(self, rows: np.ndarray) -> None:
        self.rows = rows
        self.issues: list[Issue] = []
        self.bad = np.zeros(len(rows), dtype=bool)
        self.in_variable = np.zeros(len(rows), dtype=bool)  # rows with an error in the current variable
        self.reason_parts: list[tuple[np.ndarray, str]] = []

    def add_rows(self, mask: np.ndarray, column: str, values: pd.Series, rule: str, msg: str, secret: bool) -> None:
        """Record a row-level error for every row in ``mask``."""
        idx = np.flatnonzero(mask)
        if idx.size == 0:
            return
        self.bad[idx] = True
        self.in_variable[idx] = True
        shown = values.iloc[idx].astype("string").fillna("")
        for pos, val in zip(idx[:MAX_LISTED], shown.iloc[:MAX_LISTED], strict=True):
            row = int(self.rows[pos])
            text = mask_value(val) if secret else str(val)
            self.issues.append(Issue(row, column, text, rule, msg.format(value=text)))
        if idx.size > MAX_LISTED:
            self.issues.append(
                Issue(None, column, None, rule, f"… and {idx.size - MAX_LISTED} more rows with the same problem", "warning")
            )
        self.reason_parts.append((idx, f"{column}: {rule}"))

    def reasons(self) -> pd.Series:
        """'column: rule; …' for every row (empty for good rows), built per problem kind."""
        out = pd.Series("", index=range(len(self.rows)), dtype="string")
        for idx, label in self.reason_parts:
            cur = out.iloc[idx]
            out.iloc[idx] = cur.where(cur == "", cur + "; ") + label
        return out

    def add_file(self, column: str | None, rule: str, msg: str, severity: str = "error") -> None:
        self.issues.append(Issue(None, column, None, rule, msg, severity))  # type: ignore[arg-type]


def _as_text(s: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(s):
        whole = s.where(s.isna() | (s == np.floor(s)))
        txt = s.astype("string")
        txt = txt.where(whole.isna(), whole.astype("Int64").astype("string"))
        return txt
    return s.astype("string").str.strip()


def _missing_mask(var: Variable, raw: pd.Series, text: pd.Series, num: pd.Series) -> np.ndarray:
    if not var.missing:
        return np.zeros(len(raw), dtype=bool)
    nums = [float(m) for m in var.missing if not isinstance(m, str)]
    strs = [m for m in var.missing if isinstance(m, str)]
    mask = np.zeros(len(raw), dtype=bool)
    if nums:
        mask |= num.isin(nums).to_numpy()
    if strs:
        mask |= text.isin(strs).fillna(False).to_numpy(dtype=bool)
    return mask


def _convert_numeric(var: Variable, raw: pd.Series, col: _Collector, secret: bool) -> tuple[pd.Series, int]:
    column = var.source_columns[0]
    text = _as_text(raw)
    empty = (text.isna() | (text == "")).to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        num = raw.astype("float64")
    else:
        num = pd.to_numeric(text.where(~empty), errors="coerce").astype("float64")
        if var.type in CODED_TYPES and var.codes:
            lab = text.map(var.label_to_code()).astype("float64")
            num = num.where(num.notna(), lab)
    miss = _missing_mask(var, raw, text, num)
    unparsed = num.isna().to_numpy() & ~empty & ~miss
    if var.type in CODED_TYPES:
        col.add_rows(unparsed, column, text, "invalid_code", f"{{value!r}} is not a code or label of {var.name}", secret)
    else:
        col.add_rows(unparsed, column, text, "wrong_type", f"{{value!r}} is not a number ({var.name})", secret)
    value = num.where(~miss)
    ok = value.notna().to_numpy()
    if var.type in CODED_TYPES:
        bad = ok & ~value.isin(var.code_values).to_numpy()
        codes = ", ".join(f"{c:g}" for c in var.code_values)
        col.add_rows(bad, column, text, "invalid_code", f"{{value}} is not one of the codes of {var.name} ({codes})", secret)
        value = value.where(~bad)
    if var.type == "count":
        bad = ok & ((value < 0) | (value != np.floor(value))).to_numpy()
        col.add_rows(bad, column, text, "wrong_type", f"{{value}} is not a whole number ≥ 0 ({var.name})", secret)
        value = value.where(~bad)
    if var.type == "weight":
        bad = ok & ~(value > 0).to_numpy()
        col.add_rows(bad, column, text, "out_of_range", f"weight {{value}} is not positive ({var.name})", secret)
        value = value.where(~bad)
    if var.valid_range is not None:
        lo, hi = var.valid_range
        bad = np.zeros(len(value), dtype=bool)
        if lo is not None:
            bad |= (value < lo).to_numpy()
        if hi is not None:
            bad |= (value > hi).to_numpy()
        bad &= value.notna().to_numpy()
        rng = f"[{'' if lo is None else f'{lo:g}'}, {'' if hi is None else f'{hi:g}'}]"
        col.add_rows(bad, column, text, "out_of_range", f"{{value}} is outside the range {rng} of {var.name}", secret)
        value = value.where(~bad)
    return value.astype("float64"), int(miss.sum())


def _convert_text(var: Variable, raw: pd.Series, col: _Collector, secret: bool) -> tuple[pd.Series, int]:
    text = _as_text(raw)
    miss = _missing_mask(var, raw, text, pd.to_numeric(text, errors="coerce"))
    text = text.where(~(text == "").fillna(False) & ~miss)
    if var.type == "date":
        parsed = pd.to_datetime(text, errors="coerce", format="mixed")
        bad = (parsed.isna() & text.notna()).to_numpy()
        col.add_rows(bad, var.source_columns[0], text, "wrong_type", f"{{value!r}} is not a date ({var.name})", secret)
        text = parsed.dt.strftime("%Y-%m-%d %H:%M:%S").astype("string").where(~bad)
    return text.astype("string"), int(miss.sum())


def _convert_multiselect(var: Variable, raw: pd.DataFrame, col: _Collector) -> tuple[pd.DataFrame, int]:
    names = var.stored_columns()
    out = pd.DataFrame(index=raw.index, columns=list(names), dtype="float64")
    n_miss = 0
    if len(var.source_columns) > 1:
        for name, src in zip(names, var.source_columns, strict=True):
            s = raw[src]
            text = _as_text(s)
            num = s.astype("float64") if pd.api.types.is_numeric_dtype(s) else pd.to_numeric(text, errors="coerce")
            miss = _missing_mask(var, s, text, num) | (text.isna() | (text == "")).to_numpy(dtype=bool)
            bad = ~miss & ~num.isin([0.0, 1.0]).to_numpy()
            col.add_rows(bad, src, text, "invalid_option", f"{{value!r}}: an option column of {var.name} takes 0 or 1", False)
            out[name] = num.where(~miss & ~bad)
            n_miss += int(miss.sum())
        return out, n_miss
    src = var.source_columns[0]
    text = _as_text(raw[src])
    miss = _missing_mask(var, raw[src], text, pd.to_numeric(text, errors="coerce"))
    miss |= (text.isna() | (text == "")).to_numpy(dtype=bool)
    chosen = text.where(~miss)
    dummies = chosen.str.get_dummies(sep=var.separator or "┋")
    lookup = var.label_to_code()
    lookup.update({f"{c:g}": c for c in var.code_values})
    by_code = {c: name for c, name in zip(var.code_values, names, strict=True)}
    out.loc[~miss, list(names)] = 0.0
    unknown = np.zeros(len(text), dtype=bool)
    for part in dummies.columns:
        hit = dummies[part].to_numpy(dtype=bool)
        code = lookup.get(str(part).strip())
        if code is None:
            unknown |= hit
        else:
            out.loc[hit, by_code[code]] = 1.0
    col.add_rows(unknown, src, text, "invalid_option", f"{{value!r}} names an option that {var.name} does not have", False)
    out.loc[unknown, list(names)] = np.nan
    return out, int(miss.sum())


def validate(
    frame: pd.DataFrame,
    codebook: Codebook,
    *,
    file_name: str = "",
    ignore_unknown_columns: bool = False,
) -> ValidatedDataset:
    """Check every row of a raw frame against the codebook.

    Parameters
    ----------
    frame : pandas.DataFrame
        The raw data as read (columns are the codebook's ``source`` names).
    codebook : Codebook
        The codebook to check against.
    file_name : str
        Used in the report.
    ignore_unknown_columns : bool
        If true, columns the codebook does not describe are reported as a
        warning and not kept; by default they are an error (they might hold
        personal data nobody declared).

    Returns
    -------
    ValidatedDataset
        Valid rows, quarantined rows and the report.  The input is not modified.

    Notes
    -----
    Row numbers are 1-based data rows (the header is not counted).
    """
    n = len(frame)
    rows = np.arange(1, n + 1, dtype=np.int64)
    col = _Collector(rows)
    frame = frame.reset_index(drop=True)
    described = {c for v in codebook for c in v.source_columns}
    for c in frame.columns:
        if c not in described:
            if ignore_unknown_columns:
                col.add_file(str(c), "unknown_column", f"column {c!r} is not in the codebook; not kept", "warning")
            else:
                col.add_file(
                    str(c),
                    "unknown_column",
                    f"column {c!r} is not in the codebook; describe it (e.g. type text) or pass --ignore-unknown-columns",
                )
    out: dict[str, pd.Series] = {ROW: pd.Series(rows)}
    n_missing: dict[str, int] = {}
    for var in codebook:
        absent = [s for s in var.source_columns if s not in frame.columns]
        if absent:
            col.add_file(", ".join(absent), "missing_column", f"column(s) {absent} of variable {var.name} are not in the file")
            continue
        secret = var.pii == "direct"
        col.in_variable[:] = False
        if var.type == "multiselect":
            ms, k = _convert_multiselect(var, frame, col)
            for name in ms.columns:
                out[name] = ms[name]
            n_missing[var.name] = k
            continue
        raw = frame[var.source_columns[0]]
        if var.is_numeric:
            value, k = _convert_numeric(var, raw, col, secret)
        else:
            value, k = _convert_text(var, raw, col, secret)
        n_missing[var.name] = k
        required = var.required or var.type == "id"
        if required:
            col.add_rows(value.isna().to_numpy() & ~col.in_variable, var.source_columns[0], _as_text(raw), "missing_required",
                         f"{var.name} is required but empty", secret)
        if var.type == "id":
            dup = value.duplicated(keep="first").to_numpy() & value.notna().to_numpy()
            col.add_rows(dup, var.source_columns[0], value, "duplicate_id", "respondent id {value!r} appeared on an earlier row", secret)
        if var.pii is None and var.type in ("text", "id", "count", "continuous", "nominal"):
            kind, hit = looks_like_identifier(raw)
            if kind is not None:
                first = ", ".join(str(r) for r in rows[hit][:5])
                col.add_file(
                    var.source_columns[0],
                    "undeclared_pii",
                    f"{int(hit.sum())} value(s) of {var.name} look like {'mobile phone' if kind == 'phone' else 'ID-card'} "
                    f"numbers (rows {first}…); mark it `pii: direct` in the codebook (or `pii: none` if it is not personal data)",
                )
        out[var.name] = value
    data = pd.DataFrame(out)
    report = IssueReport(tuple(col.issues), n, file_name, int(col.bad.sum()))
    bad = col.bad
    quarantine = data.loc[bad].reset_index(drop=True)
    quarantine.insert(1, "reasons", col.reasons().loc[bad].reset_index(drop=True))
    return ValidatedDataset(
        data=data.loc[~bad].reset_index(drop=True),
        quarantine=quarantine,
        report=report,
        codebook=codebook,
        n_missing_codes=n_missing,
    )
