"""Tests of the ``internet_flex_finance`` synthetic dataset (seed 003_9e916f57485e7e2c.txt)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from flexemp.synth import get_dataset
from flexemp.synth import internet_flex_finance as iff

#: Fitted coefficients at n = 100,000 must lie within this many SEs of the truth.
N_SE = 4.0
#: Calibrated group percentages must be within this many points of the published ones
#: (largest design deviation 1.7 points, savings >= 3000; sampling SD at n = 200,000 < 0.2 points).
PCT_TOL = 2.0

# Published group percentages, (stable, flexible), from the text of 003_9e916f57485e7e2c.txt
# (第四节/第五节, charts 图1-图26).  Each entry: (column, predicate, stable %, flexible %).
PUBLISHED = [
    ("education", lambda s: s <= 2, 11, 21),  # 初中及以下 11% vs 21% (图1)
    ("education", lambda s: s == 3, None, 36),  # flexible peak 高中/中专 36%
    ("education", lambda s: s == 5, 30, None),  # stable peak 本科 30%
    ("age", lambda s: s == 2, 61, 54),  # 21-30岁 (图3)
    ("sex", lambda s: s == 0, 44, 48),  # women (图4)
    ("job_hops", lambda s: s == 4, 23, 33),  # 三次以上 (图10)
    ("job_hops", lambda s: s == 1, 38, 30),  # 没有跳槽 (图10)
    ("income_stability", lambda s: s == 1, 7, 23),  # 非常不稳定 (图12)
    ("income", lambda s: s == 1, 6, 18),  # < 3000 (text prints 300) (图14)
    ("income", lambda s: s >= 4, 35, 22),  # > 8000 (图14)
    ("risks_4", lambda s: s == 1, 13, 28),  # 失业 (图15)
    ("risks_3", lambda s: s == 1, 31, 47),  # 意外事故 (图15)
    ("credit_constraint", lambda s: s == 1, 52, 69),  # 图16
    ("debt", lambda s: s > 1, 53, 63),  # 有负债 (图19)
    ("commercial_ins", lambda s: s == 0, 7, 20),  # 没有购买任何商业保险
    ("insurance_cost", lambda s: s >= 4, 54, 43),  # > 3000 元/年 (图25)
    ("savings", lambda s: s >= 3, 89, 79),  # >= 1000 元/月 (图26)
    ("savings", lambda s: s >= 4, 70, 49),  # >= 3000 元/月 (图26)
    ("savings", lambda s: s >= 2, None, 97),  # 有储蓄习惯
    ("finance_exp", lambda s: s == 1, 84, 78),  # 理财经验
    ("social_ins", lambda s: s == 1, None, 85),
    ("fixed_hours", lambda s: s == 0, None, 60),  # 上下班时间不固定 (图9)
]
# Multi-select shares published for flexible workers among those asked (图5, 图11, 图17).
PUBLISHED_FLEX_OPTIONS = {
    "flex_reasons_1": 38,
    "flex_reasons_2": 38,
    "hop_reasons_1": 42,
    "hop_reasons_2": 38,
    "hop_reasons_3": 33,
    "hop_reasons_4": 27,
    "hop_reasons_5": 23,
    "constraint_reasons_1": 33,
    "constraint_reasons_2": 25,
    "constraint_reasons_3": 12,
    "constraint_reasons_4": 23,
    "constraint_reasons_5": 22,
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
    return get_dataset("internet_flex_finance")


@pytest.fixture(scope="module")
def big(ds) -> pd.DataFrame:
    return ds.generate(n=200_000, seed=7)


def test_deterministic_and_seed_sensitive(ds) -> None:
    a = ds.generate()
    pd.testing.assert_frame_equal(a, ds.generate())
    assert not a["credit_constraint"].equals(ds.generate(seed=1)["credit_constraint"])


def test_columns_codes_and_skip_logic(ds) -> None:
    cb = ds.codebook()
    df = ds.generate()
    assert list(df.columns) == [c for v in cb.variables for c in v.source_columns]
    for v in cb.variables:
        if v.type == "multiselect":
            vals = df[list(v.source_columns)].to_numpy().ravel()
            assert set(np.unique(vals[~np.isnan(vals)])) <= {0.0, 1.0}, v.name
        elif v.codes:
            assert set(df[v.name].unique()) <= set(v.code_values), v.name
    asked = {
        "flex_reasons_1": df["flexible"] == 1,
        "hop_reasons_1": df["job_hops"] > 1,
        "constraint_reasons_1": df["credit_constraint"] == 1,
        "debt_types_1": df["debt"] > 1,
        "no_si_reasons_1": df["social_ins"] == 0,
        "risks_1": pd.Series(True, index=df.index),
    }
    for col, mask in asked.items():
        assert df[col].notna().equals(mask), col
    assert df["phone"].str.fullmatch(r"1[3-9]\d{9}").all()
    assert df["resp_id"].is_unique


def test_group_sizes_exact(ds, monkeypatch: pytest.MonkeyPatch) -> None:
    assert (ds.generate()["flexible"].value_counts().to_dict()) == {1: 2110, 0: 2519}
    # other n keep the ratio: 1000 * 2110 / 4629 = 455.82 -> 456
    assert ds.generate(n=1000, seed=2)["flexible"].sum() == 456
    monkeypatch.setattr(iff, "CHUNK_ROWS", 1000)
    parts = list(ds.chunks())
    assert max(len(p) for p in parts) == 1000
    assert sum(int(p["flexible"].sum()) for p in parts) == 2110


@pytest.mark.parametrize(("col", "pred", "stable", "flex"), PUBLISHED)
def test_group_percentages_match_published(big, col, pred, stable, flex) -> None:
    pct = big.groupby("flexible")[col].apply(lambda s: 100 * pred(s.dropna()).mean())
    if stable is not None:
        assert abs(pct[0] - stable) < PCT_TOL
    if flex is not None:
        assert abs(pct[1] - flex) < PCT_TOL


def test_multiselect_shares_match_published(big) -> None:
    flex = big[big["flexible"] == 1]
    for col, target in PUBLISHED_FLEX_OPTIONS.items():
        assert abs(100 * flex[col].mean() - target) < PCT_TOL, col  # mean over those asked
    # 图20: 21% of flexible and 11% of stable workers hold consumer loans (share of the whole group)
    share = big.groupby("flexible")["debt_types_3"].apply(lambda s: 100 * s.fillna(0).mean())
    assert abs(share[1] - 21) < PCT_TOL and abs(share[0] - 11) < PCT_TOL


def test_group_differences_have_reported_directions_at_default_n(ds) -> None:
    m = ds.generate().groupby("flexible").mean(numeric_only=True)
    higher_for_flexible = [
        "debt",
        "risks_1",
        "risks_2",
        "risks_3",
        "risks_4",
        "risks_5",
        "credit_constraint",
        "channels_1",
        "channels_2",
        "channels_3",
        "channels_4",
        "channels_5",
    ]
    lower_for_flexible = [
        "education",
        "income",
        "sex",
        "income_stability",
        "savings",
        "insurance_cost",
        "finance_exp",
        "commercial_ins",
        "social_ins",
    ]
    for col in higher_for_flexible:
        assert m.loc[1, col] > m.loc[0, col], col
    for col in lower_for_flexible:
        assert m.loc[1, col] < m.loc[0, col], col
    d = ds.generate()
    hours = pd.crosstab(d["flexible"], d["hours"], normalize="index")
    assert (
        hours.loc[1, 1] > hours.loc[0, 1] and hours.loc[1, 5] > hours.loc[0, 5]
    )  # 4-6 h and 12 h+
    assert (hours.idxmax(axis=1) == 3).all()  # both peak at 8-10 h (图7)


def test_table4_truth_recovered(ds) -> None:
    df = ds.generate(n=100_000, seed=11)
    truth = ds.truth["table4_logit"]
    cols = [np.ones(len(df))] + [df[v] for v in iff.TILT]
    names = ["const", *iff.TILT]
    for var in iff.FLEX_CATEGORICAL:
        for k in iff.CODES[var][1:]:
            cols.append((df[var] == k).astype(float))
            names.append(f"{var}_{k}")
    b, se = _logit(np.column_stack(cols).astype(float), df["flexible"].to_numpy(float))
    true = np.array([truth[t] for t in names])
    assert np.all(np.abs(b - true) < N_SE * se), dict(zip(names, b - true, strict=True))
    # Slopes have the signs of Table 4 (region -.072, sex -.010, education -.267, ...).
    table4 = {
        "region": -0.072,
        "sex": -0.010,
        "education": -0.267,
        "insurance_cost": -0.060,
        "career_plan": -1.141,
        "expenditure": -0.046,
        "debt": 0.260,
        "savings": -0.110,
        "finance_exp": -0.391,
    }
    assert all(np.sign(truth[k]) == np.sign(v) for k, v in table4.items())


def test_table4_tilt_closed_form() -> None:
    # finance_exp: logit(.78) - logit(.84) = log(.78/.22) - log(.84/.16)
    assert iff.TILT["finance_exp"] == pytest.approx(
        np.log(0.78 / 0.22) - np.log(0.84 / 0.16), abs=1e-6
    )
    assert iff.TILT["sex"] == pytest.approx(np.log(0.52 / 0.48) - np.log(0.56 / 0.44), abs=1e-6)


def test_table6_truth_recovered(ds) -> None:
    df = ds.generate(n=100_000, seed=13)
    flex = df[df["flexible"] == 1]
    X = np.column_stack([np.ones(len(flex))] + [flex[v] for v in iff.TABLE6]).astype(float)
    b, se = _logit(X, flex["credit_constraint"].to_numpy(float))
    true = np.array([iff.CONSTRAINT_INTERCEPT[1], *iff.TABLE6.values()])
    assert np.all(np.abs(b - true) < N_SE * se), b - true
    assert iff.TABLE6["finance_exp"] < 0  # the printed coefficient, not its sign-flipped CI


@pytest.mark.parametrize(("group", "share"), [(0, 0.52), (1, 0.69)])
def test_constraint_intercepts_give_published_shares(group: int, share: float) -> None:
    assert iff.constraint_share(group) == pytest.approx(share, abs=1e-5)
