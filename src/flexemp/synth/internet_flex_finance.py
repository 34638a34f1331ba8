"""Synthetic ``internet_flex_finance``: financial services for "Internet+" flexible workers.

Calibrated to seed document ``003_9e916f57485e7e2c.txt`` (4,629 questionnaires
from 58.com, 58 Finance and Shiqiao: 2,110 flexible and 2,519 stable workers;
codings of its Tables 3 and 5; logits of Tables 4 and 6).

Data-generating process
-----------------------
1. *Group* ``flexible`` (灵活就业 = 1, 稳定就业 = 0): exactly 2,110 / 2,519 at
   the default ``n`` (for other ``n`` the ratio, largest-remainder rounded); a
   seeded permutation within each chunk.
2. *Table 4 covariates given the group* are independent.  Stable workers draw
   code ``x`` of covariate ``j`` with probability ``p0_j(x)``
   (:data:`STABLE`); flexible workers with ``p1_j(x)``, either the exponential
   tilt ``p1_j(x) ∝ p0_j(x) exp(b_j x)`` (:data:`TILT`) or, for age and income,
   a distribution of its own (:data:`FLEX_CATEGORICAL`).  By Bayes' rule the
   group then follows *exactly* the logit
   ``logit P(flexible | x) = log(n1/n0) + sum_j log(p1_j(x_j) / p0_j(x_j))``:
   linear with slope ``b_j`` in every tilted covariate and with category effects
   in age and income (:func:`table4_truth`).  Each ``b_j`` is derived from the
   group percentages the seed publishes (or, where it publishes none, is the
   Table 4 coefficient), so the group differences match the text and the
   slopes have the signs of Table 4.
3. *Other group differences* (hours, job hopping, income stability, fixed
   schedule, social and commercial insurance) are drawn given the group only
   (:data:`BY_GROUP`); multi-select questions are independent Bernoulli options
   with group-specific shares (:data:`MULTI`), asked only where the
   questionnaire's skip logic applies (others are missing).
4. *Credit constraint* (Table 6): ``P(constrained = 1 | x) = F(a_g + x'c)`` with
   ``c`` the Table 6 coefficients (:data:`TABLE6`) and the intercept ``a_g`` of
   each group set so that 69% of flexible and 52% of stable workers are
   constrained (:data:`CONSTRAINT_INTERCEPT`, checked by
   :func:`constraint_share`).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
from scipy import special

from flexemp.synth._identifiers import fake_names, fake_phones
from flexemp.synth.registry import CHUNK_ROWS, SyntheticDataset, register

DEFAULT_N = 4629
DEFAULT_SEED = 20201231
#: Published group sizes (flexible, stable).
GROUP_SIZES: tuple[int, int] = (2110, 2519)

#: Codes of the coded single-choice variables (Tables 3 and 5).
CODES: dict[str, tuple[int, ...]] = {
    "region": (1, 2, 3, 4), "sex": (0, 1), "age": (1, 2, 3, 4, 5), "education": (1, 2, 3, 4, 5, 6),
    "income": (1, 2, 3, 4, 5, 6), "expenditure": (1, 2, 3, 4, 5), "savings": (1, 2, 3, 4, 5, 6, 7, 8),
    "insurance_cost": (1, 2, 3, 4, 5, 6, 7, 8), "debt": (1, 2, 3, 4, 5, 6), "career_plan": (0, 1),
    "finance_exp": (0, 1), "hours": (1, 2, 3, 4, 5), "income_stability": (1, 2, 3),
    "fixed_hours": (0, 1), "social_ins": (0, 1), "commercial_ins": (0, 1), "job_hops": (1, 2, 3, 4),
}  # fmt: skip

#: Stable workers' distribution of each Table 4 covariate (over :data:`CODES`).
STABLE: dict[str, tuple[float, ...]] = {
    "region": (0.20, 0.24, 0.08, 0.48),
    "sex": (0.44, 0.56),  # 44% women (text, 图4)
    "age": (0.05, 0.61, 0.22, 0.09, 0.03),  # 21-30: 61% (图3)
    "education": (0.02, 0.09, 0.29, 0.25, 0.30, 0.05),  # <= junior 11%, peak 本科 30% (图1)
    "income": (
        0.06,
        0.22,
        0.37,
        0.17,
        0.13,
        0.05,
    ),  # < 3000: 6%, > 8000: 35%, peak 5001-8000 (图14)
    "expenditure": (0.10, 0.35, 0.30, 0.20, 0.05),
    "savings": (
        0.012,
        0.098,
        0.19,
        0.08,
        0.10,
        0.14,
        0.18,
        0.20,
    ),  # >= 1000: 89%, >= 3000: 70% (图26)
    "insurance_cost": (0.12, 0.16, 0.18, 0.18, 0.14, 0.10, 0.07, 0.05),  # > 3000: 54% (图25)
    "debt": (0.47, 0.20, 0.17, 0.09, 0.05, 0.02),  # in debt 53% (图19)
    "career_plan": (0.70, 0.30),
    "finance_exp": (0.16, 0.84),  # experience 84%
}

#: Linear tilt b_j (true Table 4 slope) of each tilted covariate; see the module docstring.
TILT: dict[str, float] = {
    "region": -0.072,  # Table 4 (no group percentages published)
    "sex": -0.161119,  # logit(.52) - logit(.56): 48% vs 44% women
    "education": -0.350517,  # flexible <= junior 21%
    "insurance_cost": -0.138702,  # flexible > 3000 yuan 43%
    "career_plan": -1.141,  # Table 4
    "expenditure": -0.046,  # Table 4
    "debt": 0.185801,  # flexible in debt 63%
    "savings": -0.221659,  # flexible >= 1000 yuan 79%
    "finance_exp": -0.392562,  # logit(.78) - logit(.84)
}

#: Flexible workers' distribution of the covariates with category effects.
FLEX_CATEGORICAL: dict[str, tuple[float, ...]] = {
    "age": (0.08, 0.54, 0.22, 0.11, 0.05),  # 21-30: 54%; more under 20 and over 41 (图3)
    "income": (
        0.18,
        0.34,
        0.26,
        0.11,
        0.08,
        0.03,
    ),  # < 3000: 18%, > 8000: 22%, peak 3000-5000 (图14)
}

#: Variables drawn given the group only: (stable, flexible) distributions over :data:`CODES`.
BY_GROUP: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "hours": ((0.08, 0.22, 0.45, 0.18, 0.07), (0.14, 0.18, 0.36, 0.20, 0.12)),  # 图7
    "income_stability": ((0.07, 0.63, 0.30), (0.23, 0.57, 0.20)),  # 不稳定 7% vs 23% (图12)
    "fixed_hours": ((0.25, 0.75), (0.60, 0.40)),  # 60% of flexible: not fixed (图9)
    "social_ins": ((0.07, 0.93), (0.15, 0.85)),  # 85% of flexible insured
    "commercial_ins": ((0.07, 0.93), (0.20, 0.80)),  # no commercial insurance 7% vs 20%
    "job_hops": ((0.38, 0.22, 0.17, 0.23), (0.30, 0.20, 0.17, 0.33)),  # 图10
}

#: Multi-select questions: option shares (stable, flexible) among those asked.
MULTI: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "hop_reasons": ((0.30, 0.18, 0.25, 0.22, 0.35), (0.42, 0.38, 0.33, 0.27, 0.23)),  # 图11
    "flex_reasons": ((0.0,) * 5, (0.38, 0.38, 0.45, 0.35, 0.25)),  # 图5 (flexible only)
    "risks": ((0.50, 0.35, 0.31, 0.13, 0.27), (0.55, 0.40, 0.47, 0.28, 0.30)),  # 图15
    "constraint_reasons": ((0.28, 0.22, 0.10, 0.15, 0.15), (0.33, 0.25, 0.12, 0.23, 0.22)),  # 图17
    # 图20 shares of the whole group (stable .22 .12 .11 .03; flexible .25 .18 .21 .10)
    # divided by the share in debt (53% / 63%): asked of those in debt.
    "debt_types": ((0.22 / 0.53, 0.12 / 0.53, 0.11 / 0.53, 0.03 / 0.53),
                   (0.25 / 0.63, 0.18 / 0.63, 0.21 / 0.63, 0.10 / 0.63)),
    "channels": ((0.33, 0.18, 0.22, 0.05, 0.23), (0.37, 0.30, 0.28, 0.08, 0.25)),  # 图22
    "no_si_reasons": ((0.40, 0.35, 0.33, 0.19, 0.11), (0.40, 0.35, 0.33, 0.19, 0.11)),  # 图24
}  # fmt: skip

#: True coefficients of the credit-constraint logit (Table 6; 理财情况 −0.715 as printed,
#: not the sign of its printed CI).
TABLE6: dict[str, float] = {
    "region": 0.008, "age": -0.023, "sex": 0.353, "education": -0.081, "social_ins": 0.509,
    "insurance_cost": -0.096, "income": -0.224, "debt": 0.332, "finance_exp": -0.715,
    "hours": 0.099, "income_stability": 0.080,
}  # fmt: skip
#: Intercepts (stable, flexible) giving 52% and 69% constrained (see :func:`constraint_share`).
CONSTRAINT_INTERCEPT: tuple[float, float] = (0.300696, 0.794251)
#: Published shares constrained (stable, flexible), 图16.
CONSTRAINT_SHARE: tuple[float, float] = (0.52, 0.69)

#: Output columns, in codebook order (multi-selects: one 0/1 column per option).
SINGLE: tuple[str, ...] = (
    "flexible", "region", "sex", "age", "education", "income", "expenditure", "savings",
    "insurance_cost", "debt", "career_plan", "finance_exp", "hours", "income_stability",
    "fixed_hours", "social_ins", "commercial_ins", "job_hops",
)  # fmt: skip
_MULTI_ORDER: tuple[str, ...] = (
    "hop_reasons", "flex_reasons", "risks", "credit_constraint", "constraint_reasons", "debt_types",
    "channels", "no_si_reasons",
)  # fmt: skip
COLUMNS: tuple[str, ...] = (
    "resp_id", "name", "phone", *SINGLE,
    *(c for m in _MULTI_ORDER
      for c in ((m,) if m == "credit_constraint" else tuple(f"{m}_{k + 1}" for k in range(len(MULTI[m][0]))))),
)  # fmt: skip


def group_distributions(var: str) -> tuple[np.ndarray, np.ndarray]:
    """Return the (stable, flexible) distributions of a group-dependent single-choice variable.

    Parameters
    ----------
    var : str
        A key of :data:`STABLE` or :data:`BY_GROUP`.

    Returns
    -------
    tuple of numpy.ndarray
        ``p0`` and ``p1`` over :data:`CODES` ``[var]``.
    """
    if var in BY_GROUP:
        return np.array(BY_GROUP[var][0]), np.array(BY_GROUP[var][1])
    p0 = np.array(STABLE[var])
    if var in FLEX_CATEGORICAL:
        return p0, np.array(FLEX_CATEGORICAL[var])
    w = p0 * np.exp(TILT[var] * np.array(CODES[var], dtype=float))
    return p0, w / w.sum()


def table4_truth() -> dict[str, float]:
    """True coefficients of ``logit P(flexible = 1 | x)`` (Table 4 covariates).

    Tilted covariates enter linearly (slope :data:`TILT`); age and income enter
    as categories (``age_k``, ``income_k``: effect of code ``k`` against code 1).
    ``const = log(n1/n0) + sum_j log(p1_j(r_j) / p0_j(r_j))`` at the reference
    ``r_j`` (code 1 of age and income, code 0 of the linear covariates, i.e.
    ``-log M_j`` with ``M_j = sum_x p0_j(x) exp(b_j x)``).

    Returns
    -------
    dict
        Term → coefficient.
    """
    const = float(np.log(GROUP_SIZES[0] / GROUP_SIZES[1]))
    out: dict[str, float] = {}
    for var, b in TILT.items():
        p0 = np.array(STABLE[var])
        const -= float(np.log(p0 @ np.exp(b * np.array(CODES[var], dtype=float))))
        out[var] = b
    for var in FLEX_CATEGORICAL:
        p0, p1 = group_distributions(var)
        gamma = np.log(p1 / p0)
        const += float(gamma[0])
        out.update({f"{var}_{k}": float(gamma[k - 1] - gamma[0]) for k in CODES[var][1:]})
    return {"const": const, **out}


def constraint_share(group: int) -> float:
    """Population share constrained in ``group`` (1 flexible, 0 stable), computed exactly.

    The Table 6 covariates are independent within a group, so the distribution
    of ``x'c`` is the convolution of their discrete distributions (the product
    support is enumerated in full).

    Parameters
    ----------
    group : int
        1 for flexible, 0 for stable workers.

    Returns
    -------
    float
        ``E[F(a_g + x'c) | group]``.
    """
    xb: np.ndarray = np.zeros(1)
    prob: np.ndarray = np.ones(1)
    for var, c in TABLE6.items():
        p = group_distributions(var)[group]
        vals = c * np.array(CODES[var], dtype=float)
        xb = (xb[:, None] + vals[None, :]).ravel()
        prob = (prob[:, None] * p[None, :]).ravel()
        uniq = np.unique(np.round(xb, 12), return_inverse=True)
        xb, inverse = np.asarray(uniq[0], dtype=float), np.asarray(uniq[1])
        prob = np.bincount(inverse.ravel(), weights=prob).astype(float)
    return float(prob @ special.expit(CONSTRAINT_INTERCEPT[group] + xb))


def group_counts(n: int) -> tuple[int, int]:
    """Numbers of (flexible, stable) respondents for ``n`` rows (largest remainder)."""
    quota = n * GROUP_SIZES[0] / sum(GROUP_SIZES)
    n1 = int(np.floor(quota))
    if quota - n1 > 0.5 or (quota - n1 == 0.5 and n1 < n):
        n1 += 1
    return n1, n - n1


def _draw(
    p0: np.ndarray, p1: np.ndarray, g: np.ndarray, codes: tuple[int, ...], rng: np.random.Generator
) -> np.ndarray:
    cum = np.cumsum(np.vstack([p0, p1]), axis=1)[g]
    idx = np.minimum((rng.random(len(g))[:, None] > cum).sum(axis=1), len(codes) - 1)
    return np.array(codes, dtype=np.int64)[idx]


def _options(
    shares: tuple[tuple[float, ...], tuple[float, ...]],
    g: np.ndarray,
    asked: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    p = np.array(shares)[g]
    draws = (rng.random(p.shape) < p).astype(np.float64)
    draws[~asked] = np.nan
    return draws


def simulate(g: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Draw every variable given the group vector ``g`` (1 flexible, 0 stable).

    Parameters
    ----------
    g : numpy.ndarray
        Group of each respondent (int).
    rng : numpy.random.Generator
        The random source.

    Returns
    -------
    dict
        Column name → values (codes as int64; multi-select options as float
        0/1 with NaN where the question was not asked).
    """
    out: dict[str, np.ndarray] = {"flexible": g.astype(np.int64)}
    for var in SINGLE[1:]:
        out[var] = _draw(*group_distributions(var), g, CODES[var], rng)
    xb = np.array(CONSTRAINT_INTERCEPT)[g] + sum(c * out[v] for v, c in TABLE6.items())
    out["credit_constraint"] = (rng.random(len(g)) < special.expit(xb)).astype(np.int64)
    asked = {
        "hop_reasons": out["job_hops"] > 1, "flex_reasons": g == 1, "risks": np.ones(len(g), bool),
        "constraint_reasons": out["credit_constraint"] == 1, "debt_types": out["debt"] > 1,
        "channels": np.ones(len(g), bool), "no_si_reasons": out["social_ins"] == 0,
    }  # fmt: skip
    for m, shares in MULTI.items():
        opts = _options(shares, g, asked[m], rng)
        out.update({f"{m}_{k + 1}": opts[:, k] for k in range(opts.shape[1])})
    return out


def chunks(n: int, seed: int, wave: str | None) -> Iterator[pd.DataFrame]:
    """Yield the dataset in chunks of at most :data:`~flexemp.synth.registry.CHUNK_ROWS` rows.

    The group sizes are exact over the whole sample: chunk ``[s, e)`` holds
    ``floor(n1 e / n) - floor(n1 s / n)`` flexible workers, permuted with
    ``default_rng([seed, k])``, which also draws the answers; names and phone
    numbers come from ``default_rng([seed, k, 1])``.

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
        Columns :data:`COLUMNS`.
    """
    n1, _ = group_counts(n)
    width = max(5, len(str(n)))
    for k, start in enumerate(range(0, n, CHUNK_ROWS)):
        stop = min(n, start + CHUNK_ROWS)
        m = stop - start
        m1 = n1 * stop // n - n1 * start // n
        rng = np.random.default_rng([seed, k])
        g = rng.permutation(np.r_[np.ones(m1, np.int64), np.zeros(m - m1, np.int64)])
        c = simulate(g, rng)
        rng_id = np.random.default_rng([seed, k, 1])
        c["resp_id"] = np.char.add(
            "IF", np.char.zfill(np.arange(start + 1, stop + 1).astype(str), width)
        )
        c["name"] = fake_names(c["sex"], rng_id)
        c["phone"] = fake_phones(m, rng_id)
        yield pd.DataFrame({col: c[col] for col in COLUMNS})


@register
def _dataset() -> SyntheticDataset:
    return SyntheticDataset(
        name="internet_flex_finance",
        title_zh="“互联网+”灵活就业群体的金融服务现状与需求调查",
        title_en='Financial services for "Internet+" flexible workers',
        seed_document="003_9e916f57485e7e2c.txt",
        default_n=DEFAULT_N,
        default_seed=DEFAULT_SEED,
        module="internet_flex_finance",
        truth={
            "group_sizes": {"flexible": GROUP_SIZES[0], "stable": GROUP_SIZES[1]},
            "table4_logit": table4_truth(),
            "table4_note": "outcome flexible; age and income enter as categories (age_k, income_k vs code 1)",
            "table6_logit": dict(TABLE6),
            "table6_intercept": {
                "stable": CONSTRAINT_INTERCEPT[0],
                "flexible": CONSTRAINT_INTERCEPT[1],
            },
            "table6_note": "outcome credit_constraint; fit on flexible == 1 with const = intercept of flexible",
            "stable_distributions": {k: list(v) for k, v in STABLE.items()},
            "tilt": dict(TILT),
            "flexible_categorical": {k: list(v) for k, v in FLEX_CATEGORICAL.items()},
        },
    )
