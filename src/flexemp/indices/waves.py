"""Changes of diffusion indices: between waves (independent samples) and expectation − current.

Both tables share :func:`_change_table` (normal CI, z and p; NaN where suppressed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from flexemp.core.errors import IndexInputError
from flexemp.core.options import Scale
from flexemp.indices.diffusion import (
    FloatArray,
    _prepare,
    cell_sums,
    check_common,
    linearized,
    scale_constants,
    score_column,
)
from flexemp.indices.scores import scores_for_variables

if TYPE_CHECKING:
    from flexemp.codebook.model import Codebook

__all__ = ["CHANGE_COLUMNS", "GAP_COLUMNS", "expectation_gap", "index_change"]

CHANGE_COLUMNS: tuple[str, ...] = (
    "var", "group", "wave_current", "wave_previous", "index_current", "index_previous",
    "change", "se", "conf_low", "conf_high", "z", "p_value", "suppressed",
)  # fmt: skip


def _change_table(
    keys: pd.DataFrame,
    diff: FloatArray,
    se: FloatArray,
    suppressed: NDArray[np.bool_],
    conf_level: float,
) -> pd.DataFrame:
    """Add se, normal CI, z and p (all NaN where suppressed) to a frame of differences."""
    zq = float(stats.norm.ppf(0.5 + conf_level / 2.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = diff / se
    extra = {"se": se, "conf_low": diff - zq * se, "conf_high": diff + zq * se, "z": z,
             "p_value": 2.0 * stats.norm.sf(np.abs(z))}  # fmt: skip
    cols = {k: np.where(suppressed, np.nan, v) for k, v in extra.items()}
    cols["suppressed"] = np.asarray(suppressed, dtype=bool)
    return pd.concat([keys.reset_index(drop=True), pd.DataFrame(cols)], axis=1)


def index_change(
    current: pd.DataFrame, previous: pd.DataFrame, *, conf_level: float = 0.95
) -> pd.DataFrame:
    """Change of each index between two independent waves, per variable and group.

    Parameters
    ----------
    current, previous : pandas.DataFrame
        :func:`diffusion_index` outputs for one wave each (same ``var`` / ``by``).
    conf_level : float
        Confidence level of the normal interval.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CHANGE_COLUMNS`, one row per (var, group) present in both.

    Raises
    ------
    IndexInputError
        A frame holds several waves for a (var, group), or the frames share no cell.

    Notes
    -----
    change = I₁ − I₀, se = √(se₁² + se₀²) (independent samples); a cell suppressed
    in either wave is suppressed. Same-sample differences: :func:`expectation_gap`.

    Examples
    --------
    >>> from flexemp.indices import diffusion_index
    >>> a = pd.DataFrame({"q": [1, 2, 3, 3]})
    >>> b = pd.DataFrame({"q": [3, 3, 4, 5]})
    >>> ch = index_change(diffusion_index(a, "q", min_n=1), diffusion_index(b, "q", min_n=1))
    >>> float(ch["change"].iloc[0])
    37.5
    """
    check_common(1, conf_level)
    for name, frame in (("current", current), ("previous", previous)):
        missing = [c for c in ("var", "group", "wave", "index_raw", "se_raw", "suppressed")
                   if c not in frame.columns]  # fmt: skip
        if missing:
            raise IndexInputError(f"{name} lacks columns {missing}; pass diffusion_index output.")
        if frame.duplicated(["var", "group"]).any():
            raise IndexInputError(f"{name} has several waves for one (var, group); keep one wave.")
    m = current.merge(previous, on=["var", "group"], suffixes=("_current", "_previous"))
    if m.empty:
        raise IndexInputError("current and previous share no (var, group) cell.")
    diff = (m["index_raw_current"] - m["index_raw_previous"]).to_numpy(np.float64)
    se = np.hypot(
        m["se_raw_current"].to_numpy(np.float64), m["se_raw_previous"].to_numpy(np.float64)
    )
    supp = (m["suppressed_current"] | m["suppressed_previous"]).to_numpy(bool)
    keys = pd.DataFrame({
        "var": m["var"], "group": m["group"],
        "wave_current": m["wave_current"], "wave_previous": m["wave_previous"],
        "index_current": np.where(supp, np.nan, m["index_raw_current"]),
        "index_previous": np.where(supp, np.nan, m["index_raw_previous"]),
        "change": np.where(supp, np.nan, diff),
    })  # fmt: skip
    return _change_table(keys, diff, se, supp, conf_level)[list(CHANGE_COLUMNS)]


GAP_COLUMNS: tuple[str, ...] = (
    "var", "wave", "group", "index_current", "index_expected", "gap", "se", "conf_low",
    "conf_high", "z", "p_value", "n", "suppressed",
)  # fmt: skip


def expectation_gap(
    data: pd.DataFrame,
    current: str,
    expected: str,
    *,
    by: str | None = None,
    wave: str | None = None,
    weights: str | None = None,
    scores: Mapping[float, float] | None = None,
    codebook: Codebook | None = None,
    scale: Scale = "balance",
    min_n: int = 30,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Expectation index minus current index, on respondents answering both.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    current, expected : str
        Current-quarter and next-quarter question columns (e.g. ``emp_change``, ``emp_expect``).
    by, wave, weights, scores, codebook, scale, min_n, conf_level
        As in :func:`diffusion_index` (scores default to the codebook's labels when given).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`GAP_COLUMNS`.

    Raises
    ------
    IndexInputError
        As in :func:`diffusion_index`.

    Notes
    -----
    gap = f · Σwᵢ(eᵢ − cᵢ)/Σwᵢ with f = 50 (balance) or 100 (share), over rows
    with both answers; its SE linearises the weighted mean of the paired
    difference, so the correlation of the two answers is accounted for
    (seed 004, 五.5 and 表 8 print expectation − current).

    Examples
    --------
    >>> df = pd.DataFrame({"c": [3, 3, 2, 4], "e": [2, 1, 2, 3]})
    >>> g = expectation_gap(df, "c", "e", min_n=1)
    >>> float(g["gap"].iloc[0]), float(g["index_expected"].iloc[0] - g["index_current"].iloc[0])
    (25.0, 25.0)
    """
    if scores is None and codebook is not None:
        scores = scores_for_variables(codebook, [current, expected])
    pr = _prepare(data, [current, expected], by=by, wave=wave, weights=weights, scores=scores,
                  scale=scale, min_n=min_n, conf_level=conf_level)  # fmt: skip
    waves, groups, keep = pr.waves, pr.groups, pr.keep
    sc, se_ = (score_column(data, v, pr.codes, pr.vals) for v in (current, expected))
    both = ~np.isnan(sc) & ~np.isnan(se_)
    cell = (pr.cw * len(groups) + pr.cg)[keep]
    parts = [cell_sums(s[keep], cell, pr.w[keep], len(waves) * len(groups))
             for s in (np.where(both, sc, np.nan), np.where(both, se_, np.nan), se_ - sc)]  # fmt: skip
    present = np.flatnonzero(parts[2].n + parts[2].n_missing > 0)
    means = [linearized(p)[0][present] for p in parts]
    se_mean = linearized(parts[2])[1]
    offset, factor = scale_constants(scale)
    n = parts[2].n[present]
    supp = n < min_n
    diff = factor * means[2]
    keys = pd.DataFrame({
        "var": f"{expected} - {current}",
        "wave": pd.Series([waves[i // len(groups)] for i in present], dtype=object),
        "group": pd.Series([groups[i % len(groups)] for i in present], dtype=object),
        "index_current": np.where(supp, np.nan, offset + factor * means[0]),
        "index_expected": np.where(supp, np.nan, offset + factor * means[1]),
        "gap": np.where(supp, np.nan, diff),
    })  # fmt: skip
    out = _change_table(keys, diff, factor * se_mean[present], supp, conf_level)
    out["n"] = n
    return out[list(GAP_COLUMNS)]
