"""Small shared dataclasses: validation issues, sample-flow steps, provenance."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """One problem found in the data.

    ``row`` is the 1-based data row of the raw file (the header is not counted;
    ``None`` for a problem of a whole column or file), ``column`` the raw column
    name, ``value`` the offending value as text, ``rule`` a short machine name
    (``out_of_range``, ``wrong_type`` …) and ``message`` a sentence for people.
    """

    row: int | None
    column: str | None
    value: str | None
    rule: str
    message: str
    severity: Severity = "error"

    def to_dict(self) -> dict[str, Any]:
        """Return the issue as a plain dict."""
        return asdict(self)


@dataclass(frozen=True)
class SampleFlowStep:
    """One step of a sample flow: how many rows a rule excluded."""

    step: int
    rule: str
    n_before: int
    n_excluded: int
    n_after: int

    def to_dict(self) -> dict[str, Any]:
        """Return the step as a plain dict."""
        return asdict(self)


@dataclass(frozen=True)
class Provenance:
    """Where a stored wave came from."""

    dataset: str
    wave: str
    load_id: int
    loaded_at: str
    file_name: str
    file_sha256: str
    codebook_sha256: str
    rows_read: int
    rows_stored: int
    rows_quarantined: int
    flexemp_version: str
    status: str = "current"
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the provenance record as a plain dict."""
        return asdict(self)
