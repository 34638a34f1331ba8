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


# ---------------------------------------------------------------- the questionnaires as collected
# Seed 001: "共回收 103 份问卷，剔除关键变量缺失以及无效问卷共 3 份，最后获得有效样本 100 份".
SEED_COLLECTED, SEED_VALID = 103, 100


@pytest.mark.parametrize(("n", "seed"), [(None, None), (40, 9)])
def test_collected_appends_three_invalid_rows_to_the_unchanged_valid_ones(ds, n, seed) -> None:
    valid = ds.generate(n=n, seed=seed)
    both = ds.generate(n=n, seed=seed, collected=True)
    m = len(valid)
    assert len(both) == m + rs.N_INVALID == m + len(rs.INVALID_DEFECTS)
    # the valid rows are identical (only columns holding an empty answer become nullable Int64)
    head = both.iloc[:m]
    pd.testing.assert_frame_equal(head.astype(valid.dtypes), valid)
    nullable = [c for c in both.columns if str(both[c].dtype) == "Int64"]
    assert set(nullable) == {c for c in both.columns if both[c].isna().any()}
    assert "unwilling" in nullable and len(nullable) == 2
    bad = both.iloc[m:].reset_index(drop=True)
    width = max(4, len(str(m)))
    assert bad["resp_id"].tolist() == [f"RS{k:0{width}d}" for k in range(m + 1, m + 4)]
    assert both["resp_id"].is_unique
    answered = bad[list(rs.COVARIATES)].notna()
    # 1: willingness unanswered, every personal characteristic answered
    assert pd.isna(bad.loc[0, "unwilling"]) and answered.loc[0].all()
    # 2: willingness answered, exactly one personal characteristic missing
    assert pd.notna(bad.loc[1, "unwilling"]) and (~answered.loc[1]).sum() == 1
    # 3: a complete resubmission from a valid respondent's phone, with other answers
    assert bad.loc[2, list(rs.TABLE1)].notna().all()
    original = valid[valid["phone"] == bad.loc[2, "phone"]]
    assert len(original) == 1
    assert original["name"].iloc[0] == bad.loc[2, "name"]
    assert int(original["unwilling"].iloc[0]) != int(bad.loc[2, "unwilling"])
    # the first two are new respondents; answers are valid codes
    assert not set(bad.loc[:1, "phone"]) & set(valid["phone"])
    for v, counts in TABLE1_PUBLISHED.items():
        assert set(bad[v].dropna().astype(int)) <= set(counts), v


def test_collected_default_matches_the_seed_counts(ds) -> None:
    both = ds.generate(collected=True)
    assert (len(both), len(ds.generate())) == (SEED_COLLECTED, SEED_VALID)
    meta = ds.codebook().meta
    assert (meta["n_collected"], meta["n_valid"]) == (SEED_COLLECTED, SEED_VALID)


def test_collected_is_deterministic_and_chunks_agree(ds) -> None:
    a = ds.generate(collected=True)
    pd.testing.assert_frame_equal(a, ds.generate(collected=True))
    parts = list(ds.chunks(collected=True))
    assert [len(p) for p in parts] == [SEED_VALID, rs.N_INVALID]
    assert all(list(p.dtypes) == list(parts[0].dtypes) for p in parts)  # one schema for streaming
    other = ds.generate(seed=ds.default_seed + 1, collected=True)
    assert not a.iloc[SEED_VALID:].reset_index(drop=True).equals(other.iloc[SEED_VALID:].reset_index(drop=True))


def test_builtin_rules_remove_exactly_the_three_invalid_rows(ds) -> None:
    from flexemp.demo import demo_rules_path
    from flexemp.ingest.validate import validate
    from flexemp.screening.flow import screen
    from flexemp.screening.rules import load_rules

    cb = ds.codebook()
    both = ds.generate(collected=True)
    vd = validate(both, cb)
    assert len(vd.quarantine) == 0  # an unanswered question is the screening's business
    res = screen(vd.data, cb, load_rules(demo_rules_path("riders_shanghai"), cb))
    assert [(s.n_before, s.n_excluded, s.n_after) for s in res.flow] == [(103, 1, 102), (102, 1, 101), (101, 1, 100)]
    kept = vd.data.loc[res.kept.to_numpy(bool), "resp_id"]
    assert kept.tolist() == ds.generate()["resp_id"].tolist()


def test_collected_on_a_dataset_without_invalid_rows_is_the_valid_sample() -> None:
    pw = get_dataset("platform_workers")
    assert pw.n_invalid == 0
    pd.testing.assert_frame_equal(pw.generate(n=50, collected=True), pw.generate(n=50))


def test_collected_must_be_a_bool(ds) -> None:
    from flexemp.core.errors import FlexempError

    with pytest.raises(FlexempError, match="collected must be True or False"):
        ds.generate(collected="yes")
