"""What one analysis of a study produces: tables, charts, sentences and its numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flexemp.present.charts.model import Chart
from flexemp.present.table import Table


@dataclass
class AnalysisOutput:
    """Tables, charts, narrative sentences and raw numbers (``results``) of one analysis."""

    id: str
    type: str
    title: str
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Everything but the timing (so that two runs can be diffed)."""
        return {
            "id": self.id,
            "type": self.type,
            "title": self.title,
            "text": list(self.text),
            "tables": [t.to_dict() for t in self.tables],
            "charts": [c.to_dict() for c in self.charts],
            "results": self.results,
        }
