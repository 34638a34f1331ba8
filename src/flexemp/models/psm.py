"""Propensity-score matching: ``psm`` (seed 000, Table 4: treated mean, control mean, ATT, SE, t).

The score P(T = 1 | X) is fitted by flexemp's logit or probit kernel (Stata ``logit`` /
``probit``; R ``glm``); units are matched on the score by nearest neighbours
(:mod:`flexemp.models._numerics.matching`); the effect is the mean over the targets of
Yᵢ(1) − Yᵢ(0) with the missing potential outcome imputed by the matched units' mean.

Matches R ``Matching::Match(Y, Tr, X = pscore, estimand, M = k, replace = TRUE,
ties = TRUE, distance.tolerance = 0, Var.calc = 1)`` (estimate and ``se_ai2006``;
``se_homoskedastic`` is ``Var.calc = 0``, Match's default) and Stata
``teffects psmatch (y) (t x1 x2), atet nneighbor(k)`` for the point estimate and, with
``tie_tolerance=1e-10``, its "AI robust" SE (``se_ai2016``, ATE and ATET);
``psmatch2 t x1 x2, outcome(y) neighbor(k)`` for the greedy order without
replacement and ``se_simple``; ``pstest`` for the balance table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from flexemp.core.errors import EstimationError, UnknownVariableError, UnsupportedOptionError
from flexemp.core.options import validate_option
from flexemp.models._numerics.ai2016 import ai2016_ate_correction, ai2016_att_terms
from flexemp.models._numerics.binary import binary_prob, fit_binary
from flexemp.models._numerics.matching import (
    Pairs,
    greedy_without_replacement,
    matching_effect,
    nearest_neighbours,
    own_group_variance,
)
from flexemp.models.diagnostics.balance import BalanceResult, balance_table

__all__ = ["PSMResult", "psm"]

PsmLink = Literal["logit", "probit"]
PsmEstimand = Literal["att", "ate", "atc"]
PsmTies = Literal["all", "first"]
CaliperScale = Literal["score", "sd_logit"]

#: Why the Abadie–Imbens (2016) estimated-score correction is absent (never a made-up number).
AI2016_REASON = (
    "the Abadie-Imbens (2016) adjustment for the estimated score (Stata teffects psmatch) "
    "is not implemented yet; se_ai2006 treats the score as known"
)
AI2016_REASON_OPTIONS = (
    "se_ai2016 assumes nearest-neighbour matching with replacement on every unit; it is not "
    "defined with {what}; drop that option or use se_ai2006"
)


@dataclass(frozen=True)
class PSMResult:
    """Result of :func:`psm`.

    Attributes
    ----------
    estimand : {"att", "ate", "atc"}
    estimate : float
        The matching estimate of the estimand.
    se_ai2006 : float
        Abadie–Imbens (2006) SE treating the score as known, σ²(X) from J = 1 own-group
        matching (``Match(Var.calc = 1)``).
    se_homoskedastic : float
        ``Match``'s default SE (``Var.calc = 0``): σ² pooled from the matched pairs.
    se_ai2016 : float or None
        Abadie–Imbens (2016) SE adjusting for the estimated score (Stata ``teffects psmatch``'s
        ``AI robust`` SE, ``vce(robust, nn(2))``): ATE, ATT and ATC (ATC by symmetry, not
        checked against Stata), with replacement, no caliper or common support; otherwise
        ``None`` and ``se_ai2016_reason`` says why (empty when computed).
    se_simple : float
        psmatch2's SE: √(Var(Y₁)/N₁ + Var_w(Y₀)·ΣKⱼ²/N₁²) (NaN for ATE).
    t, p_value : float
        estimate / se_ai2006 and its normal p-value.
    treated_mean, control_mean : float
        Mean outcome of the targets and of their matched counterparts (Table 4).
    n_treated, n_control : int
        Units in the estimation sample.
    n_target : int
        Units averaged over (after common support and caliper).
    n_control_matched, n_treated_matched : int
        Distinct controls / treated used as matches.
    dropped : dict
        Rows not used, by reason (missing values, off support, no match in caliper).
    pscore : Series
        Score of every estimation row (index of ``data``).
    pscore_params : Series
        Score-model coefficients (``Intercept`` first).
    weights : Series
        Matching weights: 1 for a matched target plus Kⱼ (times used as a match).
    pairs : DataFrame
        ``target, match, distance, weight`` (row labels of ``data``).
    balance : BalanceResult
    spec : dict
        The options used.
    """

    estimand: str
    estimate: float
    se_ai2006: float
    se_homoskedastic: float
    se_simple: float
    t: float
    p_value: float
    treated_mean: float
    control_mean: float
    n_treated: int
    n_control: int
    n_target: int
    n_control_matched: int
    n_treated_matched: int
    dropped: dict[str, int]
    pscore: pd.Series
    pscore_params: pd.Series
    weights: pd.Series
    pairs: pd.DataFrame
    balance: BalanceResult
    spec: dict[str, Any]
    se_ai2016: float | None = None
    se_ai2016_reason: str = AI2016_REASON
    extra: dict[str, Any] = field(default_factory=dict)

    def table_row(self, se: str = "ai2006") -> pd.DataFrame:
        """One row shaped as seed 000 Table 4: treated mean, control mean, effect, SE, t."""
        validate_option("se", se, ("ai2006", "ai2016", "homoskedastic", "simple"))
        if se == "ai2016" and self.se_ai2016 is None:
            raise UnsupportedOptionError(
                f"psm: se='ai2016' is not available: {self.se_ai2016_reason}"
            )
        s = {
            "ai2006": self.se_ai2006,
            "ai2016": float("nan") if self.se_ai2016 is None else self.se_ai2016,
            "homoskedastic": self.se_homoskedastic,
            "simple": self.se_simple,
        }[se]
        return pd.DataFrame(
            [
                {
                    "treat": self.spec["treat"],
                    "treated_mean": self.treated_mean,
                    "control_mean": self.control_mean,
                    self.estimand: self.estimate,
                    "std_error": s,
                    "t": self.estimate / s,
                }
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        """The CLI's JSON object (see docs/psm.md)."""

        def num(x: float | None) -> float | None:
            return None if x is None or not math.isfinite(x) else float(x)

        bal = self.balance.table
        return {
            "estimand": self.estimand,
            self.estimand: self.estimate,
            "se_ai2006": num(self.se_ai2006),
            "se_homoskedastic": num(self.se_homoskedastic),
            "se_ai2016": num(self.se_ai2016),
            "se_ai2016_reason": self.se_ai2016_reason,
            "se_simple": num(self.se_simple),
            "t": num(self.t),
            "p_value": num(self.p_value),
            "n_treated": self.n_treated,
            "n_control": self.n_control,
            "n_target": self.n_target,
            "n_control_matched": self.n_control_matched,
            "n_treated_matched": self.n_treated_matched,
            "treated_mean": self.treated_mean,
            "control_mean": self.control_mean,
            "dropped": dict(self.dropped),
            "pscore_params": [
                {"term": k, "estimate": float(v)} for k, v in self.pscore_params.items()
            ],
            "balance": [
                {k: (num(v) if isinstance(v, float) else v) for k, v in r.items()}
                for r in bal[
                    [
                        "covariate",
                        "mean_treated",
                        "mean_control_before",
                        "mean_control_after",
                        "std_bias_before",
                        "std_bias_after",
                        "variance_ratio_after",
                    ]
                ].to_dict("records")
            ],
            "balance_summary": {k: num(v) for k, v in self.balance.summary.items()},
            "spec": dict(self.spec),
        }


def _prepare(
    data: pd.DataFrame, treat: str, outcome: str, covariates: list[str]
) -> tuple[pd.DataFrame, int]:
    cols = [treat, outcome, *covariates]
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise UnknownVariableError(
            f"psm: column(s) {missing} not in the data; available: {list(data.columns)[:20]}"
        )
    if len(set(cols)) != len(cols):
        raise EstimationError(
            f"psm: treat, outcome and covariates must be distinct columns, got {cols}"
        )
    frame = data[cols]
    bad = [c for c in cols if not pd.api.types.is_numeric_dtype(frame[c])]
    if bad:
        raise EstimationError(
            f"psm: column(s) {bad} are not numeric; recode them (dummies for categories)"
        )
    keep = frame.notna().all(axis=1)
    frame = frame[keep]
    tv = frame[treat]
    wrong = tv[~tv.isin([0, 1])]
    if len(wrong):
        raise EstimationError(
            f"psm: treatment {treat!r} must be 0/1; {len(wrong)} row(s) are not, first "
            f"{list(wrong.index[:5])} with values {list(wrong.iloc[:5])}; recode it"
        )
    if tv.nunique() < 2:
        raise EstimationError(
            f"psm: treatment {treat!r} has only the value {tv.iloc[0] if len(tv) else None}; "
            "both groups are needed"
        )
    return frame, int((~keep).sum())


def psm(
    data: pd.DataFrame,
    *,
    treat: str,
    outcome: str,
    covariates: list[str],
    link: str = "logit",
    k: int = 1,
    replace: bool = True,
    caliper: float | None = None,
    caliper_scale: str = "score",
    common_support: bool = False,
    ties: str = "all",
    estimand: str = "att",
    tie_tolerance: float = 1e-10,
) -> PSMResult:
    """Propensity-score nearest-neighbour matching (seed 000, Table 4).

    Parameters
    ----------
    data : DataFrame
        Never modified; rows with a missing value in any named column are dropped (counted).
    treat, outcome : str
        Treatment (0/1) and outcome columns.
    covariates : list of str
        Numeric regressors of the score model (an intercept is added).
    link : {"logit", "probit"}
    k : int
        Neighbours per unit (≥ 1).
    replace : bool
        With replacement (default, as Match/teffects).  Without: greedy in rounds, treated
        with the highest score first (psmatch2's ``descending``), ties going to the lower
        score; only ATT and ATC.
    caliper : float, optional
        Maximum distance; matches farther away are dropped and a target without any left is
        dropped (counted as ``no_match_in_caliper``).
    caliper_scale : {"score", "sd_logit"}
        Caliper on |p̂ᵢ − p̂ⱼ|, or in SDs of logit(p̂) on |logit p̂ᵢ − logit p̂ⱼ|.
    common_support : bool
        Drop targets whose score lies outside the range of the other group's scores.
    ties : {"all", "first"}
        With replacement: keep every unit tied with the k-th nearest (Match ``ties = TRUE``,
        teffects), or exactly k (lower score wins a tie).
    estimand : {"att", "ate", "atc"}
    tie_tolerance : float
        With ``ties="all"``: distances within this of the k-th nearest count as ties, in the
        matching and in the variance estimates.  The default ``1e-10`` ties distances that are
        equal up to floating-point rounding, as Stata ``teffects`` does (it reproduces its
        printed results), so the matches do not depend on the last bits of the fitted scores
        (which differ between machines and BLAS builds); 0 = exact ties only.

    Returns
    -------
    PSMResult

    Raises
    ------
    UnsupportedOptionError, UnknownVariableError, EstimationError, SeparationError

    Examples
    --------
    >>> import numpy as np, pandas as pd, flexemp.models.psm as m
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"x": rng.normal(size=2000)})
    >>> df["t"] = (rng.logistic(size=2000) < df["x"]).astype(int)
    >>> df["y"] = 2 * df["t"] + df["x"] + rng.normal(size=2000)
    >>> round(m.psm(df, treat="t", outcome="y", covariates=["x"]).estimate)
    2
    """
    validate_option("link", link, ("logit", "probit"))
    validate_option("ties", ties, ("all", "first"))
    validate_option("estimand", estimand, ("att", "ate", "atc"))
    validate_option("caliper_scale", caliper_scale, ("score", "sd_logit"))
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise UnsupportedOptionError(f"psm: k must be an integer ≥ 1, got {k!r}")
    if not (isinstance(tie_tolerance, (int, float)) and 0 <= tie_tolerance < 1e-3):
        raise UnsupportedOptionError(
            f"psm: tie_tolerance must be a small non-negative number, got {tie_tolerance!r}"
        )
    if caliper is not None and not caliper > 0:
        raise UnsupportedOptionError(f"psm: caliper must be positive, got {caliper!r}")
    if not replace and estimand == "ate":
        raise UnsupportedOptionError(
            "psm: estimand='ate' needs matching with replacement (replace=True); "
            "use 'att' or 'atc' without replacement"
        )
    covariates = list(covariates)
    frame, n_missing = _prepare(data, treat, outcome, covariates)
    idx = frame.index
    tr = frame[treat].to_numpy(dtype=float)
    y = frame[outcome].to_numpy(dtype=float)
    X = np.column_stack([np.ones(len(frame)), frame[covariates].to_numpy(dtype=float)])
    fit = fit_binary(tr, X, None, link)  # type: ignore[arg-type]
    p = binary_prob(X @ fit.params, link)  # type: ignore[arg-type]
    t_mask = tr == 1
    it, ic = np.flatnonzero(t_mask), np.flatnonzero(~t_mask)
    lp = np.log(p) - np.log1p(-p)
    cal = (
        None
        if caliper is None
        else caliper * (float(np.std(lp, ddof=1)) if caliper_scale == "sd_logit" else 1.0)
    )
    dist_of = (
        (lambda a, b: np.abs(lp[a] - lp[b]))
        if caliper_scale == "sd_logit"
        else (lambda a, b: np.abs(p[a] - p[b]))
    )
    dropped = {"missing_values": n_missing, "off_support": 0, "no_match_in_caliper": 0}

    def match(targets: np.ndarray, donors: np.ndarray) -> tuple[Pairs, np.ndarray]:
        """Pairs with indices into the estimation sample, and the targets kept."""
        if common_support:
            lo, hi = p[donors].min(), p[donors].max()
            on = (p[targets] >= lo) & (p[targets] <= hi)
            dropped["off_support"] += int((~on).sum())
            targets = targets[on]
        if replace:
            pr = nearest_neighbours(p[targets], p[donors], k, ties, tie_tolerance)  # type: ignore[arg-type]
        else:
            pr = greedy_without_replacement(
                p[targets], p[donors], k, p[targets] if estimand == "att" else -p[targets]
            )
        ti, di, dd = targets[pr.target], donors[pr.donor], pr.distance
        if cal is not None:
            ok = dist_of(ti, di) <= cal
            ti, di, dd = ti[ok], di[ok], dd[ok]
        kept = np.unique(ti)
        lost = np.setdiff1d(targets, kept)
        dropped["no_match_in_caliper"] += int(lost.size)
        m_i = np.bincount(ti, minlength=len(p)).astype(float)
        return Pairs(ti, di, dd, 1.0 / m_i[ti]), kept

    pairs_t = pairs_c = None
    is_target = np.zeros(len(p), dtype=bool)
    if estimand in ("att", "ate"):
        if ic.size == 0:
            raise EstimationError(f"psm: no control units ({treat} = 0) to match")
        pairs_t, kept = match(it, ic)
        is_target[kept] = True
    if estimand in ("atc", "ate"):
        pairs_c, kept = match(ic, it)
        is_target[kept] = True
    if not is_target.any():
        raise EstimationError(
            "psm: no unit left to match after common support / caliper; widen the caliper"
        )
    sigma2 = np.empty(len(p))
    sigma2[it] = own_group_variance(p[it], y[it], tie_tolerance)
    sigma2[ic] = own_group_variance(p[ic], y[ic], tie_tolerance)
    eff = matching_effect(y, tr, is_target, pairs_t, pairs_c, sigma2)
    se = math.sqrt(eff.var_ai2006)
    se16, reason16 = _se_ai2016(
        eff.var_ai2006,
        eff.estimate,
        estimand,
        k,
        replace,
        caliper,
        common_support,
        p,
        X @ fit.params,
        X,
        y,
        tr,
        link,
        tie_tolerance,
    )
    tstat = eff.estimate / se if se > 0 else float("nan")
    w = is_target.astype(float) + eff.counts
    tgt_y = y[is_target]
    sign = -1.0 if estimand == "atc" else 1.0
    treated_mean = (
        float(tgt_y.mean())
        if estimand != "ate"
        else float(np.nanmean(np.where(t_mask, y, y + eff.tau)[is_target]))
    )
    if estimand == "ate":
        control_mean = float(np.nanmean(np.where(t_mask, y - eff.tau, y)[is_target]))
    else:
        control_mean = treated_mean - sign * eff.estimate
        if estimand == "atc":  # the targets are controls: Table 4's "treated" is their matched mean
            treated_mean, control_mean = control_mean, treated_mean
    all_pairs = [q for q in (pairs_t, pairs_c) if q is not None]
    pt = pd.DataFrame(
        {
            "target": np.concatenate([idx.to_numpy()[q.target] for q in all_pairs]),
            "match": np.concatenate([idx.to_numpy()[q.donor] for q in all_pairs]),
            "distance": np.concatenate([q.distance for q in all_pairs]),
            "weight": np.concatenate([q.weight for q in all_pairs]),
        }
    )
    bal = balance_table(frame[covariates], tr, np.ones(len(p)), w)
    return PSMResult(
        estimand=estimand,
        estimate=eff.estimate,
        se_ai2006=se,
        se_homoskedastic=math.sqrt(eff.var_homoskedastic),
        se_simple=math.sqrt(eff.var_simple) if math.isfinite(eff.var_simple) else float("nan"),
        se_ai2016=se16,
        se_ai2016_reason=reason16,
        t=tstat,
        p_value=float(2 * stats.norm.sf(abs(tstat))) if math.isfinite(tstat) else float("nan"),
        treated_mean=treated_mean,
        control_mean=control_mean,
        n_treated=int(t_mask.sum()),
        n_control=int((~t_mask).sum()),
        n_target=int(is_target.sum()),
        n_control_matched=int(((eff.counts > 0) & ~t_mask).sum()),
        n_treated_matched=int(((eff.counts > 0) & t_mask).sum()),
        dropped=dropped,
        pscore=pd.Series(p, index=idx, name="pscore"),
        pscore_params=pd.Series(fit.params, index=["Intercept", *covariates], name="estimate"),
        weights=pd.Series(w, index=idx, name="weight"),
        pairs=pt,
        balance=bal,
        spec={
            "treat": treat,
            "outcome": outcome,
            "covariates": covariates,
            "link": link,
            "k": int(k),
            "replace": replace,
            "caliper": caliper,
            "caliper_scale": caliper_scale,
            "common_support": common_support,
            "ties": ties,
            "estimand": estimand,
            "tie_tolerance": tie_tolerance,
        },
    )


def _se_ai2016(
    var_ai2006: float,
    estimate: float,
    estimand: str,
    k: int,
    replace: bool,
    caliper: float | None,
    common_support: bool,
    p: np.ndarray,
    xb: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    tr: np.ndarray,
    link: str,
    tol: float,
) -> tuple[float | None, str]:
    """The Abadie–Imbens (2016) SE, or None and the reason it is not defined here."""
    off = [
        name
        for name, on in (
            ("replace=False", not replace),
            ("a caliper", caliper is not None),
            ("common_support=True", common_support),
        )
        if on
    ]
    if off:
        return None, AI2016_REASON_OPTIONS.format(what=" and ".join(off))
    if min(int(tr.sum()), int((1 - tr).sum())) < 2:
        return None, "se_ai2016 needs at least 2 units in each group"
    if estimand == "ate":
        corr, _, _ = ai2016_ate_correction(p, xb, X, y, tr, link, tol)  # type: ignore[arg-type]
        v = var_ai2006 - corr
    else:  # ATC = −(ATT with the groups swapped); logit and probit are symmetric links
        flip = estimand == "atc"
        terms = ai2016_att_terms(
            1.0 - p if flip else p,
            -xb if flip else xb,
            X,
            X[:, 1:],
            y,
            1.0 - tr if flip else tr,
            link,  # type: ignore[arg-type]
            -estimate if flip else estimate,
            k,
            tol,
        )
        v = var_ai2006 + terms.adjustment
    if not (math.isfinite(v) and v > 0):
        return None, (
            f"the Abadie-Imbens (2016) variance estimate is not positive ({v:.4g}): the "
            "estimated-score adjustment outweighs the known-score variance in this sample; "
            "use se_ai2006"
        )
    return math.sqrt(v), ""
