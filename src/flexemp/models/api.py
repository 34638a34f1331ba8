"""Public estimators: ``ols``, ``logit``, ``probit``, ``oprobit``, ``ologit``, ``mlogit``.

All share the leading signature ``(formula, data, *, weights=None,
weight_kind="freq", vcov="classical", cluster=None)``; weights and clusters are
column names of ``data``.  Every function returns an
:class:`~flexemp.models.results.EstimationResult`.

Weights
-------
``weight_kind="freq"``: frequency weights — whole numbers, each row stands for
that many identical respondents; results equal those on the replicated data
(Stata ``[fweight=]``; R ``glm(weights=)``).
``weight_kind="prob"``: probability (sampling) weights — a pseudo-likelihood
with a sandwich covariance, so ``vcov`` must be ``robust`` or ``cluster``
(Stata ``[pweight=]``; R ``survey::svyglm``).

Covariance
----------
``classical`` (inverse information), ``robust`` (Stata ``vce(robust)``: HC1 for
OLS, sandwich × n/(n−1) for ML models) and ``cluster`` (Stata
``vce(cluster c)``: G/(G−1)·(N−1)/(N−K) for OLS, G/(G−1) for ML models).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from flexemp.models.fitting import _fit
from flexemp.models.results import EstimationResult

__all__ = ["logit", "mlogit", "ologit", "ols", "oprobit", "probit"]


def ols(
    formula: str,
    data: pd.DataFrame,
    *,
    weights: str | None = None,
    weight_kind: str = "freq",
    vcov: str = "classical",
    cluster: str | None = None,
    conf_level: float = 0.95,
) -> EstimationResult:
    """Ordinary (or weighted) least squares.

    Parameters
    ----------
    formula : str
        ``"y ~ x1 + x2 + C(region)"`` (formulaic syntax; an intercept is added).
    data : pandas.DataFrame
        The data; never modified.
    weights : str, optional
        Column of weights.
    weight_kind : {"freq", "prob"}
        Frequency or probability weights (see the module docstring).
    vcov : {"classical", "robust", "cluster"}
        Covariance type.
    cluster : str, optional
        Column defining clusters (with ``vcov="cluster"``).
    conf_level : float
        Confidence level of the intervals.

    Returns
    -------
    EstimationResult
        t statistics with N − K degrees of freedom (G − 1 with clusters), R², F test.

    Raises
    ------
    UnsupportedOptionError
        An option the model cannot honour.
    SingularDesignError
        Collinear regressors (named).
    EstimationError
        Too few clusters, a missing cluster value, bad weights.

    Notes
    -----
    β = (X′WX)⁻¹X′Wy.  Matches Stata ``regress y x [fw|pw=w], vce(...)`` and
    R ``lm`` with ``sandwich::vcovHC(type="HC1")`` / ``vcovCL(type="HC1")``.

    Examples
    --------
    >>> import numpy as np, pandas as pd, flexemp
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"x": rng.normal(size=500)})
    >>> df["y"] = 1 + 2 * df["x"] + rng.normal(size=500)
    >>> res = flexemp.ols("y ~ x", df, vcov="robust")
    >>> round(float(res.params["x"]), 1)
    2.0
    """
    return _fit("ols", formula, data, weights=weights, weight_kind=weight_kind, vcov=vcov, cluster=cluster,
                conf_level=conf_level)


def logit(
    formula: str,
    data: pd.DataFrame,
    *,
    weights: str | None = None,
    weight_kind: str = "freq",
    vcov: str = "classical",
    cluster: str | None = None,
    conf_level: float = 0.95,
) -> EstimationResult:
    """Binary logit by Newton-Raphson with analytic derivatives.

    Parameters
    ----------
    formula : str
        ``"y ~ x1 + x2"`` with ``y`` coded 0/1.
    data : pandas.DataFrame
    weights, weight_kind, vcov, cluster, conf_level
        As in :func:`ols`.

    Returns
    -------
    EstimationResult
        z statistics; log-likelihood, McFadden pseudo-R², AIC/BIC, Wald and LR tests.

    Raises
    ------
    SeparationError
        Perfect or quasi-complete separation (the separating regressor is named).
    ConvergenceError, SingularDesignError, UnsupportedOptionError, EstimationError

    Notes
    -----
    P(y=1|x) = Λ(x′β).  Matches Stata ``logit`` and R ``glm(family=binomial)``.

    Examples
    --------
    >>> import numpy as np, pandas as pd, flexemp
    >>> rng = np.random.default_rng(2)
    >>> df = pd.DataFrame({"x": rng.normal(size=4000)})
    >>> df["y"] = (rng.logistic(size=4000) < 0.5 + df["x"]).astype(int)
    >>> round(float(flexemp.logit("y ~ x", df).params["x"]), 1)
    1.0
    """
    return _fit("logit", formula, data, weights=weights, weight_kind=weight_kind, vcov=vcov, cluster=cluster,
                conf_level=conf_level)


def probit(
    formula: str,
    data: pd.DataFrame,
    *,
    weights: str | None = None,
    weight_kind: str = "freq",
    vcov: str = "classical",
    cluster: str | None = None,
    conf_level: float = 0.95,
) -> EstimationResult:
    """Binary probit by Newton-Raphson with analytic derivatives.

    Parameters
    ----------
    formula : str
        ``"y ~ x1 + x2"`` with ``y`` coded 0/1.
    data : pandas.DataFrame
    weights, weight_kind, vcov, cluster, conf_level
        As in :func:`ols`.

    Returns
    -------
    EstimationResult

    Raises
    ------
    SeparationError, ConvergenceError, SingularDesignError, UnsupportedOptionError, EstimationError

    Notes
    -----
    P(y=1|x) = Φ(x′β).  Matches Stata ``probit`` and R ``glm(family=binomial("probit"))``.

    Examples
    --------
    >>> import numpy as np, pandas as pd, flexemp
    >>> rng = np.random.default_rng(3)
    >>> df = pd.DataFrame({"x": rng.normal(size=4000)})
    >>> df["y"] = (rng.normal(size=4000) < -0.2 + 0.8 * df["x"]).astype(int)
    >>> round(float(flexemp.probit("y ~ x", df).params["x"]), 1)
    0.8
    """
    return _fit("probit", formula, data, weights=weights, weight_kind=weight_kind, vcov=vcov, cluster=cluster,
                conf_level=conf_level)


def oprobit(
    formula: str,
    data: pd.DataFrame,
    *,
    weights: str | None = None,
    weight_kind: str = "freq",
    vcov: str = "classical",
    cluster: str | None = None,
    conf_level: float = 0.95,
) -> EstimationResult:
    """Ordered probit (Stata's parametrisation: no intercept, cutpoints ``cut1`` … ``cutK-1``).

    Parameters
    ----------
    formula : str
        ``"y ~ x1 + x2"`` with ``y`` an ordered outcome (any numeric codes; at least 3 levels).
    data : pandas.DataFrame
    weights, weight_kind, vcov, cluster, conf_level
        As in :func:`ols`.

    Returns
    -------
    EstimationResult
        Slopes then cutpoints; ``outcome_levels`` lists the outcome's codes.

    Raises
    ------
    ConvergenceError, SingularDesignError, UnsupportedOptionError, EstimationError

    Notes
    -----
    P(y ≤ j | x) = Φ(cut_j − x′β).  Matches Stata ``oprobit`` and R
    ``MASS::polr(method="probit")`` (whose ``zeta`` are the cutpoints).  Unlike
    statsmodels' OrderedModel, weights are honoured.

    Examples
    --------
    >>> import numpy as np, pandas as pd, flexemp
    >>> rng = np.random.default_rng(4)
    >>> df = pd.DataFrame({"x": rng.normal(size=3000)})
    >>> df["y"] = np.digitize(0.7 * df["x"] + rng.normal(size=3000), [-1.0, 0.0, 1.0]) + 1
    >>> res = flexemp.oprobit("y ~ x", df)
    >>> round(float(res.params["x"]), 1), list(res.params.index)
    (0.7, ['x', 'cut1', 'cut2', 'cut3'])
    """
    return _fit("oprobit", formula, data, weights=weights, weight_kind=weight_kind, vcov=vcov, cluster=cluster,
                conf_level=conf_level)


def ologit(
    formula: str,
    data: pd.DataFrame,
    *,
    weights: str | None = None,
    weight_kind: str = "freq",
    vcov: str = "classical",
    cluster: str | None = None,
    conf_level: float = 0.95,
) -> EstimationResult:
    """Ordered logit (Stata's parametrisation: no intercept, cutpoints ``cut1`` … ``cutK-1``).

    Parameters
    ----------
    formula : str
        ``"y ~ x1 + x2"`` with ``y`` an ordered outcome (at least 3 levels).
    data : pandas.DataFrame
    weights, weight_kind, vcov, cluster, conf_level
        As in :func:`ols`.

    Returns
    -------
    EstimationResult

    Raises
    ------
    ConvergenceError, SingularDesignError, UnsupportedOptionError, EstimationError

    Notes
    -----
    P(y ≤ j | x) = Λ(cut_j − x′β).  Matches Stata ``ologit`` and R ``MASS::polr(method="logistic")``.

    Examples
    --------
    >>> import numpy as np, pandas as pd, flexemp
    >>> rng = np.random.default_rng(5)
    >>> df = pd.DataFrame({"x": rng.normal(size=3000)})
    >>> df["y"] = np.digitize(df["x"] + rng.logistic(size=3000), [-1.0, 1.0])
    >>> round(float(flexemp.ologit("y ~ x", df).params["x"]), 1)
    1.0
    """
    return _fit("ologit", formula, data, weights=weights, weight_kind=weight_kind, vcov=vcov, cluster=cluster,
                conf_level=conf_level)


def mlogit(
    formula: str,
    data: pd.DataFrame,
    *,
    weights: str | None = None,
    weight_kind: str = "freq",
    vcov: str = "classical",
    cluster: str | None = None,
    base: Any = None,
    conf_level: float = 0.95,
) -> EstimationResult:
    """Multinomial logit with a choosable base outcome.

    Parameters
    ----------
    formula : str
        ``"y ~ x1 + x2"`` with ``y`` a categorical outcome (numeric codes, at least 3 levels).
    data : pandas.DataFrame
    weights, weight_kind, vcov, cluster, conf_level
        As in :func:`ols`.
    base : outcome code, optional
        The base (reference) outcome; default the lowest code (as R's
        ``multinom``; Stata's default is the most frequent outcome — pass it to match).

    Returns
    -------
    EstimationResult
        Terms named ``"<outcome>:<regressor>"`` for each non-base outcome.

    Raises
    ------
    ConvergenceError, SingularDesignError, UnsupportedOptionError, EstimationError

    Notes
    -----
    P(y=j|x) = exp(x′β_j) / Σ_m exp(x′β_m), β_base = 0.  Matches Stata
    ``mlogit, baseoutcome()`` and R ``nnet::multinom``.

    Examples
    --------
    >>> import numpy as np, pandas as pd, flexemp
    >>> rng = np.random.default_rng(6)
    >>> x = rng.normal(size=5000)
    >>> u = rng.gumbel(size=(5000, 3)) + np.column_stack([0 * x, 0.5 + x, -0.5 - x])
    >>> df = pd.DataFrame({"x": x, "y": u.argmax(axis=1) + 1})
    >>> res = flexemp.mlogit("y ~ x", df, base=1)
    >>> round(float(res.params["2:x"]), 1), round(float(res.params["3:x"]), 1)
    (1.0, -1.0)
    """
    return _fit("mlogit", formula, data, weights=weights, weight_kind=weight_kind, vcov=vcov, cluster=cluster,
                base=base, conf_level=conf_level)
