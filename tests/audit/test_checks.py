"""Each check on constructed cases just inside and just outside the rounding boundary.

Every expected verdict is worked out in the comment beside it (closed form), or cites a
seed table (shared/seeds/<file>, table number).
"""

from __future__ import annotations

import math

import pytest
from scipy import stats

from flexemp.audit import checks_moments as cm
from flexemp.audit import checks_regression as cr
from flexemp.audit.numbers import Printed, parse_printed

Z = cr.RegressionSpec()
STARS_10_5_1 = (("*", 0.10), ("**", 0.05), ("***", 0.01))


def P(text: str) -> Printed:
    return parse_printed(text, "test")


def v(**kw: str) -> dict[str, Printed]:
    return {k: P(x) for k, x in kw.items()}


# coef 0.100, SE 0.050: coef/SE ∈ [0.0995/0.0505, 0.1005/0.0495] = [1.97030, 2.03030]
@pytest.mark.parametrize(
    ("t", "verdict"),
    [
        ("2.03", "consistent"),
        ("1.97", "consistent"),
        ("2.04", "inconsistent"),
        ("1.96", "inconsistent"),
    ],
)
def test_t_ratio_boundary(t: str, verdict: str) -> None:
    assert cr.check_t_ratio("T", "x", v(coef="0.100", se="0.050", t=t)).verdict == verdict


# |t| ∈ [1.955, 1.965] on z: p ∈ [2Φ̄(1.965), 2Φ̄(1.955)] = [0.04942, 0.05058]
@pytest.mark.parametrize(
    ("p", "verdict"),
    [
        ("0.050", "consistent"),
        ("0.0494", "consistent"),
        ("0.052", "inconsistent"),
        ("0.048", "inconsistent"),
    ],
)
def test_p_value_from_t_on_z_basis(p: str, verdict: str) -> None:
    assert math.isclose(2 * stats.norm.sf(1.965), 0.04942, abs_tol=1e-5)
    assert cr.check_p_value("T", "x", v(t="1.96", p=p), Z).verdict == verdict


def test_p_value_basis_matters() -> None:
    # t(10) critical value for 5% two-sided is 2.228: p = 0.050 on t(10), but 0.026 on z
    t10 = cr.RegressionSpec(basis="t", df=10)
    assert cr.check_p_value("T", "x", v(t="2.228", p="0.050"), t10).verdict == "consistent"
    assert cr.check_p_value("T", "x", v(t="2.228", p="0.050"), Z).verdict == "inconsistent"
    no_df = cr.RegressionSpec(basis="t", df=None)
    assert cr.check_p_value("T", "x", v(t="2.228", p="0.050"), no_df).verdict == "cannot_tell"


@pytest.mark.parametrize(
    ("p", "stars", "verdict"),
    [
        ("0.049", "**", "consistent"),  # 0.01 ≤ p < 0.05
        ("0.049", "***", "inconsistent"),
        ("0.05", "*", "consistent"),  # p ∈ [0.045, 0.055] straddles 0.05: * or ** both possible
        ("0.05", "**", "consistent"),
        ("0.05", "***", "inconsistent"),
        ("0.12", "", "consistent"),  # p ≥ 0.115 > 0.10: no stars
        ("0.12", "*", "inconsistent"),
    ],
)
def test_stars_against_thresholds(p: str, stars: str, verdict: str) -> None:
    spec = cr.RegressionSpec(thresholds=STARS_10_5_1)
    assert cr.audit_stars("T", "x", v(p=p), stars, spec).verdict == verdict


def test_stars_from_t_when_p_is_not_printed() -> None:
    # seed 000 Table 4 规则学习: ATT 0.129***, t 2.260 → p = 2Φ̄(2.26) ≈ 0.0238, which earns ** at 10/5/1%
    spec = cr.RegressionSpec(thresholds=STARS_10_5_1)
    chk = cr.audit_stars("表4", "规则学习", v(coef="0.129", se="0.057", t="2.260"), "***", spec)
    assert chk.verdict == "inconsistent" and chk.numbers["stars_allowed"] == ["**"]


def test_ci_sign_seed_003_table_6() -> None:
    # seed 003 Table 6 理财情况: coef −0.715, CI [0.471, 0.959] – the whole CI is positive
    bad = cr.check_ci_sign("表6", "理财情况", v(coef="-0.715", ci_low="0.471", ci_high="0.959"))
    assert (
        bad.verdict == "inconsistent"
        and "符号相反" in bad.reason_zh
        and "opposite signs" in bad.reason_en
    )
    good = cr.check_ci_sign("表6", "理财情况", v(coef="0.715", ci_low="0.471", ci_high="0.959"))
    assert good.verdict == "consistent"


# CI [−0.160, 0.139]: SE ∈ [(0.1385 − (−0.1595))/2, (0.1395 − (−0.1605))/2] / 1.959964 = [0.076022, 0.076532]
@pytest.mark.parametrize(
    ("se", "verdict"),
    [
        ("0.0892", "inconsistent"),
        ("0.076", "consistent"),
        ("0.0765", "consistent"),
        ("0.0770", "inconsistent"),
    ],
)
def test_ci_se_seed_003_table_4_sex(se: str, verdict: str) -> None:
    chk = cr.check_ci_se("表4", "性别", v(se=se, ci_low="-0.160", ci_high="0.139"), Z)
    assert chk.verdict == verdict


def test_ci_centre() -> None:
    # midpoint of [0.10, 0.30] ∈ [0.195, 0.205]: coef 0.20 fits, 0.22 ([0.215, 0.225]) does not
    assert (
        cr.check_ci_centre("T", "x", v(coef="0.20", ci_low="0.10", ci_high="0.30")).verdict
        == "consistent"
    )
    assert (
        cr.check_ci_centre("T", "x", v(coef="0.22", ci_low="0.10", ci_high="0.30")).verdict
        == "inconsistent"
    )


# coef 2.00, SE 1.00: t ∈ [1.995/1.005, 2.005/0.995] = [1.98507, 2.01508], F = t² ∈ [3.94052, 4.06055]
@pytest.mark.parametrize(
    ("f", "verdict"),
    [
        ("4.06", "consistent"),
        ("3.95", "consistent"),
        ("4.07", "inconsistent"),
        ("3.93", "inconsistent"),
    ],
)
def test_first_stage_f_equals_t_squared(f: str, verdict: str) -> None:
    assert (
        cr.check_first_stage_f("T", "z", v(coef="2.00", se="1.00", claimed_f=f)).verdict == verdict
    )


def test_binary_sd_says_which_formula_matched() -> None:
    # mean 0.50 (∈ [0.495, 0.505]), n = 2: population SD ∈ [0.49997, 0.5], sample SD = that × √2 ≈ 0.7071
    pop = cm.check_binary_sd("T", "x", P("0.50"), P("0.50"), 2)
    assert pop.verdict == "consistent" and pop.numbers["matched"] == ["population"]
    samp = cm.check_binary_sd("T", "x", P("0.50"), P("0.71"), 2)
    assert samp.verdict == "consistent" and samp.numbers["matched"] == ["sample"]
    assert cm.check_binary_sd("T", "x", P("0.50"), P("0.60"), 2).verdict == "inconsistent"


def test_binary_sd_seed_000_contract_matches_sample_formula_only() -> None:
    # seed 000 Table 1 劳动合同: mean 0.153, SD 0.361, N = 2,007.  Population √(p(1−p)) at most
    # √(0.1535·0.8465) = 0.360466 < 0.3605; the sample formula × √(2007/2006) reaches 0.360556 ≥ 0.3605
    chk = cm.check_binary_sd("表1", "劳动合同", P("0.153"), P("0.361"), 2007)
    assert chk.verdict == "consistent" and chk.numbers["matched"] == ["sample"]


def test_binary_sd_seed_001_willingness() -> None:
    # seed 001 Table 2 个人意愿: mean 0.59 gives a sample SD ≤ √(0.595·0.405·100/99) = 0.4952 < 0.5015
    assert (
        cm.check_binary_sd("表2", "个人意愿", P("0.59"), P("0.502"), 100).verdict == "inconsistent"
    )


@pytest.mark.parametrize(
    ("mean", "verdict"),
    [
        ("3.45", "consistent"),  # 69/20
        ("3.48", "inconsistent"),  # 20·[3.475, 3.485] = [69.5, 69.7]
        ("3.50", "consistent"),
    ],
)  # 70/20
def test_grim(mean: str, verdict: str) -> None:
    assert cm.check_grim("T", "x", P(mean), 20).verdict == verdict


def test_grim_without_power_and_with_items() -> None:
    # N = 100, two decimals: step 0.01 equals the rounding width, so every mean passes
    assert cm.check_grim("T", "x", P("0.59"), 100).verdict == "cannot_tell"
    # 3 items, N = 10: step 1/30; 2.02 ∈ [2.015, 2.025] holds no multiple of 1/30 (60/30 = 2.0, 61/30 = 2.0333)
    assert cm.check_grim("T", "x", P("2.02"), 10, items=3).verdict == "inconsistent"
    assert cm.check_grim("T", "x", P("2.03"), 10, items=3).verdict == "consistent"


def test_grimmer() -> None:
    # data 1..5: mean 3, Σx² = 55, SD = √((55 − 45)/4) = 1.5811 → printed 1.58
    assert cm.check_grimmer("T", "x", P("3.00"), P("1.58"), 5).verdict == "consistent"
    # SD 1.59: Σx² = 4·SD² + 45 ∈ [4·1.585², 4·1.595²] + 45 = [55.049, 55.176]: no integer
    assert cm.check_grimmer("T", "x", P("3.00"), P("1.59"), 5).verdict == "inconsistent"
    # seed 001 Table 2 个人意愿: S = 59, Σx² = 59 needed, 99·[0.5015², 0.5025²] + 34.81 = [59.709, 59.809]
    assert cm.check_grimmer("表2", "个人意愿", P("0.59"), P("0.502"), 100).verdict == "inconsistent"
    # seed 001 Table 2 性别 (69 men = 1, 31 women = 2): S = 131, Σx² = 193 lies in 99·[0.4645², 0.4655²] + 171.61
    assert cm.check_grimmer("表2", "性别", P("1.31"), P("0.465"), 100).verdict == "consistent"


@pytest.mark.parametrize(
    ("pcts", "verdict"),
    [
        (["50", "51"], "consistent"),  # [100, 102] touches 100
        (["50", "52"], "inconsistent"),  # [101, 103]
        (["33.3", "33.3", "33.3"], "consistent"),
    ],
)  # [99.75, 100.05]
def test_percent_sum(pcts: list[str], verdict: str) -> None:
    assert cm.check_percent_sum("T", "q", [P(p) for p in pcts]).verdict == verdict


def test_frequency_mean_and_sd_seed_001() -> None:
    # seed 001 Tables 1–2: 个人意愿 coded 有意愿 = 0 (49), 没有意愿 = 1 (51): mean 0.51, not 0.59
    assert (
        cm.check_count_mean("表1", "个人意愿", [0, 1], [49, 51], P("0.59")).verdict
        == "inconsistent"
    )
    assert (
        cm.check_count_mean("表1", "个人意愿", [0, 1], [49, 51], P("0.51")).verdict == "consistent"
    )
    # sample SD √(0.51·0.49·100/99) = 0.50242 → 0.502; population 0.49990 does not round to 0.502
    sd = cm.check_count_sd("表1", "个人意愿", [0, 1], [49, 51], P("0.502"))
    assert sd.verdict == "consistent" and sd.numbers["matched"] == ["sample"]
    assert cm.check_count_sum("表1", "q", [49, 51], 100).verdict == "consistent"
    assert cm.check_count_sum("表1", "q", [49, 50], 100).verdict == "inconsistent"
    bad = cm.check_percent_vs_count("表1", "q", [49, 51], [P("49.00"), P("52.00")], 100)
    assert bad.verdict == "inconsistent" and len(bad.numbers["mismatches"]) == 1


# two bands with midpoints 0 and 100 and shares 50/50: the mean equals the second share ∈ [49.5, 50.5]
@pytest.mark.parametrize(
    ("claimed", "verdict"),
    [
        ("50.5", "consistent"),
        ("49.5", "consistent"),
        ("50.6", "inconsistent"),
        ("49.4", "inconsistent"),
    ],
)
def test_banded_mean_feasible_range(claimed: str, verdict: str) -> None:
    chk = cm.check_implied_mean("T", "g", "banded_mean", [0, 100], [P("50"), P("50")], P(claimed))
    assert chk.verdict == verdict


def test_banded_mean_seed_004_table_1() -> None:
    # seed 004 Table 1 在线服务人员: 0.44·18 + 0.11·25.5 + 0.37·35.5 + 0.04·45.5 + 0.04·55.5 + 0·65 = 27.9
    pcts = [P(x) for x in ("44", "11", "37", "4", "4", "0")]
    chk = cm.check_implied_mean(
        "表1", "在线服务人员", "banded_mean", [18, 25.5, 35.5, 45.5, 55.5, 65], pcts, P("27.9")
    )
    assert chk.verdict == "consistent"


# seed 004 Table 5 收入: up 29 (score +0.5 or +1), same 54, down 17 (−0.5 or −1), each ±0.5.
# Max: up 29.5 at +1, down 16.5 at −0.5, same 54 → 50 + 0.5·(29.5 − 8.25) = 60.625.
# Min: up 28.5 at +0.5, down 17.5 at −1, same 54 → 50 + 0.5·(14.25 − 17.5) = 48.375.
@pytest.mark.parametrize(
    ("claimed", "verdict"),
    [
        ("55.0", "consistent"),
        ("60.6", "consistent"),
        ("60.7", "inconsistent"),
        ("48.3", "inconsistent"),
    ],
)
def test_diffusion_index_range(claimed: str, verdict: str) -> None:
    chk = cm.check_diffusion(
        "表5", "收入", {"up": P("29"), "same": P("54"), "down": P("17")}, P(claimed)
    )
    assert chk.verdict == verdict
    assert chk.numbers["feasible_index"] == [48.375, 60.625]


def test_diffusion_index_with_unpublished_share() -> None:
    # only much_up 40 and much_down 10 published; the rest sits anywhere in [−0.5, +0.5]:
    # max 50 + 0.5·(40.5 − 9.5 + 0.5·50) = 78; min 50 + 0.5·(39.5 − 10.5 − 0.5·50) = 52
    shares = {"much_up": P("40"), "much_down": P("10")}
    assert cm.check_diffusion("T", "g", shares, P("60")).numbers["feasible_index"] == [52.0, 78.0]
    assert cm.check_diffusion("T", "g", shares, P("77.0")).verdict == "consistent"
    assert cm.check_diffusion("T", "g", shares, P("80.0")).verdict == "inconsistent"


def test_difference_seed_004_table_8() -> None:
    # seed 004 Table 8 农林牧渔业: 66.7 − 68.0 ∈ [−1.4, −1.2]; printed −1.3
    assert (
        cm.check_difference("表8", "农林牧渔业", P("66.7"), P("68.0"), P("-1.3")).verdict
        == "consistent"
    )
    assert (
        cm.check_difference("表8", "农林牧渔业", P("66.7"), P("68.0"), P("-1.5")).verdict
        == "inconsistent"
    )
