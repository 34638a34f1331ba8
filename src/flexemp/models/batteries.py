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
