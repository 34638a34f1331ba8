"""Tests of the ``flex_sentiment`` synthetic dataset (seed 004_5a41a714afd4be76.txt).

The published figures below are copied from the seed document (灵活就业群体调查暨 2022 年
二季度灵活就业景气指数报告), independently of ``flex_sentiment_targets``, so a typo in
the targets module fails here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from flexemp.codebook import load_codebook
from flexemp.ingest.validate import validate
from flexemp.synth import CHUNK_ROWS, get_dataset
from flexemp.synth import flex_sentiment as fs

#: Published shares are whole percentages whose rows sum to 99-101%; allowed gap in points.
TOL_PP = 1.0
#: Published diffusion indices have one decimal; allowed gap in index points.
TOL_INDEX = 1.0

OCC = ("生产制造工人", "线下生活服务业人员", "建筑工人", "个体户和企业管理人员", "物流运输人员",
       "销售业务员", "平台接单人员", "在线服务人员", "财务文员", "务农人员", "其他")  # fmt: skip
IND = ("农林牧渔业", "采矿业", "制造业", "建筑业", "服务业")
# 004_5a41a714afd4be76.txt, 表 1 (年龄分布, %): 16-20, 21-30, 31-40, 41-50, 51-60, 60+, mean.
TABLE1 = {
    "在线服务人员": (44, 11, 37, 4, 4, 0, 27.9), "线下生活服务业人员": (30, 6, 38, 19, 7, 1, 33.3),
    "财务文员": (19, 13, 47, 10, 11, 0, 34.0), "生产制造工人": (16, 8, 55, 17, 3, 0, 34.2),
    "销售业务员": (14, 7, 53, 19, 6, 0, 35.5), "平台接单人员": (19, 3, 45, 28, 5, 0, 35.7),
    "个体户和企业管理人员": (8, 8, 60, 18, 6, 1, 36.5), "其他": (14, 8, 47, 20, 11, 0, 36.7),
    "建筑工人": (5, 7, 60, 21, 7, 0, 37.3), "物流运输人员": (4, 6, 61, 22, 6, 0, 37.5),
    "务农人员": (3, 5, 48, 21, 19, 4, 41.5),
}  # fmt: skip
# 同上, 表 3 (每周工作时长, %): <30, 30-40, 40-50, 50-60, 60+, mean (hours).
TABLE3 = {
    "在线服务人员": (11, 24, 28, 16, 20, 46.0), "财务文员": (12, 12, 39, 20, 17, 46.7),
    "销售业务员": (8, 15, 25, 21, 32, 50.3), "个体户和企业管理人员": (9, 14, 23, 23, 32, 50.5),
    "务农人员": (11, 11, 20, 25, 33, 50.9), "其他": (10, 10, 20, 24, 35, 51.4),
    "线下生活服务业人员": (5, 10, 18, 24, 43, 53.8), "生产制造工人": (5, 8, 19, 27, 41, 54.3),
    "物流运输人员": (3, 12, 17, 25, 44, 54.6), "建筑工人": (4, 8, 16, 29, 43, 54.8),
    "平台接单人员": (5, 7, 15, 19, 54, 56.2),
}  # fmt: skip
# 同上, 表 4 (每月收入, %): <2000, 2000-5000, 5000-8000, 8000-2万, 2万+, mean (yuan).
TABLE4 = {
    "个体户和企业管理人员": (2, 14, 35, 44, 5, 10170), "建筑工人": (4, 16, 49, 29, 1, 8288),
    "物流运输人员": (4, 23, 43, 28, 1, 7957), "生产制造工人": (4, 29, 45, 22, 1, 7236),
    "平台接单人员": (9, 36, 39, 15, 1, 6246), "务农人员": (22, 36, 22, 19, 2, 5925),
    "在线服务人员": (15, 49, 27, 5, 4, 5275), "销售业务员": (16, 49, 24, 10, 1, 5110),
    "其他": (16, 46, 28, 8, 1, 5094), "线下生活服务业人员": (12, 52, 28, 7, 1, 4992),
    "财务文员": (14, 65, 17, 4, 0, 4014),
}  # fmt: skip
# Interval midpoints printed under 表 1, 3, 4.
MIDPOINTS = {
    "age_band": (18, 25.5, 35.5, 45.5, 55.5, 65),
    "hours_band": (25, 35, 45, 55, 65),
    "income_band": (1000, 3500, 6500, 14000, 25000),
}
# 表 5 (系列景气指数): 就业, 收入, 消费.
TABLE5 = {"2022Q1": (49.8, 56.0, 63.5), "2022Q2": (61.7, 55.0, 63.0)}
# 表 6 (分行业, Q2), columns 农林牧渔业 … 服务业.
TABLE6 = {
    "emp_change": (67.3, 70.8, 58.9, 64.9, 59.7),
    "inc_change": (57.7, 58.6, 52.9, 59.0, 52.9),
    "cons_change": (68.0, 62.0, 61.0, 64.5, 62.0),
}
# 表 7 (分职业, Q2): 就业, 收入, 消费.
TABLE7 = {
    "个体户和企业管理人员": (69.0, 61.5, 66.0), "建筑工人": (63.0, 56.5, 64.5),
    "生产制造工人": (61.5, 56.5, 64.0), "平台接单人员": (61.0, 55.5, 63.5),
    "务农人员": (60.5, 53.0, 63.0), "线下生活服务业人员": (60.5, 53.0, 62.5),
    "在线服务人员": (59.5, 52.0, 61.5), "物流运输人员": (59.0, 52.0, 61.0),
    "其他": (57.5, 51.0, 60.0), "销售业务员": (55.5, 49.0, 58.5), "财务文员": (55.0, 45.5, 49.5),
}  # fmt: skip
# 表 8 (三季度消费预期指数), 农林牧渔业 … 服务业, then 灵活就业总体.
TABLE8 = (66.7, 58.5, 59.6, 63.2, 59.4, 60.9)
# 摘要: 就业预期指数 68.4%, 收入预期指数 68.9%.
EXPECT = {"emp_expect": 68.4, "inc_expect": 68.9}
# 图 26 text (二季度): <1 month 21.4%, 1-3 33.4%, 6-12 9.9%, 12+ 15.8%; mean 4.9 months, Q1 3.2.
SEARCH = {1: 21.4, 2: 33.4, 4: 9.9, 5: 15.8}
SEARCH_MEAN = {"2022Q1": 4.9 - 1.7, "2022Q2": 4.9}
SCORE = {1: 1.0, 2: 0.5, 3: 0.0, 4: -0.5, 5: -1.0}


def _screen(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["age_band"] >= 1]


def _flexible(df: pd.DataFrame) -> pd.DataFrame:
    """The seed's rule: employed, and self-reported flexible or an owner without registration."""
    adults = _screen(df)
    rule = (adults["emp_status"] == 1) & (
        (adults["job_type"] == 2) | ((adults["job_type"] == 3) & (adults["biz_registered"] == 0))
    )
    return adults[rule.fillna(False).astype(bool)]


def _index(s: pd.Series) -> float:
    """Diffusion index 50 + 50 × mean score (section 五 of the seed)."""
    return 50.0 + 50.0 * float(s.astype("float64").map(SCORE).mean())


@pytest.fixture(scope="module")
def q2() -> pd.DataFrame:
    return get_dataset("flex_sentiment").generate()


@pytest.fixture(scope="module")
def q1() -> pd.DataFrame:
    return get_dataset("flex_sentiment").generate(wave="2022Q1")


def test_registered_dataset() -> None:
    ds = get_dataset("flex_sentiment")
    assert (ds.default_n, ds.waves, ds.default_wave) == (26276, ("2022Q1", "2022Q2"), "2022Q2")
    assert ds.seed_document == "004_5a41a714afd4be76.txt"
    assert ds.truth["n_flexible"] == 5894
    assert ds.truth["table6"]["inc_change"]["建筑业"] == 59.0


def test_columns_codes_and_identifiers(q2: pd.DataFrame) -> None:
    cb = get_dataset("flex_sentiment").codebook()
    assert list(q2.columns) == [c for v in cb for c in v.source_columns]
    for v in cb:
        if v.type == "multiselect":
            vals = q2[list(v.source_columns)].stack().dropna().unique()
            assert set(vals) <= {0, 1}, v.name
        elif v.codes:
            vals = set(q2[v.name].dropna().unique().astype(float))
            assert vals <= set(v.code_values), v.name
            if v.required:
                assert q2[v.name].notna().all(), v.name
    assert q2["resp_id"].is_unique
    assert q2["resp_id"].iloc[0] == "FS22Q2-0000001"
    assert q2["phone"].str.fullmatch(r"1[3-9]\d{9}").all()
    assert q2["name"].str.fullmatch(r"[\u4e00-\u9fff]{2,3}").all()
    assert q2["name"].nunique() > 10_000
    assert (q2["duration_sec"] >= 1).all()


def test_raw_frame_passes_ingest_validation(q2: pd.DataFrame) -> None:
    result = validate(q2, get_dataset("flex_sentiment").codebook())
    assert len(result.quarantine) == 0
    assert len(result.data) == len(q2)


def test_codebook_file_loads_and_bands_carry_seed_midpoints() -> None:
    cb = load_codebook(fs.__file__.replace("flex_sentiment.py", "codebooks/flex_sentiment.yaml"))
    for name, mids in MIDPOINTS.items():
        got = cb[name].midpoints()
        assert [got[c] for c in sorted(got) if c >= 1] == list(mids)
    assert [c.label_zh for c in cb["emp_change"].codes] == [
        "变好很多",
        "变好一点",
        "基本不变",
        "变差一点",
        "变差很多",
    ]
    assert [c.label_zh for c in cb["occupation"].codes] == list(OCC)
    assert [c.label_zh for c in cb["industry"].codes] == list(IND)
    assert len(cb["province"].codes) == 31
    assert {v.name for v in cb.direct_identifiers()} == {"name", "phone"}


def test_deterministic_and_seed_dependent() -> None:
    ds = get_dataset("flex_sentiment")
    a = ds.generate(n=3000, seed=5)
    pd.testing.assert_frame_equal(a, ds.generate(n=3000, seed=5))
    b = ds.generate(n=3000, seed=6)
    assert not a["occupation"].equals(b["occupation"])
    c = ds.generate(n=3000, seed=5, wave="2022Q1")
    assert c["resp_id"].iloc[0] == "FS22Q1-0000001"
    assert not set(a["resp_id"]) & set(c["resp_id"])


def test_screening_counts_and_flexible_share(q2: pd.DataFrame, q1: pd.DataFrame) -> None:
    # Section 三: 26,276 questionnaires, 26,252 after dropping under-16s, 5,894 flexible (22.4%).
    assert len(q2) == 26276
    assert int((q2["age_band"] == 0).sum()) == 24
    assert len(_screen(q2)) == 26252
    assert abs(len(_flexible(q2)) - 5894) <= 3
    # 三.3: the Q1 flexible share was 21.0%.
    assert round(100 * len(_flexible(q1)) / len(_screen(q1)), 1) == 21.0
    # 四: among the employed, flexible 24.6%, full-time 60.4%, owners 15.0%.
    emp = _screen(q2)[_screen(q2)["emp_status"] == 1]
    assert abs(100 * len(_flexible(q2)) / len(emp) - 24.6) < 0.1
    assert abs(100 * (emp["job_type"] == 1).mean() - 60.4) < 0.1


def test_proportions_scale_with_n() -> None:
    df = get_dataset("flex_sentiment").generate(n=52552, seed=3)
    assert int((df["age_band"] == 0).sum()) == round(24 * 52552 / 26276)


@pytest.mark.parametrize(
    ("var", "table"), [("age_band", TABLE1), ("hours_band", TABLE3), ("income_band", TABLE4)]
)
def test_distributions_by_occupation(q2: pd.DataFrame, var: str, table: dict) -> None:
    flex = _flexible(q2)
    shares = pd.crosstab(flex["occupation"], flex[var], normalize="index") * 100
    mids = np.asarray(MIDPOINTS[var])
    for name, row in table.items():
        code = OCC.index(name) + 1
        target = np.asarray(row[:-1], dtype=float)
        got = shares.loc[code].reindex(range(1, target.size + 1), fill_value=0.0).to_numpy()
        assert np.abs(got - target).max() <= TOL_PP, (var, name, got.round(1), target)
        # midpoint mean: printed mean ± the 1-point rounding of the shares times the band spread
        assert abs(got @ mids / 100 - row[-1]) <= TOL_PP / 100 * (mids.max() - mids.min()), (
            var,
            name,
        )


@pytest.mark.parametrize("wave", ["2022Q1", "2022Q2"])
def test_overall_indices_table5(q1: pd.DataFrame, q2: pd.DataFrame, wave: str) -> None:
    flex = _flexible(q2 if wave == "2022Q2" else q1)
    got = [_index(flex[q]) for q in ("emp_change", "inc_change", "cons_change")]
    assert np.abs(np.array(got) - TABLE5[wave]).max() <= TOL_INDEX, got


def test_indices_by_industry_table6_and_q1_construction(q1: pd.DataFrame, q2: pd.DataFrame) -> None:
    flex = _flexible(q2)
    for q, target in TABLE6.items():
        got = flex.groupby("industry")[q].apply(_index).reindex(range(1, 6)).to_numpy()
        assert np.abs(got - target).max() <= TOL_INDEX, (q, got.round(1))
    # 五.3: construction income index 59.0% in Q2, "较一季度上升 7.8 个百分点" → 51.2 in Q1;
    # manufacturing and services fell "超过 1 个百分点" to 52.9 → above 53.9 in Q1.
    f1 = _flexible(q1)
    by_ind = f1.groupby("industry")["inc_change"].apply(_index)
    assert abs(by_ind[4] - (59.0 - 7.8)) <= TOL_INDEX
    assert by_ind[3] > 52.9 + 1 and by_ind[5] > 52.9 + 1


def test_indices_by_occupation_table7(q2: pd.DataFrame) -> None:
    flex = _flexible(q2)
    for k, q in enumerate(("emp_change", "inc_change", "cons_change")):
        got = flex.groupby("occupation")[q].apply(_index)
        for name, row in TABLE7.items():
            assert abs(got[OCC.index(name) + 1] - row[k]) <= TOL_INDEX, (
                q,
                name,
                got[OCC.index(name) + 1],
            )


def test_expectation_indices_table8(q2: pd.DataFrame) -> None:
    flex = _flexible(q2)
    got = flex.groupby("industry")["cons_expect"].apply(_index).reindex(range(1, 6)).to_numpy()
    assert np.abs(got - TABLE8[:5]).max() <= TOL_INDEX
    assert abs(_index(flex["cons_expect"]) - TABLE8[5]) <= TOL_INDEX
    for q, target in EXPECT.items():
        assert abs(_index(flex[q]) - target) <= TOL_INDEX, q
    # 表 8 差值: the consumption expectation is below the current index in every industry.
    cur = flex.groupby("industry")["cons_change"].apply(_index)
    assert (flex.groupby("industry")["cons_expect"].apply(_index) < cur).all()


@pytest.mark.parametrize("wave", ["2022Q1", "2022Q2"])
def test_search_duration_of_the_unemployed(q1: pd.DataFrame, q2: pd.DataFrame, wave: str) -> None:
    df = _screen(q2 if wave == "2022Q2" else q1)
    months = df.loc[df["emp_status"] == 2, "search_months"]
    assert months.notna().all()
    assert df.loc[df["emp_status"] != 2, "search_months"].isna().all()
    mids = get_dataset("flex_sentiment").codebook()["search_months"].midpoints()
    assert abs(months.astype(float).map(mids).mean() - SEARCH_MEAN[wave]) <= 0.1
    if wave == "2022Q2":
        share = months.value_counts(normalize=True) * 100
        for code, target in SEARCH.items():
            assert abs(share[code] - target) <= TOL_PP


def test_skip_logic_and_multiselects(q2: pd.DataFrame) -> None:
    employed = q2["emp_status"] == 1
    assert (
        q2.loc[employed, ["occupation", "industry", "hours_band", "income_band"]]
        .notna()
        .all()
        .all()
    )
    assert (
        q2.loc[~employed, ["occupation", "hours_band", "income_band", "difficulty_1"]]
        .isna()
        .all()
        .all()
    )
    improved = q2["cons_change"] <= 2
    reason = q2.loc[improved, [f"cons_reason_{k}" for k in range(1, 7)]]
    assert (reason.sum(axis=1) >= 1).all()
    assert q2.loc[~improved, "cons_reason_1"].isna().all()
    # 图 32 text: 物价上涨 56.7% of those whose spending rose (n ≈ 11,000: 4 SE ≈ 2 points).
    assert abs(100 * reason["cons_reason_1"].mean() - 56.7) <= 2.0


def test_province_over_and_under_representation(q2: pd.DataFrame) -> None:
    # 图 3 text: 广东, 浙江 and 上海 over-represented, 黑龙江, 吉林 and 辽宁 under-represented.
    census = get_dataset("flex_sentiment").truth["province_census_share"]
    names = list(census)
    share = q2["province"].value_counts(normalize=True)
    assert set(share.index) == set(range(1, 32))
    for name in ("广东", "浙江", "上海"):
        assert share[names.index(name) + 1] > 1.3 * census[name]
    for name in ("黑龙江", "吉林", "辽宁"):
        assert share[names.index(name) + 1] < 0.7 * census[name]
    # Figure 1: more than 70% of the sample are men.
    assert (q2["sex"] == 1).mean() > 0.70


def test_chunks_of_a_large_request() -> None:
    n = 1_200_000
    sizes, first_ids, u16 = [], [], 0
    for chunk in get_dataset("flex_sentiment").chunks(n=n, seed=11):
        sizes.append(len(chunk))
        first_ids.append(chunk["resp_id"].iloc[0])
        u16 += int((chunk["age_band"] == 0).sum())
    assert sizes == [CHUNK_ROWS, CHUNK_ROWS, n - 2 * CHUNK_ROWS]
    assert first_ids == ["FS22Q2-0000001", "FS22Q2-0500001", "FS22Q2-1000001"]
    assert u16 == round(24 * n / 26276)


def test_allocation_counts_are_centred_roundings() -> None:
    rng = np.random.default_rng(0)
    strata = rng.integers(0, 3, 1000)
    probs = np.array([[0.2, 0.3, 0.5], [0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3]])
    cat = fs.allocate(strata, probs, rng.standard_normal(1000))
    for s in range(3):
        m = int((strata == s).sum())
        counts = np.bincount(cat[strata == s], minlength=3)
        # closed form: floor(m F_j + 1/2) differences
        edges = np.floor(np.cumsum(probs[s]) * m + 0.5)
        assert counts.tolist() == np.diff(edges, prepend=0).astype(int).tolist()
    # higher keys get higher categories within a stratum
    key = np.arange(10.0)
    assert (
        fs.allocate(np.zeros(10, np.int64), np.array([[0.5, 0.5]]), key).tolist()
        == [0] * 5 + [1] * 5
    )
