"""flexemp: survey research and quarterly monitoring of flexible employment (灵活就业).

The public API is re-exported here; heavy modules are imported lazily so that
``import flexemp`` and ``flexemp --help`` stay fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # codebook
    "Codebook": "flexemp.codebook",
    "Variable": "flexemp.codebook",
    "load_codebook": "flexemp.codebook",
    "save_codebook": "flexemp.codebook",
    "draft_codebook": "flexemp.codebook.draft",
    # io
    "read_data": "flexemp.io.readers",
    "read_csv": "flexemp.io.readers",
    "read_xlsx": "flexemp.io.readers",
    "read_sav": "flexemp.io.readers",
    "read_dta": "flexemp.io.readers",
    "read_parquet": "flexemp.io.readers",
    "write_data": "flexemp.io.writers",
    # ingest and warehouse
    "validate": "flexemp.ingest.validate",
    "screen_wave": "flexemp.warehouse.screenings",
    "run_demo": "flexemp.demo",
    "write_synthetic": "flexemp.synth.export",
    "ingest": "flexemp.warehouse.load",
    "Warehouse": "flexemp.warehouse.store",
    "default_db_path": "flexemp.warehouse.schema",
    # screening
    "screen": "flexemp.screening.flow",
    "load_rules": "flexemp.screening.rules",
    # models
    "ols": "flexemp.models.api",
    "logit": "flexemp.models.api",
    "probit": "flexemp.models.api",
    "oprobit": "flexemp.models.api",
    "ologit": "flexemp.models.api",
    "mlogit": "flexemp.models.api",
    "margins": "flexemp.models.margins",
    "heckman2s": "flexemp.models.heckman",
    "iv2sls": "flexemp.models.iv",
    "loo_mean": "flexemp.models.instruments",
    "psm": "flexemp.models.psm",
    "mechanism": "flexemp.models.batteries",
    "heterogeneity": "flexemp.models.batteries",
    "mediation": "flexemp.models.batteries",
    "selection_correction": "flexemp.models.heckman",
    "vif": "flexemp.models.diagnostics.vif",
    "EstimationResult": "flexemp.models.results",
    "read_analysis_data": "flexemp.io.analysis",
    # scales
    "reliability": "flexemp.describe.scales",
    "cronbach_alpha": "flexemp.describe.scales",
    "kmo": "flexemp.describe.scales",
    "bartlett_sphericity": "flexemp.describe.scales",
    "term_labels": "flexemp.present.labels",
    "mitchell": "flexemp.stakeholders",
    "audit_file": "flexemp.audit",
    "audit_yaml": "flexemp.audit",
    # weighting
    "rake": "flexemp.weighting",
    "poststratify": "flexemp.weighting",
    "trim": "flexemp.weighting",
    "design_effect": "flexemp.weighting",
    "effective_sample_size": "flexemp.weighting",
    "census_margins": "flexemp.weighting.census",
    "census_source": "flexemp.weighting.census",
    # indices
    "diffusion_index": "flexemp.indices",
    "index_change": "flexemp.indices",
    "expectation_gap": "flexemp.indices",
    "diffusion_index_sql": "flexemp.indices",
    "scores_from_codebook": "flexemp.indices",
    "warehouse_indices": "flexemp.indices",
    # studies
    "run_study": "flexemp.study.run",
    "check_study": "flexemp.study.run",
    # synthetic data
    "get_dataset": "flexemp.synth",
    "list_datasets": "flexemp.synth",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'flexemp' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
