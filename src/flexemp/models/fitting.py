"""Fitting orchestration shared by the estimators: validate → design → numerics → covariance → result."""

from __future__ import annotations

import functools
import hashlib
import threading
from collections.abc import Callable
from typing import Any, cast

import numpy as np
import pandas as pd
from scipy import special, stats

from flexemp import __version__
from flexemp.core.errors import EstimationError, SeparationError, SingularDesignError
from flexemp.models.covariance import ml_vcov, ols_vcov
from flexemp.models.design_matrix import Design, build_design
from flexemp.models.results import (
    EstimationResult,
    FitState,
    SampleInfo,
    TestResult,
    coef_table,
    term_index,
)
from flexemp.models.spec import ModelSpec

_OUTCOME = {"ols": "continuous", "logit": "binary", "probit": "binary", "oprobit": "categorical",
            "ologit": "categorical", "mlogit": "categorical"}
_LINK = {"logit": "logit", "probit": "probit", "oprobit": "probit", "ologit": "logit"}


def _vcov_frame(V: np.ndarray, names: list[str]) -> pd.DataFrame:
    """``pd.DataFrame(V, index=names, columns=names)`` with each axis a copy of a cached Index of the names
    (:func:`~flexemp.models.results.term_index`: renaming one axis leaves the other, and other results, alone)."""
    return pd.DataFrame(V, index=term_index(names), columns=term_index(names))


def _level_name(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _named(exc: SingularDesignError | SeparationError, terms: tuple[str, ...]) -> list[str]:
    return [terms[c] if isinstance(c, int | np.integer) and 0 <= int(c) < len(terms) else str(c) for c in exc.columns]


def _data_hash(X: np.ndarray, y: np.ndarray, w: np.ndarray | None) -> str:
    """SHA-256 of the bytes of the arrays the model was fitted on: X, then y, then w (if any).

    The design (float64, C order), the outcome as passed to the numerics (0/1 or
    codes 0..J−1) and the weights — exactly the numbers the estimates depend on,
    after missing rows were dropped (not the caller's DataFrame).
    """
    h = hashlib.sha256()  # fed from memory views: no copy of the design
    for arr in (X, y, w):
        if arr is not None:
            h.update(memoryview(np.ascontiguousarray(arr)).cast("B"))  # type: ignore[arg-type]
    return h.hexdigest()


#: Designs at least this large are hashed in a background thread while the model is fitted
#: (hashlib releases the GIL); smaller ones when the digest is first asked for.
_HASH_IN_THREAD_BYTES = 1 << 20


def _start_hash(design: Design) -> Callable[[], str]:
    """Start :func:`_data_hash` (in a background thread for large designs); call the result for the digest.

    The design's arrays are read-only (:func:`~flexemp.models.design_matrix.build_design`
    owns them and makes them so), so the digest is the same whenever it is taken: a small
    design is hashed only when the digest is first asked for, a large one in a thread
    while the model is fitted.  The callable holds the three arrays only (not the
    caller's DataFrame, which a result must not keep alive).  A new thread per call (no
    pool), so that forked worker processes never wait on a thread they lack.
    """
    arrays = (design.X, design.y, design.w)
    if design.X.nbytes < _HASH_IN_THREAD_BYTES:
        return functools.partial(_data_hash, *arrays)
    out: list[str] = []
    worker = threading.Thread(target=lambda: out.append(_data_hash(*arrays)), name="flexemp-hash", daemon=True)
    worker.start()

    def result() -> str:
        worker.join()
        return out[0] if out else _data_hash(*arrays)  # the thread failed: hash here (raises the same error)

    return result


def _provenance(data_hash: Callable[[], str]) -> dict[str, Any]:
    return {"flexemp_version": __version__, "data_hash": data_hash(), "seed": None}


def _chi2_sf(x: float, q: int) -> float:
    """``stats.chi2.sf(x, q)`` without its argument checking (≈35 µs a call): ``special.chdtrc``."""
    return 1.0 if x < 0 else float(special.chdtrc(q, x))


def _wald(params: np.ndarray, V: np.ndarray, idx: list[int]) -> float:
    if not idx:
        return float("nan")
    b = params[idx]
    return float(b @ np.linalg.solve(V[np.ix_(idx, idx)], b))


def _null_loglik(model: str, design: Design) -> float | None:
    """Closed-form log-likelihood of the intercept-only (or cutpoints-only) model."""
    w = np.ones_like(design.y, dtype=float) if design.w is None else design.w
    if model in ("logit", "probit"):
        if "Intercept" not in design.terms:
            return None
        p = float(np.sum(w * design.y) / w.sum())
        return float(np.sum(w * (design.y * np.log(p) + (1 - design.y) * np.log1p(-p))))
    if model in ("oprobit", "ologit") or (model == "mlogit" and "Intercept" in design.terms):
        J = len(design.y_levels)
        share = np.bincount(design.y.astype(np.int64), weights=w, minlength=J) / w.sum()
        return float(np.sum(w * np.log(share[design.y.astype(np.int64)])))
    return None


def _fit_numerics(model: str, design: Design, base_code: int) -> Any:
    from flexemp.models._numerics import binary, multinomial, ordered

    if model in ("logit", "probit"):
        return binary.fit_binary(design.y, design.X, design.w, link=cast(Any, _LINK[model]))
    if model in ("oprobit", "ologit"):
        return ordered.fit_ordered(design.y.astype(np.int64, copy=False), design.X, design.w, link=cast(Any, _LINK[model]))
    return multinomial.fit_mlogit(design.y.astype(np.int64, copy=False), design.X, design.w, base=base_code)


def _param_names(model: str, design: Design, base_code: int) -> list[str]:
    terms = list(design.terms)
    if model in ("oprobit", "ologit"):
        return terms + [f"cut{j}" for j in range(1, len(design.y_levels))]
    if model == "mlogit":
        return [f"{_level_name(lv)}:{t}" for j, lv in enumerate(design.y_levels) if j != base_code for t in terms]
    return terms


def _fit(
    model: str,
    formula: str,
    data: pd.DataFrame,
    *,
    weights: str | None,
    weight_kind: str,
    vcov: str,
    cluster: str | None,
    base: Any = None,
    conf_level: float = 0.95,
) -> EstimationResult:
    spec = ModelSpec.make(model, formula, weights=weights, weight_kind=weight_kind, vcov=vcov, cluster=cluster,
                          base=base, conf_level=conf_level)
    if not isinstance(data, pd.DataFrame):
        raise EstimationError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    design = build_design(formula, data, outcome=_OUTCOME[model], weights=weights, weight_kind=weight_kind,
                          cluster=cluster, intercept=model not in ("oprobit", "ologit"))
    base_code = 0
    if model == "mlogit":
        base_code = _base_code(design, base)
    if model in ("oprobit", "ologit") and len(design.y_levels) < 3:
        raise EstimationError(
            f"{design.y_name} has {len(design.y_levels)} outcome levels in the estimation sample; an ordered model "
            "needs at least 3 (use logit or probit for two)"
        )
    if model == "mlogit" and len(design.y_levels) < 3:
        raise EstimationError(f"{design.y_name} has {len(design.y_levels)} outcome levels; use logit for two")
    data_hash = _start_hash(design)  # overlaps the fit (large designs)
    try:
        if model == "ols":
            return _finish_ols(spec, design, data_hash)
        fit = _fit_numerics(model, design, base_code)
    except (SingularDesignError, SeparationError) as exc:
        shown = ", ".join(_named(exc, design.terms)) or "(not identified)"
        what = "collinear" if isinstance(exc, SingularDesignError) else "separating"
        raise type(exc)(f"{exc} [{what} column(s): {shown}]", tuple(_named(exc, design.terms))) from exc
    names = _param_names(model, design, base_code)
    params, scores, hessian = fit.params, fit.scores, fit.hessian
    ll, ll_null, iterations = float(fit.loglik), fit.loglik_null, int(fit.iterations)
    grad_norm, converged = float(fit.grad_norm), bool(fit.converged)
    del fit  # its linear predictor ((n, J) for mlogit) is not kept: freed before the covariance is formed
    V = ml_vcov(hessian, scores, vcov=vcov, w=design.w, weight_kind=weight_kind, groups=design.groups,
                n_groups=design.n_groups)
    nobs = len(design.y)
    n_eff = float(design.w.sum()) if (design.w is not None and weight_kind == "freq") else float(nobs)
    p = len(params)
    slope_idx = _slope_indices(model, names)
    if model in ("logit", "probit"):  # the kernel's closed form: the same expression as _null_loglik's
        ll0 = ll_null if "Intercept" in design.terms else None
    else:
        ll0 = _null_loglik(model, design)
    statistics: dict[str, Any] = {
        "nobs": nobs,
        "sum_weights": None if design.w is None else float(design.w.sum()),
        "loglik": ll,
        "loglik_null": ll0,
        "pseudo_r2": None if ll0 is None else 1 - ll / ll0,
        "aic": -2 * ll + 2 * p,
        "bic": -2 * ll + p * np.log(n_eff),
        "df_model": len(slope_idx),
        "n_params": p,
        "n_clusters": design.n_groups,
        "iterations": iterations,
        "grad_norm": grad_norm,
        "converged": converged,
        "cov_type": vcov,
    }
    tests = _ml_tests(params, V, slope_idx, ll, ll0, weight_kind if design.w is not None else None, vcov)
    state = FitState(params, design.X, design.w, design.groups, design.n_groups, design.rhs_spec, design.index,
                     scores=scores, hessian=hessian, extra={"base_code": base_code, "link": _LINK.get(model)})
    return EstimationResult(
        model, functools.partial(coef_table, names, params, V, conf_level=conf_level, df=None), statistics, tests,
        functools.partial(_vcov_frame, V, names), spec,
        SampleInfo(design.n_input, nobs, statistics["sum_weights"], dict(design.dropped), design.n_groups),
        functools.partial(_provenance, data_hash),
        design.y_levels, state,
    )


def _base_code(design: Design, base: Any) -> int:
    if base is None:
        return 0
    try:
        target = float(base)
    except (TypeError, ValueError):
        target = None
    for j, lv in enumerate(design.y_levels):
        if lv == target or _level_name(lv) == str(base):
            return j
    shown = ", ".join(_level_name(v) for v in design.y_levels)
    raise EstimationError(f"base outcome {base!r} is not a level of {design.y_name} (levels: {shown})")


def _slope_indices(model: str, names: list[str]) -> list[int]:
    if model in ("oprobit", "ologit"):
        return [i for i, n in enumerate(names) if not n.startswith("cut")]
    return [i for i, n in enumerate(names) if not n.endswith("Intercept")]


def _ml_tests(params: np.ndarray, V: np.ndarray, idx: list[int], ll: float, ll0: float | None,
              weight_kind: str | None, vcov: str) -> dict[str, TestResult]:
    q = len(idx)
    W = _wald(params, V, idx)
    tests = {"wald": TestResult(W, q, _chi2_sf(W, q) if q else None, "all slope coefficients are zero",
                                available=q > 0, reason=None if q else "no slope coefficients")}
    if ll0 is None:
        tests["lr"] = TestResult(None, q, None, "all slope coefficients are zero", False, "no null model (no intercept)")
    elif weight_kind == "prob" or vcov != "classical":
        tests["lr"] = TestResult(None, q, None, "all slope coefficients are zero", False,
                                 "a likelihood-ratio test is not valid with probability weights or robust/cluster "
                                 "covariance; use the Wald test")
    else:
        lr = 2 * (ll - ll0)
        tests["lr"] = TestResult(lr, q, _chi2_sf(lr, q), "all slope coefficients are zero")
    return tests


def _finish_ols(spec: ModelSpec, design: Design, data_hash: Callable[[], str]) -> EstimationResult:
    from flexemp.models._numerics.linear import fit_ols

    fit = fit_ols(design.y, design.X, design.w)
    V = ols_vcov(design.X, fit.resid, fit.xtwx_inv, vcov=spec.vcov, w=design.w, weight_kind=spec.weight_kind,
                 groups=design.groups, n_groups=design.n_groups)
    names = list(design.terms)
    nobs = len(design.y)
    w = np.ones(nobs) if design.w is None else design.w
    N = float(w.sum()) if (design.w is not None and spec.weight_kind == "freq") else float(nobs)
    k = design.X.shape[1]
    df_t = float((design.n_groups or 0) - 1) if spec.vcov == "cluster" else N - k
    has_const = "Intercept" in names
    ybar = float(np.sum(w * design.y) / w.sum())
    ssr = float(np.sum(w * fit.resid**2))
    sst = float(np.sum(w * (design.y - ybar) ** 2)) if has_const else float(np.sum(w * design.y**2))
    r2 = 1 - ssr / sst
    slope_idx = [i for i, n in enumerate(names) if n != "Intercept"]
    q = len(slope_idx)
    F = _wald(fit.params, V, slope_idx) / q if q else float("nan")
    sw = float(w.sum())
    ll = -0.5 * N * (np.log(2 * np.pi * ssr / sw) + 1) if design.w is None or spec.weight_kind == "freq" else None
    statistics: dict[str, Any] = {
        "nobs": nobs,
        "sum_weights": None if design.w is None else sw,
        "r2": r2,
        "adj_r2": 1 - (1 - r2) * (N - (1 if has_const else 0)) / (N - k),
        "rmse": float(np.sqrt(ssr / (N - k))),
        "ssr": ssr,
        "df_model": q,
        "df_resid": N - k,
        "loglik": ll,
        "aic": None if ll is None else -2 * ll + 2 * k,
        "bic": None if ll is None else -2 * ll + k * np.log(N),
        "n_clusters": design.n_groups,
        "cov_type": spec.vcov,
    }
    tests = {"f": TestResult(F, (float(q), df_t), float(stats.f.sf(F, q, df_t)) if q else None,
                             "all slope coefficients are zero", available=q > 0)}
    state = FitState(fit.params, design.X, design.w, design.groups, design.n_groups, design.rhs_spec, design.index,
                     xtwx_inv=fit.xtwx_inv, resid=fit.resid)
    return EstimationResult(
        "ols", functools.partial(coef_table, names, fit.params, V, conf_level=spec.conf_level, df=df_t), statistics,
        tests, functools.partial(_vcov_frame, V, names), spec,
        SampleInfo(design.n_input, nobs, statistics["sum_weights"], dict(design.dropped), design.n_groups),
        functools.partial(_provenance, data_hash), (), state,
    )
