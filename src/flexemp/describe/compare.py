"""Cross-tabulations and group comparisons with their tests (seed 003: flexible vs stable workers).

Unweighted tests are R's ``chisq.test(table(x, y), correct = FALSE)`` and
``t.test(y ~ g)`` (Welch, ``var.equal = FALSE``) or ``t.test(..., var.equal = TRUE)``.
Weighted tests follow R's survey package on ``svydesign(ids = ~1, weights = ~w)`` fitted to the
rows complete on the variables involved: ``svychisq(~x + y, design, statistic = "F")`` (Rao–Scott
second-order, the default) or ``statistic = "Chisq"`` (Rao–Scott first-order), and
``svyttest(y ~ g, design)`` (design-based t with ``n - 2`` degrees of freedom).  Percentages are
in percent units (see :mod:`flexemp.describe.tables`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from flexemp.codebook import Codebook
from flexemp.core.options import ChisqStatistic, CompareTest, Language, PercentBase, validate_option
from flexemp.describe.tables import (
    CATEGORICAL_TYPES,
    DescribeError,
    check_not_all_missing,
    clean_values,
    code_text,
    group_label,
    resolve_variable,
    weight_vector,
)

METHODS = {
    "welch": "Welch t test (t.test, var.equal=FALSE)",
    "t": "pooled t test (t.test, var.equal=TRUE)",
    "svyttest": "design-based t test (survey::svyttest)",
}


@dataclass(frozen=True)
class ChisqTest:
    """Pearson's χ² test of independence (Rao–Scott corrected when weighted).

    ``statistic`` is the test statistic (X² unweighted; the Rao–Scott F or X²/mean(δ) weighted),
    ``df`` (and ``df2`` for F) its degrees of freedom, ``pearson`` the uncorrected Pearson X² (of
    the weighted table scaled to n when weighted), ``cramers_v`` = sqrt(pearson / (n (k − 1))),
    k = min(rows, cols).
    """

    method: str
    statistic: float
    df: float
    df2: float | None
    p_value: float
    pearson: float
    cramers_v: float
    n: int

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python dictionary."""
        return dict(self.__dict__)


def _codes(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    levels, inv = np.unique(x, return_inverse=True)
    return levels, inv


def chisq_independence(
    r: np.ndarray, c: np.ndarray, w: np.ndarray | None, statistic: ChisqStatistic = "F"
) -> ChisqTest:
    """χ² test on integer-coded complete rows ``r``, ``c`` (0..R-1, 0..C-1), optional weights.

    Unweighted: ``chisq.test(correct = FALSE)``.  Weighted: ``survey::svychisq`` (Rao & Scott
    1984) on ``svydesign(ids = ~1, weights = ~w)``, reproduced term by term: the cell proportions
    ``p``, their linearised covariance ``V = n/(n-1) Σ w²(z − p)(z − p)ᵀ / (Σw)²``, the contrast
    matrix ``C`` (interaction columns orthogonalised against the main effects), the generalised
    design effects ``Δ = (Cᵀ D⁻¹ C / n)⁻¹ Cᵀ D⁻¹ V D⁻¹ C`` and
    ``F = X² / tr Δ`` on ``(d, d (n − 1))`` degrees of freedom, ``d = (tr Δ)² / tr Δ²``.
    """
    nr, nc = int(r.max()) + 1, int(c.max()) + 1
    n = r.size
    if nr < 2 or nc < 2:
        raise DescribeError("a χ² test needs at least two observed levels in each variable.")
    k = min(nr, nc)
    cell = c * nr + r  # R's interaction(rows, cols): rows vary fastest
    if w is None:
        obs = np.bincount(cell, minlength=nr * nc).reshape(nc, nr).T.astype(float)
        exp = obs.sum(1, keepdims=True) * obs.sum(0, keepdims=True) / n
        x2 = float(((obs - exp) ** 2 / exp).sum())
        df = (nr - 1) * (nc - 1)
        return ChisqTest(
            "Pearson chi-square (chisq.test, correct=FALSE)",
            x2,
            float(df),
            None,
            float(stats.chi2.sf(x2, df)),
            x2,
            float(np.sqrt(x2 / (n * (k - 1)))),
            n,
        )
    wsum = w.sum()
    p = np.bincount(cell, weights=w, minlength=nr * nc) / wsum
    tab = (p * n).reshape(nc, nr).T
    exp = tab.sum(1, keepdims=True) * tab.sum(0, keepdims=True) / n
    x2 = float(((tab - exp) ** 2 / exp).sum())
    # V = n/(n-1) * sum_i w_i^2 (z_i - p)(z_i - p)' / W^2, with z_i the indicator of i's cell
    w2 = np.bincount(cell, weights=w**2, minlength=nr * nc)
    s2 = w2.sum()
    V = (
        (np.diag(w2) - np.outer(w2, p) - np.outer(p, w2) + s2 * np.outer(p, p))
        / wsum**2
        * n
        / (n - 1)
    )
    rows_f = np.tile(np.arange(nr), nc)
    cols_f = np.repeat(np.arange(nc), nr)
    R = (rows_f[:, None] == np.arange(1, nr)).astype(float)
    Cc = (cols_f[:, None] == np.arange(1, nc)).astype(float)
    X1 = np.column_stack([np.ones(nr * nc), R, Cc])
    X12i = np.column_stack([R[:, i] * Cc[:, j] for j in range(nc - 1) for i in range(nr - 1)])
    beta, *_ = np.linalg.lstsq(X1, X12i, rcond=None)
    C = X12i - X1 @ beta
    iD = np.where(p > 0, 1 / np.where(p > 0, p, 1), 0.0)
    denom = (C * (iD / n)[:, None]).T @ C
    numr = (C * iD[:, None]).T @ V @ (C * iD[:, None])
    delta = np.linalg.solve(denom, numr)
    tr = float(np.trace(delta))
    v = float(np.sqrt(x2 / (n * (k - 1))))
    if statistic == "F":
        d0 = tr**2 / float(np.trace(delta @ delta))
        f = x2 / tr
        return ChisqTest(
            "Rao-Scott F (survey::svychisq, statistic='F')",
            f,
            d0,
            d0 * (n - 1),
            float(stats.f.sf(f, d0, d0 * (n - 1))),
            x2,
            v,
            n,
        )
    ndf = delta.shape[1]
    adj = x2 / (tr / ndf)
    return ChisqTest(
        "Rao-Scott chi-square (survey::svychisq, statistic='Chisq')",
        adj,
        float(ndf),
        None,
        float(stats.chi2.sf(adj, ndf)),
        x2,
        v,
        n,
    )


@dataclass(frozen=True)
class CrosstabResult:
    """A two-way table; see :func:`crosstab`.

    ``table`` is tidy: ``row_code, row_label, col_code, col_label, count, weighted_count,
    percent`` (percent of the chosen base; NaN when ``percent=None``), observed levels only, in
    code order.  ``test`` is the χ² test of independence; ``titles`` the labels.
    """

    row: str
    col: str
    table: pd.DataFrame
    percent_base: str | None
    weights: str | None
    test: ChisqTest
    n_dropped: int
    titles: tuple[str, str] = ("", "")

    def counts(self, weighted: bool = False) -> pd.DataFrame:
        """The table as a rows × columns frame of counts (weighted counts if asked)."""
        v = "weighted_count" if weighted else "count"
        return self.table.pivot(index="row_label", columns="col_label", values=v).loc[
            list(dict.fromkeys(self.table["row_label"])),
            list(dict.fromkeys(self.table["col_label"])),
        ]

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python dictionary."""
        return {
            "row": self.row,
            "col": self.col,
            "percent_base": self.percent_base,
            "weights": self.weights,
            "n_dropped": self.n_dropped,
            "test": self.test.to_dict(),
            "table": self.table.replace({np.nan: None}).to_dict("records"),
        }


def _complete_pair(
    data: pd.DataFrame, a: str, b: str, codebook: Codebook, weights: str | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    va, vb = resolve_variable(data, a, codebook), resolve_variable(data, b, codebook)
    xa, xb = clean_values(data, va), clean_values(data, vb)
    check_not_all_missing(xa, a)
    check_not_all_missing(xb, b)
    w = weight_vector(data, weights)
    ok = np.isfinite(xa) & np.isfinite(xb)
    return xa[ok], xb[ok], w[ok], int((~ok).sum())


def crosstab(
    data: pd.DataFrame,
    row: str,
    col: str,
    *,
    codebook: Codebook,
    weights: str | None = None,
    percent: PercentBase | None = "row",
    statistic: ChisqStatistic = "F",
    lang: Language = "zh",
) -> CrosstabResult:
    """Two-way table with counts, percentages, Pearson's χ² (Rao–Scott when weighted) and Cramér's V.

    Parameters
    ----------
    data : DataFrame
        Columns named as in the codebook.
    row, col : str
        The row and column variables.
    codebook : Codebook
        Labels and missing codes.
    weights : str, optional
        Weights column: percentages weighted, test Rao–Scott corrected.
    percent : {"row", "col", "total"} or None
        Base of the percentages.
    statistic : {"F", "Chisq"}
        Weighted test only: Rao–Scott F (``svychisq`` default) or first-order corrected χ².
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    CrosstabResult

    Raises
    ------
    DescribeError
        Fewer than two observed levels in a variable, or no complete row.

    Notes
    -----
    Rows missing either variable are dropped (counted in ``n_dropped``).  Cramér's V is
    ``sqrt(X² / (n (k − 1)))`` with the Pearson X² of the (weighted, scaled to n) table.
    R: ``chisq.test(table(d$x, d$y), correct = FALSE)``; weighted
    ``svychisq(~x + y, svydesign(ids = ~1, weights = ~w, data = d))``.

    Examples
    --------
    >>> from flexemp.synth import get_dataset
    >>> ds = get_dataset("internet_flex_finance")
    >>> res = crosstab(ds.generate(), "education", "flexible", codebook=ds.codebook())
    >>> res.test.df
    5.0
    """
    validate_option("percent", percent if percent is not None else "row", PercentBase)
    validate_option("statistic", statistic, ChisqStatistic)
    validate_option("lang", lang, Language)
    xr, xc, w, dropped = _complete_pair(data, row, col, codebook, weights)
    if xr.size == 0:
        raise DescribeError(f"no row has both {row!r} and {col!r}.")
    rl, ri = _codes(xr)
    cl, ci = _codes(xc)
    for name, lv in ((row, rl), (col, cl)):
        if lv.size < 2:
            raise DescribeError(
                f"variable {name!r} has a single observed level ({code_text(lv[0])}) among the "
                "complete rows; a cross-tabulation needs at least two."
            )
    test = chisq_independence(ri, ci, w if weights is not None else None, statistic)
    cell = ri * cl.size + ci
    cnt = np.bincount(cell, minlength=rl.size * cl.size).reshape(rl.size, cl.size)
    wct = np.bincount(cell, weights=w, minlength=rl.size * cl.size).reshape(rl.size, cl.size)
    if percent == "row":
        pct = 100 * wct / wct.sum(1, keepdims=True)
    elif percent == "col":
        pct = 100 * wct / wct.sum(0, keepdims=True)
    elif percent == "total":
        pct = 100 * wct / wct.sum()
    else:
        pct = np.full(wct.shape, np.nan)
    vr, vc = codebook[row], codebook[col]
    table = pd.DataFrame(
        {
            "row_code": np.repeat(rl, cl.size),
            "row_label": np.repeat([vr.code_label(v, lang) or code_text(v) for v in rl], cl.size),
            "col_code": np.tile(cl, rl.size),
            "col_label": np.tile([vc.code_label(v, lang) or code_text(v) for v in cl], rl.size),
            "count": cnt.ravel().astype(np.int64),
            "weighted_count": wct.ravel(),
            "percent": pct.ravel(),
        }
    )
    return CrosstabResult(
        row, col, table, percent, weights, test, dropped, (vr.label(lang), vc.label(lang))
    )


# ------------------------------------------------------------------ group comparisons
@dataclass(frozen=True)
class CompareResult:
    """Flexible-vs-stable style comparison; see :func:`compare_groups`.

    ``rows`` (tidy): ``variable, label, kind, code, option, group, group_label, n, estimate, sd``
    — ``kind`` is ``"categorical"`` (``estimate`` = percent of the group choosing the option,
    ``n`` = the group's respondents with an answer) or ``"numeric"`` (``estimate`` = mean,
    ``sd`` = SD, ``code``/``option`` empty).  ``tests``: ``variable, test, method, statistic,
    df, df2, p_value, n`` (``method`` names the test computed, e.g. Rao-Scott F when weighted).
    """

    group: str
    groups: tuple[float, ...]
    group_labels: tuple[str, ...]
    rows: pd.DataFrame
    tests: pd.DataFrame
    weights: str | None

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python dictionary."""
        return {
            "group": self.group,
            "groups": list(self.groups),
            "group_labels": list(self.group_labels),
            "weights": self.weights,
            "rows": self.rows.replace({np.nan: None}).to_dict("records"),
            "tests": self.tests.replace({np.nan: None}).to_dict("records"),
        }


def two_sample_t(
    y: np.ndarray, g: np.ndarray, w: np.ndarray | None, welch: bool
) -> tuple[float, float, float]:
    """(t, df, p) comparing group 1 with group 0 of ``g`` (0/1); t is mean(1) − mean(0) over its SE.

    Unweighted: Welch (``t.test`` default) or pooled (``var.equal = TRUE``).  Weighted:
    ``svyttest`` on ``svydesign(ids = ~1, weights = ~w)``: SE² = Σ_g n/(n−1) Σ_{i∈g} w_i²(y_i − m_g)² / W_g²,
    df = n − 2 (both forms of ``welch``).
    """
    n = y.size
    if w is None:
        a, b = y[g == 1], y[g == 0]
        va, vb, na, nb = a.var(ddof=1), b.var(ddof=1), a.size, b.size
        if welch:
            se2 = va / na + vb / nb
            df = se2**2 / ((va / na) ** 2 / (na - 1) + (vb / nb) ** 2 / (nb - 1))
        else:
            sp = ((na - 1) * va + (nb - 1) * vb) / (na + nb - 2)
            se2, df = sp * (1 / na + 1 / nb), float(na + nb - 2)
        t = (a.mean() - b.mean()) / np.sqrt(se2)
    else:
        gi = g.astype(np.int64)
        W = np.bincount(gi, weights=w, minlength=2)
        m = np.bincount(gi, weights=w * y, minlength=2) / W
        ss = np.bincount(gi, weights=w**2 * (y - m[gi]) ** 2, minlength=2)
        se2 = n / (n - 1) * float((ss / W**2).sum())
        t, df = (m[1] - m[0]) / np.sqrt(se2), float(n - 2)
    return float(t), float(df), float(2 * stats.t.sf(abs(t), df))


def compare_groups(
    data: pd.DataFrame,
    variables: Sequence[str],
    group: str,
    *,
    codebook: Codebook,
    weights: str | None = None,
    test: CompareTest = "auto",
    statistic: ChisqStatistic = "F",
    lang: Language = "zh",
) -> CompareResult:
    """Compare groups (e.g. flexible vs stable workers) on categorical and numeric variables.

    Parameters
    ----------
    data : DataFrame
        Columns named as in the codebook.
    variables : sequence of str
        Variables to compare.
    group : str
        The grouping variable (at least two observed levels).
    codebook : Codebook
        Labels, codes and types.
    weights : str, optional
        Weights column.
    test : {"auto", "chisq", "welch", "t"}
        ``auto``: χ² for binary, nominal and banded variables (percent per option), Welch t for
        ordinal, count and continuous (mean per group).  ``chisq`` treats every variable as
        categorical; ``welch`` / ``t`` treat every variable as numeric (Welch or pooled t).
    statistic : {"F", "Chisq"}
        Weighted χ² form (see :func:`crosstab`).
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    CompareResult

    Raises
    ------
    DescribeError
        The group has one level; a t test with more than two groups; a nominal variable under
        ``welch``/``t``; a multi-select or text variable (use :func:`flexemp.describe.multiselect.multiselect`).

    Notes
    -----
    Each variable uses the rows where it and the group are observed.  t is
    mean(second group) − mean(first group), groups in code order.  R: ``t.test(y ~ g)``,
    ``chisq.test(table(x, g), correct = FALSE)``; weighted ``svyttest``, ``svychisq``.

    Examples
    --------
    >>> from flexemp.synth import get_dataset
    >>> ds = get_dataset("internet_flex_finance")
    >>> res = compare_groups(ds.generate(), ["sex", "income_stability"], "flexible", codebook=ds.codebook())
    >>> list(res.tests["test"])
    ['chisq', 'welch']
    """
    validate_option("test", test, CompareTest)
    validate_option("statistic", statistic, ChisqStatistic)
    validate_option("lang", lang, Language)
    gvar = resolve_variable(data, group, codebook)
    g_all = clean_values(data, gvar)
    check_not_all_missing(g_all, group)
    levels = np.unique(g_all[np.isfinite(g_all)])
    if levels.size < 2:
        raise DescribeError(
            f"grouping variable {group!r} has one observed level ({code_text(levels[0])}); "
            "a comparison needs at least two groups."
        )
    glabels = tuple(group_label(gvar, v, lang) for v in levels)
    w_all = weight_vector(data, weights)
    wts = w_all if weights is not None else None
    rows: list[pd.DataFrame] = []
    tests: list[dict[str, Any]] = []
    for name in variables:
        var = resolve_variable(data, name, codebook)
        if var.type in ("multiselect", "text", "id", "date"):
            raise DescribeError(
                f"variable {name!r} is of type {var.type!r}; compare_groups needs "
                "single-answer variables (use multiselect(..., by=group))."
            )
        kind = (
            test
            if test != "auto"
            else ("chisq" if var.type in CATEGORICAL_TYPES - {"ordinal"} else "welch")
        )
        x = clean_values(data, var)
        check_not_all_missing(x, name)
        ok = np.isfinite(x) & np.isfinite(g_all)
        xs, gs, ws = x[ok], np.searchsorted(levels, g_all[ok]), w_all[ok]
        base = {"variable": name, "label": var.label(lang)}
        if kind == "chisq":
            xl, xi = _codes(xs)
            res = chisq_independence(xi, gs, ws if wts is not None else None, statistic)
            cell = gs * xl.size + xi
            wct = np.bincount(cell, weights=ws, minlength=levels.size * xl.size).reshape(
                levels.size, xl.size
            )
            n_g = np.bincount(gs, minlength=levels.size)
            rows.append(
                pd.DataFrame(
                    {
                        **base,
                        "kind": "categorical",
                        "code": np.tile(xl, levels.size),
                        "option": np.tile(
                            [var.code_label(v, lang) or code_text(v) for v in xl], levels.size
                        ),
                        "group": np.repeat(levels, xl.size),
                        "group_label": np.repeat(glabels, xl.size),
                        "n": np.repeat(n_g, xl.size),
                        "estimate": (100 * wct / wct.sum(1, keepdims=True)).ravel(),
                        "sd": np.nan,
                    }
                )
            )
            tests.append(
                {
                    "variable": name,
                    "test": "chisq",
                    "method": res.method,
                    "statistic": res.statistic,
                    "df": res.df,
                    "df2": res.df2,
                    "p_value": res.p_value,
                    "n": res.n,
                }
            )
            continue
        if var.type == "nominal":
            raise DescribeError(
                f"variable {name!r} is nominal: its mean means nothing; use test='chisq' "
                "or test='auto'."
            )
        if levels.size != 2:
            raise DescribeError(
                f"a t test compares two groups; {group!r} has {levels.size} levels. "
                "Use test='chisq' or keep two groups."
            )
        W = np.bincount(gs, weights=ws, minlength=2)
        m = np.bincount(gs, weights=ws * xs, minlength=2) / W
        n_g = np.bincount(gs, minlength=2)
        if n_g.min() < 2:
            raise DescribeError(
                f"variable {name!r}: a group of {group!r} has fewer than two answers "
                f"({', '.join(f'{lab}: {k}' for lab, k in zip(glabels, n_g, strict=True))}); "
                "a t test needs at least two per group."
            )
        sd = np.sqrt(
            n_g / (n_g - 1) * np.bincount(gs, weights=ws * (xs - m[gs]) ** 2, minlength=2) / W
        )
        t, df, p = two_sample_t(xs, gs, wts[ok] if wts is not None else None, welch=kind == "welch")
        rows.append(
            pd.DataFrame(
                {
                    **base,
                    "kind": "numeric",
                    "code": np.nan,
                    "option": "",
                    "group": levels,
                    "group_label": glabels,
                    "n": n_g,
                    "estimate": m,
                    "sd": sd,
                }
            )
        )
        tests.append(
            {
                "variable": name,
                "test": kind,
                "method": METHODS["svyttest" if wts is not None else kind],
                "statistic": t,
                "df": df,
                "df2": np.nan,
                "p_value": p,
                "n": int(xs.size),
            }
        )
    return CompareResult(
        group,
        tuple(float(v) for v in levels),
        glabels,
        pd.concat(rows, ignore_index=True),
        pd.DataFrame(tests),
        weights,
    )
