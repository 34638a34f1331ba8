"""Descriptive tables: frequencies, summary statistics (Table 1 of a paper) and midpoint means.

Every function takes a DataFrame whose columns are named as in the codebook (after ingest),
the :class:`~flexemp.codebook.Codebook` (labels zh/en, codes, missing codes, bands) and an
optional ``weights`` column name, and returns a frozen result holding tidy DataFrames.
:mod:`flexemp.present.descriptive_table` turns the results into journal-style tables.

Conventions (the same in every function of ``flexemp.describe``):

- **Percentages are in percent units** (``69.0`` means 69 %), in columns named ``percent``,
  ``valid_percent`` … .
- **Missing values**: NaN and the variable's declared missing codes (``missing:`` in the
  codebook) are missing.  Frequencies report them as their own rows; statistics drop them.
- **Weights** (``weights="w"``): a column of finite, non-negative numbers without missing
  values.  Weighted percentages are ``100 * sum(w in cell) / sum(w)``; weighted means are
  ``sum(w x) / sum(w)``.  Counts ``n`` are always unweighted.
- **Weighted standard deviation** is ``sqrt(n / (n - 1) * sum(w (x - m)^2) / sum(w))``, which is
  both R's ``survey::svyvar`` (design ``svydesign(ids=~1, weights=~w)``) and Stata's
  ``summarize x [aweight=w]`` (Stata rescales aweights to sum to ``n``); unweighted it is the
  usual ``n - 1`` SD.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from flexemp.codebook import Codebook, Variable
from flexemp.core.errors import DescribeError, UnknownVariableError
from flexemp.core.options import Language, validate_option

#: Types whose values are codes listed in the codebook (shown option by option).
CATEGORICAL_TYPES = frozenset({"binary", "nominal", "ordinal", "banded"})
#: Types summarised by a mean in :func:`summary_table_data` (nominal is refused there).
MEAN_TYPES = frozenset({"binary", "ordinal", "banded", "count", "continuous"})



# ------------------------------------------------------------------ shared helpers
def resolve_variable(data: pd.DataFrame, name: str, codebook: Codebook) -> Variable:
    """Return the codebook entry of ``name`` after checking the column is in ``data``.

    Raises :class:`UnknownVariableError` naming the variable and up to five close matches among
    the codebook's variables and the data's columns.
    """
    known = list(codebook.names) + [c for c in map(str, data.columns) if c not in codebook]
    if name not in codebook or name not in data.columns:
        near = difflib.get_close_matches(name, known, n=5, cutoff=0.5)
        where = "in the codebook" if name not in codebook else "a column of the data"
        hint = f" Close matches: {', '.join(near)}." if near else ""
        raise UnknownVariableError(
            f"variable {name!r} is not {where} ({codebook.dataset!r}).{hint}"
        )
    return codebook[name]


def clean_values(data: pd.DataFrame, var: Variable) -> np.ndarray:
    """The column as float64 with NaN for empty cells and the variable's missing codes."""
    s = pd.to_numeric(data[var.name], errors="coerce").to_numpy(dtype=float, copy=True)
    nums = [float(m) for m in var.missing if not isinstance(m, str)]
    if nums:
        s[np.isin(s, nums)] = np.nan
    return s


def weight_vector(data: pd.DataFrame, weights: str | None) -> np.ndarray:
    """Weights as float64 (ones when ``weights`` is None), checked to be finite and ≥ 0."""
    if weights is None:
        return np.ones(len(data))
    if weights not in data.columns:
        near = difflib.get_close_matches(weights, list(map(str, data.columns)), n=3)
        hint = f" Close matches: {', '.join(near)}." if near else ""
        raise UnknownVariableError(f"weights column {weights!r} is not in the data.{hint}")
    w = pd.to_numeric(data[weights], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        rows = ", ".join(str(r) for r in data.index[bad][:5])
        raise DescribeError(
            f"weights column {weights!r} has {int(bad.sum())} missing, non-numeric or negative "
            f"value(s) (rows {rows}…); fix or drop these rows before describing."
        )
    return w


def weighted_sd(x: np.ndarray, w: np.ndarray) -> float:
    """``sqrt(n/(n-1) * sum w (x-m)^2 / sum w)`` (survey::svyvar, Stata aweights); NaN if n < 2."""
    n = x.size
    if n < 2 or w.sum() <= 0:
        return float("nan")
    m = np.dot(w, x) / w.sum()
    return float(np.sqrt(n / (n - 1) * np.dot(w, (x - m) ** 2) / w.sum()))


def code_text(value: float) -> str:
    """A code as written in tables: 3.0 → '3', 2.5 → '2.5'."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def coding_text(var: Variable, lang: Language = "zh") -> str:
    """The coding description of Table 1: "非常不满意=1，…，非常满意=5", "否=0，是=1", unit or range.

    Codes are listed in ascending order; zh joins with "，", en with ", ".  A variable without
    codes shows its unit and range ("单位：岁；取值范围16–60").
    """
    sep = "，" if lang == "zh" else ", "
    if var.codes:
        codes = sorted(var.codes, key=lambda c: c.value)
        return sep.join(f"{c.label(lang)}={code_text(c.value)}" for c in codes)
    parts = []
    if var.unit:
        parts.append(f"单位：{var.unit}" if lang == "zh" else f"unit: {var.unit}")
    if var.valid_range is not None:
        lo, hi = var.valid_range
        lo_t = "" if lo is None else code_text(lo)
        hi_t = "" if hi is None else code_text(hi)
        parts.append(f"取值范围{lo_t}–{hi_t}" if lang == "zh" else f"range {lo_t}–{hi_t}")
    return ("；" if lang == "zh" else "; ").join(parts) or (
        "连续变量" if lang == "zh" else "continuous"
    )


def check_not_all_missing(x: np.ndarray, name: str) -> None:
    """Raise :class:`DescribeError` when every value of ``name`` is missing."""
    if not np.isfinite(x).any():
        raise DescribeError(
            f"variable {name!r} has no non-missing value (all {x.size} rows are empty or missing "
            "codes); drop it from the list or check the screening and the missing codes."
        )


# ------------------------------------------------------------------ frequencies
@dataclass(frozen=True)
class FrequencyResult:
    """Frequencies of one or more variables; see :func:`frequencies`.

    ``table`` has one row per (variable, option) with the columns ``variable, label, code,
    option, in_codebook, is_missing, count, weighted_count, percent, valid_percent,
    cumulative_percent`` (``weighted_count`` equals ``count`` when unweighted; ``valid_percent``
    and ``cumulative_percent`` are NaN on missing rows).  ``unknown_codes`` maps each variable
    to the codes found in the data but absent from the codebook (reported as rows, flagged
    ``in_codebook=False``).
    """

    table: pd.DataFrame
    weights: str | None
    n: int
    lang: Language = "zh"
    unknown_codes: dict[str, tuple[float, ...]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python dictionary (JSON-ready)."""
        return {
            "weights": self.weights,
            "n": self.n,
            "lang": self.lang,
            "unknown_codes": {k: list(v) for k, v in self.unknown_codes.items()},
            "table": self.table.replace({np.nan: None}).to_dict("records"),
        }


def _one_frequency(
    x: np.ndarray, w: np.ndarray, var: Variable, lang: Language, dropna: bool
) -> tuple[pd.DataFrame, tuple[float, ...]]:
    ok = np.isfinite(x)
    observed, inverse = np.unique(x[ok], return_inverse=True)
    counts = np.bincount(inverse, minlength=observed.size).astype(float)
    wsum = np.bincount(inverse, weights=w[ok], minlength=observed.size)
    cb_codes = np.array(sorted(var.code_values), dtype=float)
    unknown = tuple(float(v) for v in np.setdiff1d(observed, cb_codes)) if var.codes else ()
    codes = np.union1d(cb_codes, observed)
    pos = np.searchsorted(codes, observed)
    cnt = np.zeros(codes.size)
    wct = np.zeros(codes.size)
    cnt[pos] = counts
    wct[pos] = wsum
    labels = [var.code_label(c, lang) for c in codes]
    unknown_label = "（未在编码表中）" if lang == "zh" else " (not in codebook)"
    option = [
        lab if lab is not None else f"{code_text(c)}{unknown_label if var.codes else ''}"
        for c, lab in zip(codes, labels, strict=True)
    ]
    in_cb = np.array([lab is not None or not var.codes for lab in labels], dtype=bool)
    valid_w = wct.sum()
    miss_n = int((~ok).sum())
    miss_w = float(w[~ok].sum())
    total_w = valid_w + (0.0 if dropna else miss_w)
    frame = pd.DataFrame(
        {
            "code": codes,
            "option": option,
            "in_codebook": in_cb,
            "is_missing": False,
            "count": cnt.astype(np.int64),
            "weighted_count": wct,
            "percent": 100 * wct / total_w if total_w > 0 else np.nan,
            "valid_percent": 100 * wct / valid_w if valid_w > 0 else np.nan,
        }
    )
    frame["cumulative_percent"] = frame["valid_percent"].cumsum()
    if miss_n and not dropna:
        miss = pd.DataFrame(
            {
                "code": [np.nan],
                "option": ["缺失" if lang == "zh" else "Missing"],
                "in_codebook": [True],
                "is_missing": [True],
                "count": [miss_n],
                "weighted_count": [miss_w],
                "percent": [100 * miss_w / total_w if total_w > 0 else np.nan],
                "valid_percent": [np.nan],
                "cumulative_percent": [np.nan],
            }
        )
        frame = pd.concat([frame, miss], ignore_index=True)
    frame.insert(0, "label", var.label(lang))
    frame.insert(0, "variable", var.name)
    return frame, unknown


def frequencies(
    data: pd.DataFrame,
    variables: Sequence[str] | str,
    *,
    codebook: Codebook,
    weights: str | None = None,
    lang: Language = "zh",
    dropna: bool = False,
) -> FrequencyResult:
    """Frequency table of each variable: count, weighted count, percent, valid and cumulative percent.

    Parameters
    ----------
    data : DataFrame
        Columns named as in the codebook.
    variables : str or sequence of str
        Variables to tabulate (coded variables list every codebook code, including codes with
        no respondent; variables without codes list the observed values).
    codebook : Codebook
        Labels, codes and missing codes.
    weights : str, optional
        Name of a weights column.  Percentages are then weighted; ``count`` stays unweighted.
    lang : {"zh", "en"}
        Language of the labels.
    dropna : bool
        If False (default) missing values form their own row ("缺失") and count in the base of
        ``percent``; if True they are left out of the table and of ``percent``.

    Returns
    -------
    FrequencyResult
        ``table`` (one row per variable and option, ordered by code, missing last).

    Raises
    ------
    UnknownVariableError
        A variable or the weights column is not in the codebook or the data (close matches listed).
    DescribeError
        A variable has only missing values, or weights are negative or missing.

    Notes
    -----
    ``percent`` = 100 × weighted count / weighted total including missing; ``valid_percent``
    excludes missing; ``cumulative_percent`` accumulates ``valid_percent`` in code order.
    Codes in the data but not in the codebook are reported, flagged ``in_codebook=False`` and
    listed in ``unknown_codes`` (they count as valid answers).  R: ``table(x, useNA="ifany")``;
    weighted ``survey::svytable(~x, svydesign(ids=~1, weights=~w, data=d))``.  SPSS FREQUENCIES.

    Examples
    --------
    >>> from flexemp.synth import get_dataset
    >>> ds = get_dataset("riders_shanghai")
    >>> res = frequencies(ds.generate(), ["sex"], codebook=ds.codebook())
    >>> res.table[["option", "count"]].to_dict("list")["option"]
    ['男', '女']
    >>> int(res.table["count"].sum()) == res.n
    True
    """
    validate_option("lang", lang, Language)
    names = [variables] if isinstance(variables, str) else list(variables)
    w = weight_vector(data, weights)
    frames: list[pd.DataFrame] = []
    unknown: dict[str, tuple[float, ...]] = {}
    for name in names:
        var = resolve_variable(data, name, codebook)
        if var.type in ("multiselect", "text", "id"):
            raise DescribeError(
                f"variable {name!r} is of type {var.type!r}; frequencies need a single-answer "
                "variable (use multiselect() for multi-select questions)."
            )
        x = clean_values(data, var)
        check_not_all_missing(x, name)
        frame, unk = _one_frequency(x, w, var, lang, dropna)
        frames.append(frame)
        if unk:
            unknown[name] = unk
    return FrequencyResult(pd.concat(frames, ignore_index=True), weights, len(data), lang, unknown)


# ------------------------------------------------------------------ summary (Table 1)
@dataclass(frozen=True)
class SummaryResult:
    """Table-1 statistics; ``table`` has ``variable, label, label_en, coding, coding_en, n, mean,
    sd, min, max`` (weighted mean and SD when ``weights`` is set; n, min, max unweighted)."""

    table: pd.DataFrame
    weights: str | None
    n_rows: int

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python dictionary (JSON-ready)."""
        return {
            "weights": self.weights,
            "n_rows": self.n_rows,
            "table": self.table.replace({np.nan: None}).to_dict("records"),
        }


def summary_table_data(
    data: pd.DataFrame,
    variables: Sequence[str],
    *,
    codebook: Codebook,
    weights: str | None = None,
) -> SummaryResult:
    """Variable, label, coding text, n, mean, SD, min and max (seed 000 Table 1, seed 001 Table 2).

    Parameters
    ----------
    data : DataFrame
        Columns named as in the codebook.
    variables : sequence of str
        Binary, ordinal, banded (the codes), count or continuous variables.
    codebook : Codebook
        Labels and codes; the coding text is built from the value labels.
    weights : str, optional
        Weights column: mean and SD become weighted.

    Returns
    -------
    SummaryResult
        One row per variable.

    Raises
    ------
    UnknownVariableError
        Unknown variable or weights column.
    DescribeError
        Nominal, text or multi-select variables (a mean of their codes means nothing), or a
        variable with only missing values.

    Notes
    -----
    Mean ``sum(w x)/sum(w)``; SD ``sqrt(n/(n-1) sum(w (x-m)^2)/sum(w))`` = ``survey::svyvar`` on
    ``svydesign(ids=~1, weights=~w)`` = Stata ``summarize x [aweight=w]``.  Each variable uses its
    own non-missing rows (``n`` differs between variables when data are missing).

    Examples
    --------
    >>> from flexemp.synth import get_dataset
    >>> ds = get_dataset("platform_workers")
    >>> res = summary_table_data(ds.generate(), ["life_sat", "contract"], codebook=ds.codebook())
    >>> res.table.loc[1, "coding"]
    '否=0，是=1'
    """
    w_all = weight_vector(data, weights)
    rows = []
    for name in variables:
        var = resolve_variable(data, name, codebook)
        if var.type not in MEAN_TYPES:
            raise DescribeError(
                f"variable {name!r} is of type {var.type!r}: a mean of its codes is not meaningful; "
                "use frequencies() (or multiselect() for multi-select questions)."
            )
        x = clean_values(data, var)
        check_not_all_missing(x, name)
        ok = np.isfinite(x)
        xs, ws = x[ok], w_all[ok]
        rows.append(
            {
                "variable": name,
                "label": var.label("zh"),
                "label_en": var.label("en"),
                "coding": coding_text(var, "zh"),
                "coding_en": coding_text(var, "en"),
                "n": int(ok.sum()),
                "mean": float(np.dot(ws, xs) / ws.sum()),
                "sd": weighted_sd(xs, ws),
                "min": float(xs.min()),
                "max": float(xs.max()),
            }
        )
    return SummaryResult(pd.DataFrame(rows), weights, len(data))


# ------------------------------------------------------------------ midpoint means
@dataclass(frozen=True)
class MidpointResult:
    """Means of band midpoints; see :func:`midpoint_means`.

    ``means``: ``group, group_label, n, mean`` (one row per group, then ``"__all__"``/"合计"
    for the whole sample).  ``distribution``: ``group, group_label, code, option, count,
    percent`` (row percentages within each group).  ``midpoints``: code → midpoint used;
    ``titles``: labels of ``variable`` and ``by``.
    """

    variable: str
    by: str | None
    means: pd.DataFrame
    distribution: pd.DataFrame
    midpoints: dict[float, float]
    weights: str | None
    titles: tuple[str, str] = ("", "")

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python dictionary (JSON-ready)."""
        return {
            "variable": self.variable,
            "by": self.by,
            "weights": self.weights,
            "midpoints": {code_text(k): v for k, v in self.midpoints.items()},
            "means": self.means.to_dict("records"),
            "distribution": self.distribution.to_dict("records"),
        }


def band_midpoints(
    var: Variable, midpoints: Mapping[float, float] | None = None
) -> dict[float, float]:
    """Code → midpoint: ``midpoints`` first, then the codebook's band midpoint, then (lower+upper)/2.

    An open-ended band (no lower or no upper bound) needs an explicit midpoint: without one a
    :class:`DescribeError` is raised.
    """
    given = {float(k): float(v) for k, v in (midpoints or {}).items()}
    out: dict[float, float] = {}
    problems = []
    for c in var.codes:
        if c.value in given:
            out[c.value] = given[c.value]
            continue
        b = var.band(c.value)
        if b is not None and b.midpoint is not None:
            out[c.value] = float(b.midpoint)
        elif b is not None and b.lower is not None and b.upper is not None:
            out[c.value] = (b.lower + b.upper) / 2
        else:
            problems.append(f"{code_text(c.value)} ({c.label_zh})")
    if problems:
        raise DescribeError(
            f"variable {var.name!r}: no midpoint for band(s) {', '.join(problems)} (open-ended or "
            "without bounds); pass midpoints={code: value} for them, e.g. the report's own choice."
        )
    return out


def _group_codes(
    data: pd.DataFrame, by: str | None, codebook: Codebook
) -> tuple[np.ndarray, Variable | None]:
    if by is None:
        return np.zeros(len(data)), None
    gvar = resolve_variable(data, by, codebook)
    g = clean_values(data, gvar)
    check_not_all_missing(g, by)
    return g, gvar


def group_label(gvar: Variable | None, code: float, lang: Language) -> str:
    """The label of group ``code`` (the code itself when the codebook has no label)."""
    if gvar is None:
        return "合计" if lang == "zh" else "Total"
    return gvar.code_label(code, lang) or code_text(code)


def midpoint_means(
    data: pd.DataFrame,
    variable: str,
    *,
    by: str | None = None,
    codebook: Codebook,
    weights: str | None = None,
    midpoints: Mapping[float, float] | None = None,
    lang: Language = "zh",
) -> MidpointResult:
    """Mean of band midpoints per group (seed 004: income, age and hours by occupation).

    Parameters
    ----------
    data : DataFrame
        Columns named as in the codebook.
    variable : str
        A banded (or ordinal) variable whose codes stand for intervals.
    by : str, optional
        Grouping variable (rows with a missing group are left out of the groups but kept in
        the total).
    codebook : Codebook
        Codes, labels and bands (with bounds and midpoints).
    weights : str, optional
        Weights column.
    midpoints : mapping code → value, optional
        Midpoints overriding the codebook (e.g. ``{1: 1000}`` for "2000元以下").
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    MidpointResult

    Raises
    ------
    DescribeError
        An open-ended band without a midpoint, a code in the data without a band, or only
        missing values.

    Notes
    -----
    Midpoint rule: an explicit ``midpoints`` entry, else the codebook's ``midpoint``, else
    ``(lower + upper) / 2`` for a closed band ``[lower, upper)``.  Open-ended bands have no
    default.  The mean is the (weighted) mean of the midpoints of the respondents' bands, i.e.
    ``svymean(~mid, design)`` with ``mid`` the recoded variable.

    Examples
    --------
    >>> from flexemp.synth import get_dataset
    >>> ds = get_dataset("flex_sentiment")
    >>> res = midpoint_means(ds.generate(n=2000), "income_band", by="sex", codebook=ds.codebook())
    >>> list(res.means["group_label"])
    ['男', '女', '合计']
    """
    validate_option("lang", lang, Language)
    var = resolve_variable(data, variable, codebook)
    mids = band_midpoints(var, midpoints)
    w = weight_vector(data, weights)
    x = clean_values(data, var)
    check_not_all_missing(x, variable)
    ok = np.isfinite(x)
    odd = np.setdiff1d(np.unique(x[ok]), list(mids))
    if odd.size:
        raise DescribeError(
            f"variable {variable!r} has value(s) {', '.join(code_text(v) for v in odd)} without a "
            "band midpoint; declare them in the codebook or pass midpoints={code: value}."
        )
    g, gvar = _group_codes(data, by, codebook)
    keys = np.array(sorted(mids))
    mid_of = np.array([mids[k] for k in keys])
    idx = np.searchsorted(keys, np.where(ok, x, keys[0]))
    m = np.where(ok, mid_of[idx], np.nan)
    use = ok & np.isfinite(g)
    levels, ginv = np.unique(g[use], return_inverse=True)
    if by is not None and levels.size == 0:
        raise DescribeError(f"no row has both {variable!r} and {by!r}; nothing to compare.")
    # the total as an extra group index
    gi = np.concatenate([ginv, np.full(int(ok.sum()), levels.size)])
    mi = np.concatenate([m[use], m[ok]])
    wi = np.concatenate([w[use], w[ok]])
    ci = np.concatenate([idx[use], idx[ok]])
    ng = levels.size + 1 if by is not None else 1
    if by is None:
        gi, mi, wi, ci = gi[ginv.size :] * 0, mi[ginv.size :], wi[ginv.size :], ci[ginv.size :]
    sw = np.bincount(gi, weights=wi, minlength=ng)
    swm = np.bincount(gi, weights=wi * mi, minlength=ng)
    n = np.bincount(gi, minlength=ng)
    labels = [group_label(gvar, v, lang) for v in levels] if by is not None else []
    labels.append("合计" if lang == "zh" else "Total")
    groups: list[float | str] = [*levels.tolist(), "__all__"] if by is not None else ["__all__"]
    means = pd.DataFrame(
        {"group": groups, "group_label": labels, "n": n.astype(np.int64), "mean": swm / sw}
    )
    cell = gi * keys.size + ci
    cnt = np.bincount(cell, minlength=ng * keys.size).reshape(ng, keys.size)
    wct = np.bincount(cell, weights=wi, minlength=ng * keys.size).reshape(ng, keys.size)
    dist = pd.DataFrame(
        {
            "group": np.repeat(np.array(groups, dtype=object), keys.size),
            "group_label": np.repeat(labels, keys.size),
            "code": np.tile(keys, ng),
            "option": np.tile([var.code_label(k, lang) or code_text(k) for k in keys], ng),
            "count": cnt.ravel().astype(np.int64),
            "percent": (100 * wct / sw[:, None]).ravel(),
        }
    )
    titles = (var.label(lang), gvar.label(lang) if gvar is not None else "")
    return MidpointResult(variable, by, means, dist, mids, weights, titles)
