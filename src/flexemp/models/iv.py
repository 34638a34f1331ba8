"""Instrumental-variables regression: ``iv2sls`` with first-stage and weak-instrument diagnostics.

Formula syntax: ``"y ~ x1 + x2 + [d ~ z1 + z2]"`` — the bracket lists the endogenous regressors
on the left of its ``~`` and the excluded instruments on its right (several endogenous
regressors: ``"[d1 + d2 ~ z1 + z2 + z3]"``).  The exogenous regressors (and the intercept)
instrument themselves.  Matches Stata ``ivregress 2sls y x (d = z), small`` / ``ivreg2 ...,
small first`` and R ``AER::ivreg(y ~ x + d | x + z)`` with ``sandwich::vcovHC(type="HC1")`` /
``vcovCL(type="HC1")``.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from flexemp import __version__
from flexemp.core.errors import EstimationError, SingularDesignError
from flexemp.core.jsonable import to_jsonable
from flexemp.models.covariance import ols_vcov
from flexemp.models.design_matrix import SimpleSpec, build_design
from flexemp.models.diagnostics.iv_tests import (
    FirstStage,
    IVArrays,
    endogeneity_test,
    first_stages,
    overid_test,
    weak_id_tests,
)
from flexemp.models.results import (
    EstimationResult,
    FitState,
    SampleInfo,
    TestResult,
    coef_table,
)
from flexemp.models.spec import ModelSpec

__all__ = ["IVResult", "iv2sls", "parse_iv_formula"]

_BRACKET = re.compile(r"\[([^\[\]]*)\]")
_HASH_ROWS = 65536
_NAMES = re.compile(r"^[A-Za-z_]\w*(?:\s*\+\s*[A-Za-z_]\w*)*$")


@dataclass(frozen=True)
class IVResult(EstimationResult):
    """The second stage as an :class:`EstimationResult`, plus ``first_stage`` and ``diagnostics``.

    ``first_stage`` maps each endogenous regressor to its :class:`FirstStage` (coefficient table,
    partial R², F of the excluded instruments); ``diagnostics`` maps ``kp_rk_lm``,
    ``kp_rk_wald_f``, ``cragg_donald_f``, ``stock_yogo_10`` … ``stock_yogo_25``, ``sargan`` or
    ``hansen_j`` and ``endogeneity`` to :class:`TestResult` objects.
    """

    first_stage: dict[str, FirstStage] = field(default_factory=dict)
    diagnostics: dict[str, TestResult] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Every number as plain JSON-ready data (with ``first_stage`` and ``diagnostics``)."""
        d = super().to_dict()
        d["first_stage"] = to_jsonable({k: v.to_dict() for k, v in self.first_stage.items()})
        d["diagnostics"] = to_jsonable({k: v.to_dict() for k, v in self.diagnostics.items()})
        return d

    def with_vcov(
        self, vcov: str, *, cluster: str | None = None, data: pd.DataFrame | None = None
    ) -> EstimationResult:
        """Not available for 2SLS: the diagnostics depend on the covariance type too.

        Raises
        ------
        EstimationError
            Always; refit with ``iv2sls(..., vcov=...)``.
        """
        raise EstimationError(
            f"refit with iv2sls(formula, data, vcov={vcov!r}) to change the covariance of a 2SLS "
            "model: its first-stage and weak-instrument diagnostics change with it"
        )


def parse_iv_formula(formula: str) -> tuple[str, str, str, str]:
    """Split ``"y ~ x1 + [d ~ z1 + z2]"`` into (outcome, exogenous RHS, endogenous, instruments).

    The exogenous RHS is ``"1"`` when there are no exogenous regressors.

    Raises
    ------
    EstimationError
        No bracket, several brackets, or a bracket without ``~`` on both sides.
    """
    if not isinstance(formula, str) or "~" not in formula:
        raise EstimationError(
            f"formula {formula!r} has no '~'; write it as 'y ~ x1 + [d ~ z1 + z2]'"
        )
    found = _BRACKET.findall(formula)
    if len(found) != 1:
        raise EstimationError(
            f"an IV formula needs exactly one bracket '[endogenous ~ instruments]'; {formula!r} has {len(found)}. "
            "Write e.g. 'lwage ~ exper + [educ ~ motheduc + fatheduc]'"
        )
    inner = found[0].split("~")
    if len(inner) != 2 or not inner[0].strip() or not inner[1].strip():
        raise EstimationError(
            f"the bracket [{found[0]}] must read '[endogenous ~ instruments]', e.g. '[educ ~ motheduc]'"
        )
    outer = _BRACKET.sub("__iv__", formula)
    outer = re.sub(r"\s*\+\s*__iv__|__iv__\s*\+\s*|__iv__", "", outer)
    lhs, _, rhs = outer.partition("~")
    if not lhs.strip():
        raise EstimationError(f"formula {formula!r} has no outcome on the left of '~'")
    return lhs.strip(), rhs.strip() or "1", inner[0].strip(), inner[1].strip()


def _hash(*arrays: np.ndarray | None) -> str:
    h = hashlib.sha256()
    for arr in arrays:
        if arr is None:
            continue
        if arr.flags.c_contiguous:
            h.update(memoryview(arr).cast("B"))  # type: ignore[arg-type]
            continue
        for lo in range(
            0, arr.shape[0], _HASH_ROWS
        ):  # a column block (view): the same bytes, copied a block at a time
            h.update(memoryview(np.ascontiguousarray(arr[lo : lo + _HASH_ROWS])).cast("B"))  # type: ignore[arg-type]
    return h.hexdigest()


def _part(
    formula: str, frame: pd.DataFrame, intercept: bool
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    with warnings.catch_warnings():  # rows are complete already: nothing is dropped here
        warnings.simplefilter("ignore")
        d = build_design(formula, frame, outcome="continuous", intercept=intercept)
    return d.y, d.X, d.terms


def _split_simple(full: Any, exog: str, endog: str, instr: str) -> tuple[Any, ...] | None:
    """(y, X1, X2, Z2, names...) as column blocks of ``full.X`` when every part is a plain sum of names."""
    if not isinstance(full.rhs_spec, SimpleSpec):
        return None
    if not all(_NAMES.match(p) for p in (endog, instr)) or not (exog == "1" or _NAMES.match(exog)):
        return None
    ex = () if exog == "1" else tuple(v.strip() for v in exog.split("+"))
    en = tuple(v.strip() for v in endog.split("+"))
    ins = tuple(v.strip() for v in instr.split("+"))
    ex = ("Intercept", *ex)
    if full.terms != (*ex, *en, *ins):
        return None
    K1, K2 = len(ex), len(en)
    X = full.X
    return (full.y, X[:, :K1], X[:, K1 : K1 + K2], X[:, K1 + K2 :], ex, en, ins)


def iv2sls(
    formula: str,
    data: pd.DataFrame,
    *,
    weights: str | None = None,
    weight_kind: str = "freq",
    vcov: str = "classical",
    cluster: str | None = None,
    conf_level: float = 0.95,
) -> IVResult:
    """Two-stage least squares with first-stage, weak-instrument, over-identification and endogeneity tests.

    Parameters
    ----------
    formula : str
        ``"y ~ x1 + x2 + [d ~ z1 + z2]"`` (see the module docstring).
    data : pandas.DataFrame
        The data; never modified.
    weights, weight_kind, vcov, cluster, conf_level
        As in :func:`flexemp.ols`.

    Returns
    -------
    IVResult
        t statistics with N − K df (cluster: G − 1); ``first_stage`` and ``diagnostics``.

    Raises
    ------
    EstimationError
        A malformed formula, fewer instruments than endogenous regressors, a variable both
        exogenous and excluded, too few clusters.
    SingularDesignError
        Collinear instruments or regressors (named).
    UnsupportedOptionError
        An option the model cannot honour.

    Notes
    -----
    β̂ = (X̂′WX̂)⁻¹X̂′Wy with X̂ = P_Z X.  Covariance: classical s²(X̂′WX̂)⁻¹ with
    s² = Σwe²/(N − K) from the structural residuals e = y − Xβ̂; robust / cluster: the OLS
    sandwich with X̂ and e and Stata's factors N/(N − K), G/(G − 1)·(N − 1)/(N − K).  Matches
    Stata ``ivregress 2sls ..., small vce(...)`` and R ``AER::ivreg`` + ``sandwich``.  The
    diagnostics are described in :mod:`flexemp.models.diagnostics.iv_tests` and docs/iv.md.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from flexemp.models.iv import iv2sls
    >>> rng = np.random.default_rng(7)
    >>> z = rng.normal(size=(4000, 2)); u = rng.normal(size=4000)
    >>> d = z @ [1.0, 0.5] + u + rng.normal(size=4000)
    >>> df = pd.DataFrame({"y": 1 + 0.5 * d + u, "d": d, "z1": z[:, 0], "z2": z[:, 1]})
    >>> res = iv2sls("y ~ [d ~ z1 + z2]", df, vcov="robust")
    >>> float(round(res.params["d"], 1)), bool(res.diagnostics["kp_rk_wald_f"].stat > 100)
    (0.5, True)
    """
    spec = ModelSpec.make(
        "iv2sls",
        formula,
        weights=weights,
        weight_kind=weight_kind,
        vcov=vcov,
        cluster=cluster,
        conf_level=conf_level,
    )
    if not isinstance(data, pd.DataFrame):
        raise EstimationError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    lhs, exog, endog, instr = parse_iv_formula(formula)
    frame = data.reset_index(drop=True)  # positions, whatever the caller's index
    full = build_design(
        f"{lhs} ~ {exog} + {endog} + {instr}" if exog != "1" else f"{lhs} ~ {endog} + {instr}",
        frame,
        outcome="continuous",
        weights=weights,
        weight_kind=weight_kind,
        cluster=cluster,
    )
    parts = _split_simple(full, exog, endog, instr)
    if parts is not None:  # plain sums of numeric columns: the parts are column blocks of full.X
        y, X1, X2, Z2, exog_names, endog_names, instr_names = parts
    else:  # formulaic terms (C(), interactions): each part has its own coding
        sub = frame.iloc[np.asarray(full.index)]
        y, X1, exog_names = _part(f"{lhs} ~ {exog}", sub, True)
        _, X2, endog_names = _part(f"{lhs} ~ {endog}", sub, False)
        _, Z2, instr_names = _part(f"{lhs} ~ {instr}", sub, False)
    both = sorted(set(instr_names) & set(exog_names)) + sorted(set(endog_names) & set(exog_names))
    if both:
        raise EstimationError(
            f"{', '.join(both)} appear(s) both outside and inside the bracket; a variable is either "
            "exogenous (outside), endogenous or an excluded instrument (inside)"
        )
    K2, L2 = X2.shape[1], Z2.shape[1]
    if L2 < K2:
        raise EstimationError(
            f"underidentified: {K2} endogenous regressor(s) ({', '.join(endog_names)}) but only "
            f"{L2} excluded instrument(s); add instruments to the right of '~' in the bracket"
        )
    a = IVArrays(
        y,
        X1,
        X2,
        Z2,
        full.w,
        weight_kind,
        full.groups,
        full.n_groups,
        vcov,
        exog_names,
        endog_names,
        instr_names,
        np.column_stack([X1, Z2]),
        full.X[:, : X1.shape[1] + K2] if parts is not None else np.column_stack([X1, X2]),
    )
    from flexemp.models._numerics.iv import fit_2sls

    try:
        fit = fit_2sls(y, X1, X2, Z2, full.w, Z=a.Z, X=a.X)
    except SingularDesignError as exc:
        zn = exog_names + instr_names
        shown = [
            zn[c] if isinstance(c, int | np.integer) and 0 <= int(c) < len(zn) else str(c)
            for c in exc.columns
        ]
        raise SingularDesignError(
            f"{exc} [collinear instrument(s) or regressor(s): {', '.join(shown)}]", tuple(shown)
        ) from exc
    return _finish(spec, a, fit, full, data)


def _finish(spec: ModelSpec, a: IVArrays, fit: Any, full: Any, data: pd.DataFrame) -> IVResult:
    names = list(a.exog_names + a.endog_names)
    V = ols_vcov(
        fit.xhat,
        fit.resid,
        fit.bread,
        vcov=a.vcov,
        w=a.w,
        weight_kind=a.weight_kind,
        groups=a.groups,
        n_groups=a.n_groups,
    )
    N, K = a.nobs, len(names)
    df_t = float((a.n_groups or 0) - 1) if a.vcov == "cluster" else N - K
    coefs = coef_table(names, fit.params, V, conf_level=spec.conf_level, df=df_t)
    w = np.ones(len(a.y)) if a.w is None else a.w
    ybar = float(np.sum(w * a.y) / w.sum())
    ssr = float(np.sum(w * fit.resid**2))
    has_const = "Intercept" in names
    sst = float(np.sum(w * (a.y - ybar) ** 2)) if has_const else float(np.sum(w * a.y**2))
    slope = [i for i, n in enumerate(names) if n != "Intercept"]
    q = len(slope)
    F = (
        float(fit.params[slope] @ np.linalg.solve(V[np.ix_(slope, slope)], fit.params[slope])) / q
        if q
        else np.nan
    )
    statistics: dict[str, Any] = {
        "nobs": len(a.y),
        "sum_weights": None if a.w is None else float(a.w.sum()),
        "r2": 1 - ssr / sst,
        "rmse": float(np.sqrt(ssr / (N - K))),
        "ssr": ssr,
        "df_model": q,
        "df_resid": N - K,
        "loglik": None,
        "n_clusters": a.n_groups,
        "cov_type": a.vcov,
        "n_endog": a.X2.shape[1],
        "n_instruments": a.Z2.shape[1],
    }
    tests = {
        "f": TestResult(
            F,
            (float(q), df_t),
            float(stats.f.sf(F, q, df_t)) if q else None,
            "all slope coefficients are zero",
            available=q > 0,
        )
    }
    fs = first_stages(a, fit, spec.conf_level)
    diag = weak_id_tests(a, fit)
    name, overid = overid_test(a, fit)
    diag[name] = overid
    diag["endogeneity"] = endogeneity_test(a, fit)
    # a view into the full design (instruments included) would keep all of it alive as long as the result:
    # keep a copy of the regressor columns only
    X = a.X.copy() if a.X.base is not None else a.X
    X.flags.writeable = False  # as every design a result keeps
    index = data.index[np.asarray(full.index)]
    state = FitState(
        fit.params,
        X,
        a.w,
        a.groups,
        a.n_groups,
        None,
        index,
        xtwx_inv=fit.bread,
        resid=fit.resid,
        extra={"xhat": fit.xhat},
    )
    return IVResult(
        "iv2sls",
        coefs,
        statistics,
        tests,
        pd.DataFrame(V, index=names, columns=names),
        spec,
        SampleInfo(
            full.n_input, len(a.y), statistics["sum_weights"], dict(full.dropped), a.n_groups
        ),
        {"flexemp_version": __version__, "data_hash": _hash(a.y, X, a.Z2, a.w), "seed": None},
        (),
        state,
        fs,
        diag,
    )
