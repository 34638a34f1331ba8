"""The one chart model: static (PNG/SVG) and interactive (HTML) renderers draw from it.

Kinds
-----
``bar``    vertical bars, one group per category, one bar per series
           (distribution by group; sample vs census)
``hbar``   horizontal bars sorted as given (multi-select options)
``coef``   coefficient plot: one point per category with its CI (``low``/``high``)
           and a reference line (usually 0)
``line``   one line per series over the categories (waves), optional CI band
           (``low``/``high``) and a reference line (50 for diffusion indices)

Examples
--------
>>> c = Chart(key="fig1", kind="bar", title="性别分布", categories=("男", "女"),
...           series=(Series("样本", (0.69, 0.31)), Series("普查", (0.51, 0.49))),
...           percent=True)
>>> c.to_dict()["series"][0]["values"]
[0.69, 0.31]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

ChartKind = Literal["bar", "hbar", "coef", "line"]


def _clean(values: tuple[float | None, ...] | None) -> list[float | None] | None:
    if values is None:
        return None
    return [None if v is None or not math.isfinite(float(v)) else float(v) for v in values]


@dataclass(frozen=True)
class Series:
    """A named series of values (one per category), with optional CI bounds."""

    name: str
    values: tuple[float | None, ...]
    low: tuple[float | None, ...] | None = None
    high: tuple[float | None, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (NaN/inf become null)."""
        return {
            "name": self.name,
            "values": _clean(self.values),
            "low": _clean(self.low),
            "high": _clean(self.high),
        }


@dataclass(frozen=True)
class Chart:
    """A chart: kind, title, categories, series, axis labels, reference line, notes.

    ``percent`` says the values are shares (0-1) to be shown as percentages;
    ``reference`` draws a horizontal (vertical for ``coef``/``hbar``) line at
    that value (50 for diffusion indices, 0 for coefficients).
    """

    key: str
    kind: ChartKind
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    x_label: str = ""
    y_label: str = ""
    percent: bool = False
    reference: float | None = None
    decimals: int = 2
    note: str = ""

    def __post_init__(self) -> None:
        n = len(self.categories)
        for s in self.series:
            for name, vals in (("values", s.values), ("low", s.low), ("high", s.high)):
                if vals is not None and len(vals) != n:
                    raise ValueError(
                        f"Chart {self.key!r}: series {s.name!r} has {len(vals)} {name}, "
                        f"expected {n} (one per category)"
                    )
        if self.kind == "coef" and any(s.low is None or s.high is None for s in self.series):
            raise ValueError(f"Chart {self.key!r}: a coefficient plot needs low and high (the CI)")

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, the data behind the chart (for results.json and the HTML renderer)."""
        return {
            "key": self.key,
            "kind": self.kind,
            "title": self.title,
            "categories": list(self.categories),
            "series": [s.to_dict() for s in self.series],
            "x_label": self.x_label,
            "y_label": self.y_label,
            "percent": self.percent,
            "reference": self.reference,
            "decimals": self.decimals,
            "note": self.note,
        }
