"""Scores of the five-point change questions, read from the codebook's answer labels.

Seed 004 (五) scores 变好很多 / 变好一点 / 基本不变 / 变差一点 / 变差很多 as +1, +0.5, 0,
−0.5, −1.  Questionnaires word the same five steps differently (增加很多 … 减少很多,
上升 / 下降, English labels), so :func:`scores_from_codebook` places each code by its
label, whatever the code numbers are, and refuses a label it cannot place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flexemp.codebook.model import Codebook, Variable
from flexemp.core.errors import IndexInputError

__all__ = ["SCORE_LABELS", "scores_for_variables", "scores_from_codebook"]

#: Score → the answer labels (Chinese and English, compared without spaces and case) that carry it.
SCORE_LABELS: dict[float, tuple[str, ...]] = {
    1.0: ("变好很多", "好很多", "明显变好", "增加很多", "大幅增加", "明显增加", "上升很多", "大幅上升",
          "明显上升", "提高很多", "much better", "increased a lot", "much higher", "a lot better"),
    0.5: ("变好一点", "好一点", "略有变好", "稍微变好", "增加一点", "略有增加", "稍有增加", "上升一点",
          "略有上升", "提高一点", "a little better", "slightly better", "somewhat better",
          "increased a little", "a little higher"),
    0.0: ("基本不变", "不变", "没有变化", "无变化", "持平", "差不多", "about the same", "no change",
          "unchanged", "the same", "stayed the same"),
    -0.5: ("变差一点", "差一点", "略有变差", "稍微变差", "减少一点", "略有减少", "稍有减少", "下降一点",
           "略有下降", "降低一点", "a little worse", "slightly worse", "somewhat worse",
           "decreased a little", "a little lower"),
    -1.0: ("变差很多", "差很多", "明显变差", "减少很多", "大幅减少", "明显减少", "下降很多", "大幅下降",
           "明显下降", "降低很多", "much worse", "decreased a lot", "much lower", "a lot worse"),
}

_BY_LABEL: dict[str, float] = {
    "".join(lab.split()).lower(): score for score, labels in SCORE_LABELS.items() for lab in labels
}


def _norm(text: str) -> str:
    return "".join(text.split()).lower()


def scores_from_codebook(variable: Variable) -> dict[float, float]:
    """Code → score of a five-point change question, from its answer labels.

    Parameters
    ----------
    variable : Variable
        A codebook variable whose codes are labelled 变好很多 / 变好一点 / 基本不变 / 变差一点 /
        变差很多 (or an equivalent wording in :data:`SCORE_LABELS`, e.g. 增加很多 … 减少很多).
        Codes listed among the variable's ``missing`` values are left out (they are not
        answers).

    Returns
    -------
    dict
        ``{code: score}`` with scores in {+1, +0.5, 0, −0.5, −1}, in codebook order.

    Raises
    ------
    IndexInputError
        The variable has no codes; a label is not one this function can place (e.g.
        "说不清"): the message names the code and label and says to mark it as a missing code
        or to pass ``scores`` explicitly; or two codes fall on the same score.

    Notes
    -----
    The Chinese label is tried first, then the English one; spaces and letter case are
    ignored.  Seed 004 (五): index = 50% + 50% × (p₁·1 + p₂·0.5 − p₄·0.5 − p₅·1).

    Examples
    --------
    >>> from flexemp.synth import get_dataset
    >>> cb = get_dataset("flex_sentiment").codebook()
    >>> scores_from_codebook(cb["emp_change"])
    {1.0: 1.0, 2.0: 0.5, 3.0: 0.0, 4.0: -0.5, 5.0: -1.0}
    """
    if not variable.codes:
        raise IndexInputError(
            f"variable {variable.name!r} has no answer codes in the codebook; pass scores explicitly, "
            "e.g. {1: 1, 2: 0.5, 3: 0, 4: -0.5, 5: -1}."
        )
    missing = {float(m) for m in variable.missing if not isinstance(m, str)}
    out: dict[float, float] = {}
    unknown: list[str] = []
    for code in variable.codes:
        if float(code.value) in missing:
            continue
        score = _BY_LABEL.get(_norm(code.label_zh))
        if score is None and code.label_en:
            score = _BY_LABEL.get(_norm(code.label_en))
        if score is None:
            unknown.append(f"{code.value:g} = {code.label_zh!r}")
            continue
        out[float(code.value)] = score
    if unknown:
        raise IndexInputError(
            f"variable {variable.name!r}: cannot place answer(s) {', '.join(unknown)} on the five-point "
            "scale 变好很多 (+1) / 变好一点 (+0.5) / 基本不变 (0) / 变差一点 (−0.5) / 变差很多 (−1); "
            "list such codes as missing values in the codebook, or pass scores explicitly "
            "(e.g. --scores \"1:1,2:0.5,3:0,4:-0.5,5:-1\")."
        )
    clash = [s for s in set(out.values()) if list(out.values()).count(s) > 1]
    if clash:
        raise IndexInputError(
            f"variable {variable.name!r}: several codes carry the score(s) {sorted(clash)}; check the labels "
            "or pass scores explicitly."
        )
    return out


def scores_for_variables(codebook: Codebook, variables: Sequence[str]) -> dict[float, float]:
    """The one score mapping shared by several questions (see :func:`scores_from_codebook`).

    Parameters
    ----------
    codebook : Codebook
        The data's codebook.
    variables : sequence of str
        Question names; each must be in the codebook.

    Returns
    -------
    dict
        ``{code: score}``.

    Raises
    ------
    IndexInputError
        A variable is not in the codebook, a label cannot be placed, or the questions code
        their answers differently (compute them separately, or pass ``scores``).

    Examples
    --------
    >>> from flexemp.synth import get_dataset
    >>> cb = get_dataset("flex_sentiment").codebook()
    >>> scores_for_variables(cb, ["emp_change", "cons_expect"])[4.0]
    -0.5
    """
    found: dict[str, Mapping[float, float]] = {}
    for name in variables:
        if name not in codebook:
            raise IndexInputError(f"variable {name!r} is not in the codebook; scores come from its labels.")
        found[name] = scores_from_codebook(codebook[name])
    distinct = {tuple(sorted(m.items())) for m in found.values()}
    if len(distinct) > 1:
        raise IndexInputError(
            f"the questions {list(found)} code their answers differently ({', '.join(f'{k}: {dict(v)}' for k, v in found.items())}); "
            "compute their indices separately or pass scores explicitly."
        )
    return dict(next(iter(found.values())))
