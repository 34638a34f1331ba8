"""Multi-select questions: percent of respondents choosing each option, overall and by group.

A multi-select question is stored as one 0/1 column per option (``{name}_{code}``, see
:meth:`flexemp.codebook.Variable.stored_columns`).  **Base**: the respondents who answered the
question, i.e. the rows where at least one option column is not missing; rows where every
option is missing (the question was not asked, skip logic) are left out.  Within the base a
missing option cell counts as "not chosen".  Percentages are in percent units.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from flexemp.codebook import Codebook
from flexemp.core.errors import UnknownVariableError
from flexemp.core.options import Language, validate_option
from flexemp.describe.tables import (
    DescribeError,
    clean_values,
    group_label,
    resolve_variable,
    weight_vector,
)


@dataclass(frozen=True)
class MultiselectResult:
    """See :func:`multiselect`.

    ``table`` (tidy): ``column, option, group, group_label, base_n, count, weighted_count,
    percent, pct_of_responses`` — ``percent`` = (weighted) share of the group's base choosing
    the option (SPSS "percent of cases", 普及率); ``pct_of_responses`` = share of all choices
    made in the group (响应率).  ``group`` is ``"__all__"`` for the whole base.  Options are
    sorted by the overall percent (descending) when ``sort=True``.
    """

    question: str | None
    label: str
    by: str | None
    table: pd.DataFrame
    base_n: int
    n_not_asked: int
    weights: str | None

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python dictionary."""
        return {
            "question": self.question,
            "label": self.label,
            "by": self.by,
            "base_n": self.base_n,
            "n_not_asked": self.n_not_asked,
            "weights": self.weights,
            "table": self.table.to_dict("records"),
        }


def _resolve_options(
    data: pd.DataFrame, options: str | Sequence[str], codebook: Codebook, lang: Language
) -> tuple[str | None, str, list[str], list[str]]:
    if isinstance(options, str):
        if options not in codebook or codebook[options].type != "multiselect":
            ms = [v.name for v in codebook.by_type("multiselect")]
            near = difflib.get_close_matches(options, ms, n=5, cutoff=0.4)
            hint = (
                f" Close matches: {', '.join(near)}."
                if near
                else f" Multi-select questions: {', '.join(ms)}."
            )
            raise UnknownVariableError(
                f"{options!r} is not a multi-select question of codebook "
                f"{codebook.dataset!r}.{hint}"
            )
        var = codebook[options]
        cols = list(var.stored_columns())
        labels = [c.label(lang) for c in var.codes]
        question: str | None = var.name
        title = var.label(lang)
    else:
        cols = list(options)
        all_labels = codebook.labels(lang)
        labels = [all_labels.get(c, c).split("：", 1)[-1] for c in cols]
        question, title = None, ""
    missing = [c for c in cols if c not in data.columns]
    if missing:
        near = difflib.get_close_matches(missing[0], list(map(str, data.columns)), n=5, cutoff=0.5)
        hint = f" Close matches: {', '.join(near)}." if near else ""
        raise UnknownVariableError(f"option column(s) {', '.join(missing)} not in the data.{hint}")
    return question, title, cols, labels


def multiselect(
    data: pd.DataFrame,
    options: str | Sequence[str],
    *,
    by: str | None = None,
    codebook: Codebook,
    weights: str | None = None,
    sort: bool = True,
    lang: Language = "zh",
) -> MultiselectResult:
    """Share of respondents choosing each option of a multi-select question (seed 003, seed 004).

    Parameters
    ----------
    data : DataFrame
        Columns named as in the codebook.
    options : str or sequence of str
        A multi-select question name (its option columns come from the codebook) or the 0/1
        option columns themselves.
    by : str, optional
        Grouping variable; each group has its own base.
    codebook : Codebook
        Option labels.
    weights : str, optional
        Weights column.
    sort : bool
        Sort options by the overall percent, descending (ties keep codebook order).
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    MultiselectResult

    Raises
    ------
    UnknownVariableError
        Unknown question or option column.
    DescribeError
        An option column holds values other than 0, 1 or missing; nobody answered.

    Notes
    -----
    Base = rows with at least one non-missing option; percent = 100 × Σ w·x / Σ w over the base
    (R: ``svymean(~x, subset(design, answered))`` with ``x`` the option with NA set to 0).

    Examples
    --------
    >>> from flexemp.synth import get_dataset
    >>> ds = get_dataset("internet_flex_finance")
    >>> res = multiselect(ds.generate(), "flex_reasons", codebook=ds.codebook())
    >>> res.base_n
    2110
    """
    validate_option("lang", lang, Language)
    question, title, cols, labels = _resolve_options(data, options, codebook, lang)
    X = data[cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = np.isfinite(X) & (X != 0) & (X != 1)
    if bad.any():
        j = int(np.nonzero(bad.any(0))[0][0])
        raise DescribeError(
            f"option column {cols[j]!r} has values other than 0/1/missing "
            f"({int(bad[:, j].sum())} cells); recode it to 0/1."
        )
    answered = np.isfinite(X).any(1)
    if not answered.any():
        raise DescribeError(f"nobody answered {question or cols}: every option cell is missing.")
    w = weight_vector(data, weights)
    if by is not None:
        gvar = resolve_variable(data, by, codebook)
        g = clean_values(data, gvar)
        levels = np.unique(g[answered & np.isfinite(g)])
        gi = np.where(np.isfinite(g), np.searchsorted(levels, np.where(np.isfinite(g), g, 0)), -1)
        glabels = [group_label(gvar, v, lang) for v in levels]
    else:
        gvar, levels, gi, glabels = None, np.array([]), np.full(len(data), -1), []
    ng = levels.size
    Xa = np.nan_to_num(X[answered])
    wa, ga = w[answered], gi[answered]
    # group index ng = the whole base; rows with a missing group only count in the whole base
    gidx = np.concatenate([ga[ga >= 0], np.full(ga.size, ng)])
    Xs = np.concatenate([Xa[ga >= 0], Xa])
    ws = np.concatenate([wa[ga >= 0], wa])
    base_w = np.bincount(gidx, weights=ws, minlength=ng + 1)
    base_n = np.bincount(gidx, minlength=ng + 1)
    G = np.zeros((gidx.size, ng + 1))
    G[np.arange(gidx.size), gidx] = 1.0
    cnt = G.T @ Xs  # (groups, options)
    wct = G.T @ (Xs * ws[:, None])
    pct = 100 * wct / base_w[:, None]
    resp = 100 * wct / np.where(wct.sum(1, keepdims=True) > 0, wct.sum(1, keepdims=True), np.nan)
    order = np.argsort(-pct[ng], kind="stable") if sort else np.arange(len(cols))
    k = len(cols)
    group_ids: list[Any] = [*levels.tolist(), "__all__"]
    group_names = [*glabels, "合计" if lang == "zh" else "Total"]
    table = pd.DataFrame(
        {
            "column": np.tile(np.array(cols)[order], ng + 1),
            "option": np.tile(np.array(labels, dtype=object)[order], ng + 1),
            "group": np.repeat(np.array(group_ids, dtype=object), k),
            "group_label": np.repeat(group_names, k),
            "base_n": np.repeat(base_n, k).astype(np.int64),
            "count": cnt[:, order].ravel().astype(np.int64),
            "weighted_count": wct[:, order].ravel(),
            "percent": pct[:, order].ravel(),
            "pct_of_responses": resp[:, order].ravel(),
        }
    )
    return MultiselectResult(
        question, title, by, table, int(answered.sum()), int((~answered).sum()), weights
    )
