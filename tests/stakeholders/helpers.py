"""Scores built so that each stakeholder's means are known exactly."""

from __future__ import annotations

import pandas as pd

ATTRS = ("legitimacy", "power", "urgency")


def wide_scores(means: dict[str, tuple[float, float, float]], spread: float = 0.0) -> pd.DataFrame:
    """Two experts per stakeholder scoring ``mean + spread`` and ``mean - spread``.

    The mean over the two experts is ``mean`` (exactly, for the binary-exact values used in
    the tests) and the SD (ddof=1) is ``spread * sqrt(2)``.
    """
    rows = []
    for expert, sign in (("e1", 1.0), ("e2", -1.0)):
        for name, m in means.items():
            rows.append(
                {
                    "expert": expert,
                    "stakeholder": name,
                    **{a: v + sign * spread for a, v in zip(ATTRS, m, strict=True)},
                }
            )
    return pd.DataFrame(rows)


def to_long(wide: pd.DataFrame) -> pd.DataFrame:
    """The same scores in long form."""
    return wide.melt(id_vars=["expert", "stakeholder"], var_name="attribute", value_name="score")
