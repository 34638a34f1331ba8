"""Helpers shared by the study's analysis runners: option access, formulas, labels, narrative switches."""

from __future__ import annotations

import dataclasses
from typing import Any

from flexemp.codebook import Codebook
from flexemp.core.errors import StudyError
from flexemp.present.table import Table
from flexemp.study.schema import AnalysisSpec

MODELS = ("ols", "logit", "probit", "oprobit", "ologit", "mlogit")
VCOVS = ("classical", "robust", "cluster")


def names(a: AnalysisSpec, key: str, *, required: bool = False) -> list[str]:
    """An option holding one name or a list of names, as a list."""
    value = a.options.get(key)
    if value is None:
        if required:
            raise StudyError(f"{a.where(key)}: required")
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise StudyError(f"{a.where(key)}: expected a name or a list of names, got {value!r}")


def one(a: AnalysisSpec, key: str, default: Any = None) -> Any:
    """A scalar option (or its default)."""
    return a.options.get(key, default)


def choice(a: AnalysisSpec, key: str, allowed: tuple[str, ...], default: str | None) -> str | None:
    """A scalar option that must be one of ``allowed``."""
    value = a.options.get(key, default)
    if value is not None and value not in allowed:
        raise StudyError(f"{a.where(key)}: {value!r} is not one of {', '.join(allowed)}")
    return value


def with_note(table: Table, note: str) -> Table:
    """The table with ``note`` after its own notes."""
    return dataclasses.replace(table, notes=(*table.notes, note)) if note else table


def rhs(terms: list[str]) -> str:
    """``a + b + c`` (``1`` when empty)."""
    return " + ".join(terms) if terms else "1"


def label(codebook: Codebook, name: str, lang: str) -> str:
    """A variable's display label (its name when the codebook does not know it)."""
    if name in codebook:
        return codebook[name].label(lang)
    return codebook.labels(lang).get(name, name)


def fit_kwargs(a: AnalysisSpec, weights_default: str | None = None) -> dict[str, Any]:
    """weights / weight_kind / vcov / cluster options for an estimator."""
    kw: dict[str, Any] = {}
    vcov = choice(a, "vcov", VCOVS, None)
    if vcov is not None:
        kw["vcov"] = vcov
    if one(a, "cluster") is not None:
        kw["cluster"] = one(a, "cluster")
        kw.setdefault("vcov", "cluster")
    if kw.get("vcov") == "cluster" and "cluster" not in kw:
        raise StudyError(f"{a.where('vcov')}: vcov: cluster needs cluster: VARIABLE")
    w = one(a, "weights", weights_default)
    if w is not None:
        kw["weights"] = w
        kw["weight_kind"] = one(a, "weight_kind", "prob")
    return kw


def stars(a: AnalysisSpec) -> tuple[float, ...]:
    """Star thresholds (default 10/5/1%)."""
    from flexemp.core.errors import UnsupportedOptionError
    from flexemp.present.stars import check_stars

    value = a.options.get("stars", [0.10, 0.05, 0.01])
    if not isinstance(value, list):
        raise StudyError(f"{a.where('stars')}: give a list of levels such as [0.10, 0.05, 0.01]")
    try:
        return check_stars(value)
    except UnsupportedOptionError as exc:
        raise StudyError(f"{a.where('stars')}: {exc}") from exc
