"""One audit verdict: :class:`Check` (table, row, check, verdict, reason, numbers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Verdict = Literal["consistent", "inconsistent", "cannot_tell"]
CONSISTENT: Verdict = "consistent"
INCONSISTENT: Verdict = "inconsistent"
CANNOT_TELL: Verdict = "cannot_tell"
VERDICTS: tuple[Verdict, ...] = (CONSISTENT, INCONSISTENT, CANNOT_TELL)


@dataclass(frozen=True)
class Check:
    """The verdict of one consistency check on one row of a published table.

    Attributes
    ----------
    table : str
        Table title as transcribed (e.g. ``"表6"``).
    row : str
        Row label (term, variable, group, instrument or question).
    check : str
        Check name, e.g. ``"t_ratio"``, ``"ci_sign"``, ``"grim"``.
    verdict : {"consistent", "inconsistent", "cannot_tell"}
        ``consistent``: some values within the printed rounding reproduce every printed
        figure; ``inconsistent``: none do; ``cannot_tell``: the check has no power here
        (missing inputs, or the rounding is too coarse for the check to fail).
    reason_zh, reason_en : str
        Why, with the numbers, in Chinese and English.
    numbers : dict
        The printed figures and the recomputed intervals.
    """

    table: str
    row: str
    check: str
    verdict: Verdict
    reason_zh: str
    reason_en: str
    numbers: dict[str, Any] = field(default_factory=dict)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """Plain dict with the fixed keys ``table, row, check, verdict, reason, numbers``."""
        return {
            "table": self.table,
            "row": self.row,
            "check": self.check,
            "verdict": self.verdict,
            "reason": self.reason_zh if lang == "zh" else self.reason_en,
            "numbers": dict(self.numbers),
        }


def verdict_of(ok: bool) -> Verdict:
    """``consistent`` if ``ok`` else ``inconsistent``."""
    return CONSISTENT if ok else INCONSISTENT
