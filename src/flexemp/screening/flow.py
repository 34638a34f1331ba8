"""Apply screening rules in order and account for every row: the sample flow.

Rules are applied one after another to the rows not yet excluded, so each
step's ``n_before`` is the previous step's ``n_after`` (the way papers report
"26,276 → 26,252").  Nothing is deleted: the result flags each excluded row
with the first rule that excluded it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import numpy as np
import pandas as pd

from flexemp.codebook.model import Codebook
from flexemp.core.errors import ScreeningError
from flexemp.core.options import Language, validate_option
from flexemp.core.types import SampleFlowStep
from flexemp.screening.rules import RuleSet, load_rules

ROW = "_row"

#: Display headers of :meth:`ScreeningResult.table`.
TABLE_HEADERS: dict[str, dict[str, str]] = {
    "zh": {"step": "步骤", "rule": "规则", "n_before": "筛选前", "n_excluded": "剔除", "n_after": "筛选后"},
    "en": {"step": "Step", "rule": "Rule", "n_before": "Before", "n_excluded": "Excluded", "n_after": "After"},
}


@dataclass(frozen=True, eq=False)
class ScreeningResult:
    """The outcome of :func:`screen`: the sample flow and, per row, why it was excluded.

    Attributes
    ----------
    flow : tuple of SampleFlowStep
        One step per rule, numbered from 1.
    n_start : int
        Rows before screening.
    excluded_by : Series
        Aligned to the data's index: the name of the rule that excluded the
        row, ``<NA>`` for kept rows (string dtype).
    kept : Series of bool
        Aligned to the data's index: ``True`` for rows in the final sample.
    undecided : tuple of int
        Per step, the rows (among those reaching it) that the rule could not
        decide because of missing values: for ``keep`` they were excluded, for
        ``drop``, ``speeders``, ``straightlining`` (fewer answered items than
        ``min_items``) and ``duplicates`` (a missing key) they were kept.
    rules : RuleSet
        The rules applied.
    rows : Series
        Aligned to the data's index: the ``_row`` numbers (raw-file rows).
    """

    flow: tuple[SampleFlowStep, ...]
    n_start: int
    excluded_by: pd.Series
    kept: pd.Series
    undecided: tuple[int, ...]
    rules: RuleSet
    rows: pd.Series

    @property
    def n_final(self) -> int:
        """Rows in the final sample."""
        return self.flow[-1].n_after if self.flow else self.n_start

    def excluded_rows(self) -> pd.DataFrame:
        """The excluded rows: ``_row``, ``step`` and ``rule``, ordered by ``_row``."""
        mask = ~self.kept.to_numpy(dtype=bool)
        rule = self.excluded_by[mask].astype("string")
        step_of = {s.rule: s.step for s in self.flow}
        out = pd.DataFrame(
            {
                ROW: self.rows[mask].to_numpy(dtype="int64"),
                "step": rule.map(step_of).to_numpy(dtype="int64"),
                "rule": rule.to_numpy(),
            }
        )
        out["rule"] = out["rule"].astype("string")
        return out.sort_values(ROW, kind="stable").reset_index(drop=True)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready flow: ``{"n_start", "n_final", "steps": [...], "undecided": {rule: n}}``."""
        return {
            "n_start": self.n_start,
            "n_final": self.n_final,
            "steps": [s.to_dict() for s in self.flow],
            "undecided": {s.rule: n for s, n in zip(self.flow, self.undecided, strict=True)},
        }

    def table(self, lang: str = "zh") -> pd.DataFrame:
        """The flow as a display table (步骤, 规则, 筛选前, 剔除, 筛选后 in Chinese).

        Parameters
        ----------
        lang : {"zh", "en"}
            Header language.

        Returns
        -------
        DataFrame
            One row per step.

        Raises
        ------
        UnsupportedOptionError
            For another ``lang``.
        """
        lang = validate_option("lang", lang, get_args(Language))
        cols = ["step", "rule", "n_before", "n_excluded", "n_after"]
        frame = pd.DataFrame([s.to_dict() for s in self.flow], columns=cols)
        frame = frame.astype({"step": "int64", "n_before": "int64", "n_excluded": "int64", "n_after": "int64"})
        return frame.rename(columns=TABLE_HEADERS[lang])


def screen(
    data: pd.DataFrame,
    codebook: Codebook,
    rules: RuleSet | str | Path | list[Any] | dict[str, Any],
) -> ScreeningResult:
    """Apply screening rules in order and return the sample flow; rows are flagged, never deleted.

    Parameters
    ----------
    data : DataFrame
        Validated data: ``_row`` plus the codebook's stored columns.  It is
        neither modified nor copied row-wise.
    codebook : Codebook
        The data's codebook (used to read ``rules`` when they are not a
        :class:`RuleSet` yet).
    rules : RuleSet, path, YAML text, list or dict
        See :mod:`flexemp.screening.rules` for the format.

    Returns
    -------
    ScreeningResult

    Raises
    ------
    ScreeningError
        For malformed rules, or when the data lack ``_row`` or a column a rule
        needs.

    Notes
    -----
    Each rule sees only the rows that earlier rules kept, so the counts are
    sequential: ``n_before`` of step *k* is ``n_after`` of step *k − 1* and
    ``n_start − Σ n_excluded = n_final``.  A ``keep`` condition that is unknown
    because of a missing value excludes the row; a ``drop`` condition that is
    unknown does not (the numbers are in ``ScreeningResult.undecided``).  The
    Stata equivalent is a sequence of ``drop if`` / ``keep if`` commands with
    ``count`` after each; Stata's ``keep if age >= 16`` would *keep* a missing
    age (missing is +∞ there), flexemp does not.

    Examples
    --------
    >>> import pandas as pd
    >>> from flexemp.codebook import parse_codebook
    >>> cb = parse_codebook({"dataset": "d", "variables": [
    ...     {"name": "age", "type": "continuous", "label_zh": "年龄"}]})
    >>> df = pd.DataFrame({"_row": [1, 2, 3], "age": [15.0, 30.0, 40.0]})
    >>> screen(df, cb, [{"name": "16岁及以上", "keep": "age >= 16"}]).to_dict()["steps"]
    [{'step': 1, 'rule': '16岁及以上', 'n_before': 3, 'n_excluded': 1, 'n_after': 2}]
    """
    ruleset = rules if isinstance(rules, RuleSet) else load_rules(rules, codebook)
    if not isinstance(data, pd.DataFrame):
        raise ScreeningError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    _check_columns(data, ruleset)
    n = len(data)
    alive = np.ones(n, dtype=bool)
    step_of_row = np.zeros(n, dtype="int64")
    steps: list[SampleFlowStep] = []
    undecided: list[int] = []
    for k, rule in enumerate(ruleset.rules, start=1):
        pos = np.flatnonzero(alive)
        subset = data[list(dict.fromkeys(rule.columns))].iloc[pos]
        excluded, unknown = rule.evaluate(subset)
        hit = pos[excluded]
        alive[hit] = False
        step_of_row[hit] = k
        n_before = len(pos)
        steps.append(SampleFlowStep(k, rule.name, n_before, len(hit), n_before - len(hit)))
        undecided.append(int(np.count_nonzero(unknown)))
    names = np.array([None, *ruleset.names], dtype=object)
    excluded_by = pd.Series(pd.array(names[step_of_row], dtype="string"), index=data.index, name="excluded_by")
    kept = pd.Series(alive, index=data.index, name="kept")
    rows = pd.Series(data[ROW].to_numpy(), index=data.index, name=ROW)
    return ScreeningResult(
        flow=tuple(steps), n_start=n, excluded_by=excluded_by, kept=kept,
        undecided=tuple(undecided), rules=ruleset, rows=rows,
    )


def _check_columns(data: pd.DataFrame, ruleset: RuleSet) -> None:
    problems: list[str] = []
    if ROW not in data.columns:
        problems.append(
            f"the data have no {ROW!r} column (1-based row numbers of the raw file); pass validated data "
            f"from ingest, or add it with data.assign({ROW}=range(1, len(data) + 1))"
        )
    elif data[ROW].isna().any() or data[ROW].duplicated().any():
        problems.append(f"column {ROW!r} must hold distinct row numbers (found missing or repeated values)")
    for i, rule in enumerate(ruleset.rules):
        absent = [c for c in rule.columns if c != ROW and c not in data.columns]
        if absent:
            problems.append(f"rules[{i}] ({rule.name}) needs column(s) {', '.join(absent)}, which the data do not have")
    if problems:
        raise ScreeningError("cannot screen these data:\n" + "\n".join(f"  - {p}" for p in problems))
