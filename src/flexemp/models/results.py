"""One frozen results shape for every estimator.

``EstimationResult`` holds a tidy coefficient table with the fixed columns
``term, estimate, std_error, statistic, p_value, conf_low, conf_high``, named
statistics, tests, the covariance matrix, the spec, the sample accounting and
provenance.  A different covariance is a new result (:meth:`with_vcov`);
nothing is mutated.  ``to_dict``/``from_dict``/``to_json`` round-trip
everything but the arrays needed to recompute (a result read back from JSON
cannot ``predict`` or change its covariance, and says so).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from flexemp.core.errors import EstimationError
from flexemp.core.jsonable import to_jsonable
from flexemp.models.spec import ModelSpec

COEF_COLUMNS = ("term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high")


@dataclass(frozen=True)
class TestResult:
    """A hypothesis test: statistic, degrees of freedom, p-value and the null tested."""

    stat: float | None
    df: float | tuple[float, float] | None
    p_value: float | None
    null: str
    available: bool = True
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict."""
        return asdict(self)


@dataclass(frozen=True)
class SampleInfo:
    """Rows in, rows used, weight total, rows dropped by reason, clusters."""

    n_input: int
    nobs: int
    sum_weights: float | None
    dropped: dict[str, int]
    n_clusters: int | None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict."""
        return asdict(self)


@dataclass(frozen=True)
class FitState:
    """What a result needs to predict and to recompute its covariance (not serialised).

    ``params`` (p,), ``X`` (n, k) design, ``scores`` (n, p), ``hessian`` (p, p) or
    for OLS ``xtwx_inv`` (k, k) and ``resid`` (n,); ``w`` (n,) or None;
    ``groups`` (n,) or None; ``rhs_spec`` the formulaic spec of the regressors;
    ``index`` the data rows used.
    """

    params: np.ndarray
    X: np.ndarray
    w: np.ndarray | None
    groups: np.ndarray | None
    n_groups: int | None
    rhs_spec: Any
    index: pd.Index
    scores: np.ndarray | None = None
    hessian: np.ndarray | None = None
    xtwx_inv: np.ndarray | None = None
    resid: np.ndarray | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@functools.lru_cache(maxsize=512)
def _cached_term_index(terms: tuple[Any, ...]) -> pd.Index:
    """``pd.Index(list(terms))``, built once per tuple of names (never handed out: callers take copies)."""
    return pd.Index(list(terms))


def term_index(terms: list[Any] | tuple[Any, ...]) -> pd.Index:
    """A new ``pd.Index(terms)``.

    Building a string Index from a list (Arrow-backed in pandas 3) costs ≈20 µs; the Index
    is built once per tuple of names and a shallow copy returned: a new Index object (so
    that setting its ``name`` changes no other frame) over the same immutable values.
    """
    key = tuple(terms)
    try:
        return _cached_term_index(key).copy()
    except TypeError:  # unhashable names
        return pd.Index(list(terms))


_COEF_NUMERIC = COEF_COLUMNS[1:]


def coef_table(
    terms: list[str], params: np.ndarray, vcov: np.ndarray, *, conf_level: float, df: float | None
) -> pd.DataFrame:
    """The tidy coefficient table; ``df=None`` uses the normal distribution (z), else t(df).

    Built as one (p, 6) float block with the ``term`` column inserted in front: the same frame
    (columns, dtypes, RangeIndex) as a dict of seven columns, in about half the time.
    """
    params = np.asarray(params, dtype=float)
    se = np.sqrt(np.clip(np.diag(vcov), 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = params / se
    if df is None:  # the normal's sf and ppf straight from scipy.special (what stats.norm calls)
        p = 2 * special.ndtr(-np.abs(stat))
        q = float(special.ndtri(0.5 + conf_level / 2))
    else:
        dist = stats.t(df)
        p = 2 * dist.sf(np.abs(stat))
        q = dist.ppf(0.5 + conf_level / 2)
    block = np.empty((len(params), 6))
    block[:, 0] = params
    block[:, 1] = se
    block[:, 2] = stat
    block[:, 3] = p
    block[:, 4] = params - q * se
    block[:, 5] = params + q * se
    out = pd.DataFrame(block, columns=term_index(_COEF_NUMERIC), copy=False)
    out.insert(0, "term", term_index(terms).array.copy())
    return out


@dataclass(frozen=True)
class EstimationResult:
    """The result of fitting one model (see the module docstring)."""

    model: str
    _coefficients: pd.DataFrame | Callable[[], pd.DataFrame] = field(repr=False, compare=False)
    statistics: dict[str, Any]
    tests: dict[str, TestResult]
    _vcov: pd.DataFrame | Callable[[], pd.DataFrame] = field(repr=False, compare=False)
    spec: ModelSpec
    sample: SampleInfo
    _provenance: dict[str, Any] | Callable[[], dict[str, Any]] = field(repr=False, compare=False)
    outcome_levels: tuple[Any, ...] = ()
    _state: FitState | None = field(default=None, repr=False, compare=False)

    # ----------------------------------------------------------------- tables
    # The two frames and the provenance are given either ready or as a function that
    # builds them from what the fit computed (estimates, covariance, the read-only arrays
    # fitted on); a function is called on first access and its value kept.  Pandas frames
    # and the SHA-256 of a small design cost more than a small model's fit, and many
    # fitted models are only read as numbers.
    @functools.cached_property
    def coefficients(self) -> pd.DataFrame:
        """The tidy coefficient table: ``term, estimate, std_error, statistic, p_value, conf_low, conf_high``."""
        c = self._coefficients
        return c if isinstance(c, pd.DataFrame) else c()

    @functools.cached_property
    def provenance(self) -> dict[str, Any]:
        """``flexemp_version``, ``data_hash`` (SHA-256 of the arrays fitted on) and ``seed``."""
        p = self._provenance
        return p if isinstance(p, dict) else p()

    @functools.cached_property
    def vcov(self) -> pd.DataFrame:
        """The covariance matrix of the estimates, indexed by term on both axes."""
        v = self._vcov
        return v if isinstance(v, pd.DataFrame) else v()

    # ----------------------------------------------------------------- access
    @property
    def params(self) -> pd.Series:
        """Estimates indexed by term."""
        return self.coefficients.set_index("term")["estimate"]

    @property
    def std_errors(self) -> pd.Series:
        """Standard errors indexed by term."""
        return self.coefficients.set_index("term")["std_error"]

    @property
    def nobs(self) -> int:
        """Rows used."""
        return self.sample.nobs

    @property
    def loglik(self) -> float | None:
        """(Pseudo-)log-likelihood."""
        return self.statistics.get("loglik")

    @property
    def cov_type(self) -> str:
        """classical, robust or cluster."""
        return self.spec.vcov

    @property
    def n_clusters(self) -> int | None:
        """Number of clusters (cluster covariance only)."""
        return self.sample.n_clusters

    def state(self) -> FitState:
        """The arrays behind the result (raises for a result read from JSON)."""
        if self._state is None:
            raise EstimationError(
                "this result was read back from JSON and has no data attached; refit the model to predict or change vcov"
            )
        return self._state

    # ----------------------------------------------------------------- derived results
    def with_vcov(self, vcov: str, *, cluster: str | None = None, data: pd.DataFrame | None = None) -> EstimationResult:
        """A new result with another covariance type (the estimates are unchanged).

        Parameters
        ----------
        vcov : {"classical", "robust", "cluster"}
        cluster : str, optional
            Column of ``data`` defining the clusters (for ``cluster``).
        data : DataFrame, optional
            The data the model was fitted on (needed for a new cluster column).
        """
        from flexemp.models.postfit import recompute_vcov

        return recompute_vcov(self, vcov, cluster=cluster, data=data)

    def predict(self, data: pd.DataFrame | None = None, *, kind: str = "response") -> pd.DataFrame | pd.Series:
        """Predictions: ``response`` (probabilities or fitted values) or ``linear`` (x′β).

        For ordered and multinomial models ``response`` gives one column of
        probabilities per outcome level.
        """
        from flexemp.models.postfit import predict

        return predict(self, data, kind=kind)

    # ----------------------------------------------------------------- serialisation
    def to_dict(self) -> dict[str, Any]:
        """Every number as plain JSON-ready data."""
        return to_jsonable(
            {
                "model": self.model,
                "coefficients": self.coefficients.to_dict("records"),
                "statistics": dict(self.statistics),
                "tests": {k: v.to_dict() for k, v in self.tests.items()},
                "vcov": {"terms": list(self.vcov.index), "matrix": self.vcov.to_numpy().tolist()},
                "spec": self.spec.to_dict(),
                "sample": self.sample.to_dict(),
                "provenance": dict(self.provenance),
                "outcome_levels": list(self.outcome_levels),
            }
        )

    def to_json(self, **kwargs: Any) -> str:
        """``to_dict`` as JSON text (Chinese unescaped)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EstimationResult:
        """Rebuild a result from :meth:`to_dict` output (without the data arrays)."""
        coefs = pd.DataFrame(d["coefficients"], columns=list(COEF_COLUMNS)).astype(
            {c: float for c in COEF_COLUMNS if c != "term"}
        )
        terms = d["vcov"]["terms"]
        vc = pd.DataFrame(np.array(d["vcov"]["matrix"], dtype=float).reshape(len(terms), len(terms)), index=terms, columns=terms)
        tests = {
            k: TestResult(**{**v, "df": tuple(v["df"]) if isinstance(v.get("df"), list) else v.get("df")})
            for k, v in d["tests"].items()
        }
        spec = ModelSpec(**d["spec"])
        sample = SampleInfo(**d["sample"])
        return cls(d["model"], coefs, dict(d["statistics"]), tests, vc, spec, sample, dict(d["provenance"]),
                   tuple(d.get("outcome_levels", ())))

    def __str__(self) -> str:
        stats_line = ", ".join(
            f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
            for k, v in self.statistics.items()
            if k in ("nobs", "loglik", "pseudo_r2", "r2", "n_clusters") and v is not None
        )
        return f"{self.model} ({self.spec.vcov}) — {stats_line}\n{self.coefficients.to_string(index=False)}"
