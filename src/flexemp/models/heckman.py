"""Sample-selection corrections: Heckman's two-step estimator and the probit control function.

``heckman2s``
    The classic selection model (Heckman 1979): ``y`` is observed only when
    ``s = 1``; probit of ``s``, inverse Mills ratio, OLS of ``y`` on ``x`` and
    λ on the selected rows, with the corrected two-step covariance.  Matches
    Stata ``heckman y x, select(s = z x) twostep`` and R
    ``sampleSelection::heckit``.
``selection_correction``
    The "self-selection correction" of many applied papers (seed 000, Table 5):
    a probit of a treatment ``d``, its generalized residual added as a control
    (``imr``) to a second-stage model of any kind.  The second-stage standard
    errors ignore the first-stage estimation unless ``bootstrap=B`` is given.

See ``docs/heckman.md`` for what each identifies and when to use which.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from flexemp import __version__
from flexemp.core.errors import EstimationError, UnknownVariableError, UnsupportedOptionError
from flexemp.core.options import validate_option
from flexemp.models import api
from flexemp.models._numerics.heckman import generalized_residual, heckman_second_step
from flexemp.models.design_matrix import build_design
from flexemp.models.results import EstimationResult, SampleInfo, TestResult, coef_table
from flexemp.models.spec import ModelSpec

__all__ = ["HeckmanResult", "SelectionCorrectionResult", "heckman2s", "selection_correction"]

SECOND_STAGE = ("ols", "logit", "probit", "oprobit", "ologit")


def _lhs(formula: str, what: str) -> str:
    if not isinstance(formula, str) or "~" not in formula:
        raise UnsupportedOptionError(
            f"the {what} formula must look like 'y ~ x1 + x2', got {formula!r}"
        )
    return formula.split("~", 1)[0].strip()


@dataclass(frozen=True)
class HeckmanResult:
    """Result of :func:`heckman2s`.

    ``outcome`` holds the outcome equation (terms of the outcome formula, then
    ``lambda``) with the corrected two-step covariance; ``selection`` the probit
    selection equation.  ``lambda_``/``lambda_se`` are β_λ = ρσ and its standard
    error, ``rho`` and ``sigma`` as Stata reports them (ρ truncated to [−1, 1]);
    ``rho_untruncated`` is β_λ/σ̂ before truncation.
    """

    outcome: EstimationResult
    selection: EstimationResult
    lambda_: float
    lambda_se: float
    rho: float
    sigma: float
    rho_untruncated: float
    nobs: int
    nobs_selected: int
    sample: SampleInfo

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``flexemp heckman --json``."""
        out = self.outcome.coefficients
        return {
            "model": "heckman2s",
            "outcome": out[out["term"] != "lambda"].to_dict("records"),
            "selection": self.selection.coefficients.to_dict("records"),
            "lambda": self.lambda_,
            "lambda_se": self.lambda_se,
            "lambda_p_value": float(out.loc[out["term"] == "lambda", "p_value"].iloc[0]),
            "rho": self.rho,
            "rho_untruncated": self.rho_untruncated,
            "sigma": self.sigma,
            "nobs": self.nobs,
            "nobs_selected": self.nobs_selected,
            "dropped": dict(self.sample.dropped),
        }


def heckman2s(
    outcome: str, selection: str, data: pd.DataFrame, *, conf_level: float = 0.95
) -> HeckmanResult:
    """Heckman's two-step sample-selection estimator.

    Parameters
    ----------
    outcome : str
        ``"y ~ x1 + x2"``; ``y`` may be missing where the row is not selected.
    selection : str
        ``"s ~ z1 + x1 + x2"`` with ``s`` coded 0/1.  Include at least one
        variable excluded from the outcome equation (otherwise identification
        rests on the probit's non-linearity alone).
    data : pandas.DataFrame
        The data; never modified.
    conf_level : float
        Confidence level of the intervals.

    Returns
    -------
    HeckmanResult
        Outcome and selection coefficient tables (z statistics), λ, ρ, σ,
        ``nobs`` (selection sample) and ``nobs_selected``.

    Raises
    ------
    UnsupportedOptionError
        A malformed formula.
    UnknownVariableError
        A column that is not in ``data``.
    EstimationError
        A selected row with a missing outcome; no selected or no unselected rows.
    SingularDesignError, SeparationError, ConvergenceError
        From the probit or the second step.

    Notes
    -----
    Step 1: probit P(s=1|z) = Φ(z′γ) on every row with complete regressors of
    both equations (Stata's sample).  Step 2: OLS of y on (x, λ), λ = φ(z′γ)/Φ(z′γ),
    on the selected rows.  With δᵢ = λᵢ(λᵢ + zᵢ′γ), σ̂² = e′e/n₁ + β̂_λ²·mean(δ),
    ρ̂ = β̂_λ/σ̂ and X* = (x, λ), the covariance is (Heckman 1979; Greene 2012,
    eq. 19-25) V = σ̂²(X*′X*)⁻¹[X*′(I − ρ̂²Δ)X* + Q](X*′X*)⁻¹ with
    Q = ρ̂²(X*′ΔZ)V_γ(Z′ΔX*).  As in Stata, ρ̂ is truncated to [−1, 1] (σ̂ then
    β̂_λ/ρ̂); R's ``heckit`` does not truncate.  Matches Stata
    ``heckman y x1 x2, select(s = z1 x1 x2) twostep`` and R
    ``sampleSelection::heckit(s ~ z1 + x1 + x2, y ~ x1 + x2)``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from flexemp.models.heckman import heckman2s
    >>> rng = np.random.default_rng(7)
    >>> n = 20000
    >>> df = pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n)})
    >>> u, v = rng.multivariate_normal([0, 0], [[1, 0.5], [0.5, 1]], size=n).T
    >>> df["s"] = (0.3 + df["x"] + df["z"] + v > 0).astype(int)
    >>> df["y"] = np.where(df["s"] == 1, 1 + 2 * df["x"] + u, np.nan)
    >>> res = heckman2s("y ~ x", "s ~ x + z", df)
    >>> round(float(res.outcome.params["x"]), 1), round(res.rho, 1)
    (2.0, 0.5)
    """
    if not isinstance(data, pd.DataFrame):
        raise EstimationError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    spec = ModelSpec.make("heckman2s", outcome, conf_level=conf_level)
    y_name, s_name = _lhs(outcome, "outcome"), _lhs(selection, "selection")
    if y_name not in data.columns:
        raise UnknownVariableError(f"outcome variable {y_name!r} is not a column of the data")
    sel = api.probit(selection, data)
    dropped = dict(sel.sample.dropped)
    # Stata's sample: complete selection regressors and complete outcome regressors (y may be missing)
    tmp = data.loc[sel.state().index]
    tmp = tmp.assign(**{y_name: pd.to_numeric(tmp[y_name], errors="coerce").fillna(0.0)})
    out_design = build_design(outcome, tmp, outcome="continuous")
    if len(out_design.index) < len(sel.state().index):
        sel = api.probit(selection, data.loc[out_design.index])
    st = sel.state()
    s = data.loc[st.index, s_name].to_numpy(dtype=float) == 1
    n1 = int(s.sum())
    if n1 == 0 or n1 == len(s):
        raise EstimationError(
            f"{s_name} is {'never' if n1 == 0 else 'always'} 1 in the sample; heckman2s needs both"
        )
    y_all = pd.to_numeric(data.loc[st.index, y_name], errors="coerce").to_numpy(dtype=float)
    bad = s & ~np.isfinite(y_all)
    if bad.any():
        rows = ", ".join(str(r) for r in st.index[bad][:5])
        raise EstimationError(
            f"{y_name} is missing in {int(bad.sum())} selected row(s) ({s_name} = 1), e.g. rows {rows}; "
            f"set {s_name} = 0 there or drop those rows"
        )
    V_gamma = sel.vcov.to_numpy()
    fit = heckman_second_step(y_all[s], out_design.X[s], st.X[s], st.params, V_gamma)
    names = [*out_design.terms, "lambda"]
    coefs = coef_table(names, fit.params, fit.vcov, conf_level=conf_level, df=None)
    slope = [i for i, t in enumerate(names[:-1]) if t != "Intercept"]
    b, V = fit.params[slope], fit.vcov[np.ix_(slope, slope)]
    wald = float(b @ np.linalg.solve(V, b)) if slope else float("nan")
    tests = {
        "wald": TestResult(
            wald,
            len(slope),
            float(stats.chi2.sf(wald, len(slope))) if slope else None,
            "all outcome slope coefficients are zero",
            available=bool(slope),
        ),
        "lambda": TestResult(
            float(coefs["statistic"].iloc[-1] ** 2),
            1,
            float(coefs["p_value"].iloc[-1]),
            "no selection (beta_lambda = 0)",
        ),
    }
    for k, v in out_design.dropped.items():
        dropped[k] = dropped.get(k, 0) + v
    n = len(s)
    sample = SampleInfo(len(data), n, None, dropped, None)
    statistics: dict[str, Any] = {
        "nobs": n,
        "nobs_selected": n1,
        "nobs_censored": n - n1,
        "lambda": float(fit.params[-1]),
        "rho": fit.rho,
        "rho_untruncated": fit.rho_untruncated,
        "sigma": fit.sigma,
        "cov_type": "classical",
    }
    outcome_res = EstimationResult(
        "heckman2s",
        coefs,
        statistics,
        tests,
        pd.DataFrame(fit.vcov, index=names, columns=names),
        spec,
        SampleInfo(len(data), n1, None, dropped, None),
        {
            "flexemp_version": __version__,
            "data_hash": sel.provenance.get("data_hash"),
            "seed": None,
        },
    )
    return HeckmanResult(
        outcome_res,
        sel,
        float(fit.params[-1]),
        float(coefs["std_error"].iloc[-1]),
        fit.rho,
        fit.sigma,
        fit.rho_untruncated,
        n,
        n1,
        sample,
    )


@dataclass(frozen=True)
class SelectionCorrectionResult:
    """Result of :func:`selection_correction`.

    ``first_stage`` is the treatment probit, ``second_stage`` the outcome model
    with the correction term ``term`` (default ``imr``); ``bootstrap_se`` the
    bootstrap standard errors of the second-stage parameters (``None`` without
    ``bootstrap=``), ``bootstrap_reps`` the replicates that converged.
    """

    first_stage: EstimationResult
    second_stage: EstimationResult
    term: str
    estimate: float
    std_error: float
    p_value: float
    bootstrap_se: pd.Series | None = None
    bootstrap_p_value: float | None = None
    bootstrap_reps: int = 0
    seed: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``flexemp heckman --variant control --json``."""
        return {
            "model": "selection_correction",
            "second_stage_model": self.second_stage.model,
            "outcome": self.second_stage.coefficients.to_dict("records"),
            "selection": self.first_stage.coefficients.to_dict("records"),
            "term": self.term,
            "lambda": self.estimate,
            "lambda_se": self.std_error,
            "lambda_p_value": self.p_value,
            "bootstrap_se": None if self.bootstrap_se is None else self.bootstrap_se.to_dict(),
            "bootstrap_lambda_p_value": self.bootstrap_p_value,
            "bootstrap_reps": self.bootstrap_reps,
            "seed": self.seed,
            "nobs": self.second_stage.nobs,
            "nobs_first_stage": self.first_stage.nobs,
        }


def _two_stages(
    treatment_formula: str,
    outcome_formula: str,
    data: pd.DataFrame,
    model: str,
    term: str,
    vcov: str,
    cluster: str | None,
) -> tuple[EstimationResult, EstimationResult]:
    d_name = _lhs(treatment_formula, "treatment")
    first = api.probit(treatment_formula, data)
    st = first.state()
    d = data.loc[st.index, d_name].to_numpy(dtype=float)
    gr = generalized_residual(d, st.X @ st.params)
    frame = data.loc[st.index].assign(**{term: gr})
    rhs = outcome_formula.split("~", 1)[1]
    second = getattr(api, model)(
        f"{_lhs(outcome_formula, 'outcome')} ~ {rhs.strip()} + {term}",
        frame,
        vcov=vcov,
        cluster=cluster,
    )
    return first, second


def selection_correction(
    treatment_formula: str,
    outcome_formula: str,
    data: pd.DataFrame,
    *,
    model: str = "oprobit",
    vcov: str = "classical",
    cluster: str | None = None,
    term: str = "imr",
    bootstrap: int | None = None,
    seed: int = 20240101,
) -> SelectionCorrectionResult:
    """Probit control-function ("self-selection") correction with a second stage of any kind.

    Parameters
    ----------
    treatment_formula : str
        ``"d ~ z1 + x1"``: probit of the 0/1 treatment on instruments and controls.
    outcome_formula : str
        ``"y ~ d + x1"``: the second-stage model, to which ``term`` is added.
    data : pandas.DataFrame
        Never modified.
    model : {"ols", "logit", "probit", "oprobit", "ologit"}
        The second-stage estimator (flexemp's api).
    vcov : {"classical", "robust", "cluster"}
        Second-stage covariance (conditional on the first stage).
    cluster : str, optional
        Cluster column (with ``vcov="cluster"``; also the bootstrap's resampling unit).
    term : str
        Name of the correction term (must not be a column of ``data``).
    bootstrap : int, optional
        Number of bootstrap replicates re-estimating both stages on resampled
        rows (or clusters); gives standard errors that account for the first stage.
    seed : int
        Seed of the bootstrap (``np.random.default_rng(seed)``).

    Returns
    -------
    SelectionCorrectionResult

    Raises
    ------
    UnsupportedOptionError
        An unknown second-stage model, a clash of ``term`` with a column, ``bootstrap < 2``.
    EstimationError, SingularDesignError, SeparationError, ConvergenceError
        From either stage.

    Notes
    -----
    With d = 1[z′γ + v > 0] and the outcome error correlated with v, E[v | d, z]
    is the generalized residual λᵢ = φ(zᵢ′γ)/Φ(zᵢ′γ) if dᵢ = 1 and
    −φ(zᵢ′γ)/(1 − Φ(zᵢ′γ)) if dᵢ = 0 (Heckman 1978; Maddala 1983, §5.8;
    Wooldridge 2010, §15.7.3, §21.4.2).  Its coefficient estimates ρσ in a
    linear second stage (ρ times a scale factor in probit/oprobit ones); a
    significant coefficient signals self-selection.  The second-stage standard
    errors treat λ as data, as the applied papers do (Stata: ``probit``, then
    ``predict xb``, ``gen imr = ...``, then ``oprobit y d x imr``); use
    ``bootstrap=`` for standard errors that account for the first step.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from flexemp.models.heckman import selection_correction
    >>> rng = np.random.default_rng(8)
    >>> n = 20000
    >>> df = pd.DataFrame({"z": rng.normal(size=n), "x": rng.normal(size=n)})
    >>> e, v = rng.multivariate_normal([0, 0], [[1, -0.4], [-0.4, 1]], size=n).T
    >>> df["d"] = (df["z"] + 0.5 * df["x"] + v > 0).astype(int)
    >>> df["y"] = 1 + 0.5 * df["d"] + df["x"] + e
    >>> res = selection_correction("d ~ z + x", "y ~ d + x", df, model="ols")
    >>> round(res.estimate, 1), round(float(res.second_stage.params["d"]), 1)
    (-0.4, 0.5)
    """
    validate_option("model", model, SECOND_STAGE)
    if not isinstance(data, pd.DataFrame):
        raise EstimationError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    if term in data.columns:
        raise UnsupportedOptionError(
            f"the correction term name {term!r} is already a column of the data; pass term="
        )
    if bootstrap is not None and (not isinstance(bootstrap, int) or bootstrap < 2):
        raise UnsupportedOptionError(
            f"bootstrap must be an integer ≥ 2 (replicates), got {bootstrap!r}"
        )
    first, second = _two_stages(
        treatment_formula, outcome_formula, data, model, term, vcov, cluster
    )
    row = second.coefficients.loc[second.coefficients["term"] == term].iloc[0]
    res = SelectionCorrectionResult(
        first,
        second,
        term,
        float(row["estimate"]),
        float(row["std_error"]),
        float(row["p_value"]),
        seed=seed if bootstrap else None,
    )
    if not bootstrap:
        return res
    draws = _bootstrap(
        treatment_formula,
        outcome_formula,
        data.loc[first.state().index],
        model,
        term,
        cluster,
        bootstrap,
        seed,
        list(second.params.index),
    )
    se = pd.Series(draws.std(axis=0, ddof=1), index=second.params.index)
    z = res.estimate / float(se[term])
    return dataclasses.replace(
        res,
        bootstrap_se=se,
        bootstrap_p_value=float(2 * stats.norm.sf(abs(z))),
        bootstrap_reps=draws.shape[0],
    )


def _bootstrap(
    treatment_formula: str,
    outcome_formula: str,
    data: pd.DataFrame,
    model: str,
    term: str,
    cluster: str | None,
    reps: int,
    seed: int,
    names: list[str],
) -> np.ndarray:
    import warnings

    from flexemp.core.errors import FlexempError

    rng = np.random.default_rng(seed)
    if cluster is not None:
        codes, uniq = pd.factorize(data[cluster])
        members = [np.flatnonzero(codes == g) for g in range(len(uniq))]
    out: list[np.ndarray] = []
    for _ in range(reps):  # a loop over replicates, not respondents
        if cluster is None:
            take = rng.integers(0, len(data), size=len(data))
        else:
            take = np.concatenate(
                [members[g] for g in rng.integers(0, len(members), size=len(members))]
            )
        boot = data.iloc[take].reset_index(drop=True)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _, sec = _two_stages(
                    treatment_formula, outcome_formula, boot, model, term, "classical", None
                )
        except FlexempError:
            continue  # a replicate without variation or with separation: skipped and counted
        p = sec.params
        if list(p.index) == names:
            out.append(p.to_numpy())
    if len(out) < 2:
        raise EstimationError(
            f"only {len(out)} of {reps} bootstrap replicates could be estimated; check the data"
        )
    return np.vstack(out)
