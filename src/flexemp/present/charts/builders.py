"""Builders: the common charts of a survey report, from plain pandas tables.

=========================  =====  ==========================================
builder                    kind   input
=========================  =====  ==========================================
``distribution_chart``     bar    shares: rows = categories, columns = groups
``sample_vs_census_chart`` bar    two share vectors + category labels
``multiselect_chart``      hbar   option labels + shares
``coefficient_chart``      coef   tidy table(s) ``term, estimate, conf_low,
                                  conf_high`` or results with ``.coefficients``
``index_chart``            line   ``wave, index, conf_low, conf_high`` [group]
=========================  =====  ==========================================

Shares are proportions in [0, 1] (shown as percentages); a value above 1 is
refused, as it is almost surely a percentage already.

Examples
--------
>>> import pandas as pd
>>> c = sample_vs_census_chart([0.69, 0.31], [0.51, 0.49], ["男", "女"], title="性别")
>>> [s.name for s in c.series], c.kind
(['样本', '普查'], 'bar')
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from flexemp.core.errors import ChartInputError
from flexemp.present.charts import _style
from flexemp.present.charts.model import Chart, Series

_COEF_COLS = ("term", "estimate", "conf_low", "conf_high")


def _floats(values: Any, what: str) -> tuple[float | None, ...]:
    out: list[float | None] = []
    for v in list(values):
        if v is None or (isinstance(v, float) and math.isnan(v)) or pd.isna(v):
            out.append(None)
            continue
        try:
            out.append(float(v))
        except (TypeError, ValueError):
            raise ChartInputError(f"{what}: {v!r} is not a number") from None
    return tuple(out)


def _shares(values: Any, what: str) -> tuple[float | None, ...]:
    vals = _floats(values, what)
    bad = [v for v in vals if v is not None and not (-1e-9 <= v <= 1 + 1e-9)]
    if bad:
        raise ChartInputError(
            f"{what}: shares must lie in [0, 1], got {bad[:5]} ({len(bad)} value(s)); "
            "divide percentages by 100"
        )
    return vals


def _need(frame: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise ChartInputError(
            f"{what}: column(s) {missing} not found; the table has {list(frame.columns)}"
        )


def distribution_chart(
    shares: pd.DataFrame,
    *,
    title: str,
    key: str = "distribution",
    x_label: str = "",
    y_label: str = "",
    note: str = "",
) -> Chart:
    """Grouped bars of shares: one bar group per row (category), one bar per column (group).

    Parameters
    ----------
    shares : pandas.DataFrame
        Index = categories (e.g. education levels), columns = groups (e.g. 男/女,
        or 样本/普查), values = shares in [0, 1].  Transpose it to swap roles.
    title, key, x_label, y_label, note : str
        Chart texts and key.

    Returns
    -------
    Chart
        Kind ``bar``, ``percent=True``.

    Raises
    ------
    ChartInputError
        A value is not a number or not in [0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"男": [0.2, 0.8], "女": [0.3, 0.7]}, index=["初中及以下", "高中及以上"])
    >>> c = distribution_chart(t, title="学历分布")
    >>> c.categories, [s.name for s in c.series]
    (('初中及以下', '高中及以上'), ['男', '女'])
    """
    series = tuple(
        Series(str(col), _shares(shares[col], f"column {col!r}")) for col in shares.columns
    )
    return Chart(
        key=key,
        kind="bar",
        title=title,
        categories=tuple(str(i) for i in shares.index),
        series=series,
        x_label=x_label,
        y_label=y_label,
        percent=True,
        note=note,
    )


def sample_vs_census_chart(
    sample_shares: Sequence[float] | pd.Series,
    census_shares: Sequence[float] | pd.Series,
    labels: Sequence[str],
    *,
    title: str,
    key: str = "sample_vs_census",
    lang: str = "zh",
    names: tuple[str, str] | None = None,
    x_label: str = "",
    note: str = "",
) -> Chart:
    """Bars comparing the sample's shares with the census (population) shares.

    Parameters
    ----------
    sample_shares, census_shares : sequence of float
        Shares in [0, 1], one per label, in the order of ``labels``.
    labels : sequence of str
        Category labels.
    title, key, x_label, note : str
        Chart texts and key.
    lang : {"zh", "en"}
        Default series names: 样本/普查 or Sample/Census.
    names : (str, str), optional
        Series names instead of the defaults (e.g. ``("样本", "第七次人口普查")``).

    Returns
    -------
    Chart
        Kind ``bar``, ``percent=True``, two series.

    Raises
    ------
    ChartInputError
        Lengths differ, or a share is outside [0, 1].

    Examples
    --------
    >>> c = sample_vs_census_chart([0.6, 0.4], [0.5, 0.5], ["城镇", "农村"], title="户籍", lang="en")
    >>> [s.name for s in c.series]
    ['Sample', 'Census']
    """
    _style.check_lang(lang)
    s, c = _shares(sample_shares, "sample_shares"), _shares(census_shares, "census_shares")
    if not (len(s) == len(c) == len(labels)):
        raise ChartInputError(
            f"sample_shares ({len(s)}), census_shares ({len(c)}) and labels ({len(labels)}) "
            "must have the same length"
        )
    a, b = names or (("样本", "普查") if lang == "zh" else ("Sample", "Census"))
    return Chart(
        key=key,
        kind="bar",
        title=title,
        categories=tuple(str(x) for x in labels),
        series=(Series(a, s), Series(b, c)),
        x_label=x_label,
        percent=True,
        note=note,
    )


def multiselect_chart(
    options: Sequence[str],
    shares: Sequence[float] | pd.Series,
    *,
    title: str,
    key: str = "multiselect",
    sort: bool = False,
    note: str = "",
) -> Chart:
    """Horizontal bars: the share of respondents choosing each option of a multi-select question.

    Parameters
    ----------
    options : sequence of str
        Option labels.
    shares : sequence of float
        Share choosing each option, in [0, 1] (they need not sum to 1).
    title, key, note : str
        Chart texts and key.
    sort : bool
        Largest share first (stable); default keeps the order given.

    Returns
    -------
    Chart
        Kind ``hbar``, one series, ``percent=True``.

    Raises
    ------
    ChartInputError
        Lengths differ or a share is outside [0, 1].

    Examples
    --------
    >>> c = multiselect_chart(["外卖", "网约车", "快递"], [0.2, 0.5, 0.3], title="平台", sort=True)
    >>> c.categories
    ('网约车', '快递', '外卖')
    """
    vals = _shares(shares, "shares")
    if len(vals) != len(options):
        raise ChartInputError(
            f"options ({len(options)}) and shares ({len(vals)}) must have the same length"
        )
    pairs = list(zip((str(o) for o in options), vals, strict=True))
    if sort:
        pairs.sort(key=lambda p: -math.inf if p[1] is None else p[1], reverse=True)
    return Chart(
        key=key,
        kind="hbar",
        title=title,
        categories=tuple(p[0] for p in pairs),
        series=(Series("", tuple(p[1] for p in pairs)),),
        percent=True,
        note=note,
    )


def _coef_table(obj: Any, name: str) -> pd.DataFrame:
    table = obj.coefficients if hasattr(obj, "coefficients") else obj
    if not isinstance(table, pd.DataFrame):
        raise ChartInputError(
            f"model {name!r}: expected a DataFrame with columns {list(_COEF_COLS)} "
            f"or a result with .coefficients, got {type(obj).__name__}"
        )
    _need(table, _COEF_COLS, f"model {name!r}")
    if table["term"].duplicated().any():
        dup = table.loc[table["term"].duplicated(), "term"].tolist()
        raise ChartInputError(f"model {name!r}: terms repeat {dup[:5]}; pass one row per term")
    return table.set_index("term")


def coefficient_chart(
    results_or_rows: Any,
    terms: Sequence[str] | None = None,
    labels: Sequence[str] | Mapping[str, str] | None = None,
    *,
    title: str,
    key: str = "coefficients",
    reference: float = 0.0,
    lang: str = "zh",
    x_label: str | None = None,
    decimals: int = 3,
    note: str = "",
) -> Chart:
    """Coefficient plot: estimates with confidence intervals, one series per model.

    Parameters
    ----------
    results_or_rows : DataFrame, result, or mapping name -> DataFrame/result
        A tidy table with ``term, estimate, conf_low, conf_high`` (the
        ``coefficients`` table of an estimation result), an object having such
        a ``.coefficients`` attribute, or a dict of them (one series per model,
        named by the keys).
    terms : sequence of str, optional
        Terms to show, in order (top to bottom); default every term except
        ``Intercept`` in the first model's order.
    labels : sequence or mapping, optional
        Display labels (one per term, or term -> label; e.g. from
        :func:`flexemp.present.labels.term_labels`); default the term names.
    title, key, note : str
        Chart texts and key.
    reference : float
        Where the reference line is drawn (0: no effect).
    lang : {"zh", "en"}
        Language of the default x label.
    x_label : str, optional
        Default ``估计值（95% 置信区间）`` / ``Estimate (95% CI)``.
    decimals : int
        Decimals in tooltips.

    Returns
    -------
    Chart
        Kind ``coef``; a term absent from a model has no point for that model.

    Raises
    ------
    ChartInputError
        Missing columns, repeated terms, a term in no model, or labels of the wrong length.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"term": ["Intercept", "contract", "age"], "estimate": [1.0, 0.2, 0.01],
    ...                   "conf_low": [0.5, 0.1, -0.01], "conf_high": [1.5, 0.3, 0.03]})
    >>> c = coefficient_chart(t, labels={"contract": "劳动合同", "age": "年龄"}, title="系数")
    >>> c.categories, c.series[0].low
    (('劳动合同', '年龄'), (0.1, -0.01))
    """
    _style.check_lang(lang)
    models = (
        dict(results_or_rows) if isinstance(results_or_rows, Mapping) else {"": results_or_rows}
    )
    if not models:
        raise ChartInputError("coefficient_chart: no model given")
    tables = {name: _coef_table(obj, name) for name, obj in models.items()}
    first = next(iter(tables.values()))
    chosen = list(terms) if terms is not None else [t for t in first.index if t != "Intercept"]
    absent = [t for t in chosen if not any(t in tb.index for tb in tables.values())]
    if absent:
        raise ChartInputError(
            f"terms {absent} are in no model; terms available: {list(first.index)[:20]}"
        )
    if labels is None:
        shown = [str(t) for t in chosen]
    elif isinstance(labels, Mapping):
        shown = [str(labels.get(t, t)) for t in chosen]
    else:
        shown = [str(x) for x in labels]
        if len(shown) != len(chosen):
            raise ChartInputError(f"labels ({len(shown)}) must match terms ({len(chosen)})")
    series = []
    for name, tb in tables.items():
        sub = tb.reindex(chosen)
        series.append(
            Series(
                str(name),
                _floats(sub["estimate"], "estimate"),
                _floats(sub["conf_low"], "conf_low"),
                _floats(sub["conf_high"], "conf_high"),
            )
        )
    default_x = "估计值（95% 置信区间）" if lang == "zh" else "Estimate (95% CI)"
    return Chart(
        key=key,
        kind="coef",
        title=title,
        categories=tuple(shown),
        series=tuple(series),
        x_label=default_x if x_label is None else x_label,
        reference=reference,
        decimals=decimals,
        note=note,
    )


def index_chart(
    frame: pd.DataFrame,
    *,
    title: str,
    key: str = "index",
    group: str | None = None,
    wave: str = "wave",
    index: str = "index",
    conf_low: str | None = "conf_low",
    conf_high: str | None = "conf_high",
    reference: float | None = 50.0,
    lang: str = "zh",
    y_label: str | None = None,
    note: str = "",
) -> Chart:
    """Index lines over waves with CI bands and the 50 line (diffusion indices).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per wave (per group): columns ``wave``, ``index`` and, when
        present, ``conf_low``/``conf_high``.  Waves keep their order of first
        appearance.
    title, key, note : str
        Chart texts and key.
    group : str, optional
        Column naming the group: one line per group (in order of appearance).
    wave, index, conf_low, conf_high : str
        Column names; set ``conf_low=None`` (and ``conf_high=None``) for no band.
    reference : float or None
        The reference line (50: as many say "better" as "worse").
    lang : {"zh", "en"}
        Language of the default series name and y label.
    y_label : str, optional
        Default ``指数`` / ``Index``.

    Returns
    -------
    Chart
        Kind ``line``.

    Raises
    ------
    ChartInputError
        A column is missing, or a (wave, group) appears twice.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"wave": ["2024Q1", "2024Q2"], "index": [48.0, 52.5],
    ...                   "conf_low": [46.0, 50.1], "conf_high": [50.0, 54.9]})
    >>> c = index_chart(f, title="景气指数")
    >>> c.categories, c.series[0].values, c.reference
    (('2024Q1', '2024Q2'), (48.0, 52.5), 50.0)
    """
    _style.check_lang(lang)
    has_ci = conf_low is not None and conf_high is not None
    cols = [wave, index] + ([conf_low, conf_high] if has_ci else []) + ([group] if group else [])
    _need(frame, [c for c in cols if c is not None], "index_chart")
    keys = [wave] + ([group] if group else [])
    dup = frame.duplicated(subset=keys)
    if dup.any():
        raise ChartInputError(
            f"index_chart: {int(dup.sum())} repeated {keys} rows, e.g. "
            f"{frame.loc[dup, keys].head(3).to_dict('records')}; pass one row per wave"
            + (" and group" if group else " (or name the group column with group=)")
        )
    waves = list(pd.unique(frame[wave]))
    groups = list(pd.unique(frame[group])) if group else [None]
    default_name = "全体" if lang == "zh" else "All"
    series = []
    for g in groups:
        part = frame if g is None else frame[frame[group] == g]
        part = part.set_index(wave).reindex(waves)
        low = _floats(part[conf_low], "conf_low") if has_ci else None
        high = _floats(part[conf_high], "conf_high") if has_ci else None
        series.append(
            Series(default_name if g is None else str(g), _floats(part[index], "index"), low, high)
        )
    default_y = "指数" if lang == "zh" else "Index"
    return Chart(
        key=key,
        kind="line",
        title=title,
        categories=tuple(str(w) for w in waves),
        series=tuple(series),
        y_label=default_y if y_label is None else y_label,
        reference=reference,
        decimals=1,
        note=note,
    )
