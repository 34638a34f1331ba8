"""Weighting: raking and post-stratification to population margins, trimming, diagnostics."""

from __future__ import annotations

from flexemp.weighting.calibrate import WeightingResult, poststratify, rake
from flexemp.weighting.diagnostics import (
    design_effect,
    effective_sample_size,
    weight_diagnostics,
    weight_summary,
)
from flexemp.weighting.trim import trim

__all__ = [
    "WeightingResult",
    "design_effect",
    "effective_sample_size",
    "poststratify",
    "rake",
    "trim",
    "weight_diagnostics",
    "weight_summary",
]
