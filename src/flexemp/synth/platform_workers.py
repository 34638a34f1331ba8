"""Synthetic ``platform_workers``: platform care and rural gig workers' life satisfaction.

Calibrated to seed document ``000_2d02ffac1d2cca4d.txt`` (a 2021 survey of
platform workers screened to 2,007 rural-hukou respondents; Table 1 gives the
coding, mean and SD of every variable).  The generator is a recursive,
fully vectorised structural model whose true parameters are in :data:`TRUTH`
(and in the registered dataset's ``truth``):

1. *Background*: province (31 mainland provinces, fixed shares; central/western
   region derived from it), employer (nested in province, about
   :data:`WORKERS_PER_EMPLOYER` workers each), sex, age, marriage, education,
   own home, health, a work-intensity factor behind full-time work, daily hours,
   days per week and sleep, community membership, loan band, night work,
   working locally.  Each coded variable is a latent normal index cut at
   :data:`CUTS`.
2. *Platform care*: contract, training days (training = days band ≥ 2), skill
   guidance and rule briefing.  Each index has a province component (in
   :data:`PROVINCE_EFFECTS`) and an employer component that do **not** enter any
   later equation, so the leave-one-out provincial mean of a care measure
   (excluding the worker's own employer) is a strong and valid instrument.
   The province components of the four indices are independent of one
   another, so the instrument of one measure is also excluded from the others.
   The contract index has the individual error ``v`` with
   ``corr(v, eps) = rho`` (:data:`TRUTH` ``["selection"]``): self-selection
   into contracts on an unobservable correlated with the satisfaction error.
3. *Mediators*: injury (probit), monthly income (log-normal, banded at the
   published intervals) and occupational identity (ordered probit), driven by
   the care measures and controls with independent errors.
4. *Outcome*: ``life_sat* = x'beta + eps`` with ``eps ~ N(0, 1)`` cut at the
   known cutpoints; ``x`` holds the care measures, the controls, the
   mediators, the moderators and care × moderator interactions.

Terms in :data:`TRUTH` are column names, with ``a:b`` for the product.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from flexemp.synth._identifiers import fake_names, fake_phones
from flexemp.synth.registry import CHUNK_ROWS, SyntheticDataset, register

#: Mainland provinces, codes 1-31 in the national (GB/T 2260) order.
PROVINCES: tuple[str, ...] = (
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江",
    "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆",
    "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆",
)  # fmt: skip
#: Eastern provinces (the 11 of the NBS east/central/west division); all others are central/western.
EAST: frozenset[int] = frozenset({1, 2, 3, 6, 9, 10, 11, 13, 15, 19, 21})
#: Sampling shares of the provinces (east 0.56, central/west 0.44 as in Table 1; Guangdong-heavy).
PROVINCE_WEIGHTS: np.ndarray = np.array([
    .040, .020, .030, .015, .010, .025, .010, .012, .050, .060, .070,
    .035, .040, .030, .045, .045, .040, .040, .172, .040, .008, .025,
    .045, .020, .020, .006, .015, .010, .006, .006, .010,
])  # fmt: skip
#: Average number of sampled workers per employer (employers are nested in provinces).
WORKERS_PER_EMPLOYER = 8

#: Published means and SDs (Table 1 of the seed document), the calibration targets.
TABLE1: dict[str, tuple[float, float]] = {
    "life_sat": (4.137, 0.791), "contract": (0.153, 0.361), "training": (0.890, 0.313),
    "training_days": (3.033, 1.281), "skill_guidance": (0.563, 0.496),
    "rule_briefing": (0.693, 0.461), "male": (0.620, 0.485), "age": (26.038, 6.144),
    "married": (0.342, 0.475), "education": (4.898, 1.236), "own_home": (0.429, 0.495),
    "health": (3.092, 0.674), "sleep": (2.460, 0.621), "daily_hours": (2.229, 0.792),
    "days_per_week": (4.700, 1.796), "community": (0.906, 0.292), "loan": (1.854, 0.932),
    "night_work": (0.029, 0.169), "central_west": (0.440, 0.497), "injury": (0.150, 0.357),
    "income": (3.077, 1.218), "identity": (3.619, 0.983),
}  # fmt: skip
#: Shares chosen for the two moderators that Table 1 does not report.
EXTRA_SHARES: dict[str, float] = {"works_local": 0.45, "full_time": 0.62}
#: Lower edges (yuan) of income bands 2-15 (Table 1 coding).
INCOME_EDGES: np.ndarray = np.array(
    [2500, 5000, 7500, 10000, 12500, 15000, 17500, 20000, 25000, 30000, 35000, 40000, 45000, 50000],
    dtype=float,
)
#: Gamma distribution of age - 16 (shape, scale): mean 10.54 so that whole years average 26.04.
AGE_GAMMA: tuple[float, float] = (2.94, 3.58)

#: True parameters: coefficients of each latent index ("a:b" is a product) and error structure.
TRUTH: dict[str, Any] = {
    "married": {"age_z": 1.2},
    "education": {"age_z": -0.3},
    "own_home": {"age_z": 0.4, "married": 0.4},
    "health": {"age_z": -0.25},
    "full_time": {"work": 0.8},
    "daily_hours": {"work": 0.6},
    "days_per_week": {"work": 0.7},
    "sleep": {"work": -0.3, "health": 0.15},
    "community": {"work": 0.2},
    "loan": {"own_home": 0.3, "age_z": 0.2},
    "night_work": {"work": 0.3},
    "works_local": {"married": 0.3, "own_home": 0.2},
    "contract": {"education": 0.10, "full_time": 0.35, "works_local": -0.10, "age_z": 0.05},
    "training_days": {"education": 0.05, "full_time": 0.20, "community": 0.30},
    "skill_guidance": {"full_time": 0.15, "community": 0.30, "education": 0.03},
    "rule_briefing": {"full_time": 0.10, "community": 0.30},
    "injury": {
        "contract": -0.40, "training": -0.25, "training_days": -0.05, "skill_guidance": -0.25,
        "rule_briefing": -0.35, "male": 0.15, "daily_hours": 0.15, "night_work": 0.30,
        "days_per_week": 0.03,
    },
    "income": {
        "contract": 0.05, "training": 0.05, "training_days": 0.04, "skill_guidance": 0.03,
        "rule_briefing": 0.05, "male": 0.15, "age_z": 0.04, "education": 0.06,
        "daily_hours": 0.15, "days_per_week": 0.06, "full_time": 0.20, "central_west": -0.10,
    },
    "identity": {
        "contract": 0.10, "training": 0.25, "training_days": 0.08, "skill_guidance": 0.12,
        "rule_briefing": 0.15, "age": 0.01, "health": 0.20, "community": 0.20, "full_time": 0.10,
    },
    "life_sat": {
        "contract": 0.55, "training": 0.30, "training_days": 0.08, "skill_guidance": 0.20,
        "rule_briefing": 0.10,
        "male": -0.18, "age": 0.005, "married": 0.16, "education": -0.01, "own_home": -0.03,
        "health": 0.45, "sleep": 0.06, "daily_hours": 0.25, "days_per_week": -0.01,
        "community": 0.40, "loan": 0.085, "night_work": 0.12, "central_west": -0.05,
        "injury": -0.25, "income": 0.06, "identity": 0.20,
        "has_loan": 0.0, "works_local": 0.05, "full_time": 0.05,
        "contract:own_home": 0.20, "training:own_home": 0.40,
        "contract:has_loan": 0.10, "training:has_loan": 0.15,
        "contract:works_local": -0.25, "training:works_local": 0.0,
        "contract:full_time": -0.20, "training:full_time": 0.20,
    },
    # self-selection into contracts: corr(v, eps) where v is the contract index's own error
    "selection": {"rho": -0.15},
    # SDs of the province and employer components of the care indices (not in any later equation)
    "province_sd": {"contract": 0.45, "training_days": 0.50, "skill_guidance": 0.35, "rule_briefing": 0.40},
    "employer_sd": {"contract": 0.40, "training_days": 0.30, "skill_guidance": 0.30, "rule_briefing": 0.30},
    # weight of the employer "training culture" factor and of the worker's own
    # learning-propensity factor shared by training days, skill guidance and rule briefing
    "shared_training_factor": {"employer": 0.4, "worker": 0.5},
}  # fmt: skip

#: Province components of the care indices: fixed draws (seed 20210401), centred, exact SD.
PROVINCE_EFFECTS: dict[str, np.ndarray] = {}
for _k, (_name, _sd) in enumerate(TRUTH["province_sd"].items()):
    _u = np.random.default_rng([20210401, _k]).standard_normal(31)
    PROVINCE_EFFECTS[_name] = _sd * (_u - _u.mean()) / _u.std()

#: Cutpoints of every latent index (from :func:`calibrate` at n = 4,000,000, seed 1);
#: ``income`` holds (mu, sigma) of log monthly income instead.
CUTS: dict[str, tuple[float, ...]] = {
    "male": (-0.304977,),
    "married": (0.510599,),
    "education": (-2.989695, -2.095356, -1.213928, -0.342186, 0.522813, 1.382637, 2.240708),
    "own_home": (0.321120,),
    "health": (-2.592087, -0.972822, 0.629237),
    "full_time": (-0.391624,),
    "daily_hours": (-1.082498, 0.427460, 1.935106),
    "days_per_week": (-1.931315, -1.352628, -0.773349, -0.194942, 0.383263, 0.963526),
    "sleep": (-1.375101, 0.540654, 2.455060),
    "community": (-1.342259,),
    "loan": (-0.016737, 0.881052, 1.783685, 2.693172, 3.611920),
    "night_work": (1.978987,),
    "works_local": (0.316587,),
    "contract": (1.749109,),
    "training_days": (-0.870418, 0.437330, 1.179351, 1.967965),
    "skill_guidance": (0.194410,),
    "rule_briefing": (-0.318803,),
    "injury": (0.856609,),
    "income": (7.363338, 0.351660),
    "identity": (-0.425236, 0.597313, 1.618371, 2.634972),
    "life_sat": (0.657469, 2.120084, 3.575726, 5.011872),
}


# --------------------------------------------------------------------------- helpers
def index(coef: dict[str, float], cols: dict[str, np.ndarray]) -> np.ndarray:
    """Return the linear index ``sum(coef[t] * prod(cols[f] for f in t.split(':')))``.

    Parameters
    ----------
    coef : dict
        Term → coefficient; a term ``"a:b"`` is the product of columns ``a`` and ``b``.
    cols : dict
        Column name → array (all of the same length).

    Returns
    -------
    numpy.ndarray
        The index, one value per row.
    """
    n = len(next(iter(cols.values())))
    out = np.zeros(n)
    for term, b in coef.items():
        x = np.ones(n)
        for f in term.split(":"):
            x = x * cols[f]
        out += b * x
    return out


def _discrete_normal(mean: float, sd: float, k: int, start: int = 1) -> np.ndarray:
    """Probabilities of codes ``start..start+k-1`` of a rounded normal with the given moments."""
    codes = np.arange(start, start + k, dtype=float)

    def probs(p: np.ndarray) -> np.ndarray:
        edges = np.r_[-np.inf, codes[:-1] + 0.5, np.inf]
        return np.diff(stats.norm.cdf((edges - p[0]) / math.exp(p[1])))

    def err(p: np.ndarray) -> np.ndarray:
        q = probs(p)
        m = q @ codes
        return np.array([m - mean, math.sqrt(q @ (codes - m) ** 2) - sd])

    sol = optimize.root(err, np.array([mean, math.log(sd)]))
    return probs(sol.x)


def targets() -> dict[str, np.ndarray]:
    """Target distribution (probabilities of the codes in order) of every cut variable.

    Binary variables take the Table 1 share; ordinal and banded variables the
    rounded normal matching the Table 1 mean and SD; training days put
    1 - P(training) on "no training" and a rounded normal on codes 2-5 matching
    the moments implied for the trained.
    """
    out: dict[str, np.ndarray] = {}
    for name in (
        "contract",
        "skill_guidance",
        "rule_briefing",
        "male",
        "married",
        "own_home",
        "community",
        "night_work",
        "injury",
    ):
        p = TABLE1[name][0]
        out[name] = np.array([1 - p, p])
    for name, p in EXTRA_SHARES.items():
        out[name] = np.array([1 - p, p])
    for name, k in (
        ("life_sat", 5),
        ("education", 8),
        ("health", 4),
        ("sleep", 4),
        ("daily_hours", 4),
        ("days_per_week", 7),
        ("loan", 6),
        ("identity", 5),
    ):
        out[name] = _discrete_normal(*TABLE1[name], k)
    p0 = 1 - TABLE1["training"][0]
    m, s = TABLE1["training_days"]
    m1 = (m - p0) / (1 - p0)
    s1 = math.sqrt((s**2 + m**2 - p0) / (1 - p0) - m1**2)
    out["training_days"] = np.r_[p0, (1 - p0) * _discrete_normal(m1, s1, 4, start=2)]
    return out


def _code(
    name: str,
    latent: np.ndarray,
    cuts: dict[str, tuple[float, ...]],
    tgt: dict[str, np.ndarray] | None,
) -> np.ndarray:
    """Cut ``latent`` at ``cuts[name]`` (codes 1..K); calibrate the cuts first when absent."""
    if name not in cuts:
        if tgt is None:
            raise KeyError(f"no cutpoints for {name!r}; run calibrate()")
        cuts[name] = tuple(float(c) for c in np.quantile(latent, np.cumsum(tgt[name])[:-1]))
    return 1 + np.searchsorted(np.asarray(cuts[name]), latent, side="right")


def _income(
    xb: np.ndarray,
    eta: np.ndarray,
    cuts: dict[str, tuple[float, ...]],
    tgt: dict[str, np.ndarray] | None,
) -> np.ndarray:
    """Income band (1-15) of ``exp(mu + xb + sigma * eta)``; calibrates (mu, sigma) when absent."""
    loge = np.log(INCOME_EDGES)

    def band(mu: float, sigma: float) -> np.ndarray:
        return 1 + np.searchsorted(loge, mu + xb + sigma * eta, side="right")

    if "income" not in cuts:
        if tgt is None:
            raise KeyError("no income parameters; run calibrate()")
        m, s = TABLE1["income"]

        def loss(p: np.ndarray) -> float:
            b = band(p[0], math.exp(p[1]))
            return float((b.mean() - m) ** 2 + (b.std() - s) ** 2)

        res = optimize.minimize(
            loss,
            np.array([8.4, math.log(0.5)]),
            method="Nelder-Mead",
            options={"xatol": 1e-5, "fatol": 1e-10},
        )
        cuts["income"] = (float(res.x[0]), float(math.exp(res.x[1])))
    mu, sigma = cuts["income"]
    return band(mu, sigma)


def _employers(m: int) -> np.ndarray:
    """Number of employers per province in a chunk of ``m`` rows (at least 2 each)."""
    return np.maximum(2, np.ceil(m * PROVINCE_WEIGHTS / WORKERS_PER_EMPLOYER)).astype(np.int64)


# --------------------------------------------------------------------------- the model
def simulate(
    m: int,
    rng: np.random.Generator,
    cuts: dict[str, tuple[float, ...]] | None = None,
    tgt: dict[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Draw ``m`` respondents of the structural model (numeric columns only).

    Parameters
    ----------
    m : int
        Number of rows.
    rng : numpy.random.Generator
        The random source.
    cuts : dict, optional
        Cutpoints (default :data:`CUTS`); missing entries are calibrated to
        ``tgt`` and written into ``cuts``.
    tgt : dict, optional
        Target distributions (see :func:`targets`), needed only to calibrate.

    Returns
    -------
    dict
        Column name → array; also the latent pieces ``eps`` (outcome error),
        ``v`` (contract error), ``employer`` (0-based, within the chunk) and
        ``age_z``, ``work``.
    """
    cuts = CUTS if cuts is None else cuts
    T = TRUTH
    c: dict[str, np.ndarray] = {}

    def z() -> np.ndarray:
        return rng.standard_normal(m)

    prov = rng.choice(31, size=m, p=PROVINCE_WEIGHTS / PROVINCE_WEIGHTS.sum())
    c["province"] = prov + 1
    c["central_west"] = (~np.isin(c["province"], list(EAST))).astype(np.int64)
    n_emp = _employers(m)
    offset = np.r_[0, np.cumsum(n_emp)[:-1]]
    c["employer"] = offset[prov] + np.floor(rng.random(m) * n_emp[prov]).astype(np.int64)
    n_total = int(n_emp.sum())

    def binary(name: str, latent: np.ndarray) -> np.ndarray:
        return _code(name, latent, cuts, tgt) - 1

    c["male"] = binary("male", z())
    age = np.floor(16 + rng.gamma(AGE_GAMMA[0], AGE_GAMMA[1], m))
    c["age"] = np.minimum(age, 60)
    c["age_z"] = (c["age"] - 26.0) / 6.0
    c["married"] = binary("married", index(T["married"], c) + z())
    c["education"] = _code("education", index(T["education"], c) + z(), cuts, tgt)
    c["own_home"] = binary("own_home", index(T["own_home"], c) + z())
    c["health"] = _code("health", index(T["health"], c) + z(), cuts, tgt)
    c["work"] = z()
    c["full_time"] = binary("full_time", index(T["full_time"], c) + z())
    c["daily_hours"] = _code("daily_hours", index(T["daily_hours"], c) + z(), cuts, tgt)
    c["days_per_week"] = _code("days_per_week", index(T["days_per_week"], c) + z(), cuts, tgt)
    c["sleep"] = _code("sleep", index(T["sleep"], c) + z(), cuts, tgt)
    c["community"] = binary("community", index(T["community"], c) + z())
    c["loan"] = _code("loan", index(T["loan"], c) + z(), cuts, tgt)
    c["has_loan"] = (c["loan"] >= 2).astype(np.int64)
    c["night_work"] = binary("night_work", index(T["night_work"], c) + z())
    c["works_local"] = binary("works_local", index(T["works_local"], c) + z())

    # platform care: province + employer components (instrument), shared training factors
    sd_e, share = T["employer_sd"], T["shared_training_factor"]
    f_emp = rng.standard_normal(n_total)[c["employer"]]
    f_wrk = z()
    rho = T["selection"]["rho"]
    c["v"] = z()
    c["eps"] = rho * c["v"] + math.sqrt(1 - rho**2) * z()
    for name in ("contract", "training_days", "skill_guidance", "rule_briefing"):
        latent = (
            index(T[name], c)
            + PROVINCE_EFFECTS[name][prov]
            + sd_e[name] * rng.standard_normal(n_total)[c["employer"]]
        )
        if name == "contract":
            latent += c["v"]
        else:
            latent += share["employer"] * f_emp + share["worker"] * f_wrk + z()
        if name == "training_days":
            c[name] = _code(name, latent, cuts, tgt)
            c["training"] = (c[name] >= 2).astype(np.int64)
        else:
            c[name] = binary(name, latent)

    # mediators
    c["injury"] = binary("injury", index(T["injury"], c) + z())
    c["income"] = _income(index(T["income"], c), z(), cuts, tgt)
    c["identity"] = _code("identity", index(T["identity"], c) + z(), cuts, tgt)
    # outcome
    c["life_sat"] = _code("life_sat", index(T["life_sat"], c) + c["eps"], cuts, tgt)
    return c


def calibrate(n: int = 4_000_000, seed: int = 1) -> dict[str, tuple[float, ...]]:
    """Recompute :data:`CUTS`: cut every latent index at the quantiles of its target distribution.

    Parameters
    ----------
    n : int
        Rows of the calibration sample.
    seed : int
        Its seed.

    Returns
    -------
    dict
        Variable → cutpoints (``income`` → (mu, sigma) of log income).
    """
    cuts: dict[str, tuple[float, ...]] = {}
    simulate(n, np.random.default_rng(seed), cuts, targets())
    return cuts


# --------------------------------------------------------------------------- identifiers
def _ids(prefix: str, values: np.ndarray, width: int) -> pd.Series:
    return prefix + pd.Series(values).astype(str).str.zfill(width)


# --------------------------------------------------------------------------- the generator
#: Output columns, in codebook order.
COLUMNS: tuple[str, ...] = (
    "resp_id", "name", "phone", "province", "employer_id", "life_sat", "contract", "training",
    "training_days", "skill_guidance", "rule_briefing", "male", "age", "married", "education",
    "own_home", "health", "sleep", "daily_hours", "days_per_week", "community", "loan",
    "night_work", "central_west", "injury", "income", "identity", "has_loan", "works_local",
    "full_time",
)  # fmt: skip


def chunks(n: int, seed: int, wave: str | None) -> Iterator[pd.DataFrame]:
    """Yield the dataset in chunks of at most :data:`~flexemp.synth.registry.CHUNK_ROWS` rows.

    Chunk ``k`` is drawn from ``numpy.random.default_rng([seed, k])`` (numbers)
    and ``default_rng([seed, k, 1])`` (names and phone numbers), so the data
    depend only on ``(n, seed)``.  Employer ids continue across chunks.

    Parameters
    ----------
    n : int
        Number of respondents.
    seed : int
        The seed.
    wave : None
        The dataset has no waves (checked by the registry).

    Yields
    ------
    pandas.DataFrame
        Columns :data:`COLUMNS`; codes as integers, ``age`` in whole years.
    """
    sizes = [min(CHUNK_ROWS, n - s) for s in range(0, n, CHUNK_ROWS)]
    n_emp = [int(_employers(m).sum()) for m in sizes]
    width_emp = max(5, len(str(sum(n_emp))))
    width_id = max(6, len(str(n)))
    start = emp_start = 0
    for k, m in enumerate(sizes):
        c = simulate(m, np.random.default_rng([seed, k]))
        rng_id = np.random.default_rng([seed, k, 1])
        frame: dict[str, Any] = {
            "resp_id": _ids("PW", np.arange(start + 1, start + m + 1), width_id),
            "name": fake_names(c["male"], rng_id),
            "phone": fake_phones(m, rng_id),
            "employer_id": _ids("E", c["employer"] + emp_start + 1, width_emp),
        }
        for col in COLUMNS:
            if col not in frame:
                frame[col] = c[col].astype(np.int64)
        yield pd.DataFrame({col: frame[col] for col in COLUMNS})
        start += m
        emp_start += n_emp[k]


@register
def _dataset() -> SyntheticDataset:
    return SyntheticDataset(
        name="platform_workers",
        title_zh="平台关怀与农民灵工生活满意度(平台劳动者调查,2021)",
        title_en="Platform care and rural gig workers' life satisfaction (platform worker survey, 2021)",
        seed_document="000_2d02ffac1d2cca4d.txt",
        default_n=2007,
        default_seed=20210749,
        module="platform_workers",
        truth={
            **{k: dict(v) for k, v in TRUTH.items()},
            "cuts": {k: list(v) for k, v in CUTS.items()},
            "province_effects": {k: v.tolist() for k, v in PROVINCE_EFFECTS.items()},
            "outcome_error": "standard normal; eps = rho * v + sqrt(1 - rho^2) * e",
            "instrument": "leave-one-out provincial mean of a care measure, excluding the own employer",
        },
    )
