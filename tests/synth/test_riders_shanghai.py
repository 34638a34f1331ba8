"""Tests of the ``riders_shanghai`` synthetic dataset (seed 001_6c569fc02ac592aa.txt)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from flexemp.synth import get_dataset
from flexemp.synth import riders_shanghai as rs

#: Coefficients of a logit fitted at n = 100,000 must lie within this many SEs of the truth.
N_SE = 4.0

# Table 1 of 001_6c569fc02ac592aa.txt (表1 样本描述性统计): frequency per option, by Table 2 code.
TABLE1_PUBLISHED = {
    "unwilling": {0: 49, 1: 51},
    "sex": {1: 69, 2: 31},
    "hukou": {1: 61, 2: 39},
    "age_group": {1: 21, 2: 64, 3: 15},
    "married": {1: 41, 2: 59},
    "education": {1: 6, 2: 32, 3: 45, 4: 16, 5: 1},
    "health": {1: 8, 2: 29, 3: 29, 4: 22, 5: 12},
    "work_time": {1: 49, 2: 51},
    "knowledge": {1: 18, 2: 28, 3: 24, 4: 20, 5: 10},
    "publicity": {1: 24, 2: 28, 3: 31, 4: 13, 5: 4},
}


def _logit(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    b = np.zeros(X.shape[1])
    for _ in range(100):
        p = expit(X @ b)
        H = (X * (p * (1 - p))[:, None]).T @ X
        step = np.linalg.solve(H, X.T @ (y - p))
        b += step
        if np.abs(step).max() < 1e-10:
            break
    return b, np.sqrt(np.diag(np.linalg.inv(H)))


@pytest.fixture(scope="module")
def ds():
    return get_dataset("riders_shanghai")


def test_deterministic_and_seed_sensitive(ds) -> None:
    a, b = ds.generate(), ds.generate()
    pd.testing.assert_frame_equal(a, b)
    c = ds.generate(seed=ds.default_seed + 1)
    assert not a["unwilling"].equals(c["unwilling"])


def test_columns_follow_codebook_and_codes(ds) -> None:
    cb = ds.codebook()
    df = ds.generate(n=1_000, seed=3)
    expected = [col for v in cb.variables for col in v.source_columns]
    assert list(df.columns) == expected
    for v in cb.variables:
        if v.codes:
            assert set(df[v.name].unique()) <= set(v.code_values), v.name
    assert df["resp_id"].is_unique
    assert df["phone"].str.fullmatch(r"1[3-9]\d{9}").all()
    assert df["name"].str.len().between(2, 3).all()
    assert {v.name for v in cb.variables if v.pii == "direct"} == {"name", "phone"}


def test_table1_frequencies_exact_at_default_n(ds) -> None:
    df = ds.generate()
    assert len(df) == 100
    for var, freq in TABLE1_PUBLISHED.items():
        assert df[var].value_counts().to_dict() == freq, var


def test_table2_means_follow_table1() -> None:
    # Table 2 means that agree with Table 1 (e.g. sex 1.31 = (69*1 + 31*2)/100, education 2.74).
    df = get_dataset("riders_shanghai").generate()
    for var, mean in {
        "sex": 1.31,
        "hukou": 1.39,
        "age_group": 1.94,
        "education": 2.74,
        "health": 3.01,
        "work_time": 1.51,
        "knowledge": 2.76,
        "publicity": 2.45,
    }.items():
        assert df[var].mean() == pytest.approx(mean, abs=1e-12), var
    # The seed's Table 2 prints 0.59 for willingness and 1.41 for marriage; Table 1 implies 0.51 and 1.59.
    assert df["unwilling"].mean() == pytest.approx(0.51, abs=1e-12)
    assert df["married"].mean() == pytest.approx(1.59, abs=1e-12)


@pytest.mark.parametrize("n", [7, 33, 250, 1234])
def test_other_n_uses_largest_remainder(ds, n: int) -> None:
    df = ds.generate(n=n, seed=11)
    for var, freq in TABLE1_PUBLISHED.items():
        got = df[var].value_counts().reindex(list(freq), fill_value=0).to_numpy()
        quota = np.array(list(freq.values())) * n / 100
        assert got.sum() == n
        assert np.all(np.abs(got - quota) < 1), var  # floor or ceil of each quota


def test_scaled_counts_closed_form() -> None:
    # quotas 4.9 / 5.1 at n = 10: floors 4 / 5, the one spare row goes to the larger remainder (0.9).
    assert rs.scaled_counts({0: 49, 1: 51}, 10) == {0: 5, 1: 5}
    # education at n = 50: quotas 3, 16, 22.5, 8, 0.5 → floors 3, 16, 22, 8, 0; tie of .5 goes to code 3.
    assert rs.scaled_counts(TABLE1_PUBLISHED["education"], 50) == {1: 3, 2: 16, 3: 23, 4: 8, 5: 0}


def test_default_sample_reproduces_table3_signs(ds) -> None:
    df = ds.generate()
    X = np.column_stack([np.ones(len(df))] + [df[v] for v in rs.COVARIATES]).astype(float)
    b, _ = _logit(X, df["unwilling"].to_numpy(float))
    published = {
        "knowledge": -0.011,
        "publicity": -0.217,
        "work_time": -0.106,
        "health": 0.111,
        "education": -1.132,
        "married": 1.296,
        "age_group": -0.092,
        "hukou": 0.886,
        "sex": 1.166,
    }
    assert np.array_equal(np.sign(b[1:]), np.sign([published[v] for v in rs.COVARIATES]))


def test_truth_recovered_at_large_n(ds) -> None:
    df = ds.generate(n=100_000, seed=5)
    X = np.column_stack([np.ones(len(df))] + [df[v] for v in rs.COVARIATES]).astype(float)
    b, se = _logit(X, df["unwilling"].to_numpy(float))
    truth = ds.truth["logit"]
    true = np.array([truth["const"]] + [truth[v] for v in rs.COVARIATES])
    assert np.all(np.abs(b - true) < N_SE * se), (b, true, se)
    # The covariates are independent by construction: their sample correlations are O(1/sqrt(n)).
    corr = np.corrcoef(X[:, 1:], rowvar=False)
    assert np.abs(corr[np.triu_indices(len(rs.COVARIATES), 1)]).max() < 0.02


def test_true_intercept_matches_the_outcome_share() -> None:
    # E[F(alpha + x'beta)] = 0.51, checked by Monte Carlo over independent Table 1 covariates.
    rng = np.random.default_rng(0)
    m = 400_000
    xb = np.full(m, rs.true_intercept())
    for v in rs.COVARIATES:
        codes = np.array(list(TABLE1_PUBLISHED[v]))
        p = np.array(list(TABLE1_PUBLISHED[v].values())) / 100
        xb += rs.BETA[v] * rng.choice(codes, size=m, p=p)
    assert expit(xb).mean() == pytest.approx(0.51, abs=0.003)
