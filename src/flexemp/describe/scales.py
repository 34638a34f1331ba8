"""Reliability and validity of a multi-item scale: Cronbach's α, item statistics, KMO and Bartlett.

The numbers follow R's psych package (Revelle): :func:`reliability` reproduces
``psych::alpha`` (raw and standardized α, Feldt's confidence interval as
``alpha(...)$feldt``, α if item deleted, the item statistics ``raw.r``, ``std.r``,
``r.cor``, ``r.drop``, ``mean``, ``sd``), ``psych::KMO`` and
``psych::cortest.bartlett``.

Missing values: rows with a missing value on any item are dropped (listwise, counted in
``n_dropped`` and announced by a :class:`~flexemp.core.errors.DroppedRowsWarning`).
psych uses pairwise covariances by default; on complete data the two coincide, and
psych's results on the complete cases equal ours.

Reverse keying: a reverse-keyed item is recoded as ``(min + max) - x`` where min and
max are the smallest and largest answer codes of the variable in the codebook; an item
without codes in the codebook uses the smallest and largest value observed over all items
(psych's rule).  Numerical work happens in the ``_``-prefixed functions on NumPy arrays.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from flexemp.codebook import Codebook
from flexemp.core.errors import DroppedRowsWarning, ScaleError, SingularCorrelationError
from flexemp.core.options import Language, validate_option

#: A correlation matrix with a condition number above this is treated as singular.
MAX_CONDITION = 1e12

_TABLE_LABELS: dict[str, dict[str, str]] = {
    "zh": {"item": "题项", "mean": "均值", "sd": "标准差", "r_drop": "校正项总计相关性(CITC)",
           "alpha_if_deleted": "项已删除的α系数", "alpha": "Cronbach α系数", "alpha_std": "标准化Cronbach α系数",
           "kmo": "KMO值", "chi2": "Bartlett球形度检验 近似卡方", "df": "df", "p_value": "p值",
           "statistic": "指标", "value": "值"},
    "en": {"item": "Item", "mean": "Mean", "sd": "SD", "r_drop": "Corrected item-total correlation (CITC)",
           "alpha_if_deleted": "Alpha if item deleted", "alpha": "Cronbach's alpha",
           "alpha_std": "Standardized alpha", "kmo": "KMO", "chi2": "Bartlett's test: approx. chi-square",
           "df": "df", "p_value": "p-value", "statistic": "Statistic", "value": "Value"},
}


# ------------------------------------------------------------------ results
@dataclass(frozen=True)
class AlphaResult:
    """Cronbach's α of ``k`` items on ``n`` complete rows, with Feldt's interval for the raw α."""

    alpha: float
    alpha_std: float
    alpha_ci: tuple[float, float]
    average_r: float
    n: int
    k: int
    conf_level: float = 0.95


@dataclass(frozen=True)
class KmoResult:
    """Kaiser-Meyer-Olkin measure of sampling adequacy: overall and per item (MSA)."""

    kmo: float
    items: pd.Series


@dataclass(frozen=True)
class BartlettResult:
    """Bartlett's test of sphericity (H0: the correlation matrix is the identity)."""

    chi2: float
    df: int
    p_value: float
    n: int


@dataclass(frozen=True)
class ReliabilityResult:
    """Reliability (α) and validity (KMO, Bartlett) of a scale; see :func:`reliability`.

    ``items`` has one row per item and the columns ``item, mean, sd, r, std_r, r_cor, r_drop,
    alpha_if_deleted, alpha_std_if_deleted, kmo_item`` (psych's names: raw.r, std.r, r.cor,
    r.drop, alpha.drop$raw_alpha, alpha.drop$std.alpha, KMO()$MSAi).
    """

    alpha: float
    alpha_std: float
    alpha_ci: tuple[float, float]
    average_r: float
    n: int
    n_dropped: int
    reversed: tuple[str, ...]
    items: pd.DataFrame
    kmo: float
    kmo_items: dict[str, float]
    bartlett: BartlettResult
    conf_level: float = 0.95
    labels: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python dictionary (the CLI's ``--json`` object)."""
        return {
            "alpha": self.alpha, "alpha_std": self.alpha_std, "alpha_ci": list(self.alpha_ci),
            "conf_level": self.conf_level, "average_r": self.average_r, "n": self.n,
            "n_dropped": self.n_dropped, "reversed": list(self.reversed),
            "items": self.items.to_dict("records"), "kmo": self.kmo, "kmo_items": dict(self.kmo_items),
            "bartlett": {"chi2": self.bartlett.chi2, "df": self.bartlett.df, "p_value": self.bartlett.p_value},
        }

    def table(self, lang: Language = "zh", digits: int = 3) -> pd.DataFrame:
        """Paste-ready item table (SPSSAU style): CITC, α if item deleted, α in the first row.

        Items show their codebook label when a codebook was given; reversed items are marked
        with "(反向)" / "(reversed)".
        """
        validate_option("lang", lang, Language)
        lab = _TABLE_LABELS[lang]
        mark = "(反向)" if lang == "zh" else " (reversed)"
        names = [self.labels.get(lang, {}).get(i, i) + (mark if i in self.reversed else "") for i in self.items["item"]]
        first = [round(self.alpha, digits)] + [None] * (len(names) - 1)
        first_std = [round(self.alpha_std, digits)] + [None] * (len(names) - 1)
        return pd.DataFrame({
            lab["item"]: names,
            lab["mean"]: self.items["mean"].round(digits).to_numpy(),
            lab["sd"]: self.items["sd"].round(digits).to_numpy(),
            lab["r_drop"]: self.items["r_drop"].round(digits).to_numpy(),
            lab["alpha_if_deleted"]: self.items["alpha_if_deleted"].round(digits).to_numpy(),
            lab["alpha"]: pd.array(first, dtype="Float64"),
            lab["alpha_std"]: pd.array(first_std, dtype="Float64"),
        })

    def validity_table(self, lang: Language = "zh", digits: int = 3) -> pd.DataFrame:
        """Paste-ready KMO and Bartlett table (SPSSAU's "KMO和Bartlett的检验"), values as text."""
        validate_option("lang", lang, Language)
        lab = _TABLE_LABELS[lang]
        b = self.bartlett
        p = f"<{10**-digits:.{digits}f}" if b.p_value < 10**-digits else f"{b.p_value:.{digits}f}"
        return pd.DataFrame({
            lab["statistic"]: [lab["kmo"], lab["chi2"], lab["df"], lab["p_value"]],
            lab["value"]: [f"{self.kmo:.{digits}f}", f"{b.chi2:.{digits}f}", str(b.df), p],
        })


# ------------------------------------------------------------------ numerics (arrays only)
def _alpha_from(C: np.ndarray) -> float:
    """α of the composite of items with covariance (or correlation) matrix ``C`` (k × k)."""
    k = C.shape[0]
    return float(k / (k - 1) * (1.0 - np.trace(C) / C.sum()))


def _feldt_ci(alpha: float, n: int, k: int, conf_level: float) -> tuple[float, float]:
    """Feldt (1965) interval: 1 - (1 - α) F quantiles with (n-1, (n-1)(k-1)) df (psych::alpha.ci)."""
    tail = (1.0 - conf_level) / 2.0
    d1, d2 = n - 1, (n - 1) * (k - 1)
    return (float(1 - (1 - alpha) * stats.f.ppf(1 - tail, d1, d2)),
            float(1 - (1 - alpha) * stats.f.ppf(tail, d1, d2)))


def _alpha_if_deleted(C: np.ndarray) -> np.ndarray:
    """α of the k composites that leave one item out (shape (k,)); NaN when k = 2."""
    k = C.shape[0]
    if k < 3:
        return np.full(k, np.nan)
    d = np.diag(C)
    total = C.sum() - 2.0 * C.sum(axis=0) + d
    return (k - 1) / (k - 2) * (1.0 - (np.trace(C) - d) / total)


def _smc(R: np.ndarray) -> np.ndarray:
    """Squared multiple correlation of each item with the others: 1 - 1 / diag(R⁻¹)."""
    return 1.0 - 1.0 / np.diag(np.linalg.inv(R))


def _item_statistics(X: np.ndarray) -> dict[str, np.ndarray]:
    """psych::alpha's item statistics of the (already reverse-keyed) n × k matrix ``X``."""
    C = np.cov(X, rowvar=False)
    sd = np.sqrt(np.diag(C))
    R = C / np.outer(sd, sd)
    col_c = C.sum(axis=0)
    RC = R.copy()
    np.fill_diagonal(RC, _smc(R))
    v_drop = C.sum() - 2.0 * col_c + np.diag(C)
    return {
        "mean": X.mean(axis=0),
        "sd": sd,
        "r": col_c / np.sqrt(np.diag(C) * C.sum()),
        "std_r": R.sum(axis=0) / np.sqrt(R.sum()),
        "r_cor": RC.sum(axis=0) / np.sqrt(RC.sum()),
        "r_drop": (col_c - np.diag(C)) / np.sqrt(np.diag(C) * v_drop),
        "alpha_if_deleted": _alpha_if_deleted(C),
        "alpha_std_if_deleted": _alpha_if_deleted(R),
    }


def _kmo_from(R: np.ndarray) -> tuple[float, np.ndarray]:
    """Overall KMO and per-item MSA from a non-singular correlation matrix (psych::KMO)."""
    Q = np.linalg.inv(R)
    q = np.sqrt(np.diag(Q))
    P = Q / np.outer(q, q)  # anti-image correlations; partial correlations are -P off the diagonal
    r2 = R**2
    p2 = P**2
    np.fill_diagonal(r2, 0.0)
    np.fill_diagonal(p2, 0.0)
    overall = r2.sum() / (r2.sum() + p2.sum())
    return float(overall), r2.sum(axis=0) / (r2.sum(axis=0) + p2.sum(axis=0))


def _bartlett_from(R: np.ndarray, n: int) -> tuple[float, int, float]:
    """Bartlett's χ² = -ln|R| (n - 1 - (2k + 5)/6), df = k(k-1)/2 (psych::cortest.bartlett)."""
    k = R.shape[0]
    _, logdet = np.linalg.slogdet(R)
    chi2 = -logdet * (n - 1 - (2 * k + 5) / 6.0)
    df = k * (k - 1) // 2
    return float(chi2), df, float(stats.chi2.sf(chi2, df))


# ------------------------------------------------------------------ input preparation
@dataclass(frozen=True)
class _Prepared:
    X: np.ndarray
    items: tuple[str, ...]
    reversed: tuple[str, ...]
    n_dropped: int
    labels: dict[str, dict[str, str]]


def _prepare(
    data: pd.DataFrame, items: Sequence[str], codebook: Codebook | None, reverse: Sequence[str] | None,
) -> _Prepared:
    if isinstance(items, str) or len(items) < 2:
        raise ScaleError(f"a scale needs at least 2 items; got {list([items] if isinstance(items, str) else items)}. "
                         "Pass a list of column names, e.g. items=['q1', 'q2', 'q3'].")
    items = tuple(items)
    dup = sorted({i for i in items if items.count(i) > 1})
    if dup:
        raise ScaleError(f"items listed twice: {dup}; list each item once.")
    absent = [i for i in items if i not in data.columns]
    if absent:
        raise ScaleError(f"items not in the data: {absent}; the data has columns {list(data.columns)[:20]}.")
    non_numeric = [i for i in items if not pd.api.types.is_numeric_dtype(data[i]) or pd.api.types.is_bool_dtype(data[i])]
    if non_numeric:
        col = non_numeric[0]
        bad = data[col][pd.to_numeric(data[col], errors="coerce").isna() & data[col].notna()]
        raise ScaleError(
            f"items {non_numeric} are not numeric (column {col!r}: {bad.shape[0]} non-numeric cells, first "
            f"{bad.head(3).tolist()} in rows {bad.index[:3].tolist()}); recode answers to numbers first "
            "(flexemp validate with a codebook, or read_analysis_data).")
    reverse_set = _reverse_items(items, codebook, reverse)
    frame = data.loc[:, list(items)].astype(float)
    if codebook is not None:
        for name in items:
            if name in codebook:
                codes = [m for m in codebook[name].missing if not isinstance(m, str)]
                if codes:
                    frame[name] = frame[name].where(~frame[name].isin(codes))
    complete = frame.notna().all(axis=1).to_numpy()
    n_dropped = int((~complete).sum())
    if n_dropped:
        warnings.warn(f"{n_dropped} of {len(frame)} rows have a missing value on an item and were dropped "
                      "(listwise deletion)", DroppedRowsWarning, stacklevel=3)
    X = frame.to_numpy()[complete]
    if X.shape[0] < 3:
        raise ScaleError(f"only {X.shape[0]} complete rows on the items {list(items)}; at least 3 are needed.")
    sd = X.std(axis=0, ddof=1)
    constant = [i for i, s in zip(items, sd, strict=True) if not s > 0]
    if constant:
        raise ScaleError(f"items {constant} are constant on the {X.shape[0]} complete rows (every answer equal); "
                         "a constant item has no correlation with the others: leave it out of the scale.")
    if reverse_set:
        observed = (float(np.nanmin(X)), float(np.nanmax(X)))
        flip = np.array([i in reverse_set for i in items])
        low_high = np.array([_code_range(i, codebook) or observed for i in items])
        adjust = low_high.sum(axis=1)
        X = np.where(flip, adjust - X, X)
    labels = {lang: {i: codebook[i].label(lang) for i in items if i in codebook}
              for lang in ("zh", "en")} if codebook is not None else {}
    return _Prepared(X, items, tuple(i for i in items if i in reverse_set), n_dropped, labels)


def _reverse_items(items: tuple[str, ...], codebook: Codebook | None, reverse: Sequence[str] | None) -> set[str]:
    if reverse is None:
        if codebook is None:
            return set()
        return {i for i in items if i in codebook and codebook[i].reverse}
    if isinstance(reverse, str):
        reverse = [reverse]
    unknown = [r for r in reverse if r not in items]
    if unknown:
        raise ScaleError(f"reverse-keyed items {unknown} are not among the items {list(items)}; "
                         "name items of the scale only.")
    return set(reverse)


def _code_range(name: str, codebook: Codebook | None) -> tuple[float, float] | None:
    if codebook is None or name not in codebook or not codebook[name].codes:
        return None
    values = codebook[name].code_values
    return (min(values), max(values))


def _correlation(X: np.ndarray, items: tuple[str, ...]) -> np.ndarray:
    R = np.corrcoef(X, rowvar=False)
    if np.linalg.cond(R) > MAX_CONDITION:
        w, v = np.linalg.eigh(R)
        involved = [i for i, load in zip(items, v[:, 0], strict=True) if abs(load) > 0.1]
        raise SingularCorrelationError(
            f"the correlation matrix of the items is singular (smallest eigenvalue {w[0]:.2e}): items {involved} "
            "are linearly dependent (e.g. a duplicate or a sum of other items); KMO, Bartlett's test and r.cor "
            "need its inverse. Drop one of these items.")
    return R


# ------------------------------------------------------------------ public API
def cronbach_alpha(
    data: pd.DataFrame, items: Sequence[str], *, codebook: Codebook | None = None,
    reverse: Sequence[str] | None = None, conf_level: float = 0.95,
) -> AlphaResult:
    """Cronbach's α (raw and standardized) with Feldt's confidence interval.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent; the items are numeric columns.
    items : sequence of str
        The scale's items (at least 2).
    codebook : Codebook, optional
        Gives reverse-keyed items (``Variable.reverse``), their answer codes and missing codes.
    reverse : sequence of str, optional
        Reverse-keyed items; overrides the codebook's flags (``[]`` reverses none).
    conf_level : float
        Level of Feldt's interval (psych uses 0.95).

    Returns
    -------
    AlphaResult
        ``alpha``, ``alpha_std``, ``alpha_ci``, ``average_r``, ``n``, ``k``.

    Raises
    ------
    ScaleError
        Fewer than 2 items, unknown, non-numeric or constant items, fewer than 3 complete rows.

    Notes
    -----
    α = k/(k-1) (1 - Σσ²ᵢ / σ²ₓ) on the covariance matrix; standardized α uses the correlation
    matrix, α_std = k r̄ / (1 + (k-1) r̄).  Feldt's interval: 1 - (1 - α) F(1 ∓ (1-level)/2;
    n-1, (n-1)(k-1)).  R: ``psych::alpha(x, keys=)$total`` and ``$feldt``; Stata: ``alpha, std``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=300)
    >>> df = pd.DataFrame({f"q{j}": np.clip(np.round(3 + f + rng.normal(size=300)), 1, 5) for j in range(4)})
    >>> res = cronbach_alpha(df, ["q0", "q1", "q2", "q3"])
    >>> round(res.alpha, 2), res.n
    (0.81, 300)
    """
    prep = _prepare(data, items, codebook, reverse)
    C = np.cov(prep.X, rowvar=False)
    sd = np.sqrt(np.diag(C))
    R = C / np.outer(sd, sd)
    alpha = _alpha_from(C)
    k = len(prep.items)
    average_r = float((R.sum() - k) / (k * (k - 1)))
    return AlphaResult(alpha, _alpha_from(R), _feldt_ci(alpha, prep.X.shape[0], k, conf_level), average_r,
                       prep.X.shape[0], k, conf_level)


def kmo(data: pd.DataFrame, items: Sequence[str], *, codebook: Codebook | None = None) -> KmoResult:
    """Kaiser-Meyer-Olkin measure of sampling adequacy, overall and per item (MSA).

    Parameters
    ----------
    data : pandas.DataFrame
    items : sequence of str
        At least 2 numeric columns.
    codebook : Codebook, optional
        Missing codes of the items are treated as missing.

    Returns
    -------
    KmoResult
        ``kmo`` (overall) and ``items`` (a Series of MSA by item).

    Raises
    ------
    ScaleError
        Bad items (see :func:`cronbach_alpha`).
    SingularCorrelationError
        The correlation matrix cannot be inverted.

    Notes
    -----
    KMO = Σ r²ᵢⱼ / (Σ r²ᵢⱼ + Σ p²ᵢⱼ) over i ≠ j, with p the partial (anti-image) correlations
    from R⁻¹; MSAⱼ sums over column j only (Kaiser 1970).  Reverse keying does not change it.
    R: ``psych::KMO(x)``; Stata: ``estat kmo`` after ``factor``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=300)
    >>> df = pd.DataFrame({f"q{j}": f + rng.normal(size=300) for j in range(4)})
    >>> round(kmo(df, ["q0", "q1", "q2", "q3"]).kmo, 2)
    0.81
    """
    prep = _prepare(data, items, codebook, [])
    overall, per_item = _kmo_from(_correlation(prep.X, prep.items))
    return KmoResult(overall, pd.Series(per_item, index=list(prep.items), name="kmo_item"))


def bartlett_sphericity(data: pd.DataFrame, items: Sequence[str], *, codebook: Codebook | None = None) -> BartlettResult:
    """Bartlett's test of sphericity of the items' correlation matrix.

    Parameters
    ----------
    data : pandas.DataFrame
    items : sequence of str
        At least 2 numeric columns.
    codebook : Codebook, optional
        Missing codes of the items are treated as missing.

    Returns
    -------
    BartlettResult
        ``chi2``, ``df``, ``p_value`` and ``n`` (complete rows).

    Raises
    ------
    ScaleError
        Bad items (see :func:`cronbach_alpha`).
    SingularCorrelationError
        The correlation matrix is singular (its log-determinant is -∞).

    Notes
    -----
    χ² = -ln|R| (n - 1 - (2k + 5)/6) with k(k-1)/2 degrees of freedom (Bartlett 1951).
    R: ``psych::cortest.bartlett(x)``; SPSS: FACTOR /PRINT KMO.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=300)
    >>> df = pd.DataFrame({f"q{j}": f + rng.normal(size=300) for j in range(4)})
    >>> res = bartlett_sphericity(df, ["q0", "q1", "q2", "q3"])
    >>> res.df, res.p_value < 0.001
    (6, True)
    """
    prep = _prepare(data, items, codebook, [])
    chi2, df, p = _bartlett_from(_correlation(prep.X, prep.items), prep.X.shape[0])
    return BartlettResult(chi2, df, p, prep.X.shape[0])


def reliability(
    data: pd.DataFrame, items: Sequence[str], *, codebook: Codebook | None = None,
    reverse: Sequence[str] | None = None, conf_level: float = 0.95,
) -> ReliabilityResult:
    """Reliability and validity of a scale: α with Feldt's interval, item statistics, KMO, Bartlett.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent; the items are numeric columns.
    items : sequence of str
        The scale's items (at least 2).
    codebook : Codebook, optional
        Gives reverse-keyed items (``Variable.reverse``), their answer codes (recoded as
        ``(min code + max code) - x``), missing codes and the item labels used by ``table()``.
    reverse : sequence of str, optional
        Reverse-keyed items; overrides the codebook's flags (``[]`` reverses none).  Without codes
        in a codebook, an item is recoded with the smallest and largest value observed over all items.
    conf_level : float
        Level of Feldt's interval for α (psych uses 0.95).

    Returns
    -------
    ReliabilityResult
        ``alpha``, ``alpha_std``, ``alpha_ci``, ``items`` (item table), ``kmo``, ``kmo_items``,
        ``bartlett``; ``to_dict()``, ``table(lang)`` and ``validity_table(lang)``.

    Raises
    ------
    ScaleError
        Fewer than 2 items, unknown, duplicated, non-numeric or constant items, reverse-keyed
        items outside the scale, fewer than 3 complete rows.
    SingularCorrelationError
        The items' correlation matrix is singular (KMO and r.cor need its inverse).

    Notes
    -----
    Listwise deletion: rows with a missing item are dropped and counted (``n_dropped``).
    Item statistics as psych::alpha: ``r`` = corr(item, total), ``std_r`` = the same on
    standardized items, ``r_cor`` = ``std_r`` corrected for item overlap with the SMC on the
    diagonal, ``r_drop`` = corr(item, total of the other items) (SPSS's CITC); α if deleted
    for k = 2 is not defined (NaN).  R: ``psych::alpha(x, keys=)``, ``psych::KMO(x)``,
    ``psych::cortest.bartlett(x)``; SPSS: RELIABILITY /SUMMARY=TOTAL; Stata: ``alpha, item``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=300)
    >>> df = pd.DataFrame({f"q{j}": np.clip(np.round(3 + f + rng.normal(size=300)), 1, 5) for j in range(4)})
    >>> df["q3"] = 6 - df["q3"]  # a reverse-keyed item
    >>> res = reliability(df, ["q0", "q1", "q2", "q3"], reverse=["q3"])
    >>> round(res.alpha, 2), res.bartlett.df
    (0.81, 6)
    >>> list(res.table().columns[:4])
    ['题项', '均值', '标准差', '校正项总计相关性(CITC)']
    """
    prep = _prepare(data, items, codebook, reverse)
    X, names = prep.X, prep.items
    n, k = X.shape
    R = _correlation(X, names)
    C = np.cov(X, rowvar=False)
    alpha = _alpha_from(C)
    overall, per_item = _kmo_from(R)
    chi2, df, p = _bartlett_from(R, n)
    table = pd.DataFrame({"item": list(names), **_item_statistics(X), "kmo_item": per_item})
    return ReliabilityResult(
        alpha=alpha, alpha_std=_alpha_from(R), alpha_ci=_feldt_ci(alpha, n, k, conf_level),
        average_r=float((R.sum() - k) / (k * (k - 1))), n=n, n_dropped=prep.n_dropped, reversed=prep.reversed,
        items=table, kmo=overall, kmo_items=dict(zip(names, per_item.tolist(), strict=True)),
        bartlett=BartlettResult(chi2, df, p, n), conf_level=conf_level, labels=prep.labels,
    )
