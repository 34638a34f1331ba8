"""After the fit: a new covariance for an existing result, and predictions."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

import numpy as np
import pandas as pd

from flexemp.core.errors import EstimationError
from flexemp.models.covariance import ml_vcov, ols_vcov
from flexemp.models.results import EstimationResult, coef_table


def recompute_vcov(
    result: EstimationResult, vcov: str, *, cluster: str | None = None, data: pd.DataFrame | None = None
) -> EstimationResult:
    """A new result with covariance ``vcov`` (see :meth:`EstimationResult.with_vcov`)."""
    st = result.state()
    spec = result.spec.replace(vcov=vcov, cluster=cluster)
    groups, n_groups = st.groups, st.n_groups
    if vcov == "cluster":
        if cluster != result.spec.cluster or groups is None:
            if data is None:
                raise EstimationError("a new cluster column needs data=<the DataFrame the model was fitted on>")
            if cluster not in data.columns:
                raise EstimationError(f"cluster column {cluster!r} is not in the data")
            col = data.loc[st.index, cluster]
            if col.isna().any():
                raise EstimationError(f"cluster column {cluster!r} has missing values in the estimation sample")
            codes, uniques = pd.factorize(col, sort=True)
            groups, n_groups = codes.astype(np.int64), len(uniques)
            if n_groups < 2:
                raise EstimationError(f"cluster column {cluster!r} has fewer than 2 clusters")
    else:
        groups, n_groups = None, None
    names = list(result.vcov.index)
    if result.model == "ols":
        if st.xtwx_inv is None or st.resid is None:
            raise EstimationError("missing OLS state")
        V = ols_vcov(st.X, st.resid, st.xtwx_inv, vcov=vcov, w=st.w, weight_kind=spec.weight_kind, groups=groups,
                     n_groups=n_groups)
        N = float(st.w.sum()) if (st.w is not None and spec.weight_kind == "freq") else float(len(st.X))
        df = float(n_groups - 1) if vcov == "cluster" and n_groups else N - st.X.shape[1]
    else:
        if st.hessian is None or st.scores is None:
            raise EstimationError("missing ML state")
        V = ml_vcov(st.hessian, st.scores, vcov=vcov, w=st.w, weight_kind=spec.weight_kind, groups=groups,
                    n_groups=n_groups)
        df = None
    coefs = coef_table(names, st.params, V, conf_level=spec.conf_level, df=df)
    stats_ = {**result.statistics, "cov_type": vcov, "n_clusters": n_groups}
    new_state = replace(st, groups=groups, n_groups=n_groups)
    return replace(
        result,
        _coefficients=coefs,
        _vcov=pd.DataFrame(V, index=names, columns=names),
        spec=spec,
        statistics=stats_,
        sample=replace(result.sample, n_clusters=n_groups),
        _state=new_state,
    )


def _design(result: EstimationResult, data: pd.DataFrame | None) -> np.ndarray:
    st = result.state()
    if data is None:
        return st.X
    X = st.rhs_spec.get_model_matrix(data, na_action="ignore")
    X = np.asarray(X, dtype=float)
    if result.model in ("oprobit", "ologit") and X.shape[1] == st.X.shape[1] + 1:
        names = list(st.rhs_spec.column_names)
        X = np.delete(X, names.index("Intercept"), axis=1)
    return X


def predict(result: EstimationResult, data: pd.DataFrame | None = None, *, kind: str = "response") -> pd.DataFrame | pd.Series:
    """Predictions from a fitted model (see :meth:`EstimationResult.predict`)."""
    from flexemp.core.options import validate_option

    validate_option("kind", kind, ("response", "linear"))
    st = result.state()
    X = _design(result, data)
    index = st.index if data is None else data.index
    k = X.shape[1]
    if result.model == "ols":
        return pd.Series(X @ st.params, index=index, name="fitted")
    if result.model in ("logit", "probit"):
        from flexemp.models._numerics.binary import binary_prob

        xb = X @ st.params
        return pd.Series(xb if kind == "linear" else binary_prob(xb, cast(Any, result.model)), index=index,
                         name="xb" if kind == "linear" else "prob")
    labels = [f"{v:g}" if isinstance(v, float) else str(v) for v in result.outcome_levels]
    if result.model in ("oprobit", "ologit"):
        from flexemp.models._numerics.ordered import ordered_probs

        xb = X @ st.params[:k]
        if kind == "linear":
            return pd.Series(xb, index=index, name="xb")
        probs = ordered_probs(xb, st.params[k:], st.extra["link"])
        return pd.DataFrame(probs, index=index, columns=[f"prob_{lv}" for lv in labels])
    from flexemp.models._numerics.multinomial import mlogit_probs

    if kind == "linear":
        raise EstimationError("kind='linear' is not defined for mlogit (one index per outcome); use 'response'")
    probs = mlogit_probs(X, st.params, st.extra["base_code"])
    return pd.DataFrame(probs, index=index, columns=[f"prob_{lv}" for lv in labels])
