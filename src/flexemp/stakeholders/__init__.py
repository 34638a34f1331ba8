"""Stakeholder analysis: the Mitchell score method with a hierarchical-clustering check (seed 002)."""

from __future__ import annotations

from flexemp.stakeholders.clustering import AttributeClusters
from flexemp.stakeholders.example import example_scores
from flexemp.stakeholders.scoring import STAKEHOLDER_NAMES, Agreement, MitchellResult, mitchell

__all__ = [
    "STAKEHOLDER_NAMES",
    "Agreement",
    "AttributeClusters",
    "MitchellResult",
    "example_scores",
    "mitchell",
]
