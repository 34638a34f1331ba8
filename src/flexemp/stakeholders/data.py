"""Read and check Mitchell scores in long or wide form.

Long form has the columns ``expert``, ``stakeholder``, ``attribute``, ``score``
(one row per expert × stakeholder × attribute); wide form has ``expert``,
``stakeholder`` and one column per attribute. Attributes may be named in
English (``legitimacy``, ``power``, ``urgency``) or Chinese (合法性, 权力性, 紧急性).
"""

from __future__ import annotations

import pandas as pd

from flexemp.core.errors import StakeholderScoresError

ATTRIBUTES: tuple[str, ...] = ("legitimacy", "power", "urgency")
ATTRIBUTE_LABELS: dict[str, dict[str, str]] = {
    "zh": {"legitimacy": "合法性", "power": "权力性", "urgency": "紧急性"},
    "en": {"legitimacy": "legitimacy", "power": "power", "urgency": "urgency"},
}
_ZH_TO_EN = {v: k for k, v in ATTRIBUTE_LABELS["zh"].items()}
_SHOW = 10


def _attribute_name(name: object) -> str | None:
    text = str(name).strip()
    if text in ATTRIBUTES:
        return text
    return _ZH_TO_EN.get(text)


def _rows(frame: pd.DataFrame, mask: pd.Series) -> str:
    bad = frame.loc[mask]
    shown = bad.head(_SHOW).to_string()
    more = f"\n  … and {len(bad) - _SHOW} more" if len(bad) > _SHOW else ""
    return f"{shown}{more}"


def tidy_scores(scores: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Scores as a checked long frame ``expert, stakeholder, attribute, score``.

    Parameters
    ----------
    scores : pandas.DataFrame
        Long or wide form (see the module docstring); not modified.

    Returns
    -------
    frame : pandas.DataFrame
        Columns ``expert``, ``stakeholder`` (text), ``attribute`` (English name),
        ``score`` (float), one row per expert × stakeholder × attribute.
    form : str
        ``"long"`` or ``"wide"``.

    Raises
    ------
    StakeholderScoresError
        When columns are missing, an attribute is unknown, a score is missing,
        not a number or outside 0-10, a score is given twice, or some expert did
        not score some stakeholder on some attribute (the message lists them).

    Examples
    --------
    >>> wide = pd.DataFrame({"expert": ["e1", "e2"], "stakeholder": ["平台企业"] * 2,
    ...                      "合法性": [9, 8], "权力性": [9, 9], "紧急性": [7, 8]})
    >>> frame, form = tidy_scores(wide)
    >>> form, len(frame), sorted(frame["attribute"].unique())
    ('wide', 6, ['legitimacy', 'power', 'urgency'])
    """
    if not isinstance(scores, pd.DataFrame):
        raise StakeholderScoresError(
            f"scores must be a pandas DataFrame, not {type(scores).__name__}"
        )
    cols = [str(c) for c in scores.columns]
    wide_cols = {c: _attribute_name(c) for c in cols if _attribute_name(c) is not None}
    is_long = "attribute" in cols and "score" in cols
    if is_long and wide_cols:
        raise StakeholderScoresError(
            f"scores have both long-form columns (attribute, score) and attribute columns {sorted(wide_cols)}; "
            "keep one form: long (expert, stakeholder, attribute, score) or wide "
            "(expert, stakeholder, legitimacy, power, urgency)"
        )
    if not is_long and not wide_cols:
        raise StakeholderScoresError(
            f"cannot tell the form of the scores from the columns {cols}; use long form "
            "(expert, stakeholder, attribute, score) or wide form (expert, stakeholder, legitimacy, power, "
            "urgency; or 合法性, 权力性, 紧急性)"
        )
    missing = [c for c in ("expert", "stakeholder") if c not in cols]
    if missing:
        raise StakeholderScoresError(
            f"scores have no column {', '.join(missing)}; columns are {cols}"
        )
    frame = scores.copy()
    frame.columns = cols
    if is_long:
        form = "long"
        frame = frame[["expert", "stakeholder", "attribute", "score"]]
        attr = frame["attribute"].map(_attribute_name)
        unknown = attr.isna()
        if unknown.any():
            raise StakeholderScoresError(
                f"column 'attribute' has {int(unknown.sum())} rows with an unknown attribute "
                f"(use legitimacy, power, urgency or 合法性, 权力性, 紧急性):\n{_rows(frame, unknown)}"
            )
        frame["attribute"] = attr
    else:
        form = "wide"
        by_attr: dict[str, list[str]] = {}
        for col, name in wide_cols.items():
            by_attr.setdefault(str(name), []).append(col)
        twice = {a: c for a, c in by_attr.items() if len(c) > 1}
        if twice:
            raise StakeholderScoresError(
                f"attribute columns given twice: {twice}; keep one column per attribute"
            )
        absent = [a for a in ATTRIBUTES if a not in by_attr]
        if absent:
            raise StakeholderScoresError(
                f"wide-form scores have no column for {', '.join(absent)} "
                f"({', '.join(ATTRIBUTE_LABELS['zh'][a] for a in absent)}); add it or use long form"
            )
        frame = frame[["expert", "stakeholder", *wide_cols]].rename(columns=wide_cols)
        frame = frame.melt(
            id_vars=["expert", "stakeholder"], var_name="attribute", value_name="score"
        )
    ids = frame[["expert", "stakeholder"]]
    no_id = ids.isna().any(axis=1) | (
        ids.astype("string").apply(lambda s: s.str.strip()) == ""
    ).any(axis=1)
    if no_id.any():
        raise StakeholderScoresError(
            f"{int(no_id.sum())} rows have no expert or no stakeholder; fill them in:\n{_rows(frame, no_id)}"
        )
    frame["expert"] = frame["expert"].astype("string").str.strip().astype(object)
    frame["stakeholder"] = frame["stakeholder"].astype("string").str.strip().astype(object)
    text = frame["score"].astype("string").str.strip()
    num = pd.Series(
        pd.to_numeric(text.where(text != ""), errors="coerce"), index=frame.index, dtype="float64"
    )
    bad = num.isna()
    if bad.any():
        raise StakeholderScoresError(
            f"column 'score' has {int(bad.sum())} missing or non-numeric scores; every score must be a number "
            f"from 0 to 10:\n{_rows(frame, bad)}"
        )
    out_of_range = (num < 0) | (num > 10)
    if out_of_range.any():
        raise StakeholderScoresError(
            f"{int(out_of_range.sum())} scores are outside 0-10 (the Mitchell scale); correct them:\n"
            f"{_rows(frame, out_of_range)}"
        )
    frame["score"] = num
    key = ["expert", "stakeholder", "attribute"]
    dup = frame.duplicated(key, keep=False)
    if dup.any():
        raise StakeholderScoresError(
            f"{int(dup.sum())} rows give a score twice for the same expert, stakeholder and attribute; "
            f"keep one:\n{_rows(frame, dup)}"
        )
    experts = pd.unique(frame["expert"])
    stakeholders = pd.unique(frame["stakeholder"])
    full = pd.MultiIndex.from_product([experts, stakeholders, list(ATTRIBUTES)], names=key)
    absent_idx = full.difference(pd.MultiIndex.from_frame(frame[key]))
    if len(absent_idx):
        listed = "\n".join(
            f"  expert={e}, stakeholder={s}, attribute={a}" for e, s, a in list(absent_idx)[:_SHOW]
        )
        more = f"\n  … and {len(absent_idx) - _SHOW} more" if len(absent_idx) > _SHOW else ""
        raise StakeholderScoresError(
            f"{len(absent_idx)} scores are missing: every expert must score every stakeholder on legitimacy, "
            f"power and urgency ({len(experts)} experts × {len(stakeholders)} stakeholders × 3). Missing:\n"
            f"{listed}{more}"
        )
    return frame.reset_index(drop=True), form
