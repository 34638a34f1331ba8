"""OLS / WLS kernel: closed forms, replication of frequency weights, collinearity refusals."""

from __future__ import annotations

import numpy as np
import pytest

from flexemp.core.errors import EstimationError, SingularDesignError
from flexemp.models._numerics.linear import collinear_columns, fit_ols, ols_scores

#: QR vs normal equations on a well-conditioned design agree to round-off.
RTOL_CLOSED_FORM = 1e-10


def _design(seed: int, n: int = 500) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = np.column_stack(
        [np.ones(n), rng.normal(size=n), rng.integers(0, 2, n), rng.uniform(18, 65, n)]
    )
    y = X @ np.array([1.0, 0.5, -2.0, 0.03]) + rng.normal(size=n)
    return y, X


def test_ols_matches_normal_equations() -> None:
    y, X = _design(1)
    fit = fit_ols(y, X)
    beta = np.linalg.solve(X.T @ X, X.T @ y)
    np.testing.assert_allclose(fit.params, beta, rtol=RTOL_CLOSED_FORM)
    np.testing.assert_allclose(fit.xtwx_inv, np.linalg.inv(X.T @ X), rtol=RTOL_CLOSED_FORM)
    np.testing.assert_allclose(fit.fitted, X @ beta, rtol=RTOL_CLOSED_FORM)
    np.testing.assert_allclose(fit.resid, y - X @ beta, rtol=1e-8, atol=1e-12)
    assert fit.ssr == pytest.approx(float(np.sum((y - X @ beta) ** 2)), rel=RTOL_CLOSED_FORM)
    assert (fit.nobs, fit.df_resid, fit.rank) == (500.0, 496.0, 4)


def test_wls_matches_closed_form_and_replicated_rows() -> None:
    y, X = _design(2, n=300)
    w = np.random.default_rng(3).integers(1, 5, 300).astype(float)
    fit = fit_ols(y, X, w)
    W = np.diag(w)
    np.testing.assert_allclose(
        fit.params, np.linalg.solve(X.T @ W @ X, X.T @ W @ y), rtol=RTOL_CLOSED_FORM
    )
    rep = np.repeat(np.arange(300), w.astype(int))
    big = fit_ols(y[rep], X[rep])
    np.testing.assert_allclose(fit.params, big.params, rtol=RTOL_CLOSED_FORM)
    np.testing.assert_allclose(fit.xtwx_inv, big.xtwx_inv, rtol=RTOL_CLOSED_FORM)
    assert fit.ssr == pytest.approx(big.ssr, rel=RTOL_CLOSED_FORM)
    assert fit.nobs == big.nobs == w.sum()
    assert fit.df_resid == big.df_resid


def test_ols_row_order_invariance() -> None:
    y, X = _design(4)
    perm = np.random.default_rng(5).permutation(len(y))
    np.testing.assert_allclose(
        fit_ols(y[perm], X[perm]).params, fit_ols(y, X).params, rtol=RTOL_CLOSED_FORM
    )


def test_rank_deficiency_names_the_later_column() -> None:
    y, X = _design(6)
    Xbad = np.column_stack([X, X[:, 1] + 2 * X[:, 2]])  # column 4 = x1 + 2·x2
    with pytest.raises(SingularDesignError, match="rank deficient") as info:
        fit_ols(y, Xbad)
    assert info.value.columns == (4,)
    assert "column index 4" in str(info.value)


def test_dummy_trap_and_zero_column() -> None:
    rng = np.random.default_rng(7)
    g = rng.integers(0, 3, 200)
    X = np.column_stack([np.ones(200), g == 0, g == 1, g == 2, np.zeros(200)]).astype(float)
    assert collinear_columns(X) == (3, 4)
    # a column that is collinear only among positive-weight rows
    x = rng.normal(size=200)
    z = x.copy()
    z[:5] += 1.0
    w = np.ones(200)
    w[:5] = 0.0
    Xw = np.column_stack([np.ones(200), x, z])
    assert collinear_columns(Xw) == ()
    assert collinear_columns(Xw, w) == (2,)
    assert collinear_columns(np.column_stack([x, 2 * x + 1]), prepend_constant=True) == (1,)


def test_badly_scaled_but_full_rank_design_is_accepted() -> None:
    rng = np.random.default_rng(8)
    n = 400
    age = rng.uniform(18, 65, n)
    X = np.column_stack(
        [np.ones(n), age, age**2, 1e6 * rng.normal(size=n), 1e-6 * rng.normal(size=n)]
    )
    y = rng.normal(size=n)
    fit = fit_ols(y, X)
    np.testing.assert_allclose(fit.params, np.linalg.lstsq(X, y, rcond=None)[0], rtol=1e-7)


def test_ols_scores() -> None:
    y, X = _design(9, n=50)
    fit = fit_ols(y, X)
    S = ols_scores(X, fit.resid)
    np.testing.assert_allclose(S, X * fit.resid[:, None], rtol=RTOL_CLOSED_FORM)
    np.testing.assert_allclose(S.sum(axis=0), 0.0, atol=1e-8)  # normal equations
    w = np.arange(1.0, 51.0)
    np.testing.assert_allclose(ols_scores(X, fit.resid, w), X * (w * fit.resid)[:, None])
    with pytest.raises(EstimationError, match="resid must have shape"):
        ols_scores(X, fit.resid[:-1])


def test_refusals() -> None:
    y, X = _design(10, n=20)
    with pytest.raises(EstimationError, match="non-negative"):
        fit_ols(y, X, -np.ones(20))
    Xn = X.copy()
    Xn[3, 1] = np.nan
    with pytest.raises(EstimationError, match="non-finite values in 1 rows"):
        fit_ols(y, Xn)
    with pytest.raises(EstimationError, match="no residual degrees of freedom"):
        fit_ols(y[:4], X[:4])
