"""Synthetic ``riders_shanghai``: Shanghai delivery riders and occupational-injury insurance.

Calibrated to seed document ``001_6c569fc02ac592aa.txt`` (100 valid
questionnaires of 103; Table 1 gives the frequency of every answer, Table 2
the coding, Table 3 a binary logistic regression of (un)willingness to insure).

Data-generating process
-----------------------
1. *Marginals fixed by construction.*  For ``n`` respondents each coded
   variable gets exactly the counts of Table 1 scaled to ``n`` by
   largest-remainder rounding (:func:`scaled_counts`; at ``n = 100`` these are
   Table 1 itself).  Each covariate is an independent seeded permutation of its
   exact counts, so in the population the covariates are independent with the
   Table 1 shares.
2. *Outcome by sorting on a latent index.*  ``u = x'beta + e`` with ``e``
   standard logistic and ``beta`` = the Table 3 coefficients
   (:data:`BETA`, the covariates coded as in Table 2).  The ``k`` respondents
   with the largest ``u`` get ``unwilling = 1`` (没有意愿), where ``k`` is the
   scaled count of "否" (51 of 100).  As ``n`` grows the empirical threshold
   converges to the population quantile ``c`` solving
   ``E[F(x'beta - c)] = k/n``, so ``P(unwilling = 1 | x) = F(alpha + x'beta)``
   with ``alpha = -c`` (:func:`true_intercept`, computed exactly over the
   60,000 cells of the covariate support).

The outcome is coded as in Table 2 (有意愿 = 0, 没有意愿 = 1), the coding under
which every sign of Table 3 agrees with the seed's prose.  The default seed is
one for which the logit fitted to the 100 default rows reproduces all nine
signs of Table 3.

Questionnaires as collected
---------------------------
The seed collected 103 questionnaires and dropped 3 (key variables missing or
invalid).  ``generate(collected=True)`` appends :data:`N_INVALID` invalid
questionnaires to the ``n`` valid rows (:func:`invalid_rows`), drawn from their
own stream ``default_rng([seed, 2])`` so the valid rows are unchanged: one
without the willingness answer, one with one personal characteristic missing,
and a resubmission by a valid respondent (same name, phone and sex, the other
answers drawn anew, the opposite willingness answer).  Their ``resp_id`` continues after the
valid rows, so the duplicate rule, which keeps the first occurrence, drops the
resubmission.  Columns with a missing value become nullable ``Int64``.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special

from flexemp.synth._identifiers import fake_names, fake_phones
from flexemp.synth.registry import CHUNK_ROWS, SyntheticDataset, register

#: Table 1 frequencies (n = 100), by Table 2 code, for every coded variable, in codebook order.
TABLE1: dict[str, dict[int, int]] = {
    "unwilling": {0: 49, 1: 51},  # 是 (有意愿) 49, 否 (没有意愿) 51
    "sex": {1: 69, 2: 31},
    "hukou": {1: 61, 2: 39},
    "age_group": {1: 21, 2: 64, 3: 15},
    "married": {1: 41, 2: 59},  # 未婚 41, 已婚 59
    "education": {1: 6, 2: 32, 3: 45, 4: 16, 5: 1},
    "health": {1: 8, 2: 29, 3: 29, 4: 22, 5: 12},
    "work_time": {1: 49, 2: 51},
    "knowledge": {1: 18, 2: 28, 3: 24, 4: 20, 5: 10},
    "publicity": {1: 24, 2: 28, 3: 31, 4: 13, 5: 4},
}

#: True logit coefficients of ``unwilling`` (= 1: 没有意愿) on the Table 2 codes: Table 3 of the seed.
BETA: dict[str, float] = {
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

#: The covariates of Table 3, in codebook order.
COVARIATES: tuple[str, ...] = tuple(k for k in TABLE1 if k != "unwilling")

#: Output columns, in codebook order.
COLUMNS: tuple[str, ...] = ("resp_id", "name", "phone", *TABLE1)

DEFAULT_N = 100
#: Invalid questionnaires appended by ``generate(collected=True)`` (103 collected − 100 valid).
N_INVALID = 3
#: What is wrong with each invalid questionnaire, in order (zh, en).
INVALID_DEFECTS: tuple[tuple[str, str], ...] = (
    ("意愿题未作答", "willingness question unanswered"),
    ("一项个人特征缺失", "one personal characteristic missing"),
    ("同一手机号重复提交", "resubmission from the same phone"),
)
#: Chosen so that the logit fitted to the 100 default rows has all nine signs of Table 3.
DEFAULT_SEED = 20231265


def scaled_counts(counts: dict[int, int], n: int) -> dict[int, int]:
    """Scale Table 1 counts to ``n`` rows by largest-remainder (Hamilton) rounding.

    Parameters
    ----------
    counts : dict
        Code → frequency (summing to the published total).
    n : int
        Target number of rows.

    Returns
    -------
    dict
        Code → count, summing to ``n``; ties in the remainders go to the
        earlier code.

    Examples
    --------
    >>> scaled_counts({0: 49, 1: 51}, 10)
    {0: 5, 1: 5}
    """
    codes = list(counts)
    c = np.array([counts[k] for k in codes], dtype=float)
    quota = c * n / c.sum()
    base = np.floor(quota).astype(np.int64)
    rest = n - int(base.sum())
    order = np.lexsort((np.arange(len(c)), -(quota - base)))  # largest remainder, then code order
    base[order[:rest]] += 1
    return {k: int(v) for k, v in zip(codes, base, strict=True)}


@cache
def true_intercept() -> float:
    """The intercept ``alpha`` of ``P(unwilling = 1 | x) = F(alpha + x'beta)`` in the population.

    The covariates are independent with the Table 1 shares; ``alpha = -c``
    where ``c`` solves ``E[F(x'beta - c)] = 0.51`` (the share of 没有意愿),
    the expectation taken exactly over the 60,000 cells of the support.

    Returns
    -------
    float
    """
    xb = np.zeros(1)
    prob = np.ones(1)
    for v in COVARIATES:
        codes = np.array(list(TABLE1[v]), dtype=float)
        p = np.array(list(TABLE1[v].values()), dtype=float) / 100.0
        xb = (xb[:, None] + BETA[v] * codes[None, :]).ravel()
        prob = (prob[:, None] * p[None, :]).ravel()
    share = TABLE1["unwilling"][1] / 100.0
    return float(
        optimize.brentq(lambda a: float(prob @ special.expit(a + xb)) - share, -20.0, 20.0)
    )


def _column(counts: dict[int, int], rng: np.random.Generator) -> np.ndarray:
    return rng.permutation(np.repeat(np.array(list(counts), dtype=np.int64), list(counts.values())))


def simulate(n: int, seed: int) -> dict[str, np.ndarray]:
    """Draw the coded variables for ``n`` respondents (see the module docstring).

    Parameters
    ----------
    n : int
        Number of respondents.
    seed : int
        Seed of ``numpy.random.default_rng([seed, 0])``.

    Returns
    -------
    dict
        Variable name → int64 codes (length ``n``).
    """
    rng = np.random.default_rng([seed, 0])
    cols = {v: _column(scaled_counts(TABLE1[v], n), rng) for v in COVARIATES}
    xb = sum(BETA[v] * cols[v] for v in COVARIATES)
    latent = xb + rng.logistic(size=n)
    k = scaled_counts(TABLE1["unwilling"], n)[1]
    unwilling = np.zeros(n, dtype=np.int64)
    unwilling[np.argsort(-latent, kind="stable")[:k]] = 1
    return {"unwilling": unwilling, **cols}


def _draw_answers(m: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """``m`` answers to every coded question, each drawn from its Table 1 shares."""
    out = {}
    for v, counts in TABLE1.items():
        p = np.array(list(counts.values()), dtype=float)
        out[v] = rng.choice(np.array(list(counts), dtype=np.int64), size=m, p=p / p.sum())
    return out


def _invalid_plan(n: int, seed: int) -> dict[str, Any]:
    """The random draws of the invalid questionnaires (before the valid rows are built)."""
    rng = np.random.default_rng([seed, 2])
    answers = _draw_answers(N_INVALID, rng)
    missing = COVARIATES[int(rng.integers(len(COVARIATES)))]
    repeat = int(rng.integers(min(n, CHUNK_ROWS)))  # a respondent of the first chunk
    names = fake_names((answers["sex"][:2] == 1).astype(np.int64), rng)
    phones = fake_phones(2, rng)
    return {"answers": answers, "missing": missing, "repeat": repeat, "names": names, "phones": phones}


def invalid_rows(n: int, seed: int, first: pd.DataFrame) -> pd.DataFrame:
    """The :data:`N_INVALID` invalid questionnaires appended after ``n`` valid rows.

    Row 1 leaves ``unwilling`` empty; row 2 leaves one covariate (chosen at
    random) empty; row 3 repeats the name, phone and sex of a valid respondent
    of ``first`` with the other answers drawn anew and the opposite ``unwilling``.  Answers
    are drawn from the Table 1 shares with ``default_rng([seed, 2])``.

    Parameters
    ----------
    n : int
        Number of valid rows (``resp_id`` continues from ``n + 1``).
    seed : int
        The seed.
    first : pandas.DataFrame
        The first chunk of valid rows (the resubmitting respondent is one of them).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`; ``unwilling`` and the emptied covariate are ``Int64``.

    Examples
    --------
    >>> valid = next(chunks(100, DEFAULT_SEED, None))
    >>> bad = invalid_rows(100, DEFAULT_SEED, valid)
    >>> bad["resp_id"].tolist(), int(bad["unwilling"].isna().sum())
    (['RS0101', 'RS0102', 'RS0103'], 1)
    >>> bool(bad["phone"].iloc[2] in set(valid["phone"]))
    True
    """
    plan = _invalid_plan(n, seed)
    answers: dict[str, Any] = dict(plan["answers"])
    original = first.iloc[plan["repeat"]]
    answers["unwilling"][2] = 1 - int(original["unwilling"])
    answers["sex"][2] = int(original["sex"])  # the same person (the name follows the sex)
    for v, row in (("unwilling", 0), (plan["missing"], 1)):
        answers[v] = pd.array(answers[v], dtype="Int64")
        answers[v][row] = pd.NA
    width = max(4, len(str(n)))
    frame: dict[str, Any] = {
        "resp_id": np.char.add("RS", np.char.zfill(np.arange(n + 1, n + N_INVALID + 1).astype(str), width)),
        "name": np.append(plan["names"], original["name"]),
        "phone": np.append(plan["phones"], original["phone"]),
        **answers,
    }
    return pd.DataFrame({col: frame[col] for col in COLUMNS})


def chunks(n: int, seed: int, wave: str | None, collected: bool = False) -> Iterator[pd.DataFrame]:
    """Yield the dataset in chunks of at most :data:`~flexemp.synth.registry.CHUNK_ROWS` rows.

    The coded columns are drawn for all ``n`` rows at once (the marginal
    counts are exact over the whole sample) and then sliced; names and phone
    numbers of chunk ``k`` come from ``default_rng([seed, k, 1])``.

    Parameters
    ----------
    n : int
        Number of respondents.
    seed : int
        The seed.
    wave : None
        The dataset has no waves (checked by the registry).
    collected : bool
        Also yield the :func:`invalid_rows` as a last chunk (the columns they
        leave empty are ``Int64`` in every chunk).

    Yields
    ------
    pandas.DataFrame
        Columns :data:`COLUMNS`; codes as int64 (``Int64`` where the invalid
        questionnaires leave a value empty, with ``collected``).
    """
    c = simulate(n, seed)
    width = max(4, len(str(n)))
    nullable = {"unwilling": "Int64", _invalid_plan(n, seed)["missing"]: "Int64"} if collected else {}
    first: pd.DataFrame | None = None
    for k, start in enumerate(range(0, n, CHUNK_ROWS)):
        stop = min(n, start + CHUNK_ROWS)
        rng_id = np.random.default_rng([seed, k, 1])
        ids = np.char.add("RS", np.char.zfill(np.arange(start + 1, stop + 1).astype(str), width))
        frame: dict[str, Any] = {
            "resp_id": ids,
            "name": fake_names((c["sex"][start:stop] == 1).astype(np.int64), rng_id),
            "phone": fake_phones(stop - start, rng_id),
        }
        frame.update({v: c[v][start:stop] for v in TABLE1})
        chunk = pd.DataFrame({col: frame[col] for col in COLUMNS})
        first = chunk if first is None else first
        yield chunk.astype(nullable) if nullable else chunk
    if collected and first is not None:
        yield invalid_rows(n, seed, first)


@register
def _dataset() -> SyntheticDataset:
    return SyntheticDataset(
        name="riders_shanghai",
        title_zh="上海外卖骑手职业伤害保险参保意愿调查",
        title_en="Shanghai delivery riders and occupational-injury insurance",
        seed_document="001_6c569fc02ac592aa.txt",
        default_n=DEFAULT_N,
        default_seed=DEFAULT_SEED,
        module="riders_shanghai",
        n_invalid=N_INVALID,
        truth={
            "outcome": "unwilling (1 = 没有意愿, 0 = 有意愿), Table 2 coding",
            "logit": {"const": true_intercept(), **BETA},
            "marginals": {k: {str(c): f for c, f in v.items()} for k, v in TABLE1.items()},
            "dgp": "covariates: independent permutations of the exact Table 1 counts; "
            "unwilling = 1 for the k largest x'beta + logistic error",
            "invalid": [en for _, en in INVALID_DEFECTS],
        },
    )
