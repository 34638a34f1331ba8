"""What each estimator supports: weights, covariance types, clustering — checked before fitting.

The table is the single place where an unsupported combination is refused.
Probability (sampling) weights give a pseudo-likelihood whose inverse
Hessian is not a valid covariance, so they require a sandwich (``robust`` or
``cluster``), as Stata forces ``vce(robust)`` with ``pweight``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flexemp.core.errors import UnsupportedOptionError


@dataclass(frozen=True)
class Capability:
    """Supported options of one estimator."""

    weight_kinds: frozenset[str]
    vcov: frozenset[str]
    vcov_with_prob_weights: frozenset[str]


_ALL_VCOV = frozenset({"classical", "robust", "cluster"})
_SANDWICH = frozenset({"robust", "cluster"})

CAPABILITIES: dict[str, Capability] = {
    name: Capability(frozenset({"freq", "prob"}), _ALL_VCOV, _SANDWICH)
    for name in ("ols", "logit", "probit", "oprobit", "ologit", "mlogit", "iv2sls")
}
# two-step Heckman: the corrected two-step covariance (Heckman 1979) is defined without weights or clusters
CAPABILITIES["heckman2s"] = Capability(frozenset(), frozenset({"classical"}), frozenset())
# matching: its standard errors are the Abadie-Imbens ones (see models/psm.py), not a vcov choice
CAPABILITIES["psm"] = Capability(frozenset(), frozenset({"classical"}), frozenset())


def check_capabilities(estimator: str, *, weights: str | None, weight_kind: str, vcov: str, cluster: str | None) -> None:
    """Refuse an option combination the estimator cannot honour.

    Raises
    ------
    UnsupportedOptionError
        Saying what is not supported and what to use instead.
    """
    cap = CAPABILITIES[estimator]
    if weights is not None and not cap.weight_kinds:
        raise UnsupportedOptionError(f"{estimator} does not support weights (drop weights=, or use a weighted estimator)")
    if vcov not in cap.vcov:
        raise UnsupportedOptionError(f"{estimator} does not support vcov={vcov!r}; use one of {sorted(cap.vcov)}")
    if vcov == "cluster" and cluster is None:
        raise UnsupportedOptionError("vcov='cluster' needs cluster=<column name> (CLI: --cluster COL)")
    if cluster is not None and vcov != "cluster":
        raise UnsupportedOptionError(
            f"cluster={cluster!r} was given with vcov={vcov!r}; pass vcov='cluster' (CLI: --vcov cluster) "
            "or drop the cluster column"
        )
    if weights is not None:
        if weight_kind not in cap.weight_kinds:
            raise UnsupportedOptionError(f"{estimator} does not support weight_kind={weight_kind!r}")
        if weight_kind == "prob" and vcov not in cap.vcov_with_prob_weights:
            raise UnsupportedOptionError(
                "probability weights need a sandwich covariance: use vcov='robust' or vcov='cluster' "
                "(classical standard errors would be wrong; Stata forces vce(robust) with pweights)"
            )
