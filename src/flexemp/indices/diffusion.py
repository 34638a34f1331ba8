"""Diffusion ("景气") indices with linearised or bootstrap uncertainty.

Every estimate is built from counts and five weighted sums per cell (Σw, Σw·s, Σw²,
Σw²·s, Σw²·s²), so :mod:`flexemp.indices.sql` computes them in DuckDB and shares
:func:`finish`.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, get_args

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from flexemp.core.errors import DroppedRowsWarning, IndexInputError
from flexemp.core.options import Scale, validate_option
from flexemp.indices.scores import scores_for_variables

if TYPE_CHECKING:
    from flexemp.codebook.model import Codebook

SCALES: tuple[str, ...] = get_args(Scale)

#: Scores of the seed's five answers 变好很多 / 变好一点 / 基本不变 / 变差一点 / 变差很多.
DEFAULT_SCORES: dict[float, float] = {1: 1.0, 2: 0.5, 3: 0.0, 4: -0.5, 5: -1.0}
#: Readings of the 50-line test: above / below (significant), not significant, suppressed.
READINGS: tuple[str, str, str, str] = ("景气", "不景气", "与50无显著差异", "样本不足")
READING_BOOM, READING_BUST, READING_NS, READING_SUPPRESSED = READINGS
BOOM_LINE = 50.0
#: Largest number of (replicate × respondent) draws held in memory at once.
_BOOT_BLOCK = 4_000_000

COLUMNS: tuple[str, ...] = (
    "var", "wave", "group", "index", "se", "conf_low", "conf_high", "n", "n_eff",
    "suppressed", "index_raw", "se_raw", "se_linearized", "n_missing", "above_50",
    "z", "p_value", "reading", "scale", "method",
)  # fmt: skip

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class CellSums:
    """Counts and weighted sums per cell; every array has shape ``(n_cells,)``.

    ``n`` counts valid (scored) answers, ``n_missing`` rows whose answer is
    missing; ``sw`` = Σw, ``sws`` = Σw·s, ``sw2`` = Σw², ``sw2s`` = Σw²·s,
    ``sw2s2`` = Σw²·s², all over valid answers.
    """

    n: IntArray
    n_missing: IntArray
    sw: FloatArray
    sws: FloatArray
    sw2: FloatArray
    sw2s: FloatArray
    sw2s2: FloatArray


_SUM_FIELDS: tuple[str, ...] = tuple(CellSums.__dataclass_fields__)


def cell_sums(score: FloatArray, cell: IntArray, w: FloatArray, n_cells: int) -> CellSums:
    """Weighted sums per cell by ``np.bincount``.

    ``score`` (N,) holds each answer's score, NaN where missing; ``cell`` (N,)
    each row's cell in ``0 .. n_cells - 1``; ``w`` (N,) non-negative weights.

    Examples
    --------
    >>> s = cell_sums(np.array([1.0, 0.0, np.nan]), np.array([0, 0, 1]), np.ones(3), 2)
    >>> s.n.tolist(), s.n_missing.tolist(), s.sws.tolist()
    ([2, 0], [0, 1], [1.0, 0.0])
    """
    valid = ~np.isnan(score)
    s, wv = np.where(valid, score, 0.0), np.where(valid, w, 0.0)
    w2 = wv * wv

    def bc(x: FloatArray) -> FloatArray:
        return np.bincount(cell, weights=x, minlength=n_cells).astype(np.float64)

    n = np.rint(bc(valid.astype(np.float64))).astype(np.int64)
    n_missing = np.bincount(cell, minlength=n_cells).astype(np.int64) - n
    return CellSums(n, n_missing, bc(wv), bc(wv * s), bc(w2), bc(w2 * s), bc(w2 * s * s))


def scale_constants(scale: str) -> tuple[float, float]:
    """Return ``(offset, factor)`` with index = offset + factor × mean score.

    Examples
    --------
    >>> scale_constants("balance"), scale_constants("share")
    ((50.0, 50.0), (0.0, 100.0))
    """
    return (50.0, 50.0) if scale == "balance" else (0.0, 100.0)


def linearized(sums: CellSums) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Weighted mean score, its linearised SE and Kish's effective n per cell.

    var(m) = Σw²(s − m)² / (Σw)² × n / (n − 1), expanded as
    (Σw²s² − 2mΣw²s + m²Σw²) / (Σw)² × n / (n − 1); n_eff = (Σw)² / Σw².

    Examples
    --------
    >>> s = cell_sums(np.array([1.0, 0.0]), np.array([0, 0]), np.ones(2), 1)
    >>> [float(a[0]) for a in linearized(s)]
    [0.5, 0.5, 2.0]
    """
    n = sums.n.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = sums.sws / sums.sw
        ss = sums.sw2s2 - 2.0 * mean * sums.sw2s + mean * mean * sums.sw2
        var = np.maximum(ss, 0.0) / (sums.sw * sums.sw) * n / (n - 1.0)
        var = np.where(n >= 2, var, np.nan)
        n_eff = sums.sw * sums.sw / sums.sw2
    return mean, np.sqrt(var), n_eff


# fmt: off
def finish(
    keys: pd.DataFrame, sums: CellSums, *, scale: str, min_n: int, conf_level: float,
    boot: tuple[FloatArray, FloatArray, FloatArray] | None = None,
) -> pd.DataFrame:
    # fmt: on
    """Turn cell sums into the published frame (shared by pandas and SQL paths).

    ``keys``: var, wave, group per cell; ``boot``: :func:`bootstrap_cells` output.
    """
    offset, factor = scale_constants(scale)
    mean, se_mean, n_eff = linearized(sums)
    index_raw = offset + factor * mean
    se_lin = factor * se_mean
    zq = float(stats.norm.ppf(0.5 + conf_level / 2.0))
    if boot is None:
        se_raw, lo, hi = se_lin, index_raw - zq * se_lin, index_raw + zq * se_lin
    else:
        se_raw, lo, hi = boot
    suppressed = sums.n < min_n
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (index_raw - BOOM_LINE) / se_raw
    p = 2.0 * stats.norm.sf(np.abs(z))
    reading = np.where(
        p < 1.0 - conf_level, np.where(index_raw > BOOM_LINE, READING_BOOM, READING_BUST), READING_NS
    ).astype(object)
    reading[suppressed] = READING_SUPPRESSED

    def pub(x: FloatArray) -> FloatArray:
        return np.where(suppressed, np.nan, x)
    # fmt: off
    cols: dict[str, object] = {
        "index": pub(index_raw), "se": pub(se_raw), "conf_low": pub(lo), "conf_high": pub(hi),
        "n": sums.n, "n_eff": n_eff, "suppressed": suppressed, "index_raw": index_raw,
        "se_raw": se_raw, "se_linearized": se_lin, "n_missing": sums.n_missing,
        "above_50": np.nan_to_num(index_raw, nan=BOOM_LINE) > BOOM_LINE,
        "z": pub(z), "p_value": pub(p), "reading": reading, "scale": scale,
        "method": "linearization" if boot is None else "bootstrap",
    }
    # fmt: on
    out = pd.concat([keys.reset_index(drop=True), pd.DataFrame(cols)], axis=1)
    return out[list(COLUMNS)]


# fmt: off
def bootstrap_cells(
    score: FloatArray, cell: IntArray, w: FloatArray, n_cells: int, *,
    replicates: int, seed: int, scale: str, conf_level: float,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    # fmt: on
    """Bootstrap SE and percentile CI per cell, resampling respondents within cells.

    Each replicate draws, for every valid answer, a respondent of the same cell
    uniformly with replacement (so each cell keeps its size); the replicate's
    weighted sums come from one ``np.bincount`` over (replicate, cell) keys.
    Replicates are processed in blocks of at most ``_BOOT_BLOCK`` draws. Returns
    ``(se, conf_low, conf_high)`` on the index scale, each of shape ``(n_cells,)``.
    """
    valid = ~np.isnan(score)
    order = np.argsort(cell[valid], kind="stable")
    c, s, wv = cell[valid][order], score[valid][order], w[valid][order]
    size = np.bincount(c, minlength=n_cells)
    start = np.concatenate(([0], np.cumsum(size)[:-1]))
    row_start, row_size = start[c], size[c]
    rng = np.random.default_rng(seed)
    block = max(1, min(replicates, _BOOT_BLOCK // max(len(c), 1)))
    offset, factor = scale_constants(scale)
    est = np.empty((replicates, n_cells))
    for b0 in range(0, replicates, block):
        b = min(block, replicates - b0)
        idx = row_start + np.floor(rng.random((b, len(c))) * row_size).astype(np.int64)
        key = (np.arange(b)[:, None] * n_cells + c[None, :]).ravel()
        sw = np.bincount(key, weights=wv[idx].ravel(), minlength=b * n_cells)
        sws = np.bincount(key, weights=(wv * s)[idx].ravel(), minlength=b * n_cells)
        with np.errstate(divide="ignore", invalid="ignore"):
            est[b0 : b0 + b] = offset + factor * (sws / sw).reshape(b, n_cells)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        se = np.nanstd(est, axis=0, ddof=1)
        lo, hi = np.nanquantile(est, [(1 - conf_level) / 2, (1 + conf_level) / 2], axis=0)
    return se, lo, hi


def resolve_scores(
    scores: Mapping[float, float] | None, scale: str
) -> tuple[FloatArray, FloatArray]:
    """Return sorted codes and their scores, checking the range the scale needs.

    Examples
    --------
    >>> resolve_scores({1: 1.0, 2: 0.5, 3: 0.0}, "share")[1].tolist()
    [1.0, 0.5, 0.0]
    """
    mapping = dict(DEFAULT_SCORES if scores is None else scores)
    if not mapping:
        raise IndexInputError("scores is empty; give a mapping such as {1: 1.0, 2: 0.0}.")
    items = sorted(mapping.items())
    codes, vals = (np.array([it[j] for it in items], dtype=np.float64) for j in (0, 1))
    lo, hi = (-1.0, 1.0) if scale == "balance" else (0.0, 1.0)
    bad = [k for k, v in zip(codes, vals, strict=True) if not lo <= v <= hi]
    if bad:
        raise IndexInputError(
            f"scores for codes {bad[:5]} lie outside [{lo:g}, {hi:g}], the range of "
            f"scale={scale!r}; use scale='balance' for scores in [-1, 1] (index = 50 + 50 × "
            "mean) or scale='share' for scores in [0, 1] (index = 100 × mean)."
        )
    return codes, vals


def score_column(data: pd.DataFrame, var: str, codes: FloatArray, vals: FloatArray) -> FloatArray:
    """Map a column of answer codes to scores (NaN where missing); refuse unknown codes."""
    try:
        x = pd.to_numeric(data[var], errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise IndexInputError(
            f"column {var!r} must hold numeric answer codes; recode labels to codes first."
        ) from exc
    pos = np.clip(np.searchsorted(codes, x), 0, len(codes) - 1)
    ok = codes[pos] == x
    unknown = ~np.isnan(x) & ~ok
    if unknown.any():
        rows = data.index[unknown][:5].tolist()
        raise IndexInputError(
            f"column {var!r} has {int(unknown.sum())} answers whose code is not in scores "
            f"(codes {sorted(set(x[unknown].tolist()))[:5]}, first rows {rows}); add them to "
            "scores or set them to missing."
        )
    return np.where(ok, vals[pos], np.nan)


def check_columns(data: pd.DataFrame, names: Sequence[str | None], role: str = "column") -> None:
    """Refuse names that are not columns of ``data``, suggesting the closest."""
    for name in names:
        if name is not None and name not in data.columns:
            close = difflib.get_close_matches(str(name), [str(c) for c in data.columns], n=3)
            hint = f" Did you mean {close}?" if close else ""
            raise IndexInputError(f"{role} {name!r} is not a column of the data.{hint}")


def check_common(min_n: int, conf_level: float) -> None:
    """Refuse a non-positive ``min_n`` or a ``conf_level`` outside (0, 1)."""
    if isinstance(min_n, bool) or not isinstance(min_n, (int, np.integer)) or min_n < 1:
        raise IndexInputError(f"min_n must be a positive integer, got {min_n!r}.")
    if not 0.0 < float(conf_level) < 1.0:
        raise IndexInputError(f"conf_level must lie in (0, 1), got {conf_level!r}.")


def weight_column(data: pd.DataFrame, weights: str | None) -> FloatArray:
    """Weights as floats (ones when ``weights`` is None); refuse missing or negative ones."""
    if weights is None:
        return np.ones(len(data))
    w = pd.to_numeric(data[weights], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        raise IndexInputError(
            f"weights column {weights!r} has {int(bad.sum())} missing, infinite or negative "
            f"values (first rows {data.index[bad][:5].tolist()}); fix or drop those rows."
        )
    return w


@dataclass(frozen=True)
class _Prepared:
    """Checked inputs: scores, weights (N,), wave and group codes (N,), kept rows (N,)."""
    codes: FloatArray
    vals: FloatArray
    w: FloatArray
    cw: IntArray
    cg: IntArray
    waves: list[Hashable]
    groups: list[Hashable]
    keep: NDArray[np.bool_]


# fmt: off
def _prepare(
    data: pd.DataFrame, variables: Sequence[str], *, by: str | None, wave: str | None,
    weights: str | None, scores: Mapping[float, float] | None, scale: str, min_n: int,
    conf_level: float,
) -> _Prepared:
    # fmt: on
    """Check every input, factorize wave and group (sorted), flag rows with a missing key."""
    if not isinstance(data, pd.DataFrame):
        raise IndexInputError(f"data must be a pandas DataFrame, got {type(data).__name__}.")
    if not variables:
        raise IndexInputError("var is empty; name at least one question column.")
    check_columns(data, variables, "var")
    for role, name in (("by", by), ("wave", wave), ("weights", weights)):
        check_columns(data, [name], role)
    validate_option("scale", scale, SCALES)
    check_common(min_n, conf_level)
    codes, vals = resolve_scores(scores, scale)
    keep = np.ones(len(data), dtype=bool)
    out: list[tuple[IntArray, list[Hashable]]] = []
    for col in (wave, by):
        if col is None:
            out.append((np.zeros(len(data), dtype=np.int64), [None]))
            continue
        codes_k, uniques = pd.factorize(data[col], sort=True)
        keep &= codes_k >= 0
        out.append((codes_k.astype(np.int64), list(uniques.tolist())))
    if not keep.all():
        warnings.warn(
            f"{int((~keep).sum())} rows dropped because {by!r} or {wave!r} is missing.",
            DroppedRowsWarning,
            stacklevel=3,
        )
    w = weight_column(data, weights)
    return _Prepared(codes, vals, w, out[0][0], out[1][0], out[0][1], out[1][1], keep)


def diffusion_index(
    data: pd.DataFrame,
    var: str | Sequence[str],
    *,
    by: str | None = None,
    wave: str | None = None,
    weights: str | None = None,
    scores: Mapping[float, float] | None = None,
    codebook: Codebook | None = None,
    scale: Scale = "balance",
    min_n: int = 30,
    conf_level: float = 0.95,
    bootstrap: int | None = None,
    seed: int = 20220630,
) -> pd.DataFrame:
    """Diffusion (景气) index per variable, wave and group.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent; answer codes as numbers, missing answers as NA.
    var : str or sequence of str
        Question column(s); one block of rows per question.
    by, wave : str, optional
        Group and wave columns (output None when not given); rows where either is
        missing are dropped with a ``DroppedRowsWarning``.
    weights : str, optional
        Column of non-negative survey weights.
    scores : mapping, optional
        Code → score. Default: from ``codebook``'s answer labels when a codebook is
        given (:func:`~flexemp.indices.scores.scores_from_codebook`), else
        ``{1: 1, 2: .5, 3: 0, 4: -.5, 5: -1}`` (变好很多 / 变好一点 / 基本不变 / 变差一点 / 变差很多).
    codebook : Codebook, optional
        The data's codebook; used only for the default ``scores``.
    scale : {"balance", "share"}
        ``"balance"``: index = 50 + 50 × mean, scores in [−1, 1];
        ``"share"``: index = 100 × mean, scores in [0, 1] (PMI: up 1, same 0.5, down 0).
    min_n : int
        Cells with fewer valid answers are suppressed (published columns NaN).
    conf_level : float
        Confidence level of the normal (or percentile) interval and of the 50-line test.
    bootstrap : int, optional
        Number of replicates; when given, ``se`` and the CI come from resampling
        respondents within each cell (percentile CI).
    seed : int
        Seed of ``np.random.default_rng`` for the bootstrap.

    Returns
    -------
    pandas.DataFrame
        Columns ``var, wave, group, index, se, conf_low, conf_high, n, n_eff,
        suppressed, index_raw, se_raw, se_linearized, n_missing, above_50, z,
        p_value, reading, scale, method``.

    Raises
    ------
    IndexInputError
        Unknown column; non-numeric or unscored codes; scores outside the scale's range;
        missing or negative weights; bad ``min_n``, ``conf_level`` or ``bootstrap``; a
        codebook label that cannot be scored.
    UnsupportedOptionError
        ``scale`` not one of ``"balance"``, ``"share"``.

    Notes
    -----
    m = Σwᵢsᵢ / Σwᵢ over valid answers; index = 50 + 50m (balance), which equals
    100·p₁ + 75·p₂ + 50·p₃ + 25·p₄ with pⱼ the weighted answer shares (seed 004, 五).
    SE by linearisation of the ratio estimator (Taylor; as R ``survey::svymean``
    with ``svydesign(ids=~1, weights=~w)`` and Stata ``mean [pw=w]``): var(m) = Σwᵢ²(sᵢ − m)² / (Σw)² · n/(n − 1);
    se(index) = 50·se(m) (balance) or 100·se(m) (share). n_eff = (Σw)²/Σw².
    The 50-line reading is the z test of (index − 50)/se.

    Examples
    --------
    >>> df = pd.DataFrame({"q": [1, 2, 3, 4, 5, 3, None], "g": list("aaabbbb")})
    >>> r = diffusion_index(df, "q", by="g", min_n=1)
    >>> r[["group", "index", "n", "n_missing"]].to_string(index=False)
    'group  index  n  n_missing\\n    a   75.0  3          0\\n    b   25.0  3          1'
    """
    variables = [var] if isinstance(var, str) else list(var)
    if scores is None and codebook is not None:
        scores = scores_for_variables(codebook, variables)
    if bootstrap is not None and (isinstance(bootstrap, bool) or int(bootstrap) < 2):
        raise IndexInputError(f"bootstrap must be an integer >= 2 replicates, got {bootstrap!r}.")
    pr = _prepare(data, variables, by=by, wave=wave, weights=weights, scores=scores,
                  scale=scale, min_n=min_n, conf_level=conf_level)  # fmt: skip
    waves, groups, n_wg = pr.waves, pr.groups, len(pr.waves) * len(pr.groups)
    sel = slice(None) if pr.keep.all() else pr.keep  # no copies when no row is dropped
    cell_one, w_k = (pr.cw * len(groups) + pr.cg)[sel], pr.w[sel]
    scored = [score_column(data, v, pr.codes, pr.vals)[sel] for v in variables]
    per_var = [cell_sums(s, cell_one, w_k, n_wg) for s in scored]  # a loop over questions
    sums = CellSums(*(np.concatenate([getattr(p, f) for p in per_var]) for f in _SUM_FIELDS))
    present = np.flatnonzero(sums.n + sums.n_missing > 0)
    sums = CellSums(*(getattr(sums, f)[present] for f in _SUM_FIELDS))
    keys = pd.DataFrame({"var": [variables[i // n_wg] for i in present]})
    keys["wave"] = pd.Series([waves[(i % n_wg) // len(groups)] for i in present], dtype=object)
    keys["group"] = pd.Series([groups[i % len(groups)] for i in present], dtype=object)
    boot = None
    if bootstrap is not None:
        cell = np.concatenate([i * n_wg + cell_one for i in range(len(variables))])
        boot = bootstrap_cells(
            np.concatenate(scored), np.searchsorted(present, cell), np.tile(w_k, len(variables)), len(present),
            replicates=int(bootstrap), seed=seed, scale=scale, conf_level=conf_level,
        )  # fmt: skip
    return finish(keys, sums, scale=scale, min_n=min_n, conf_level=conf_level, boot=boot)
