"""Rendering audit verdicts: a tidy table, a JSON-ready dict and a Markdown report section."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from flexemp.audit.result import CANNOT_TELL, CONSISTENT, INCONSISTENT, VERDICTS, Check

COLUMNS = ["table", "row", "check", "verdict", "reason", "numbers"]
VERDICT_ZH = {CONSISTENT: "一致", INCONSISTENT: "不一致", CANNOT_TELL: "无法判断"}


@dataclass(frozen=True)
class AuditReport:
    """All verdicts of one audit.

    Attributes
    ----------
    checks : tuple of Check
        One entry per (table, row, check), in table and row order.
    """

    checks: tuple[Check, ...]

    @property
    def summary(self) -> dict[str, int]:
        """Counts per verdict: ``{"consistent", "inconsistent", "cannot_tell"}``."""
        return {v: sum(c.verdict == v for c in self.checks) for v in VERDICTS}

    @property
    def exit_code(self) -> int:
        """1 if anything is inconsistent, else 0."""
        return 1 if self.summary[INCONSISTENT] else 0

    def to_frame(self, lang: str = "zh") -> pd.DataFrame:
        """Tidy table with the fixed columns ``table, row, check, verdict, reason, numbers``."""
        return pd.DataFrame([c.to_dict(lang) for c in self.checks], columns=COLUMNS)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """``{"checks": [...], "summary": {...}}`` (the ``flexemp audit --json`` shape)."""
        return {"checks": [c.to_dict(lang) for c in self.checks], "summary": self.summary}

    def to_markdown(self, lang: str = "zh") -> str:
        """A report section: the summary, then every inconsistent and undecidable check."""
        s = self.summary
        zh = lang == "zh"
        lines = [
            "## 已发表表格的一致性核查" if zh else "## Consistency audit of published tables",
            "",
        ]
        lines.append(
            f"共 {len(self.checks)} 项核查：一致 {s[CONSISTENT]} 项，不一致 {s[INCONSISTENT]} 项，无法判断 {s[CANNOT_TELL]} 项。"
            "核查按印刷位数的舍入区间进行（如 0.093 表示 [0.0925, 0.0935]）。"
            if zh
            else f"{len(self.checks)} checks: {s[CONSISTENT]} consistent, {s[INCONSISTENT]} inconsistent, "
            f"{s[CANNOT_TELL]} cannot tell. Every check allows for the rounding of the printed digits "
            "(0.093 means [0.0925, 0.0935])."
        )
        for verdict, head_zh, head_en in (
            (INCONSISTENT, "不一致", "Inconsistent"),
            (CANNOT_TELL, "无法判断", "Cannot tell"),
        ):
            rows = [c for c in self.checks if c.verdict == verdict]
            if not rows:
                continue
            lines += [
                "",
                f"### {head_zh if zh else head_en}",
                "",
                "| 表 | 行 | 核查 | 理由 |" if zh else "| table | row | check | reason |",
                "|---|---|---|---|",
            ]
            for c in rows:
                reason = (c.reason_zh if zh else c.reason_en).replace("|", "\\|")
                lines.append(f"| {c.table} | {c.row} | {c.check} | {reason} |")
        return "\n".join(lines) + "\n"
