"""Average marginal effects with delta-method standard errors.

For each regressor *variable* (a column of the data, not a design column, so
that squares and interactions are handled as Stata's ``margins`` handles
factor-variable notation):

- a 0/1 variable gets the average discrete change
  AME = Σ wᵢ [P(xᵢ | v=1) − P(xᵢ | v=0)] / Σ wᵢ;
- any other numeric variable gets the average derivative
  AME = Σ wᵢ ∂P(xᵢ)/∂v / Σ wᵢ, with ∂(x′β)/∂v taken from the design built at
  v ± h (exact for terms linear or quadratic in v).

P is Pr(y=1) for logit/probit, and Pr(y=j) for each outcome j of ordered and
multinomial models.  The standard errors use the delta method,
V(AME) = J V(θ) J′, with the Jacobian J = ∂AME/∂θ by central differences
(as Stata's ``margins, dydx(*)``, which also differentiates numerically).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from flexemp.core.errors import EstimationError
from flexemp.models.results import EstimationResult

MARGIN_COLUMNS = ("term", "outcome", "kind", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high")


@dataclass(frozen=True)
class MarginsResult:
    """AMEs: a tidy table (``term``, ``outcome``, ``kind`` derivative/discrete, estimate, …)."""

    table: pd.DataFrame
    model: str
    vcov_type: str

    def to_records(self) -> list[dict[str, Any]]:
        """Rows in the per-term shape of the coefficient table (``"outcome:term"`` when there are outcomes)."""
        rows = []
        for r in self.table.to_dict("records"):
            term = r["term"] if r["outcome"] is None else f"{r['outcome']}:{r['term']}"
            rows.append({"term": term, **{k: r[k] for k in MARGIN_COLUMNS[3:]}})
        return rows


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _cdf_pdf(link: str) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]:
    if link == "logit":
        def pdf(z: np.ndarray) -> np.ndarray:
            p = special.expit(z)
            return p * (1 - p)
        return special.expit, pdf
    return special.ndtr, stats.norm.pdf


ProbFn = Callable[[np.ndarray, np.ndarray, "np.ndarray | None"], "tuple[np.ndarray, np.ndarray | None]"]


def _prob_and_slope(model: str, link: str | None, base: int, k: int, J: int) -> ProbFn:
    """Return f(theta, X, dX) -> (P (n, m), dP/dv (n, m) or None when dX is None)."""
    if model in ("logit", "probit"):
        F, f = _cdf_pdf(model)

        def binary(theta: np.ndarray, X: np.ndarray, dX: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
            xb = X @ theta
            d = None if dX is None else (f(xb) * (dX @ theta))[:, None]
            return F(xb)[:, None], d

        return binary
    if model in ("oprobit", "ologit"):
        F, f = _cdf_pdf(link or "probit")

        def ordered(theta: np.ndarray, X: np.ndarray, dX: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
            beta, cuts = theta[:k], theta[k:]
            xb = X @ beta
            z = cuts[None, :] - xb[:, None]
            cdf = np.concatenate([np.zeros((len(xb), 1)), F(z), np.ones((len(xb), 1))], axis=1)
            P = np.diff(cdf, axis=1)
            if dX is None:
                return P, None
            dens = np.concatenate([np.zeros((len(xb), 1)), f(z), np.zeros((len(xb), 1))], axis=1)
            return P, -np.diff(dens, axis=1) * (dX @ beta)[:, None]

        return ordered

    def multinomial(theta: np.ndarray, X: np.ndarray, dX: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
        B = np.insert(theta.reshape(J - 1, k), base, 0.0, axis=0)
        eta = X @ B.T
        P = special.softmax(eta, axis=1)
        if dX is None:
            return P, None
        deta = dX @ B.T
        return P, P * (deta - np.sum(P * deta, axis=1, keepdims=True))

    return multinomial


def _ame_discrete(theta: np.ndarray, *, fn: ProbFn, X1: np.ndarray, X0: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted mean of P(v=1) − P(v=0) per outcome."""
    return np.asarray(w @ (fn(theta, X1, None)[0] - fn(theta, X0, None)[0]) / w.sum())


def _ame_derivative(theta: np.ndarray, *, fn: ProbFn, X: np.ndarray, dX: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted mean of ∂P/∂v per outcome."""
    slope = fn(theta, X, dX)[1]
    if slope is None:
        raise EstimationError("internal error: no derivative")
    return np.asarray(w @ slope / w.sum())


def margins(
    result: EstimationResult, data: pd.DataFrame, *, variables: list[str] | None = None, conf_level: float = 0.95
) -> MarginsResult:
    """Average marginal effects of a logit, probit, ordered or multinomial model.

    Parameters
    ----------
    result : EstimationResult
        A fitted model (not one read back from JSON).
    data : pandas.DataFrame
        The data the model was fitted on.
    variables : list of str, optional
        Variables to differentiate; default every numeric variable on the right-hand side.
    conf_level : float

    Returns
    -------
    MarginsResult

    Raises
    ------
    EstimationError
        For OLS (its coefficients are the marginal effects), a variable not in
        the model, or a non-numeric variable.

    Examples
    --------
    >>> import numpy as np, pandas as pd, flexemp
    >>> rng = np.random.default_rng(2)
    >>> df = pd.DataFrame({"x": rng.normal(size=4000), "d": rng.integers(0, 2, 4000)})
    >>> df["y"] = (rng.logistic(size=4000) < 0.5 * df["x"] + df["d"]).astype(int)
    >>> me = flexemp.margins(flexemp.logit("y ~ x + d", df), df)
    >>> list(me.table["kind"])
    ['derivative', 'discrete']
    >>> list(me.table["term"])
    ['x', 'd']
    """
    if result.model == "ols":
        raise EstimationError("in OLS the coefficients are the marginal effects; margins are for ML models")
    st = result.state()
    spec = st.rhs_spec
    terms = [str(t) for t in result.params.index]

    def first_term(v: str) -> int:  # regressors in the model's term order
        return next((i for i, t in enumerate(terms) if v in _NAME.findall(t)), len(terms))

    rhs_vars = sorted((v for v in spec.required_variables if v in data.columns), key=lambda v: (first_term(v), v))
    if variables is None:
        variables = [v for v in rhs_vars if pd.api.types.is_numeric_dtype(data[v])]
    for v in variables:
        if v not in rhs_vars:
            raise EstimationError(f"{v!r} is not a regressor of this model (regressors: {', '.join(rhs_vars)})")
        if not pd.api.types.is_numeric_dtype(data[v]):
            raise EstimationError(f"{v!r} is not numeric; margins handles numeric and 0/1 regressors")
    rows = data.loc[st.index]
    k = st.X.shape[1]
    J = len(result.outcome_levels) if result.model not in ("logit", "probit") else 2
    fn = _prob_and_slope(result.model, st.extra.get("link"), int(st.extra.get("base_code", 0)), k, J)
    w = np.ones(len(rows)) if st.w is None else st.w
    drop_const = result.model in ("oprobit", "ologit")

    def design(frame: pd.DataFrame) -> np.ndarray:
        X = np.asarray(spec.get_model_matrix(frame, na_action="raise"), dtype=float)
        if drop_const and X.shape[1] == k + 1:
            X = np.delete(X, list(spec.column_names).index("Intercept"), axis=1)
        return X

    theta0 = st.params
    V = result.vcov.to_numpy()
    labels = [None] if result.model in ("logit", "probit") else [
        f"{v:g}" if isinstance(v, float) else str(v) for v in result.outcome_levels
    ]
    out: list[dict[str, Any]] = []
    for v in variables:
        col = rows[v].to_numpy(dtype=float)
        binary = bool(np.isin(np.unique(col), [0.0, 1.0]).all())
        if binary:
            X1, X0 = design(rows.assign(**{v: 1.0})), design(rows.assign(**{v: 0.0}))
            ame = partial(_ame_discrete, fn=fn, X1=X1, X0=X0, w=w)
        else:
            h = 1e-4 * max(1.0, float(np.std(col)))
            dX = (design(rows.assign(**{v: col + h})) - design(rows.assign(**{v: col - h}))) / (2 * h)
            ame = partial(_ame_derivative, fn=fn, X=st.X, dX=dX, w=w)
        est = ame(theta0)
        jac = np.empty((est.size, theta0.size))
        for j in range(theta0.size):  # loop over parameters, not respondents
            eps = 1e-6 * max(1.0, abs(theta0[j]))
            tp, tm = theta0.copy(), theta0.copy()
            tp[j] += eps
            tm[j] -= eps
            jac[:, j] = (ame(tp) - ame(tm)) / (2 * eps)
        se = np.sqrt(np.clip(np.diag(jac @ V @ jac.T), 0, None))
        q = stats.norm.ppf(0.5 + conf_level / 2)
        for m, lab in enumerate(labels if labels[0] is not None else [None]):
            z = est[m] / se[m] if se[m] > 0 else np.nan
            out.append({"term": v, "outcome": lab, "kind": "discrete" if binary else "derivative",
                        "estimate": float(est[m]), "std_error": float(se[m]), "statistic": float(z),
                        "p_value": float(2 * stats.norm.sf(abs(z))), "conf_low": float(est[m] - q * se[m]),
                        "conf_high": float(est[m] + q * se[m])})
    return MarginsResult(pd.DataFrame(out, columns=list(MARGIN_COLUMNS)), result.model, result.spec.vcov)
