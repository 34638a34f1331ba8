"""ModelSpec: what was asked for, frozen and validated at the boundary."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from flexemp.core.errors import UnsupportedOptionError
from flexemp.core.options import Estimator, VcovType, WeightKind, validate_option
from flexemp.models.capabilities import check_capabilities


@dataclass(frozen=True)
class ModelSpec:
    """A model specification: estimator, formula, weights, covariance and options.

    Build it with :meth:`make`, which checks every option; the estimator
    functions do this for you.
    """

    estimator: str
    formula: str
    weights: str | None = None
    weight_kind: str = "freq"
    vcov: str = "classical"
    cluster: str | None = None
    base: float | str | None = None
    conf_level: float = 0.95

    @classmethod
    def make(
        cls,
        estimator: str,
        formula: str,
        *,
        weights: str | None = None,
        weight_kind: str = "freq",
        vcov: str = "classical",
        cluster: str | None = None,
        base: float | str | None = None,
        conf_level: float = 0.95,
    ) -> ModelSpec:
        """Validate the options and return the spec.

        Raises
        ------
        UnsupportedOptionError
        """
        validate_option("estimator", estimator, Estimator)
        validate_option("vcov", vcov, VcovType)
        validate_option("weight_kind", weight_kind, WeightKind)
        if not isinstance(formula, str):
            raise UnsupportedOptionError(f"formula must be a string such as 'y ~ x1 + x2', not {type(formula).__name__}")
        if not 0 < conf_level < 1:
            raise UnsupportedOptionError(f"conf_level must lie in (0, 1), got {conf_level}")
        if base is not None and estimator != "mlogit":
            raise UnsupportedOptionError(f"base= is an mlogit option; {estimator} has no base outcome")
        check_capabilities(estimator, weights=weights, weight_kind=weight_kind, vcov=vcov, cluster=cluster)
        return cls(estimator, formula, weights, weight_kind, vcov, cluster, base, conf_level)

    def replace(self, **changes: Any) -> ModelSpec:
        """A validated copy with some options changed."""
        d = asdict(self)
        d.update(changes)
        est = d.pop("estimator")
        form = d.pop("formula")
        return ModelSpec.make(est, form, **d)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict."""
        return asdict(self)
