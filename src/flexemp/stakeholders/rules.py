"""The score rule of the Mitchell method: mean score → level, three levels → stakeholder type.

Pure functions on NumPy arrays (no pandas). The rules are those of seed 002
(Mitchell, Agle & Wood 1997, as applied to the social insurance of platform
workers): a mean in ``[high, 10]`` is *high* (特征性高), in ``[low, high)``
*medium* (特征性一般), in ``[0, low)`` *low* (特征性低); a stakeholder is
*definitive* (确定型) when every attribute is high, *expectant* (预期型) when at
least two are medium and *latent* (潜在型) when at least two are low.
"""

from __future__ import annotations

import numpy as np

LEVELS: tuple[str, ...] = ("high", "medium", "low")
LEVEL_LABELS: dict[str, dict[str, str]] = {
    "zh": {"high": "高", "medium": "中", "low": "低"},
    "en": {"high": "high", "medium": "medium", "low": "low"},
}
TYPES: tuple[str, ...] = ("definitive", "expectant", "latent", "unclassified", "ambiguous")
TYPE_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "definitive": "确定型",
        "expectant": "预期型",
        "latent": "潜在型",
        "unclassified": "未归类",
        "ambiguous": "多重归类",
    },
    "en": {
        "definitive": "definitive",
        "expectant": "expectant",
        "latent": "latent",
        "unclassified": "unclassified",
        "ambiguous": "ambiguous",
    },
}
#: A mean within this distance below a threshold counts as *at* the threshold, so that
#: floating-point sums such as (8.1 + 7.9) / 2 = 7.999999999999999 are still "high".
TIE_TOLERANCE = 1e-9


def score_levels(means: np.ndarray, thresholds: tuple[float, float]) -> np.ndarray:
    """Level of each mean score under the score rule; a mean at a threshold goes up.

    Parameters
    ----------
    means : numpy.ndarray
        Mean scores, any shape.
    thresholds : tuple of float
        ``(low, high)``: ``[high, ∞)`` is high, ``[low, high)`` medium, below ``low`` low.

    Returns
    -------
    numpy.ndarray
        Same shape as ``means``, of ``"high"``, ``"medium"``, ``"low"`` (object dtype).

    Examples
    --------
    >>> score_levels(np.array([8.0, 7.99, 6.0, 5.99]), (6, 8)).tolist()
    ['high', 'medium', 'medium', 'low']
    """
    low, high = thresholds
    m = np.asarray(means, dtype=float)
    out = np.where(
        m >= high - TIE_TOLERANCE, "high", np.where(m >= low - TIE_TOLERANCE, "medium", "low")
    )
    return out.astype(object)


def classify(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stakeholder type from the levels of its attributes (one row per stakeholder).

    Parameters
    ----------
    levels : numpy.ndarray
        Shape ``(n_stakeholders, n_attributes)`` of ``"high"``/``"medium"``/``"low"``.

    Returns
    -------
    types : numpy.ndarray
        Shape ``(n_stakeholders,)``: ``definitive``, ``expectant``, ``latent``,
        ``unclassified`` (no rule matches) or ``ambiguous`` (two rules match).
    reasons : numpy.ndarray
        Shape ``(n_stakeholders,)``: why, in English.
    reasons_zh : numpy.ndarray
        Shape ``(n_stakeholders,)``: why, in Chinese.

    Notes
    -----
    With the three Mitchell attributes the rules are mutually exclusive (two medium
    and two low would need four attributes), so ``ambiguous`` cannot occur; it is
    reported when the rules are applied to more attributes.

    Examples
    --------
    >>> t, why, why_zh = classify(np.array([["high", "high", "high"], ["high", "high", "medium"]]))
    >>> t.tolist()
    ['definitive', 'unclassified']
    >>> why[1]
    'matches no rule: 2 high, 1 medium, 0 low (definitive needs all high, expectant >= 2 medium, latent >= 2 low)'
    """
    lv = np.asarray(levels, dtype=object)
    k = lv.shape[1]
    n_high = (lv == "high").sum(axis=1)
    n_medium = (lv == "medium").sum(axis=1)
    n_low = (lv == "low").sum(axis=1)
    rules = np.column_stack([n_high == k, n_medium >= 2, n_low >= 2])
    n_match = rules.sum(axis=1)
    first = np.array(TYPES[:3], dtype=object)[rules.argmax(axis=1)]
    types = np.where(
        n_match == 0, "unclassified", np.where(n_match > 1, "ambiguous", first)
    ).astype(object)
    reasons, reasons_zh = [], []
    for t, h, m, lo, row in zip(types, n_high, n_medium, n_low, rules, strict=True):
        counts = f"{h} high, {m} medium, {lo} low"
        counts_zh = f"高 {h} 项、中 {m} 项、低 {lo} 项"
        if t == "definitive":
            reasons.append(f"all {k} attributes high")
            reasons_zh.append(f"{k} 项属性特征性均高")
        elif t == "expectant":
            reasons.append(f"{m} attributes medium (expectant needs >= 2)")
            reasons_zh.append(f"{m} 项属性特征性一般（预期型需 ≥ 2 项）")
        elif t == "latent":
            reasons.append(f"{lo} attributes low (latent needs >= 2)")
            reasons_zh.append(f"{lo} 项属性特征性低（潜在型需 ≥ 2 项）")
        elif t == "unclassified":
            reasons.append(
                f"matches no rule: {counts} (definitive needs all high, "
                "expectant >= 2 medium, latent >= 2 low)"
            )
            reasons_zh.append(f"不符合任何规则：{counts_zh}")
        else:
            matched = [TYPES[i] for i in np.flatnonzero(row)]
            reasons.append(f"matches {' and '.join(matched)}: {counts}")
            reasons_zh.append(
                f"同时符合{'、'.join(TYPE_LABELS['zh'][x] for x in matched)}：{counts_zh}"
            )
    return types, np.array(reasons, dtype=object), np.array(reasons_zh, dtype=object)
