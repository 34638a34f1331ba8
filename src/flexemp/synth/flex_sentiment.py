"""Synthetic ``flex_sentiment``: flexible-employment survey and sentiment indices, 2022 Q1-Q2.

Calibrated to seed document ``004_5a41a714afd4be76.txt`` (Alipay questionnaires:
26,276 collected, 26,252 aged 16 or over, 5,894 flexible workers); the targets
are data in :mod:`flexemp.synth.flex_sentiment_targets`.

Data-generating process (vectorised, chunk by chunk)
----------------------------------------------------
1. *Structure*: ``round(24 n / 26276)`` respondents are under 16 (spread over
   chunks by cumulative rounding).  Adults fall into six groups: self-reported
   flexible workers, unregistered owners (flexible by the seed's rule),
   full-time employees, registered owners, unemployed, inactive.
2. *Job*: occupation within group, industry within occupation.
3. *Background*: age band, education, weekly hours and monthly income within
   occupation (flexible workers; Tables 1-4) or group; sex, province (Figure
   3: over-sampling of 广东/浙江/上海), contract, pension, duration.
4. *Sentiment*: three change and three expectation questions answered by
   everyone; among flexible workers each occupation × industry cell has its
   own ordered-probit distribution whose location ``a_occ + b_ind`` is solved
   so that the unweighted diffusion indices reproduce Tables 5-8.
5. *Unemployed*: search duration (Figure 26), reason for leaving, efforts.

Exact allocation: in each stratum (an occupation, a cell…) the counts of a
categorical answer are the centred rounding of ``m p`` (systematic
allocation), and who gets which answer follows the rank of a latent
normal key.  Keys are correlated (age, education, hours and income; a common
optimism factor behind the six sentiment answers), so the published margins
are hit at the default size while the joint distribution stays plausible.
Province is drawn independently of everything else, so region weighting
leaves the expected indices unchanged: the indices are calibrated unweighted.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy import optimize, special

from flexemp.synth import flex_sentiment_targets as T
from flexemp.synth.registry import CHUNK_ROWS, SyntheticDataset, register

WAVES: tuple[str, ...] = ("2022Q1", "2022Q2")
DEFAULT_SEED = 20220630
#: Loading of the sentiment keys on the common optimism factor.
OPTIMISM_LOADING = 0.6

# Adult groups.
FLEX_SELF, FLEX_UNREG, FULLTIME, OWNER, UNEMPLOYED, INACTIVE = range(6)
N_OCC, N_IND = len(T.OCCUPATIONS), len(T.INDUSTRIES)
N_CELLS = N_OCC * N_IND
#: Sentiment strata after the flexible cells: full-time, owners, unemployed, inactive.
OTHER_GROUPS: tuple[str, ...] = ("fulltime", "owner", "unemployed", "inactive")

_SURNAMES = np.array(list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏傅方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤"
))  # fmt: skip
#: Surname weights: Zipf-like, the most common surnames far more frequent.
_SURNAME_P = 1.0 / np.arange(1, _SURNAMES.size + 1) ** 0.9
_SURNAME_P /= _SURNAME_P.sum()
_GIVEN = np.array(list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国宇浩然俊峰志文斌波婷晓雪琳丹云飞鑫宁颖佳欣怡子涵梓轩博文雨晨思嘉瑞凯龙海亮成林春梅燕凤彬鸿晶倩慧阳旭东新斌丰兴秋"
))  # fmt: skip
_MOBILE_PREFIXES = np.array(
    [130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 147, 150, 151, 152, 153, 155, 156, 157,
     158, 159, 166, 173, 175, 176, 177, 178, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189,
     191, 198, 199],
    dtype=np.int64,
)  # fmt: skip


# ----------------------------------------------------------------- allocation helpers
def _norm(p: Any) -> np.ndarray:
    a = np.asarray(p, dtype=float)
    return a / a.sum(axis=-1, keepdims=True)


def allocate(strata: np.ndarray, probs: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Systematic allocation of categories within strata, ordered by ``key``.

    In a stratum of ``m`` rows, the rows ranked ``k = 0 … m-1`` by ``key``
    get the category whose cumulative probability interval contains
    ``(k + 0.5) / m``, so the count of category ``j`` is
    ``floor(m F_j + 0.5) - floor(m F_{j-1} + 0.5)`` (``F`` the cumulative
    probabilities), within one of ``m p_j``.

    Parameters
    ----------
    strata : ndarray of int, shape (m,)
        Stratum of each row (0 … S-1, S < 32768).
    probs : ndarray, shape (S, K)
        Category probabilities of each stratum (rows sum to 1).
    key : ndarray of float, shape (m,)
        Ranking key; higher keys get higher categories (ranked at 16-bit
        resolution, ties in row order).

    Returns
    -------
    ndarray of int8, shape (m,)
        Category index 0 … K-1.

    Notes
    -----
    Two stable radix passes (key quantised to 16 bits, then stratum) give the
    order in O(m); the categories of the sorted rows are a ``repeat`` of the
    per-stratum counts.
    """
    m = strata.size
    if m == 0:
        return np.zeros(0, dtype=np.int8)
    lo, hi = float(key.min()), float(key.max())
    q = ((key - lo) * (65535.0 / (hi - lo if hi > lo else 1.0))).astype(np.uint16)
    o1 = np.argsort(q, kind="stable")
    order = o1[np.argsort(strata[o1].astype(np.int16), kind="stable")]
    size = np.bincount(strata, minlength=probs.shape[0])
    edges = np.floor(np.cumsum(probs, axis=1) * size[:, None] + 0.5).astype(np.int64)
    edges[:, -1] = size
    counts = np.diff(edges, axis=1, prepend=0).clip(min=0)
    k = probs.shape[1]
    cat = np.repeat(np.tile(np.arange(k, dtype=np.int8), probs.shape[0]), counts.ravel())
    out = np.empty(m, dtype=np.int8)
    out[order] = cat
    return out


def draw(strata: np.ndarray, probs: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Independent draws of a category per row from its stratum's ``probs`` (``u`` uniform in [0, 1))."""
    k = probs.shape[1]
    bounds = (np.arange(probs.shape[0])[:, None] + np.cumsum(probs, axis=1)[:, :-1]).ravel()
    return (np.searchsorted(bounds, strata + u, side="left") - strata * (k - 1)).astype(np.int8)


def _spread(total: int, n: int, start: int, stop: int) -> int:
    """Rows ``[start, stop)``'s share of ``total`` items spread over ``n`` rows (cumulative rounding)."""
    return round(total * stop / n) - round(total * start / n)


# ----------------------------------------------------------------- index calibration
def _thresholds(question: str) -> np.ndarray:
    """Ordered-probit thresholds (worst → best) that give :data:`T.REFERENCE_SHARES` at 0."""
    base = question.replace("expect", "change")
    worst_first = _norm(T.REFERENCE_SHARES[base][::-1])
    return special.ndtri(np.cumsum(worst_first)[:-1])


def cell_probs(mu: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Answer probabilities (worst → best, last axis) of latent locations ``mu``."""
    cdf = special.ndtr(thresholds - np.asarray(mu, dtype=float)[..., None])
    ones = np.ones((*cdf.shape[:-1], 1))
    return np.diff(np.concatenate([0 * ones, cdf, ones], axis=-1), axis=-1)


def expected_index(mu: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Diffusion index ``50 + 50 E[score]`` at latent locations ``mu``."""
    scores = np.asarray(T.SCORES[::-1])
    return 50.0 + 50.0 * cell_probs(mu, thresholds) @ scores


def _joint() -> np.ndarray:
    """P(occupation, industry) among flexible workers (11 × 5)."""
    occ = np.asarray(T.FLEX_OCCUPATION_SHARES)
    return occ[:, None] * _norm(T.INDUSTRY_BY_OCCUPATION)


def _margin_residuals(
    mu: np.ndarray, th: np.ndarray, occ_t: Any, ind_t: Any, overall: float | None
) -> np.ndarray:
    """Occupation, industry and overall index errors of cell locations ``mu`` (11 × 5)."""
    w = _joint()
    idx = expected_index(mu, th)
    res = []
    if occ_t is not None:
        res.append((w * idx).sum(1) / w.sum(1) - np.asarray(occ_t))
    if ind_t is not None:
        res.append((w * idx).sum(0) / w.sum(0) - np.asarray(ind_t))
    if overall is not None:
        res.append(np.array([(w * idx).sum() - overall]))
    return np.concatenate(res)


def _solve_two_way(question: str) -> np.ndarray:
    """Cell locations ``a_occ + b_ind`` reproducing Tables 7, 6 and 5 (Q2) in least squares."""
    th = _thresholds(question)

    def fun(x: np.ndarray) -> np.ndarray:
        mu = x[:N_OCC, None] + np.append(x[N_OCC:], 0.0)[None, :]
        return _margin_residuals(
            mu, th, T.TABLE7[question], T.TABLE6[question], T.TABLE5["2022Q2"][question]
        )

    x = optimize.least_squares(fun, np.zeros(N_OCC + N_IND - 1), xtol=1e-12, ftol=1e-12).x
    return x[:N_OCC, None] + np.append(x[N_OCC:], 0.0)[None, :]


def _solve_shift(
    base: np.ndarray, th: np.ndarray, design: np.ndarray, ind_t: Any, overall: float | None
) -> np.ndarray:
    """Locations ``base + design @ x`` matching industry targets (NaN = free) and the overall index."""
    ind_arr = None if ind_t is None else np.asarray(ind_t, dtype=float)

    def fun(x: np.ndarray) -> np.ndarray:
        mu = base + np.tensordot(x, design, axes=1)
        res = _margin_residuals(mu, th, None, ind_arr, overall)
        return res[~np.isnan(res)]

    x = optimize.least_squares(fun, np.zeros(design.shape[0]), xtol=1e-12, ftol=1e-12).x
    return base + np.tensordot(x, design, axes=1)


def _other_locations(question: str) -> np.ndarray:
    """Q2 locations of the four non-flexible groups (full-time, owners, unemployed, inactive)."""
    th = _thresholds(question)
    k = T.CHANGE_QUESTIONS.index(question)
    targets = [T.OTHER_INDEX[g][k] for g in OTHER_GROUPS]
    return np.array(
        [optimize.brentq(lambda m, t=t: expected_index(m, th) - t, -5, 5) for t in targets]
    )


@cache
def _sentiment_probs(wave: str) -> dict[str, np.ndarray]:
    """Answer probabilities (worst → best) of each sentiment stratum (55 cells + 4 groups)."""
    ones = np.ones((N_OCC, N_IND))
    ind_dummy = np.stack([np.tile(np.eye(N_IND)[i], (N_OCC, 1)) for i in range(N_IND)])
    extra = np.zeros((N_OCC, N_IND))
    extra[:, [2, 4]] += T.EXPECT_EXTRA
    extra[[1, 4, 6], :] += T.EXPECT_EXTRA
    out: dict[str, np.ndarray] = {}
    for q, qx in zip(T.CHANGE_QUESTIONS, T.EXPECT_QUESTIONS, strict=True):
        th = _thresholds(q)
        cur2 = _solve_two_way(q)
        other2 = _other_locations(q)
        if qx == "cons_expect":
            exp2 = _solve_shift(cur2, th, ind_dummy, T.TABLE8_CONS_EXPECT, T.EXPECT_OVERALL[qx])
            shift_other = float((_joint() * (exp2 - cur2)).sum())
        else:
            exp2 = _solve_shift(cur2 + extra, th, ones[None], None, T.EXPECT_OVERALL[qx])
            shift_other = float((exp2 - cur2 - extra).mean())
        cur, other = cur2, other2
        if wave == "2022Q1":
            if q == "inc_change":
                design = np.concatenate([ones[None], ind_dummy[list(T.Q1_INCOME_BY_INDUSTRY)]])
                ind_t = [T.Q1_INCOME_BY_INDUSTRY.get(i, np.nan) for i in range(N_IND)]
            else:
                design, ind_t = ones[None], None
            cur = _solve_shift(cur2, th, design, ind_t, T.TABLE5["2022Q1"][q])
            other = other2 + float((_joint() * (cur - cur2)).sum())
        expect = exp2 + (cur - cur2)
        out[q] = cell_probs(np.concatenate([cur.ravel(), other]), th)
        out[qx] = cell_probs(np.concatenate([expect.ravel(), other + shift_other]), th)
    return out


# ----------------------------------------------------------------- identifiers
def _utf8(chars: np.ndarray) -> np.ndarray:
    """UTF-8 bytes (n × 3) of single CJK characters."""
    return np.frombuffer("".join(chars).encode("utf-8"), dtype=np.uint8).reshape(-1, 3)


def _arrow_text(mat: np.ndarray, lengths: np.ndarray | None = None) -> Any:
    """A pandas ``str`` array from a byte matrix (row ``i`` = its first ``lengths[i]`` bytes)."""
    m, w = mat.shape
    if lengths is None:
        data, offsets = mat.ravel(), np.arange(0, w * (m + 1), w, dtype=np.int32)
    else:
        data = mat[np.arange(w)[None, :] < lengths[:, None]]
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    arr = pa.StringArray.from_buffers(
        m, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(data))
    )
    return pd.array(arr, dtype="str")


def _names(rng: np.random.Generator, m: int) -> Any:
    """Chinese full names: a common surname and one (25%) or two given-name characters."""
    sur = _utf8(_SURNAMES)[rng.choice(_SURNAMES.size, m, p=_SURNAME_P)]
    given = _utf8(_GIVEN)
    g = given[rng.integers(0, _GIVEN.size, (m, 2))].reshape(m, 6)
    lengths = np.where(rng.random(m) < 0.75, 9, 6)
    return _arrow_text(np.concatenate([sur, g], axis=1), lengths)


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """ASCII digit bytes (m × width) of non-negative integers, zero-padded."""
    out = np.empty((values.size, width), dtype=np.uint8)
    rest = values.astype(np.int64)
    for j in range(width - 1, -1, -1):  # one pass per digit position
        rest, digit = np.divmod(rest, 10)
        out[:, j] = digit + 48
    return out


def _phones(rng: np.random.Generator, m: int) -> Any:
    """11-digit mainland mobile numbers (prefixes 13x-19x)."""
    pre = _digits(_MOBILE_PREFIXES, 3)[rng.integers(0, _MOBILE_PREFIXES.size, m)]
    return _arrow_text(np.concatenate([pre, rng.integers(48, 58, (m, 8), dtype=np.uint8)], axis=1))


def _ids(wave: str, start: int, m: int, width: int) -> Any:
    """``FS22Q2-0000001``-style ids: wave tag and a zero-padded row number (unique across waves)."""
    tag = np.frombuffer(f"FS{wave[2:4]}{wave[4:]}-".encode("ascii"), dtype=np.uint8)
    num = np.arange(start + 1, start + m + 1, dtype=np.int64)
    return _arrow_text(
        np.concatenate([np.broadcast_to(tag, (m, tag.size)), _digits(num, width)], axis=1)
    )


def _int(values: np.ndarray, mask: np.ndarray | None = None, dtype: str = "Int8") -> Any:
    """A nullable integer column (``mask`` True = not asked)."""
    np_dtype = {"Int8": np.int8, "Int16": np.int16, "Int32": np.int32}[dtype]
    v = np.asarray(values).astype(np_dtype)
    if mask is None:
        mask = np.zeros(v.size, dtype=bool)
    return pd.arrays.IntegerArray(v, mask)


def _scatter(mask: np.ndarray, values: np.ndarray, m: int) -> np.ndarray:
    out = np.zeros(m, dtype=np.int16)
    out[mask] = values
    return out


# ----------------------------------------------------------------- generation
def _status_probs(wave: str) -> np.ndarray:
    """Adult group shares: flexible (self-reported, unregistered owner), full-time, owner, unemployed, inactive."""
    flex = T.FLEX_SHARE[wave]
    employed = flex / T.EMPLOYED_SPLIT[0]
    fulltime = employed * T.EMPLOYED_SPLIT[1]
    owner = employed - flex - fulltime
    unemployed = T.UNEMPLOYED_SHARE[wave]
    unreg = flex * T.UNREGISTERED_SHARE
    return np.array([flex - unreg, unreg, fulltime, owner, unemployed, 1.0 - employed - unemployed])


@cache
def _tables() -> dict[str, np.ndarray]:
    """Probability matrices by stratum (rows) for the background answers."""
    occ_shares = np.asarray(T.FLEX_OCCUPATION_SHARES)
    flex_self = occ_shares.copy()
    flex_self[3] -= T.UNREGISTERED_SHARE
    eye = np.eye(N_OCC)
    occ = np.stack([flex_self / flex_self.sum(), eye[3], _norm(T.OCCUPATION_FULLTIME), eye[3]])
    ind = np.tile(_norm(T.INDUSTRY_BY_OCCUPATION), (3, 1))
    groups = (*OTHER_GROUPS, "under16")
    age = np.vstack(
        [
            _norm([T.TABLE1_AGE[o][0] for o in T.OCCUPATIONS]),
            _norm([T.AGE_OTHER[g] for g in OTHER_GROUPS]),
        ]
    )
    edu = np.vstack(
        [
            _norm([T.TABLE2_EDUCATION[o] for o in T.OCCUPATIONS]),
            _norm([T.EDUCATION_OTHER[g] for g in groups]),
        ]
    )
    hours = np.vstack(
        [
            _norm([T.TABLE3_HOURS[o][0] for o in T.OCCUPATIONS]),
            _norm([T.HOURS_OTHER[g] for g in OTHER_GROUPS[:2]]),
        ]
    )
    income = np.vstack(
        [
            _norm([T.TABLE4_INCOME[o][0] for o in T.OCCUPATIONS]),
            _norm([T.INCOME_OTHER[g] for g in OTHER_GROUPS[:2]]),
        ]
    )
    male = np.array([*T.MALE_SHARE, *(T.MALE_OTHER[g] for g in groups)])
    no_p = np.asarray(T.NO_PENSION) / 100
    paid = 1 - no_p
    pension = np.vstack(
        [
            np.column_stack([paid * (1 - T.PENSION_SELF_SHARE), paid * T.PENSION_SELF_SHARE, no_p]),
            _norm([T.PENSION_OTHER[g] for g in OTHER_GROUPS[:2]]),
        ]
    )
    contract = _norm([T.CONTRACT[g] for g in ("flexible", "fulltime", "owner")])
    _, province = T.province_shares()
    return {
        "occ": occ, "ind": ind, "age": age, "edu": edu, "hours": hours, "income": income,
        "male": np.column_stack([male, 1 - male]), "pension": pension, "contract": contract,
        "province": np.asarray(province)[None, :], "leave": _norm(T.LEAVE_REASON)[None, :],
    }  # fmt: skip


def _multiselect(rng: np.random.Generator, asked: np.ndarray, p: np.ndarray) -> np.ndarray:
    """0/1 options (rows × options) ticked independently with row probabilities ``p``; 其他 if none.

    Rows not ``asked`` get zeros (masked as missing by the caller).
    """
    sub = (rng.random((int(asked.sum()), p.shape[1])) < p[asked]).astype(np.int8)
    sub[:, -1] |= (sub.sum(axis=1) == 0).astype(np.int8)
    ticks = np.zeros(p.shape, dtype=np.int8)
    ticks[asked] = sub
    return ticks


def _chunk(n: int, seed: int, wave: str, c: int, start: int, m: int) -> pd.DataFrame:
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(WAVES.index(wave), c)))
    tab = _tables()
    n_u16 = _spread(round(T.N_UNDER16 * n / T.N_RAW), n, start, start + m)
    grp = np.empty(m, dtype=np.int64)
    grp[:n_u16] = allocate(
        np.zeros(n_u16, np.int64), _norm([0, 0, 0, 0, *T.UNDER16_STATUS])[None], rng.random(n_u16)
    )
    grp[n_u16:] = allocate(
        np.zeros(m - n_u16, np.int64), _status_probs(wave)[None], rng.random(m - n_u16)
    )
    u16 = np.arange(m) < n_u16
    emp, flex = grp <= OWNER, grp <= FLEX_UNREG
    unemp = grp == UNEMPLOYED
    cols: dict[str, tuple[np.ndarray, np.ndarray | None, str]] = {}

    cols["emp_status"] = (np.select([emp, unemp], [1, 2], 3), None, "Int8")
    cols["job_type"] = (np.array([2, 3, 1, 3, 0, 0])[grp], ~emp, "Int8")
    cols["biz_registered"] = (
        np.array([0, 0, 0, 1, 0, 0])[grp],
        (grp != FLEX_UNREG) & (grp != OWNER),
        "Int8",
    )
    occ = np.zeros(m, dtype=np.int64)
    occ[emp] = allocate(grp[emp], tab["occ"], rng.random(emp.sum()))
    kind = np.select([flex, grp == FULLTIME], [0, 1], 2)
    ind = np.zeros(m, dtype=np.int64)
    ind[emp] = allocate((occ + N_OCC * kind)[emp], tab["ind"], rng.random(emp.sum()))
    cols["occupation"] = (occ + 1, ~emp, "Int8")
    cols["industry"] = (ind + 1, ~emp, "Int8")

    # background: strata = occupation (flexible) or group
    bg = np.where(flex, occ, np.array([0, 0, 11, 12, 13, 14])[grp])
    bg[u16] = 15
    z_age = rng.standard_normal(m, dtype=np.float32)
    z_edu = -0.3 * z_age + 0.95 * rng.standard_normal(m, dtype=np.float32)
    z_hours = rng.standard_normal(m, dtype=np.float32)
    z_inc = (
        0.3 * z_hours + 0.35 * z_edu + 0.15 * z_age + 0.9 * rng.standard_normal(m, dtype=np.float32)
    )
    adult = ~u16
    age = np.zeros(m, dtype=np.int64)
    age[adult] = allocate(bg[adult], tab["age"], z_age[adult]) + 1
    cols["age_band"] = (age, None, "Int8")
    cols["education"] = (allocate(bg, tab["edu"], z_edu) + 1, None, "Int8")
    hours = np.zeros(m, dtype=np.int64)
    hours[emp] = allocate(bg[emp], tab["hours"], z_hours[emp]) + 1
    income = np.zeros(m, dtype=np.int64)
    income[emp] = allocate(bg[emp], tab["income"], z_inc[emp]) + 1
    cols["hours_band"] = (hours, ~emp, "Int8")
    cols["income_band"] = (income, ~emp, "Int8")
    cols["sex"] = (draw(bg, tab["male"], rng.random(m)) + 1, None, "Int8")
    cols["province"] = (
        draw(np.zeros(m, np.int64), tab["province"], rng.random(m)) + 1,
        None,
        "Int8",
    )
    cols["contract"] = (draw(kind, tab["contract"], rng.random(m)) + 1, ~emp, "Int8")
    cols["pension"] = (draw(np.minimum(bg, 12), tab["pension"], rng.random(m)) + 1, ~emp, "Int8")
    base_d = np.where(rng.random(m) < 0.03, np.log(80.0) + 0.3 * rng.standard_normal(m, dtype=np.float32),
                      np.log(420.0) + 0.45 * rng.standard_normal(m, dtype=np.float32))  # fmt: skip
    cols["duration_sec"] = (np.maximum(np.rint(np.exp(base_d)), 20), None, "Int32")

    # sentiment: flexible cells, then full-time, owners, unemployed, inactive
    sen = np.where(flex, occ * N_IND + ind, N_CELLS - 2 + grp)
    probs = _sentiment_probs(wave)
    f = rng.standard_normal(m, dtype=np.float32)
    lam = OPTIMISM_LOADING
    for q, qx in zip(T.CHANGE_QUESTIONS, T.EXPECT_QUESTIONS, strict=True):
        z = lam * f + np.sqrt(1 - lam**2) * rng.standard_normal(m, dtype=np.float32)
        zx = 0.5 * z + 0.3 * f + 0.8 * rng.standard_normal(m, dtype=np.float32)
        cols[q] = (5 - allocate(sen, probs[q], z), None, "Int8")
        cols[qx] = (5 - allocate(sen, probs[qx], zx), None, "Int8")

    # unemployed
    months = np.zeros(m, dtype=np.int64)
    months[unemp] = (
        allocate(
            np.zeros(unemp.sum(), np.int64),
            _norm(T.SEARCH_MONTHS[wave])[None],
            rng.random(unemp.sum()),
        )
        + 1
    )
    cols["search_months"] = (months, ~unemp, "Int8")
    cols["leave_reason"] = (
        draw(np.zeros(m, np.int64), tab["leave"], rng.random(m)) + 1,
        ~unemp,
        "Int8",
    )

    # multi-selects
    improved = {q: cols[q][0] <= 2 for q in T.CHANGE_QUESTIONS}
    asked = {
        "difficulty": emp, "improve_wish": emp, "emp_reason": improved["emp_change"],
        "inc_reason": improved["inc_change"], "cons_reason": improved["cons_change"], "search_effort": unemp,
    }  # fmt: skip
    for name, spec in T.MULTISELECT.items():
        if "p" in spec:
            p = np.broadcast_to(np.asarray(spec["p"]), (m, len(spec["options"])))
        else:
            p = np.where(flex[:, None], np.asarray(spec["p_flexible"]), np.asarray(spec["p_other"]))
        ticks = _multiselect(rng, asked[name], p)
        for k in range(ticks.shape[1]):
            cols[f"{name}_{k + 1}"] = (ticks[:, k], ~asked[name], "Int8")

    perm = rng.permutation(m)
    name_rng = np.random.default_rng(
        np.random.SeedSequence(seed, spawn_key=(WAVES.index(wave), c, 1))
    )
    width = max(7, len(str(n)))
    frame: dict[str, Any] = {
        "resp_id": _ids(wave, start, m, width),
        "name": _names(name_rng, m),
        "phone": _phones(name_rng, m),
    }
    for col, (values, mask, dtype) in cols.items():
        frame[col] = _int(values[perm], None if mask is None else mask[perm], dtype)
    return pd.DataFrame(frame, copy=False)[_columns()]


@cache
def _columns() -> list[str]:
    from flexemp.synth.registry import get_dataset

    return [c for v in get_dataset("flex_sentiment").codebook() for c in v.source_columns]


def chunks(n: int, seed: int, wave: str | None) -> Iterator[pd.DataFrame]:
    """Yield ``n`` respondents of ``wave`` in chunks of at most ``CHUNK_ROWS`` rows.

    Chunk ``k`` is drawn from ``SeedSequence(seed, spawn_key=(wave index, k))``
    independently of the others, so the data depend only on ``(n, seed, wave)``;
    ``n`` is taken as given for both waves (the registry default is the Q2 size).

    Parameters
    ----------
    n : int
        Number of respondents (raw rows, including ``round(24 n / 26276)`` under 16).
    seed : int
        The seed.
    wave : str or None
        ``"2022Q1"`` or ``"2022Q2"`` (None means Q2).

    Yields
    ------
    pandas.DataFrame
        The codebook's raw source columns in codebook order; codes as nullable
        integers (missing = question not asked), ids, names and phones as text.

    Examples
    --------
    >>> from flexemp.synth import get_dataset
    >>> df = get_dataset("flex_sentiment").generate()
    >>> len(df), int((df["age_band"] == 0).sum())
    (26276, 24)
    """
    wave = wave or "2022Q2"
    for c, start in enumerate(range(0, n, CHUNK_ROWS)):
        yield _chunk(n, seed, wave, c, start, min(CHUNK_ROWS, n - start))


@register
def _dataset() -> SyntheticDataset:
    return SyntheticDataset(
        name="flex_sentiment",
        title_zh="灵活就业群体调查暨灵活就业景气指数（2022年一、二季度）",
        title_en="Flexible-employment survey and sentiment indices, 2022 Q1-Q2",
        seed_document="004_5a41a714afd4be76.txt",
        default_n=T.N_RAW,
        default_seed=DEFAULT_SEED,
        module="flex_sentiment",
        waves=WAVES,
        default_wave="2022Q2",
        truth=T.truth(),
    )
