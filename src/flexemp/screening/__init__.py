"""Screening: declarative rules → a sequential sample flow; excluded rows are flagged, never deleted."""

from __future__ import annotations

from flexemp.screening.expr import Expression, Truth, evaluate, parse_expression
from flexemp.screening.flow import ScreeningResult, screen
from flexemp.screening.rules import (
    CompleteRule,
    DuplicatesRule,
    ExpressionRule,
    Rule,
    RuleSet,
    SpeedersRule,
    StraightliningRule,
    load_rules,
)

__all__ = [
    "CompleteRule",
    "DuplicatesRule",
    "Expression",
    "ExpressionRule",
    "Rule",
    "RuleSet",
    "ScreeningResult",
    "SpeedersRule",
    "StraightliningRule",
    "Truth",
    "evaluate",
    "load_rules",
    "parse_expression",
    "screen",
]
