"""Display labels for model terms, from the codebook (zh or en), never from column names alone.

``term_labels(["contract", "C(province)[T.5]", "contract:own_home", "cut1", "2:educ"], codebook)``
gives ``["劳动合同", "所在省份：内蒙古", "劳动合同 × 自有住房", "切点1", "…"]``.
"""

from __future__ import annotations

import re

from flexemp.codebook import Codebook

_CAT = re.compile(r"^C\((\w+)(?:,[^)]*)?\)\[T\.(.+)\]$")
_CUT = re.compile(r"^cut(\d+)$")


def _one(term: str, codebook: Codebook, lang: str) -> str:
    if term == "Intercept":
        return "常数项" if lang == "zh" else "Constant"
    m = _CUT.match(term)
    if m:
        return f"切点{m.group(1)}" if lang == "zh" else f"Cut {m.group(1)}"
    if ":" in term and not term.startswith("C("):
        head, _, rest = term.partition(":")
        if head not in codebook and _is_number(head):  # mlogit: "<outcome>:<term>"
            return f"[{head}] {_one(rest, codebook, lang)}"
        return " × ".join(_one(p, codebook, lang) for p in term.split(":"))
    m = _CAT.match(term)
    if m and m.group(1) in codebook:
        var = codebook[m.group(1)]
        try:
            code_label = var.code_label(float(m.group(2)), lang) or m.group(2)
        except ValueError:
            code_label = m.group(2)
        return f"{var.label(lang)}{'：' if lang == 'zh' else ': '}{code_label}"
    if term in codebook:
        return codebook[term].label(lang)
    labels = codebook.labels(lang)  # multiselect option columns
    return labels.get(term, term)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def term_labels(terms: list[str], codebook: Codebook, lang: str = "zh") -> list[str]:
    """Labels for model terms (see the module docstring); unknown terms keep their name.

    Examples
    --------
    >>> from flexemp.synth import get_dataset
    >>> cb = get_dataset("platform_workers").codebook()
    >>> term_labels(["Intercept", "contract", "contract:own_home", "cut2"], cb)
    ['常数项', '劳动合同', '劳动合同 × 自有住房', '切点2']
    """
    return [_one(t, codebook, lang) for t in terms]
