"""Calibration targets of the ``flex_sentiment`` dataset, as data.

Every published figure comes from seed document ``004_5a41a714afd4be76.txt``
(灵活就业群体调查暨 2022 年二季度灵活就业景气指数报告); the table or passage is
named beside it.  Figures the seed does not print are marked *assumed*; the
reasons are in ``docs/datasets/flex_sentiment.md``.

Orders used throughout
----------------------
* occupations: :data:`OCCUPATIONS` (codes 1-11), industries :data:`INDUSTRIES` (1-5);
* banded answers: code order (lowest band first);
* change / expectation answers: best → worst (codes 1-5, 变好很多 … 变差很多).
"""

from __future__ import annotations

from typing import Any

#: Occupations of the seed (Figure 5, Tables 1-4, 7), zh labels exactly as printed; codes 1-11.
OCCUPATIONS: tuple[str, ...] = (
    "生产制造工人", "线下生活服务业人员", "建筑工人", "个体户和企业管理人员", "物流运输人员",
    "销售业务员", "平台接单人员", "在线服务人员", "财务文员", "务农人员", "其他",
)  # fmt: skip
OCCUPATIONS_EN: tuple[str, ...] = (
    "Manufacturing worker", "Offline consumer-service worker", "Construction worker",
    "Self-employed / business manager", "Logistics and transport worker", "Sales representative",
    "Platform order taker", "Online service worker", "Finance and clerical staff", "Farm worker",
    "Other",
)  # fmt: skip
#: Industries of Tables 6 and 8; codes 1-5.
INDUSTRIES: tuple[str, ...] = ("农林牧渔业", "采矿业", "制造业", "建筑业", "服务业")
INDUSTRIES_EN: tuple[str, ...] = (
    "Agriculture",
    "Mining",
    "Manufacturing",
    "Construction",
    "Services",
)

#: Share of each occupation among flexible workers.  Figure 5 text gives
#: 生产制造工人 20.4%, 线下生活服务业人员 15.9%, 建筑工人 15.6%, 个体户 "接近 15%",
#: 平台接单人员 4.1%, 在线服务人员 2.7%; the other five (26.3% together) are *assumed*,
#: chosen so that the occupation-weighted indices of Table 7 reproduce Table 5.
FLEX_OCCUPATION_SHARES: tuple[float, ...] = (
    0.204, 0.159, 0.156, 0.150, 0.060, 0.050, 0.041, 0.027, 0.025, 0.040, 0.088,
)  # fmt: skip
#: Share of unregistered individual businesses (企业主/个体户 without 工商登记) among
#: flexible workers (*assumed*: most of the 个体户和企业管理人员 occupation).
UNREGISTERED_SHARE = 0.125

#: Industry mix of each occupation (rows: occupations; columns: industries), *assumed*,
#: giving industry shares 9.0 / 4.7 / 22.7 / 20.5 / 43.2% among flexible workers so that
#: the industry-weighted indices of Table 6 reproduce Table 5.
INDUSTRY_BY_OCCUPATION: tuple[tuple[float, ...], ...] = (
    (0.05, 0.10, 0.75, 0.05, 0.05),
    (0.03, 0.00, 0.05, 0.00, 0.92),
    (0.00, 0.07, 0.03, 0.90, 0.00),
    (0.15, 0.03, 0.12, 0.15, 0.55),
    (0.00, 0.08, 0.10, 0.07, 0.75),
    (0.05, 0.00, 0.20, 0.05, 0.70),
    (0.00, 0.00, 0.00, 0.00, 1.00),
    (0.05, 0.00, 0.00, 0.00, 0.95),
    (0.00, 0.08, 0.20, 0.12, 0.60),
    (1.00, 0.00, 0.00, 0.00, 0.00),
    (0.10, 0.05, 0.25, 0.25, 0.35),
)  # fmt: skip

# ----------------------------------------------------------------- Tables 1-4
#: Table 1 (灵活就业群体年龄分布, 按职业类型): 16-20, 21-30, 31-40, 41-50, 51-60, 60+ (%),
#: and the printed midpoint mean (years).  Rows in :data:`OCCUPATIONS` order.
TABLE1_AGE: dict[str, tuple[tuple[float, ...], float]] = {
    "生产制造工人": ((16, 8, 55, 17, 3, 0), 34.2),
    "线下生活服务业人员": ((30, 6, 38, 19, 7, 1), 33.3),
    "建筑工人": ((5, 7, 60, 21, 7, 0), 37.3),
    "个体户和企业管理人员": ((8, 8, 60, 18, 6, 1), 36.5),
    "物流运输人员": ((4, 6, 61, 22, 6, 0), 37.5),
    "销售业务员": ((14, 7, 53, 19, 6, 0), 35.5),
    "平台接单人员": ((19, 3, 45, 28, 5, 0), 35.7),
    "在线服务人员": ((44, 11, 37, 4, 4, 0), 27.9),
    "财务文员": ((19, 13, 47, 10, 11, 0), 34.0),
    "务农人员": ((3, 5, 48, 21, 19, 4), 41.5),
    "其他": ((14, 8, 47, 20, 11, 0), 36.7),
}
#: Table 2 (学历分布, 按职业类型): 初中及以下, 高中/中专/职高, 大专/高职, 本科, 硕士及以上 (%).
TABLE2_EDUCATION: dict[str, tuple[float, ...]] = {
    "生产制造工人": (36, 17, 43, 3, 0),
    "线下生活服务业人员": (40, 13, 44, 4, 0),
    "建筑工人": (53, 7, 39, 1, 0),
    "个体户和企业管理人员": (29, 18, 49, 4, 0),
    "物流运输人员": (44, 10, 45, 1, 0),
    "销售业务员": (24, 25, 43, 7, 1),
    "平台接单人员": (34, 16, 47, 3, 0),
    "在线服务人员": (18, 37, 32, 11, 2),
    "财务文员": (11, 34, 38, 17, 0),
    "务农人员": (42, 8, 46, 1, 3),
    "其他": (38, 22, 34, 6, 1),
}
#: Table 3 (每周工作时长分布): <30, 30-40, 40-50, 50-60, 60+ hours (%), printed mean (hours).
TABLE3_HOURS: dict[str, tuple[tuple[float, ...], float]] = {
    "生产制造工人": ((5, 8, 19, 27, 41), 54.3),
    "线下生活服务业人员": ((5, 10, 18, 24, 43), 53.8),
    "建筑工人": ((4, 8, 16, 29, 43), 54.8),
    "个体户和企业管理人员": ((9, 14, 23, 23, 32), 50.5),
    "物流运输人员": ((3, 12, 17, 25, 44), 54.6),
    "销售业务员": ((8, 15, 25, 21, 32), 50.3),
    "平台接单人员": ((5, 7, 15, 19, 54), 56.2),
    "在线服务人员": ((11, 24, 28, 16, 20), 46.0),
    "财务文员": ((12, 12, 39, 20, 17), 46.7),
    "务农人员": ((11, 11, 20, 25, 33), 50.9),
    "其他": ((10, 10, 20, 24, 35), 51.4),
}
#: Table 4 (每月收入分布): <2000, 2000-5000, 5000-8000, 8000-2万, 2万+ yuan (%), printed mean.
TABLE4_INCOME: dict[str, tuple[tuple[float, ...], float]] = {
    "生产制造工人": ((4, 29, 45, 22, 1), 7236),
    "线下生活服务业人员": ((12, 52, 28, 7, 1), 4992),
    "建筑工人": ((4, 16, 49, 29, 1), 8288),
    "个体户和企业管理人员": ((2, 14, 35, 44, 5), 10170),
    "物流运输人员": ((4, 23, 43, 28, 1), 7957),
    "销售业务员": ((16, 49, 24, 10, 1), 5110),
    "平台接单人员": ((9, 36, 39, 15, 1), 6246),
    "在线服务人员": ((15, 49, 27, 5, 4), 5275),
    "财务文员": ((14, 65, 17, 4, 0), 4014),
    "务农人员": ((22, 36, 22, 19, 2), 5925),
    "其他": ((16, 46, 28, 8, 1), 5094),
}
#: Interval midpoints printed under Tables 1, 3 and 4 (age band 0, under 16, is *assumed* 14).
AGE_MIDPOINTS: tuple[float, ...] = (14.0, 18.0, 25.5, 35.5, 45.5, 55.5, 65.0)
HOURS_MIDPOINTS: tuple[float, ...] = (25.0, 35.0, 45.0, 55.0, 65.0)
INCOME_MIDPOINTS: tuple[float, ...] = (1000.0, 3500.0, 6500.0, 14000.0, 25000.0)

# ----------------------------------------------------------------- sample structure
#: Sample sizes (section 三): 26,276 questionnaires, 26,252 aged 16+, 5,894 flexible workers.
N_RAW, N_ADULT, N_FLEX = 26276, 26252, 5894
N_UNDER16 = N_RAW - N_ADULT
#: Among the employed: flexible 24.6%, full-time 60.4%, (registered) owners 15.0% (section 四).
EMPLOYED_SPLIT: tuple[float, float, float] = (0.246, 0.604, 0.150)
#: Flexible share of the screened sample by wave (Q2 5,894 / 26,252; Q1 21.0%, section 三.3).
FLEX_SHARE: dict[str, float] = {"2022Q1": 0.210, "2022Q2": N_FLEX / N_ADULT}
#: Shares of the unemployed and the inactive in the screened sample (*assumed*).
UNEMPLOYED_SHARE: dict[str, float] = {"2022Q1": 0.060, "2022Q2": 0.055}
#: Status of under-16 respondents: unemployed, inactive (*assumed*; students).
UNDER16_STATUS: tuple[float, float] = (0.25, 0.75)

#: Age distribution (band codes 1-6) of the other groups (*assumed*; Figure 2: 21-40 over 70%).
AGE_OTHER: dict[str, tuple[float, ...]] = {
    "fulltime": (6, 38, 35, 15, 5, 1),
    "owner": (3, 25, 45, 20, 6, 1),
    "unemployed": (15, 35, 30, 13, 6, 1),
    "inactive": (30, 20, 15, 12, 13, 10),
}
#: Education of the other groups (Figure 7: 52.3% of full-time workers had higher education).
EDUCATION_OTHER: dict[str, tuple[float, ...]] = {
    "fulltime": (20.0, 27.7, 30.0, 20.0, 2.3),
    "owner": (25, 25, 35, 14, 1),
    "unemployed": (35, 30, 25, 9, 1),
    "inactive": (40, 30, 18, 11, 1),
    "under16": (100, 0, 0, 0, 0),
}
#: Weekly hours of full-time workers (Figure 9: 40-50 h about a third, 60+ 22.7%, mean 53.4 − 4.6).
HOURS_OTHER: dict[str, tuple[float, ...]] = {
    "fulltime": (4.0, 19.5, 33.0, 20.8, 22.7),
    "owner": (6, 12, 25, 25, 32),
}
#: Monthly income of the other employed (Figure 10: flexible workers more often at both ends).
INCOME_OTHER: dict[str, tuple[float, ...]] = {
    "fulltime": (4, 33, 38, 23, 2),
    "owner": (3, 15, 32, 40, 10),
}
#: Share of men by occupation among flexible workers, and in the other groups (*assumed*;
#: Figure 1: more than 70% of the sample are men).
MALE_SHARE: tuple[float, ...] = (0.75, 0.55, 0.92, 0.70, 0.90, 0.60, 0.88, 0.45, 0.30, 0.70, 0.65)
MALE_OTHER: dict[str, float] = {
    "fulltime": 0.72, "owner": 0.75, "unemployed": 0.68, "inactive": 0.60, "under16": 0.60,
}  # fmt: skip
#: Occupations of full-time workers (*assumed*); registered owners are all 个体户和企业管理人员.
OCCUPATION_FULLTIME: tuple[float, ...] = (
    0.22, 0.12, 0.06, 0.08, 0.07, 0.12, 0.02, 0.02, 0.12, 0.02, 0.15,
)  # fmt: skip

#: Labour contract (Figure 11): 没有, 一年以内临时, 一年及以上, 不清楚.  Flexible: none or
#: short 47.3%, long 39.2%; full-time: long 86.9%, none or short 10.5% (splits *assumed*).
CONTRACT: dict[str, tuple[float, ...]] = {
    "flexible": (30.0, 17.3, 39.2, 13.5),
    "fulltime": (5.0, 5.5, 86.9, 2.6),
    "owner": (80.0, 5.0, 10.0, 5.0),
}
#: Pension (Figures 12, 14): 单位缴纳, 自己缴纳, 没有缴纳.  No pension by occupation (Figure 14
#: text: 平台 62.8%, 在线 51.8%, 财务 < 40%, others *assumed*), 53.5% overall; of those paying,
#: 65% pay themselves (*assumed*).  Full-time: 70.3% covered, mostly by the employer.
NO_PENSION: tuple[float, ...] = (49, 56, 55, 57, 54, 48, 62.8, 51.8, 38, 58, 52)
PENSION_SELF_SHARE = 0.65
PENSION_OTHER: dict[str, tuple[float, ...]] = {"fulltime": (60.0, 10.3, 29.7), "owner": (5, 50, 45)}

# ----------------------------------------------------------------- diffusion indices
#: Change / expectation questions: (variable, zh topic).
CHANGE_QUESTIONS: tuple[str, ...] = ("emp_change", "inc_change", "cons_change")
EXPECT_QUESTIONS: tuple[str, ...] = ("emp_expect", "inc_expect", "cons_expect")
#: Scores of codes 1-5 (变好很多 … 变差很多), section 五.
SCORES: tuple[float, ...] = (1.0, 0.5, 0.0, -0.5, -1.0)
#: Answer shares (best → worst, %) at the overall Q2 level that fix each question's
#: thresholds (section 五.1: income 29% up / 54% same / 17% down; consumption 45% up,
#: about 13% down; employment "接近一半" better; the splits are *assumed*).
REFERENCE_SHARES: dict[str, tuple[float, ...]] = {
    "emp_change": (13, 35, 41, 8, 3),
    "inc_change": (10, 20, 53, 14, 3),
    "cons_change": (22, 23, 42, 11, 2),
}
#: Table 5 (系列景气指数, %): overall flexible workers.
TABLE5: dict[str, dict[str, float]] = {
    "2022Q1": {"emp_change": 49.8, "inc_change": 56.0, "cons_change": 63.5},
    "2022Q2": {"emp_change": 61.7, "inc_change": 55.0, "cons_change": 63.0},
}
#: Table 6 (分行业, Q2), in :data:`INDUSTRIES` order.
TABLE6: dict[str, tuple[float, ...]] = {
    "emp_change": (67.3, 70.8, 58.9, 64.9, 59.7),
    "inc_change": (57.7, 58.6, 52.9, 59.0, 52.9),
    "cons_change": (68.0, 62.0, 61.0, 64.5, 62.0),
}
#: Table 7 (分职业, Q2), in :data:`OCCUPATIONS` order.
TABLE7: dict[str, tuple[float, ...]] = {
    "emp_change": (61.5, 60.5, 63.0, 69.0, 59.0, 55.5, 61.0, 59.5, 55.0, 60.5, 57.5),
    "inc_change": (56.5, 53.0, 56.5, 61.5, 52.0, 49.0, 55.5, 52.0, 45.5, 53.0, 51.0),
    "cons_change": (64.0, 62.5, 64.5, 66.0, 61.0, 58.5, 63.5, 61.5, 49.5, 63.0, 60.0),
}
#: Table 8 (三季度消费预期指数 by industry, and overall 60.9%).
TABLE8_CONS_EXPECT: tuple[float, ...] = (66.7, 58.5, 59.6, 63.2, 59.4)
#: Next-quarter expectation indices, overall (摘要: 68.4% and 68.9%; section 五.5 prints
#: 86.7% and 87.8% instead; the summary's figures are used).  Consumption: Table 8.
EXPECT_OVERALL: dict[str, float] = {"emp_expect": 68.4, "inc_expect": 68.9, "cons_expect": 60.9}
#: Extra expectation gain (latent units) for manufacturing and services (section 五.5:
#: "制造业和服务业的改善幅度高于总体水平") and for 物流/线下生活服务/平台 (*assumed* size).
EXPECT_EXTRA = 0.10
#: Q1 income index by industry (section 五.3): construction 59.0 − 7.8 = 51.2; manufacturing
#: and services fell "超过 1 个百分点" to 52.9 (*assumed* Q1 value 55.0); the other two
#: industries are solved so that the overall Q1 index is Table 5's 56.0.
Q1_INCOME_BY_INDUSTRY: dict[int, float] = {2: 55.0, 3: 51.2, 4: 55.0}
#: Indices of the groups that are not flexible workers (*assumed*), Q2, by question.
OTHER_INDEX: dict[str, tuple[float, float, float]] = {
    "fulltime": (58.0, 53.0, 61.0),
    "owner": (65.0, 58.0, 64.0),
    "unemployed": (42.0, 40.0, 55.0),
    "inactive": (48.0, 46.0, 57.0),
}

# ----------------------------------------------------------------- unemployed
#: Search duration (Figure 26): <1, 1-3, 3-6, 6-12, 12+ months (%).  Q2: 21.4, 33.4, 9.9, 15.8
#: printed, 3-6 months the remainder; mean 4.9 months.  Q1 (*assumed*): mean 3.2 months
#: (section 四.(二).2: Q2 is 1.7 months longer).
SEARCH_MONTHS: dict[str, tuple[float, ...]] = {
    "2022Q1": (32.0, 39.0, 16.0, 7.0, 6.0),
    "2022Q2": (21.4, 33.4, 19.5, 9.9, 15.8),
}
#: Midpoints (months); the open band's 15 is *assumed* so the Q2 mean is 4.9.
SEARCH_MIDPOINTS: tuple[float, ...] = (0.5, 2.0, 4.5, 9.0, 15.0)
SEARCH_MEAN: dict[str, float] = {"2022Q1": 3.2, "2022Q2": 4.9}
#: Reasons for leaving the last job (Figure 25; 4-6 *assumed*).
LEAVE_REASON: tuple[float, ...] = (21.9, 18.3, 16.5, 15.0, 14.0, 14.3)

# ----------------------------------------------------------------- multi-selects
#: Option labels and selection probabilities (shares printed in the text; others *assumed*).
#: ``asked``: who sees the question.  The last option (其他) is also ticked when nothing else is.
MULTISELECT: dict[str, dict[str, Any]] = {
    "difficulty": {  # Figure 20
        "options": ("缺少福利保障", "没有正式合同", "拖欠薪资等劳动纠纷", "工作不稳定",
                    "工作技能缺乏认证", "工作记录无法积累", "其他"),
        "p_flexible": (0.45, 0.38, 0.30, 0.28, 0.18, 0.15, 0.05),
        "p_other": (0.20, 0.08, 0.10, 0.15, 0.10, 0.08, 0.10),
    },
    "improve_wish": {  # Figure 16
        "options": ("孩子教育", "父母养老", "医疗保障", "住房", "社会保险", "其他"),
        "p_flexible": (0.397, 0.392, 0.358, 0.33, 0.28, 0.05),
        "p_other": (0.40, 0.35, 0.30, 0.35, 0.20, 0.05),
    },
    "emp_reason": {  # Figure 30
        "options": ("疫情负面影响变小", "行业发展较好", "稳就业政策见效", "个人技能或经验提升", "其他"),
        "p": (0.60, 0.40, 0.20, 0.15, 0.05),
    },
    "inc_reason": {  # Figure 31: 19.8%, 14.4%, 4.4%
        "options": ("疫情负面影响变小", "行业发展较好", "收入季节性增加", "目前工作涨薪",
                    "跳槽换工作", "其他"),
        "p": (0.50, 0.30, 0.198, 0.144, 0.044, 0.05),
    },
    "cons_reason": {  # Figure 32: 56.7, 25.5, 22.7, 21.8, 18.4%
        "options": ("物价上涨", "大额临时性支出增加", "收入增加", "疫情影响减弱、消费场所重新开放",
                    "消费意愿上升或预期转好", "其他"),
        "p": (0.567, 0.255, 0.227, 0.218, 0.184, 0.03),
    },
    "search_effort": {  # Figure 27: 62.2, 46.1, 40.1, 23.6, 13.5%
        "options": ("线上招聘平台", "亲友推荐", "线下人才市场", "参加技能培训", "选择创业", "其他"),
        "p": (0.622, 0.461, 0.401, 0.236, 0.135, 0.03),
    },
}  # fmt: skip

# ----------------------------------------------------------------- provinces
#: Mainland provinces, codes 1-31 (GB/T 2260 order).
PROVINCES: tuple[str, ...] = (
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江",
    "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆",
    "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆",
)  # fmt: skip
#: Resident population, 7th census (2020), 10,000 persons (the census shares assumed here).
CENSUS_POP: tuple[float, ...] = (
    2189.31, 1386.60, 7461.02, 3491.56, 2404.92, 4259.14, 2407.35, 3185.01, 2487.09, 8474.80,
    6456.76, 6102.72, 4154.01, 4518.86, 10152.75, 9936.55, 5775.26, 6644.49, 12601.25, 5012.68,
    1008.12, 3205.42, 8367.49, 3856.21, 4720.93, 364.81, 3952.90, 2501.98, 592.40, 720.27,
    2585.23,
)  # fmt: skip
#: Over-/under-representation of the Alipay sample against the census (Figure 3: 广东, 浙江,
#: 上海 over; 黑龙江, 吉林, 辽宁 under); factors *assumed*, 1 for unlisted provinces.
PROVINCE_FACTOR: dict[str, float] = {
    "广东": 1.9, "浙江": 1.8, "上海": 1.8, "北京": 1.3, "江苏": 1.25, "福建": 1.2, "天津": 1.1,
    "黑龙江": 0.45, "吉林": 0.5, "辽宁": 0.55, "内蒙古": 0.7, "西藏": 0.4, "青海": 0.6,
    "新疆": 0.6, "甘肃": 0.75, "宁夏": 0.8, "山西": 0.85, "河北": 0.9,
}  # fmt: skip


def province_shares() -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Return (census shares, sample shares) of the 31 provinces, each summing to 1."""
    total = sum(CENSUS_POP)
    census = tuple(p / total for p in CENSUS_POP)
    raw = [c * PROVINCE_FACTOR.get(name, 1.0) for c, name in zip(census, PROVINCES, strict=True)]
    s = sum(raw)
    return census, tuple(r / s for r in raw)


def truth() -> dict[str, Any]:
    """The published targets the generator is calibrated to (JSON-serialisable)."""
    census, sample = province_shares()
    return {
        "n_raw": N_RAW,
        "n_under16": N_UNDER16,
        "n_screened": N_ADULT,
        "n_flexible": N_FLEX,
        "flexible_share": dict(FLEX_SHARE),
        "employed_split": {
            "flexible": EMPLOYED_SPLIT[0],
            "fulltime": EMPLOYED_SPLIT[1],
            "owner": EMPLOYED_SPLIT[2],
        },
        "flex_occupation_shares": dict(zip(OCCUPATIONS, FLEX_OCCUPATION_SHARES, strict=True)),
        "table1_age": {k: list(v[0]) for k, v in TABLE1_AGE.items()},
        "table2_education": {k: list(v) for k, v in TABLE2_EDUCATION.items()},
        "table3_hours": {k: list(v[0]) for k, v in TABLE3_HOURS.items()},
        "table4_income": {k: list(v[0]) for k, v in TABLE4_INCOME.items()},
        "midpoints": {
            "age": list(AGE_MIDPOINTS[1:]),
            "hours": list(HOURS_MIDPOINTS),
            "income": list(INCOME_MIDPOINTS),
        },
        "index_scores": list(SCORES),
        "index_weighting": "unweighted (province is independent of the answers)",
        "table5": {w: dict(v) for w, v in TABLE5.items()},
        "table6": {q: dict(zip(INDUSTRIES, v, strict=True)) for q, v in TABLE6.items()},
        "table7": {q: dict(zip(OCCUPATIONS, v, strict=True)) for q, v in TABLE7.items()},
        "table8_cons_expect": dict(zip(INDUSTRIES, TABLE8_CONS_EXPECT, strict=True)),
        "expect_overall": dict(EXPECT_OVERALL),
        "q1_income_by_industry": {INDUSTRIES[k]: v for k, v in Q1_INCOME_BY_INDUSTRY.items()},
        "search_months": {w: list(v) for w, v in SEARCH_MONTHS.items()},
        "search_mean_months": dict(SEARCH_MEAN),
        "province_census_share": dict(zip(PROVINCES, census, strict=True)),
        "province_sample_share": dict(zip(PROVINCES, sample, strict=True)),
    }
