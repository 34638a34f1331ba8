"""The validation report: every problem found at ingest, with row, column and value."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import pandas as pd

from flexemp.core.types import Issue

REPORT_COLUMNS = ("row", "column", "value", "rule", "severity", "message")


@dataclass(frozen=True)
class IssueReport:
    """All issues found when validating one file against a codebook.

    ``n_rows`` is the number of data rows read.  Issues with ``row=None`` concern
    the whole file (a missing or unknown column, undeclared personal data) and
    cannot be quarantined row by row.
    """

    issues: tuple[Issue, ...]
    n_rows: int
    file_name: str = ""
    n_rows_with_errors: int | None = None

    @property
    def errors(self) -> tuple[Issue, ...]:
        """Issues of severity ``error``."""
        return tuple(i for i in self.issues if i.severity == "error")

    @property
    def warnings(self) -> tuple[Issue, ...]:
        """Issues of severity ``warning``."""
        return tuple(i for i in self.issues if i.severity == "warning")

    @property
    def file_errors(self) -> tuple[Issue, ...]:
        """Errors that concern the whole file (no row)."""
        return tuple(i for i in self.errors if i.row is None)

    @property
    def bad_rows(self) -> frozenset[int]:
        """1-based rows with at least one error."""
        return frozenset(i.row for i in self.errors if i.row is not None)

    @property
    def rows_with_errors(self) -> int:
        """Exact number of rows with an error (issues beyond the listing cap included)."""
        return len(self.bad_rows) if self.n_rows_with_errors is None else self.n_rows_with_errors

    @property
    def ok(self) -> bool:
        """True when there is no error at all."""
        return not self.errors

    def counts(self) -> dict[str, int]:
        """Number of errors per rule."""
        return dict(Counter(i.rule for i in self.errors))

    def to_frame(self) -> pd.DataFrame:
        """The issues as a DataFrame with columns row, column, value, rule, severity, message."""
        rows = [
            (i.row, i.column, i.value, i.rule, i.severity, i.message) for i in self.issues
        ]
        frame = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
        frame["row"] = frame["row"].astype("Int64")
        return frame

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: file, counts and the list of issues."""
        return {
            "file": self.file_name,
            "rows_read": self.n_rows,
            "rows_with_errors": self.rows_with_errors,
            "n_errors": len(self.errors),
            "n_warnings": len(self.warnings),
            "errors_by_rule": self.counts(),
            "issues": [i.to_dict() for i in self.issues],
        }

    def summary(self) -> str:
        """One paragraph for people."""
        if self.ok:
            extra = f" ({len(self.warnings)} warning(s))" if self.warnings else ""
            return f"{self.n_rows} rows read, no errors{extra}."
        by_rule = ", ".join(f"{k}: {v}" for k, v in sorted(self.counts().items()))
        return (
            f"{self.n_rows} rows read; {len(self.errors)} listed error(s) in {self.rows_with_errors} row(s)"
            f"{' and ' + str(len(self.file_errors)) + ' file-level error(s)' if self.file_errors else ''}"
            f" [{by_rule}]."
        )
