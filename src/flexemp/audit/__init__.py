"""Audit of published tables for internal consistency (``flexemp audit``).

Every check compares intervals, not points: a printed 0.093 stands for [0.0925, 0.0935].
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flexemp.audit.formats import load_tables, load_yaml_text
from flexemp.audit.report import AuditReport
from flexemp.audit.result import Check
from flexemp.audit.run import run_tables

__all__ = ["AuditReport", "Check", "audit_file", "audit_tables", "audit_yaml"]


def audit_tables(tables: list[dict[str, Any]]) -> AuditReport:
    """Audit tables given as Python dicts (the YAML format of ``docs/audit.md``).

    Parameters
    ----------
    tables : list of dict
        Each with ``kind`` and its keys.  Numbers given as strings keep their printed
        digits; numbers given as floats get their decimals from ``repr`` (so ``0.09``
        stands for [0.085, 0.095] even if the table printed 0.090).

    Returns
    -------
    AuditReport

    Raises
    ------
    AuditFormatError
        If a table, row or number is malformed.

    Examples
    --------
    >>> rep = audit_tables([{"kind": "first_stage", "title": "表3",
    ...                      "rows": [{"instrument": "z", "coef": "0.913", "se": "0.093", "claimed_f": "96.927"}]}])
    >>> rep.checks[0].verdict
    'consistent'
    """
    return AuditReport(tuple(run_tables(tables)))


def audit_yaml(text: str) -> AuditReport:
    """Audit a YAML transcription given as text (numbers keep their printed digits)."""
    return audit_tables(load_yaml_text(text))


def audit_file(path: str | Path) -> AuditReport:
    """Audit a YAML transcription file.

    Raises
    ------
    AuditFormatError
        If the file cannot be read or is malformed (the CLI exits with code 2).
    """
    return audit_tables(load_tables(path))
