"""The analysis types a study can run: ``RUNNERS[type](ctx, spec) -> AnalysisOutput``.

``check_analysis`` validates option values that can be checked without data
(model names, covariance choices, star levels) so that a bad option stops the
study before anything runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flexemp.core.errors import StudyError
from flexemp.study.analyses import descriptive, models, monitoring, robustness
from flexemp.study.analyses.common import MODELS, VCOVS, stars
from flexemp.study.schema import AnalysisSpec, StudySpec

RUNNERS: dict[str, Callable[[Any, AnalysisSpec], Any]] = {
    "sample_flow": monitoring.sample_flow,
    "summary": descriptive.summary,
    "frequencies": descriptive.frequencies,
    "crosstab": descriptive.crosstab,
    "compare": descriptive.compare,
    "multiselect": descriptive.multiselect,
    "midpoint_means": descriptive.midpoint_means,
    "reliability": descriptive.reliability,
    "vif": models.vif,
    "regression": models.regression,
    "iv": robustness.iv,
    "psm": robustness.psm,
    "heckman": robustness.heckman,
    "selection_correction": robustness.selection_correction,
    "mechanism": models.mechanism,
    "heterogeneity": models.heterogeneity,
    "weighting": monitoring.weighting,
    "index": monitoring.index,
}

_CHOICES: dict[str, tuple[str, ...]] = {
    "vcov": VCOVS,
    "weight_kind": ("freq", "prob"),
    "score": ("logit", "probit"),
    "ties": ("all", "first"),
    "estimand": ("att", "ate", "atc"),
    "se": ("ai2016", "ai2006", "homoskedastic", "simple"),
    "percent": ("row", "col", "total"),
    "test": ("auto", "t", "welch", "chisq"),
}


def check_analysis(a: AnalysisSpec, spec: StudySpec) -> list[str]:
    """Problems with an analysis' option values (empty when fine)."""
    problems = []
    o = a.options
    if a.type == "regression" and o.get("model") not in MODELS:
        problems.append(f"{a.where('model')}: {o.get('model')!r} is not one of {', '.join(MODELS)}")
    if a.type in ("mechanism", "heterogeneity", "selection_correction") and "model" in o:
        allowed: tuple[str, ...] = ("auto", *MODELS) if a.type == "mechanism" else MODELS
        if o["model"] not in allowed:
            problems.append(f"{a.where('model')}: {o['model']!r} is not one of {', '.join(allowed)}")
    for key, allowed in _CHOICES.items():
        if key in o and o[key] not in allowed:
            problems.append(f"{a.where(key)}: {o[key]!r} is not one of {', '.join(allowed)}")
    if "beneath" in o:
        from flexemp.core.errors import UnsupportedOptionError
        from flexemp.present.regression_table import beneath_parts

        try:
            beneath_parts(str(o["beneath"]))
        except UnsupportedOptionError as exc:
            problems.append(f"{a.where('beneath')}: {exc} (combine with +, e.g. se+ci)")
    if o.get("vcov") == "cluster" and "cluster" not in o:
        problems.append(f"{a.where('vcov')}: vcov: cluster needs cluster: VARIABLE")
    if "stars" in o:  # read as the runners read it (common.stars: the tables' one rule), checked up front
        try:
            stars(a)
        except StudyError as exc:
            problems.append(str(exc))
    for key in ("k", "bootstrap", "min_n"):
        if key in o and (not isinstance(o[key], int) or isinstance(o[key], bool) or o[key] < 1):
            problems.append(f"{a.where(key)}: must be a positive integer (got {o[key]!r})")
    if a.type == "weighting" and not isinstance(spec.weights, dict):
        problems.append(f"{a.where()}: a weighting analysis needs study-level weights: {{method: rake, margins: …}}")
    return problems
