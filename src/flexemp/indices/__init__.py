"""Diffusion ("景气") indices: pandas, DuckDB, Spark and warehouse paths sharing one set of formulas."""

from __future__ import annotations

from flexemp.indices.diffusion import DEFAULT_SCORES, diffusion_index
from flexemp.indices.scores import scores_from_codebook
from flexemp.indices.sql import diffusion_index_sql
from flexemp.indices.warehouse import warehouse_indices
from flexemp.indices.waves import expectation_gap, index_change

__all__ = [
    "DEFAULT_SCORES",
    "diffusion_index",
    "diffusion_index_sql",
    "expectation_gap",
    "index_change",
    "scores_from_codebook",
    "warehouse_indices",
]
