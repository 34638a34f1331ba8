"""Deterministic Chinese and English sentences generated from numbers (template-based, no language model).

The register follows the seed documents and SPSSAU's 智能分析: "劳动合同的系数为0.123，
在1%的统计水平上显著为正，说明劳动合同对生活满意度有显著的正向影响。"  Every
sentence states only what the numbers show:

- a coefficient is significant at level ``a`` when ``p < a`` (strict), using the
  smallest such level of ``stars`` (default 10%, 5%, 1%); otherwise it
  "未通过显著性检验" / "is not statistically significant" and nothing is said
  about its direction;
- the Chinese verb is the seeds' weakest one, "对…有显著的正向影响"; stronger
  verbs of the seeds ("能够显著提升", "导致") are never used; the English text
  says "associated with", not "effect";
- NaN, None or infinite inputs raise :class:`NarrativeInputError` (a
  ``ValueError``), never a sentence with "nan" in it.

This module holds the regression templates; shares, distributions, group
comparisons, indices and means are in :mod:`flexemp.present.narrative_describe`
and re-exported here.  See docs/narrative.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from flexemp.core.options import validate_option
from flexemp.present.narrative_common import (
    DEFAULT_STARS,
    NarrativeInputError,
    capitalise,
    check_label,
    check_lang,
    check_number,
    check_stars,
    check_unit_interval,
    fmt_coef,
    fmt_fixed,
    fmt_level,
    fmt_pct,
    join_en,
    join_zh,
    significance_level,
)
from flexemp.present.narrative_describe import (
    comparison_sentence,
    distribution_sentence,
    index_sentence,
    mean_sentence,
    share_sentence,
)

__all__ = [
    "MODELS",
    "NarrativeInputError",
    "coefficient_sentence",
    "comparison_sentence",
    "distribution_sentence",
    "index_sentence",
    "mean_sentence",
    "regression_paragraph",
    "share_sentence",
]

MODELS: tuple[str, ...] = (
    "ols",
    "logit",
    "probit",
    "oprobit",
    "ologit",
    "mlogit",
    "iv2sls",
    "heckman2s",
)
_ODDS_MODELS = ("logit", "ologit")
# An odds ratio given by the caller must equal exp(estimate) up to rounding to 2 decimals.
_ODDS_RATIO_ABS_TOL = 0.005 + 1e-9


@dataclass(frozen=True)
class _Coef:
    label: str
    estimate: float
    p_value: float
    level: float | None

    @property
    def sign(self) -> int:
        return (self.estimate > 0) - (self.estimate < 0)


def _coef(label: object, estimate: object, p_value: object, stars: tuple[float, ...]) -> _Coef:
    lab = check_label("label", label)
    est = check_number(f"estimate of {lab!r}", estimate)
    p = check_unit_interval(f"p_value of {lab!r}", p_value)
    return _Coef(lab, est, p, significance_level(p, stars))


def _check_odds_ratio(odds_ratio: object, estimate: float, model: str | None) -> float:
    if model not in _ODDS_MODELS:
        raise NarrativeInputError(
            f"odds_ratio is only meaningful for model='logit' or 'ologit', got model={model!r}; "
            "pass model='logit' (or drop odds_ratio)."
        )
    orr = check_number("odds_ratio", odds_ratio)
    if orr <= 0 or abs(orr - math.exp(estimate)) > max(_ODDS_RATIO_ABS_TOL, 1e-6 * orr):
        raise NarrativeInputError(
            f"odds_ratio={orr!r} does not equal exp(estimate)={math.exp(estimate):.6g}; "
            "check that the odds ratio and the coefficient come from the same row."
        )
    return orr


def _odds_sentence(c: _Coef, orr: float, outcome: str | None, model: str, lang: str) -> str:
    change = fmt_pct(abs(orr - 1.0))
    up = orr > 1.0
    if lang == "zh":
        target = outcome or "被解释变量"
        odds_of = f"{target}处于更高类别的发生比" if model == "ologit" else f"{target}的发生比（odds）"
        verb = "提高" if up else "降低"
        return f"在其他变量不变的情况下，{c.label}每增加1个单位，{odds_of}{verb}{change}。"
    target = outcome or "the outcome"
    odds_of = f"the odds of a higher category of {target}" if model == "ologit" else f"the odds of {target}"
    verb = "raises" if up else "lowers"
    return f"Holding the other variables constant, a one-unit increase in {c.label} {verb} {odds_of} by {change}."


def coefficient_sentence(
    label: str,
    estimate: float,
    p_value: float,
    *,
    outcome: str | None = None,
    stars: Sequence[float] = DEFAULT_STARS,
    model: str | None = None,
    odds_ratio: float | None = None,
    lang: str = "zh",
) -> str:
    """One sentence on one coefficient: value, significance level, sign, and what it indicates.

    Parameters
    ----------
    label : str
        Display label of the regressor (from the codebook, e.g. "劳动合同").
    estimate : float
        The coefficient (shown with 3 decimals).
    p_value : float
        Its p-value, in [0, 1].
    outcome : str, optional
        Display label of the dependent variable; when given, a second clause says
        what the coefficient indicates about it.
    stars : sequence of float
        Significance levels; the coefficient is significant at the smallest level
        ``a`` with ``p_value < a`` (strict).  Default (0.10, 0.05, 0.01); 1 to 3
        distinct levels in (0, 1), the rule of the tables (:func:`~flexemp.present.stars.check_stars`).
    model : str, optional
        One of :data:`MODELS`; only needed for ``odds_ratio``.
    odds_ratio : float, optional
        exp(estimate) for ``model="logit"`` or ``"ologit"``; must agree with the
        estimate up to rounding to 2 decimals.  Interpreted only when significant.
    lang : {"zh", "en"}

    Returns
    -------
    str

    Raises
    ------
    NarrativeInputError
        NaN/None/infinite numbers, a p-value outside [0, 1], an odds ratio that
        does not match the estimate or a model without odds.
    UnsupportedOptionError
        ``stars`` is not 1 to 3 distinct levels in (0, 1), or an unknown ``lang``/``model``.
    UnsupportedOptionError
        Unknown ``lang`` or ``model``.

    Notes
    -----
    An insignificant coefficient is "未通过显著性检验，说明没有证据表明…有显著影响",
    never a finding about its direction.

    Examples
    --------
    >>> coefficient_sentence("劳动合同", 0.123, 0.004, outcome="生活满意度")
    '劳动合同的系数为0.123，在1%的统计水平上显著为正，说明劳动合同对生活满意度有显著的正向影响。'
    >>> coefficient_sentence("labour contract", 0.012, 0.41, outcome="life satisfaction", lang="en")
    'The coefficient on labour contract is 0.012 and not statistically significant, so there is no evidence that labour contract has a significant association with life satisfaction.'
    """
    lang = check_lang(lang)
    if model is not None:
        validate_option("model", model, MODELS)
    c = _coef(label, estimate, p_value, check_stars(stars))
    if outcome is not None:
        check_label("outcome", outcome)
    orr = None if odds_ratio is None else _check_odds_ratio(odds_ratio, c.estimate, model)
    b = fmt_coef(c.estimate)
    if orr is not None:
        b += f"（优势比为{fmt_fixed(orr, 2)}）" if lang == "zh" else f" (odds ratio {fmt_fixed(orr, 2)})"
    text = _zh_coef(c, b, outcome) if lang == "zh" else _en_coef(c, b, outcome)
    if orr is not None and c.level is not None and c.sign != 0:
        text += ("" if lang == "zh" else " ") + _odds_sentence(c, orr, outcome, str(model), lang)
    return text


def _zh_coef(c: _Coef, b: str, outcome: str | None) -> str:
    head = f"{c.label}的系数为{b}，"
    if c.level is None:
        tail = f"，说明没有证据表明{c.label}对{outcome}有显著影响" if outcome else ""
        return f"{head}未通过显著性检验{tail}。"
    at = f"在{fmt_level(c.level)}的统计水平上显著"
    if c.sign == 0:
        return f"{head}{at}，但估计值为零，无法判断影响方向。"
    word, effect = ("为正", "正向") if c.sign > 0 else ("为负", "负向")
    tail = f"，说明{c.label}对{outcome}有显著的{effect}影响" if outcome else ""
    return f"{head}{at}{word}{tail}。"


def _en_coef(c: _Coef, b: str, outcome: str | None) -> str:
    head = f"The coefficient on {c.label} is {b}"
    if c.level is None:
        tail = (
            f", so there is no evidence that {c.label} has a significant association with {outcome}"
            if outcome
            else ""
        )
        return f"{head} and not statistically significant{tail}."
    at = f" and significant at the {fmt_level(c.level)} level"
    if c.sign == 0:
        return f"{head}{at}, but the estimate is zero, so its direction cannot be determined."
    word = "positive" if c.sign > 0 else "negative"
    if outcome:
        return f"{head}{at}, indicating that {c.label} has a significant {word} association with {outcome}."
    return f"{head}{at}, with a {word} sign."


def _levels_zh(group: list[_Coef]) -> str:
    levels = [fmt_level(c.level) for c in group if c.level is not None]
    if len(group) == 1:
        return f"在{levels[0]}的统计水平上"
    if len(set(levels)) == 1:
        return f"均在{levels[0]}的统计水平上"
    return f"分别在{join_zh(levels)}的统计水平上"


def _levels_en(group: list[_Coef]) -> str:
    levels = [fmt_level(c.level) for c in group if c.level is not None]
    if len(group) == 1 or len(set(levels)) == 1:
        return f"at the {levels[0]} level"
    return f"at the {join_en(levels)} levels respectively"


def regression_paragraph(
    rows: Sequence[tuple[str, float, float]],
    *,
    outcome: str,
    stars: Sequence[float] = DEFAULT_STARS,
    list_insignificant: bool = True,
    lang: str = "zh",
) -> str:
    """One paragraph on a regression: significant terms grouped by sign, then the rest.

    Parameters
    ----------
    rows : sequence of (label, estimate, p_value)
        One row per reported term, in display order (the order is kept within groups).
    outcome : str
        Display label of the dependent variable.
    stars : sequence of float
        Significance levels (strict ``p < a``), default (0.10, 0.05, 0.01); 1 to 3
        distinct levels in (0, 1), as in the tables.
    list_insignificant : bool
        Name the insignificant terms in parentheses (default) or only say "其余变量".
    lang : {"zh", "en"}

    Returns
    -------
    str

    Raises
    ------
    NarrativeInputError
        No rows, a duplicated label, or a NaN/None number.
    UnsupportedOptionError
        ``stars`` is not 1 to 3 distinct levels in (0, 1), or an unknown ``lang``.

    Examples
    --------
    >>> rows = [("劳动合同", 0.12, 0.003), ("入职培训", 0.08, 0.03), ("性别", -0.05, 0.04),
    ...         ("年龄", 0.001, 0.6)]
    >>> regression_paragraph(rows, outcome="生活满意度")
    '劳动合同、入职培训的系数分别在1%、5%的统计水平上显著为正，说明上述变量对生活满意度有显著的正向影响；性别的系数在5%的统计水平上显著为负，说明性别对生活满意度有显著的负向影响；其余变量（年龄）未通过显著性检验。'
    """
    lang = check_lang(lang)
    check_label("outcome", outcome)
    levels = check_stars(stars)
    if len(rows) == 0:
        raise NarrativeInputError("rows is empty: pass at least one (label, estimate, p_value).")
    coefs = []
    for row in rows:
        if len(row) != 3:
            raise NarrativeInputError(f"each row must be (label, estimate, p_value), got {row!r}.")
        coefs.append(_coef(row[0], row[1], row[2], levels))
    labels = [c.label for c in coefs]
    dupes = sorted({x for x in labels if labels.count(x) > 1})
    if dupes:
        raise NarrativeInputError(f"duplicated labels {dupes}: give every term a distinct label.")
    pos = [c for c in coefs if c.level is not None and c.sign > 0]
    neg = [c for c in coefs if c.level is not None and c.sign < 0]
    zero = [c for c in coefs if c.level is not None and c.sign == 0]
    rest = [c for c in coefs if c.level is None]
    build = _paragraph_zh if lang == "zh" else _paragraph_en
    return build(pos, neg, zero, rest, outcome, list_insignificant)


def _paragraph_zh(
    pos: list[_Coef], neg: list[_Coef], zero: list[_Coef], rest: list[_Coef], outcome: str, name: bool
) -> str:
    clauses = []
    for group, word, effect in ((pos, "为正", "正向"), (neg, "为负", "负向")):
        if group:
            who = group[0].label if len(group) == 1 else "上述变量"
            clauses.append(
                f"{join_zh([c.label for c in group])}的系数{_levels_zh(group)}显著{word}，"
                f"说明{who}对{outcome}有显著的{effect}影响"
            )
    if zero:
        clauses.append(
            f"{join_zh([c.label for c in zero])}的系数{_levels_zh(zero)}显著，但估计值为零，无法判断影响方向"
        )
    if rest:
        names = f"（{join_zh([c.label for c in rest])}）" if name else ""
        if clauses:
            clauses.append(f"其余变量{names}未通过显著性检验")
        else:
            clauses.append(f"各变量{names}均未通过显著性检验，没有证据表明其对{outcome}有显著影响")
    return "；".join(clauses) + "。"


def _paragraph_en(
    pos: list[_Coef], neg: list[_Coef], zero: list[_Coef], rest: list[_Coef], outcome: str, name: bool
) -> str:
    clauses = []
    for group, word in ((pos, "positive"), (neg, "negative")):
        if group:
            many = len(group) > 1
            subject = "coefficients" if many else "coefficient"
            verb = "are" if many else "is"
            assoc = f"significant {word} associations" if many else f"a significant {word} association"
            clauses.append(
                f"the {subject} on {join_en([c.label for c in group])} {verb} {word} and significant "
                f"{_levels_en(group)}, indicating {assoc} with {outcome}"
            )
    if zero:
        many = len(zero) > 1
        clauses.append(
            f"the {'coefficients' if many else 'coefficient'} on {join_en([c.label for c in zero])} "
            f"{'are' if many else 'is'} significant {_levels_en(zero)} but estimated at zero, "
            "so the direction cannot be determined"
        )
    if rest:
        names = f" ({join_en([c.label for c in rest])})" if name else ""
        if clauses:
            clauses.append(f"the remaining variables{names} are not statistically significant")
        else:
            clauses.append(
                f"none of the variables{names} is statistically significant, so there is no evidence "
                f"of a significant association with {outcome}"
            )
    return capitalise("; ".join(clauses)) + "."
