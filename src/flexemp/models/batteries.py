"""Robustness batteries of applied papers: mechanism tests and heterogeneity by interactions.

``mechanism`` regresses every mediator on every treatment with the controls (the approach of
江艇 2022, "因果推断经验研究中的中介效应与调节效应", used by seed 000 Tables 6-8): one model per
mediator × treatment, the model kind chosen from the mediator unless given — probit for a 0/1
mediator, ordered probit for an ordinal one (integer codes, 3 to 15 levels), OLS otherwise.

``heterogeneity`` estimates treatment × moderator interaction models (seed 000 Tables 9-12)
with the baseline's model kind, and, optionally, the treatment effect within each level of a
0/1 moderator with a test that the two subgroup coefficients are equal.

Every model is fitted by the public estimators, so each result is an ordinary
:class:`~flexemp.models.results.EstimationResult`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from flexemp.core.errors import EstimationError
from flexemp.core.options import validate_option
from flexemp.models import api
from flexemp.models.results import EstimationResult

MODEL_CHOICES = ("auto", "ols", "logit", "probit", "oprobit", "ologit")


def choose_model(values: pd.Series) -> str:
    """probit for 0/1, oprobit for 3-15 integer levels, ols otherwise (the ``auto`` rule)."""
    v = pd.to_numeric(values, errors="coerce").dropna().to_numpy()
    levels = np.unique(v)
    if len(levels) <= 2 and np.isin(levels, [0.0, 1.0]).all():
        return "probit"
    if 3 <= len(levels) <= 15 and np.all(levels == np.floor(levels)):
        return "oprobit"
    return "ols"


def _fit(model: str, formula: str, data: pd.DataFrame, kw: dict[str, Any]) -> EstimationResult:
    result: EstimationResult = getattr(api, model)(formula, data, **kw)
    return result


def _row(res: EstimationResult, term: str) -> dict[str, float]:
    cols = ["estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]
    values = res.coefficients.set_index("term").loc[term, cols].to_numpy(dtype=float)
    return dict(zip(cols, map(float, values), strict=True))


@dataclass(frozen=True)
class BatteryResult:
    """Fitted models of a battery and a tidy summary of the terms of interest.

    ``summary`` has one row per model: the dependent variable, the treatment (and moderator),
    the model kind, the term reported and its estimate, std_error, statistic, p_value,
    conf_low, conf_high and nobs.  ``models`` maps (dependent, treatment[, moderator]) to the
    fitted result.  ``tests`` holds subgroup equality tests (heterogeneity only).
    """

    kind: str
    summary: pd.DataFrame
    models: dict[tuple[str, ...], EstimationResult]
    tests: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """One summary table per dependent variable (seed 000 prints one per mediator)."""
        return {str(k): g.reset_index(drop=True) for k, g in self.summary.groupby("dependent", sort=False)}

    def records(self) -> list[dict[str, Any]]:
        """One JSON-ready object per fitted model."""
        out = []
        for key, res in self.models.items():
            out.append({"key": list(key), "model": res.model, "nobs": res.nobs, "cov_type": res.cov_type,
                        "n_clusters": res.n_clusters, "params": res.coefficients.to_dict("records")})
        return out


def _controls(controls: list[str] | tuple[str, ...] | None) -> str:
    return "".join(f" + {c}" for c in (controls or ()))


def mechanism(
    data: pd.DataFrame,
    *,
    treatments: list[str],
    mediators: list[str],
    controls: list[str] | None = None,
    model: str = "auto",
    weights: str | None = None,
    weight_kind: str = "freq",
    vcov: str = "classical",
    cluster: str | None = None,
) -> BatteryResult:
    """Regress every mediator on every treatment with the controls.

    Parameters
    ----------
    data : pandas.DataFrame
    treatments, mediators : list of str
        Column names.
    controls : list of str, optional
    model : {"auto", "ols", "logit", "probit", "oprobit", "ologit"}
        ``auto`` chooses per mediator (see :func:`choose_model`).
    weights, weight_kind, vcov, cluster
        As in :func:`flexemp.ols`.

    Returns
    -------
    BatteryResult
        ``summary`` reports each treatment's coefficient in each mediator model.

    Raises
    ------
    UnsupportedOptionError, EstimationError
        As the estimators raise them; an empty list of treatments or mediators.

    Notes
    -----
    This is the "treatment affects the mediator" step only (江艇 2022 argues the second step of
    the classic Baron-Kenny procedure is not identified without further assumptions).

    Examples
    --------
    >>> from flexemp.synth import get_dataset
    >>> pw = get_dataset("platform_workers").generate()
    >>> res = mechanism(pw, treatments=["contract"], mediators=["injury", "identity"], controls=["male", "age"])
    >>> list(res.summary["model"])
    ['probit', 'oprobit']
    """
    validate_option("model", model, MODEL_CHOICES)
    if not treatments or not mediators:
        raise EstimationError("mechanism needs at least one treatment and one mediator")
    kw = {"weights": weights, "weight_kind": weight_kind, "vcov": vcov, "cluster": cluster}
    rows: list[dict[str, Any]] = []
    models: dict[tuple[str, ...], EstimationResult] = {}
    for m in mediators:  # loops over models, not respondents
        kind = choose_model(data[m]) if model == "auto" else model
        for t in treatments:
            res = _fit(kind, f"{m} ~ {t}{_controls(controls)}", data, kw)
            models[(m, t)] = res
            rows.append({"dependent": m, "treatment": t, "moderator": None, "model": kind, "term": t,
                         **_row(res, t), "nobs": res.nobs})
    return BatteryResult("mechanism", pd.DataFrame(rows), models, pd.DataFrame())


def heterogeneity(
    data: pd.DataFrame,
    *,
    outcome: str,
    treatments: list[str],
    moderators: list[str],
    controls: list[str] | None = None,
    model: str = "oprobit",
    weights: str | None = None,
    weight_kind: str = "freq",
    vcov: str = "classical",
    cluster: str | None = None,
    subgroups: bool = False,
) -> BatteryResult:
    """Treatment × moderator interaction models, and optionally subgroup estimates with an equality test.

    Parameters
    ----------
    data : pandas.DataFrame
    outcome : str
    treatments, moderators : list of str
    controls : list of str, optional
        A moderator that is also a control is not added twice.
    model : {"ols", "logit", "probit", "oprobit", "ologit"}
        The baseline's model kind (default ordered probit, as seed 000).
    weights, weight_kind, vcov, cluster
        As in :func:`flexemp.ols`.
    subgroups : bool
        Also fit ``outcome ~ treatment + controls`` within each level of each 0/1 moderator
        and test equal treatment coefficients: z = (b₁ − b₀)/√(se₁² + se₀²) (the two
        subsamples are disjoint; with clusters spanning both groups this is approximate).

    Returns
    -------
    BatteryResult
        ``summary`` reports each interaction term ``treatment:moderator`` (and, with
        ``subgroups``, the treatment coefficient within each group); ``tests`` the equality tests.

    Raises
    ------
    UnsupportedOptionError, EstimationError

    Examples
    --------
    >>> from flexemp.synth import get_dataset
    >>> pw = get_dataset("platform_workers").generate()
    >>> res = heterogeneity(pw, outcome="life_sat", treatments=["contract"], moderators=["own_home"],
    ...                     controls=["male", "age"])
    >>> list(res.summary["term"])
    ['contract:own_home']
    """
    validate_option("model", model, MODEL_CHOICES[1:])
    if not treatments or not moderators:
        raise EstimationError("heterogeneity needs at least one treatment and one moderator")
    kw = {"weights": weights, "weight_kind": weight_kind, "vcov": vcov, "cluster": cluster}
    rows: list[dict[str, Any]] = []
    models: dict[tuple[str, ...], EstimationResult] = {}
    tests: list[dict[str, Any]] = []
    for t in treatments:
        for mod in moderators:
            ctrl = [c for c in (controls or []) if c not in (t, mod)]
            res = _fit(model, f"{outcome} ~ {t} + {mod} + {t}:{mod}{_controls(ctrl)}", data, kw)
            models[(outcome, t, mod)] = res
            rows.append({"dependent": outcome, "treatment": t, "moderator": mod, "model": model,
                         "term": f"{t}:{mod}", **_row(res, f"{t}:{mod}"), "nobs": res.nobs})
            if not subgroups:
                continue
            levels = pd.to_numeric(data[mod], errors="coerce").dropna().unique()
            if not np.isin(levels, [0.0, 1.0]).all():
                raise EstimationError(f"subgroups need a 0/1 moderator; {mod!r} takes other values")
            fits = {}
            for level in (0.0, 1.0):
                sub = data[pd.to_numeric(data[mod], errors="coerce") == level]
                r = _fit(model, f"{outcome} ~ {t}{_controls(ctrl)}", sub, kw)
                models[(outcome, t, f"{mod}={level:g}")] = r
                fits[level] = _row(r, t)
                rows.append({"dependent": outcome, "treatment": t, "moderator": f"{mod}={level:g}",
                             "model": model, "term": t, **fits[level], "nobs": r.nobs})
            diff = fits[1.0]["estimate"] - fits[0.0]["estimate"]
            se = float(np.hypot(fits[1.0]["std_error"], fits[0.0]["std_error"]))
            z = diff / se
            tests.append({"treatment": t, "moderator": mod, "difference": diff, "std_error": se, "z": z,
                          "p_value": float(2 * stats.norm.sf(abs(z)))})
    return BatteryResult("heterogeneity", pd.DataFrame(rows), models, pd.DataFrame(tests))


@dataclass(frozen=True)
class MediationResult:
    """Classic linear mediation: a (treatment → mediator), b (mediator → outcome), indirect a·b."""

    a: float
    b: float
    direct: float
    indirect: float
    total: float
    conf_low: float
    conf_high: float
    reps: int
    seed: int
    nobs: int
    note: str

    def to_dict(self) -> dict[str, Any]:
        """Plain dict."""
        return dict(self.__dict__)


MEDIATION_NOTE = (
    "The indirect effect a·b is causal only under sequential ignorability: no unobserved "
    "confounding of treatment–mediator, treatment–outcome and mediator–outcome, and no "
    "mediator–outcome confounder affected by the treatment (Imai, Keele & Tingley 2010). "
    "Cross-sectional surveys rarely support the mediator–outcome part; report it as descriptive "
    "(江艇 2022)."
)


def mediation(
    data: pd.DataFrame,
    *,
    treatment: str,
    mediator: str,
    outcome: str,
    controls: list[str] | None = None,
    reps: int = 1000,
    seed: int = 20240601,
    conf_level: float = 0.95,
) -> MediationResult:
    """Product-of-coefficients mediation with a percentile bootstrap CI (linear models).

    Parameters
    ----------
    data : pandas.DataFrame
    treatment, mediator, outcome : str
    controls : list of str, optional
    reps : int
        Bootstrap replications (rows resampled with replacement).
    seed : int
        Seed of ``numpy.random.default_rng``.
    conf_level : float

    Returns
    -------
    MediationResult
        a from ``mediator ~ treatment + controls``; b and the direct effect from
        ``outcome ~ mediator + treatment + controls``; indirect = a·b; total = direct + a·b.

    Raises
    ------
    EstimationError
        Too few replications or rows.

    Notes
    -----
    Baron & Kenny (1986) with the bootstrap of Preacher & Hayes (2008); see
    ``MEDIATION_NOTE`` for what it identifies.  Each replication refits both OLS models on
    the resampled rows, expressed as frequency weights so that no data are copied.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"t": rng.normal(size=500)})
    >>> d["m"] = 0.5 * d["t"] + rng.normal(size=500)
    >>> d["y"] = 0.4 * d["m"] + 0.2 * d["t"] + rng.normal(size=500)
    >>> r = mediation(d, treatment="t", mediator="m", outcome="y", reps=200)
    >>> bool(r.conf_low < 0.2 < r.conf_high)
    True
    """
    if reps < 50:
        raise EstimationError(f"reps={reps} is too few for a percentile interval; use at least 50 (1,000 is usual)")
    cols = [treatment, mediator, outcome, *(controls or [])]
    frame = data[cols].apply(pd.to_numeric, errors="coerce").dropna()
    n = len(frame)
    if n < len(cols) + 2:
        raise EstimationError(f"only {n} complete rows for the mediation models")
    ones = np.ones((n, 1))
    C = frame[list(controls or [])].to_numpy(dtype=float)
    Xa = np.hstack([ones, frame[[treatment]].to_numpy(float), C])  # mediator equation
    Xb = np.hstack([ones, frame[[mediator, treatment]].to_numpy(float), C])  # outcome equation
    m = frame[mediator].to_numpy(float)
    y = frame[outcome].to_numpy(float)

    def coefs(w: np.ndarray) -> tuple[float, float, float]:
        a = np.linalg.solve((Xa * w[:, None]).T @ Xa, (Xa * w[:, None]).T @ m)[1]
        bb = np.linalg.solve((Xb * w[:, None]).T @ Xb, (Xb * w[:, None]).T @ y)
        return float(a), float(bb[1]), float(bb[2])

    a, b, direct = coefs(np.ones(n))
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(n, np.full(n, 1.0 / n), size=reps).astype(float)  # (reps, n) resampling weights
    draws = np.array([np.prod(coefs(w)[:2]) for w in counts])  # loop over replications, not respondents
    lo, hi = np.quantile(draws, [(1 - conf_level) / 2, (1 + conf_level) / 2])
    return MediationResult(a, b, direct, a * b, direct + a * b, float(lo), float(hi), reps, seed, n, MEDIATION_NOTE)
