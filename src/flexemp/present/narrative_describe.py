"""Narrative templates for descriptive results: shares, distributions, group comparisons, indices, means.

Re-exported by :mod:`flexemp.present.narrative`; the rules (thresholds, ties,
formats) are in docs/narrative.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flexemp.present.narrative_common import (
    DEFAULT_STARS,
    NarrativeInputError,
    capitalise,
    check_label,
    check_lang,
    check_number,
    check_stars,
    check_unit_interval,
    fmt_fixed,
    fmt_level,
    fmt_pct,
    join_en,
    join_zh,
    significance_level,
)

# Single-choice shares may sum to slightly more than 1 through rounding of the inputs.
_SUM_TOL = 1e-6
_LINE = 50.0


def share_sentence(label_of_group: str, share: float, *, of: str | None = None, lang: str = "zh") -> str:
    """"样本中男性占69.00%。" — one group's share of a whole.

    Parameters
    ----------
    label_of_group : str
        The group ("男性").
    share : float
        A proportion in [0, 1] (0.69, shown as 69.00%).
    of : str, optional
        The whole; default "样本" (zh) / "the sample" (en).
    lang : {"zh", "en"}

    Returns
    -------
    str

    Raises
    ------
    NarrativeInputError
        NaN/None share or a share outside [0, 1].

    Examples
    --------
    >>> share_sentence("男性", 0.69)
    '样本中男性占69.00%。'
    >>> share_sentence("men", 0.69, lang="en")
    'Men account for 69.00% of the sample.'
    """
    lang = check_lang(lang)
    group = check_label("label_of_group", label_of_group)
    s = check_unit_interval("share", share)
    if lang == "zh":
        whole = "样本" if of is None else check_label("of", of)
        return f"{whole}中{group}占{fmt_pct(s)}。"
    whole = "the sample" if of is None else check_label("of", of)
    return f"{capitalise(group)} account for {fmt_pct(s)} of {whole}."


def _tenths_exceeded(share: float) -> int:
    """Largest k in 5..9 with share > k/10 (strict; k/10 is the same float as the literal)."""
    return max(k for k in range(5, 10) if share > k / 10)


def distribution_sentence(
    question: str,
    options_with_shares: Sequence[tuple[str, float]] | Mapping[str, float],
    *,
    multiple: bool = False,
    lang: str = "zh",
) -> str:
    """SPSSAU-style reading of one question's distribution: the majority or the most chosen, then the next.

    Rules (shares compared for ties as displayed, i.e. rounded to 0.01 percentage point):

    - 100% → "全部样本为“X”";
    - a unique top share > 0.5 → "超过k成的样本为“X”", k the largest of 5…9 with share > k/10;
    - otherwise a unique top share → "最多的是“X”，占…" (never "大部分" below 50%);
    - several options tied at the top → "“X”和“Y”并列最多，均占…";
    - then the next share (with its own ties): "其次是“Z”，占…".

    Parameters
    ----------
    question : str
        The question's label ("婚姻状况").
    options_with_shares : sequence of (label, share) or mapping label → share
        Shares are proportions in [0, 1] of the respondents.
    multiple : bool
        A multi-select question: shares may sum to more than 1 and the verb is
        "选择了" instead of "为".  For a single-choice question (default) the shares
        must not sum to more than 1.
    lang : {"zh", "en"}

    Returns
    -------
    str

    Raises
    ------
    NarrativeInputError
        No options, duplicated labels, NaN/None or out-of-range shares, or
        single-choice shares summing to more than 1.

    Examples
    --------
    >>> distribution_sentence("婚姻状况", [("未婚", 0.41), ("已婚", 0.59)])
    '从婚姻状况分布来看，超过5成的样本为“已婚”，占59.00%；其次是“未婚”，占41.00%。'
    >>> distribution_sentence("健康状况", {"比较差": 0.29, "一般": 0.25, "比较健康": 0.24,
    ...                                    "非常差": 0.12, "非常健康": 0.10})
    '从健康状况分布来看，最多的是“比较差”，占29.00%；其次是“一般”，占25.00%。'
    """
    lang = check_lang(lang)
    q = check_label("question", question)
    items = list(options_with_shares.items()) if isinstance(options_with_shares, Mapping) else list(
        options_with_shares
    )
    if not items:
        raise NarrativeInputError("options_with_shares is empty: pass (label, share) pairs.")
    pairs = []
    for item in items:
        if len(item) != 2:
            raise NarrativeInputError(f"each option must be (label, share), got {item!r}.")
        pairs.append((check_label("option label", item[0]), check_unit_interval(f"share of {item[0]!r}", item[1])))
    labels = [p[0] for p in pairs]
    dupes = sorted({x for x in labels if labels.count(x) > 1})
    if dupes:
        raise NarrativeInputError(f"duplicated option labels {dupes}.")
    total = sum(p[1] for p in pairs)
    if not multiple and total > 1 + _SUM_TOL:
        raise NarrativeInputError(
            f"the shares of {q!r} sum to {total:.6g} > 1; pass multiple=True for a multi-select question."
        )
    # group options by displayed share, highest first; input order kept within a tie
    by_text: dict[str, list[tuple[str, float]]] = {}
    for lab, s in sorted(pairs, key=lambda p: -float(fmt_pct(p[1])[:-1])):
        by_text.setdefault(fmt_pct(s), []).append((lab, s))
    tiers = list(by_text.items())
    return (_dist_zh if lang == "zh" else _dist_en)(q, tiers, multiple)


def _dist_zh(q: str, tiers: list[tuple[str, list[tuple[str, float]]]], multiple: bool) -> str:
    verb = "选择了" if multiple else "为"
    top_pct, top = tiers[0]
    quoted = [f"“{lab}”" for lab, _ in top]
    if len(top) > 1:
        first = f"{join_zh(quoted[:-1])}和{quoted[-1]}并列最多，均占{top_pct}"
    elif top[0][1] == 1.0:
        first = f"全部样本{verb}{quoted[0]}，占{top_pct}"
    elif top[0][1] > 0.5:
        first = f"超过{_tenths_exceeded(top[0][1])}成的样本{verb}{quoted[0]}，占{top_pct}"
    else:
        first = f"最多的是{quoted[0]}，占{top_pct}"
    text = f"从{q}分布来看，{first}"
    if len(tiers) > 1:
        nxt_pct, nxt = tiers[1]
        names = [f"“{lab}”" for lab, _ in nxt]
        who = names[0] if len(names) == 1 else f"{join_zh(names[:-1])}和{names[-1]}"
        text += f"；其次是{who}，{'均' if len(names) > 1 else ''}占{nxt_pct}"
    return text + "。"


def _dist_en(q: str, tiers: list[tuple[str, list[tuple[str, float]]]], multiple: bool) -> str:
    verb = "chose" if multiple else "answered"
    top_pct, top = tiers[0]
    quoted = [f'"{lab}"' for lab, _ in top]
    if len(top) > 1:
        first = f"{join_en(quoted)} are tied as the most common answer, each at {top_pct}"
    elif top[0][1] == 1.0:
        first = f"all respondents {verb} {quoted[0]} ({top_pct})"
    elif top[0][1] > 0.5:
        first = f"more than {_tenths_exceeded(top[0][1]) * 10}% of respondents {verb} {quoted[0]} ({top_pct})"
    else:
        first = f"the most common answer is {quoted[0]} ({top_pct})"
    text = f"For {q}, {first}"
    if len(tiers) > 1:
        nxt_pct, nxt = tiers[1]
        names = [f'"{lab}"' for lab, _ in nxt]
        each = ", each" if len(names) > 1 else ""
        text += f"; next is {join_en(names)} ({nxt_pct}{each})"
    return text + "."


def comparison_sentence(
    var_label: str,
    group_a: str,
    value_a: float,
    group_b: str,
    value_b: float,
    p_value: float,
    *,
    unit: str = "%",
    decimals: int = 2,
    stars: Sequence[float] = DEFAULT_STARS,
    lang: str = "zh",
) -> str:
    """Compare one quantity between two groups, with the size of the gap and the test result.

    Parameters
    ----------
    var_label : str
        What is compared ("有房贷").
    group_a, group_b : str
        The groups; ``group_a`` is the subject of the sentence.
    value_a, value_b : float
        With ``unit="%"``: proportions in [0, 1], shown ×100 and the gap in
        percentage points (个百分点); otherwise values shown with ``decimals`` and
        ``unit`` appended ("元", "小时" or "").
    p_value : float
        p-value of the test of equal values; significant when ``p < a`` for a level of ``stars``.
    unit, decimals, stars, lang
        See above; ``lang`` is "zh" or "en".

    Returns
    -------
    str

    Raises
    ------
    NarrativeInputError
        NaN/None inputs, or equal values with a significant p-value (they contradict each other).
    UnsupportedOptionError
        ``stars`` is not 1 to 3 distinct levels in (0, 1) (the rule of the tables), or an unknown ``lang``.

    Notes
    -----
    Direction uses the raw values.  Values that differ but show the same when
    rounded are "基本持平" / "about the same"; exactly equal values are "相同".

    Examples
    --------
    >>> comparison_sentence("有房贷", "灵活就业者", 0.382, "稳定就业者", 0.251, 0.003)
    '灵活就业者中有房贷的占比为38.20%，高于稳定就业者（25.10%），相差13.10个百分点，差异在1%的统计水平上显著。'
    """
    lang = check_lang(lang)
    var = check_label("var_label", var_label)
    ga, gb = check_label("group_a", group_a), check_label("group_b", group_b)
    pct = unit == "%"
    check = check_unit_interval if pct else check_number
    a, b = check("value_a", value_a), check("value_b", value_b)
    p = check_unit_interval("p_value", p_value)
    level = significance_level(p, check_stars(stars))
    if a == b and level is not None:
        raise NarrativeInputError(
            f"value_a equals value_b ({a!r}) but p_value={p!r} is significant; "
            "check that the p-value belongs to this comparison."
        )

    def show(x: float) -> str:
        return fmt_pct(x, decimals) if pct else fmt_fixed(x, decimals) + unit

    gap = fmt_fixed(abs(a - b) * (100.0 if pct else 1.0), decimals)
    same_shown = show(a) == show(b)
    if lang == "zh":
        subject = f"{ga}中{var}的占比为" if pct else f"{ga}的{var}为"
        gap_text = f"{gap}个百分点" if pct else f"{gap}{unit}"
        if a == b:
            rel = f"与{gb}相同"
        elif same_shown:
            rel = f"与{gb}基本持平（{show(b)}）"
        else:
            rel = f"{'高于' if a > b else '低于'}{gb}（{show(b)}），相差{gap_text}"
        sig = f"差异在{fmt_level(level)}的统计水平上显著" if level is not None else "差异未通过显著性检验"
        return f"{subject}{show(a)}，{rel}，{sig}。"
    subject = f"Among {ga}, the share with {var} is " if pct else f"The {var} of {ga} is "
    gap_text = f"{gap} percentage points" if pct else f"{gap}{unit}"
    if a == b:
        rel = f"the same as among {gb}" if pct else f"the same as that of {gb}"
    elif same_shown:
        rel = f"about the same as {gb} ({show(b)})"
    else:
        rel = f"{'higher' if a > b else 'lower'} than {gb} ({show(b)}) by {gap_text}"
    sig = (
        f"the difference is significant at the {fmt_level(level)} level"
        if level is not None
        else "the difference is not statistically significant"
    )
    return f"{subject}{show(a)}, {rel}; {sig}."


def index_sentence(
    name: str,
    index: float,
    conf_low: float,
    conf_high: float,
    *,
    previous: float | None = None,
    change_low: float | None = None,
    change_high: float | None = None,
    previous_label: str | None = None,
    unit: str = "",
    conf_level: float = 0.95,
    lang: str = "zh",
) -> str:
    """Read a diffusion (景气) index against the 50 line and, optionally, against the previous wave.

    Parameters
    ----------
    name : str
        The index ("就业景气指数").
    index, conf_low, conf_high : float
        The index on the 0-100 scale and its confidence interval (shown with 1 decimal).
    previous : float, optional
        The previous wave's index; the change ``index - previous`` is reported.
    change_low, change_high : float, optional
        Confidence interval of the change (both or neither; requires ``previous``).
        Without it the sentence gives the change but says nothing about its significance.
    previous_label : str, optional
        Default "上季度" / "the previous quarter".
    unit : {"", "%"}
        "%" writes the index as in seed 004 ("61.7%", "50%荣枯线", "个百分点").
    conf_level : float
        Level of the intervals, for the text (default 0.95).
    lang : {"zh", "en"}

    Returns
    -------
    str

    Raises
    ------
    NarrativeInputError
        NaN/None numbers, an index outside [0, 100], an index outside its interval,
        a change interval without ``previous`` or not containing the change.

    Notes
    -----
    The difference from 50 is called significant when the interval excludes 50
    (``conf_low > 50`` or ``conf_high < 50``, strict); the change is significant when
    its interval excludes 0 (strict).

    Examples
    --------
    >>> index_sentence("就业景气指数", 48.6, 46.9, 50.3)
    '就业景气指数为48.6（95%置信区间46.9–50.3），低于50荣枯线，但与50的差异不显著。'
    """
    lang = check_lang(lang)
    nm = check_label("name", name)
    if unit not in ("", "%"):
        raise NarrativeInputError(f"unit must be '' or '%', got {unit!r}.")
    x, lo, hi = check_number("index", index), check_number("conf_low", conf_low), check_number("conf_high", conf_high)
    if not 0.0 <= x <= 100.0:
        raise NarrativeInputError(f"index must lie on the 0-100 scale, got {x!r}.")
    if not lo <= x <= hi:
        raise NarrativeInputError(f"the interval [{lo!r}, {hi!r}] does not contain the index {x!r}.")
    cl = check_unit_interval("conf_level", conf_level)
    u = unit
    ci = f"{fmt_fixed(lo, 1)}{u}–{fmt_fixed(hi, 1)}{u}"
    excludes = lo > _LINE or hi < _LINE
    if lang == "zh":
        line = f"50{u}荣枯线"
        text = f"{nm}为{fmt_fixed(x, 1)}{u}（{fmt_level(cl)}置信区间{ci}），"
        if x == _LINE:
            text += f"位于{line}上"
        else:
            text += f"{'高于' if x > _LINE else '低于'}{line}"
        if excludes:
            zone = "处于扩张区间" if x > _LINE else "处于收缩区间"
            text += f"，且与50{u}的差异显著，{zone}"
        else:
            text += f"{'，' if x == _LINE else '，但'}与50{u}的差异不显著"
    else:
        line = f"the 50{u} boom-bust line"
        text = f"The {nm} is {fmt_fixed(x, 1)}{u} ({fmt_level(cl)} CI {ci}), "
        text += f"on {line}" if x == _LINE else f"{'above' if x > _LINE else 'below'} {line}"
        if excludes:
            zone = "expansion" if x > _LINE else "contraction"
            text += f", and significantly different from 50{u}, indicating {zone}"
        else:
            text += f"{',' if x == _LINE else ', but'} not significantly different from 50{u}"
    change_text = _change_clause(x, previous, change_low, change_high, previous_label, u, cl, lang)
    sep = "；" if lang == "zh" else "; "
    end = "。" if lang == "zh" else "."
    return text + (sep + change_text if change_text else "") + end


def _change_clause(
    x: float,
    previous: float | None,
    change_low: float | None,
    change_high: float | None,
    previous_label: str | None,
    u: str,
    cl: float,
    lang: str,
) -> str:
    if (change_low is None) != (change_high is None):
        raise NarrativeInputError("give both change_low and change_high, or neither.")
    if previous is None:
        if change_low is not None:
            raise NarrativeInputError("change_low/change_high need previous (the previous wave's index).")
        return ""
    prev = check_number("previous", previous)
    change = x - prev
    zh = lang == "zh"
    label = previous_label if previous_label is not None else ("上季度" if zh else "the previous quarter")
    check_label("previous_label", label)
    points = ("个百分点" if u else "个点") if zh else (" percentage points" if u else " points")
    shown = fmt_fixed(abs(change), 1)
    if change == 0:
        text = f"与{label}持平" if zh else f"unchanged from {label}"
    elif float(shown) == 0.0:
        text = f"与{label}基本持平" if zh else f"about the same as {label}"
    elif zh:
        text = f"较{label}{'上升' if change > 0 else '下降'}{shown}{points}"
    else:
        text = f"{'up' if change > 0 else 'down'} {shown}{points} from {label}"
    if change_low is None:
        return text
    clo, chi = check_number("change_low", change_low), check_number("change_high", change_high)
    if not clo <= change <= chi:
        raise NarrativeInputError(
            f"the change interval [{clo!r}, {chi!r}] does not contain the change {change!r} "
            "(index - previous)."
        )
    sep = "至" if zh else " to "  # an en dash after a minus sign would be misread
    ci = f"{fmt_fixed(clo, 1)}{sep}{fmt_fixed(chi, 1)}"
    significant = clo > 0 or chi < 0
    if zh:
        verdict = "变化显著" if significant else "变化不显著"
        return f"{text}（变化的{fmt_level(cl)}置信区间{ci}），{verdict}"
    verdict = "a significant change" if significant else "not a significant change"
    return f"{text} ({fmt_level(cl)} CI of the change {ci}), {verdict}"


def mean_sentence(
    label: str,
    mean: float,
    sd: float,
    scale_text: str | None = None,
    *,
    decimals: int = 2,
    lang: str = "zh",
) -> str:
    """"生活满意度的均值为3.85，标准差为0.92（非常不满意=1，非常满意=5）。"

    Parameters
    ----------
    label : str
        The variable.
    mean, sd : float
        Mean and standard deviation (sd ≥ 0), shown with ``decimals``.
    scale_text : str, optional
        The coding, shown verbatim in parentheses.
    decimals : int
        Decimals of mean and sd (default 2).
    lang : {"zh", "en"}

    Returns
    -------
    str

    Raises
    ------
    NarrativeInputError
        NaN/None numbers or a negative sd.

    Examples
    --------
    >>> mean_sentence("生活满意度", 3.853, 0.921, "非常不满意=1，非常满意=5")
    '生活满意度的均值为3.85，标准差为0.92（非常不满意=1，非常满意=5）。'
    >>> mean_sentence("life satisfaction", 3.853, 0.921, lang="en")
    'The mean of life satisfaction is 3.85 (SD 0.92).'
    """
    lang = check_lang(lang)
    lab = check_label("label", label)
    m, s = check_number("mean", mean), check_number("sd", sd)
    if s < 0:
        raise NarrativeInputError(f"sd must be >= 0, got {s!r}.")
    if scale_text is not None:
        check_label("scale_text", scale_text)
    if lang == "zh":
        scale = f"（{scale_text}）" if scale_text else ""
        return f"{lab}的均值为{fmt_fixed(m, decimals)}，标准差为{fmt_fixed(s, decimals)}{scale}。"
    scale = f"; {scale_text}" if scale_text else ""
    return f"The mean of {lab} is {fmt_fixed(m, decimals)} (SD {fmt_fixed(s, decimals)}{scale})."
