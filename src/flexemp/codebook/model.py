"""The codebook: what each questionnaire variable is, how it is coded and labelled.

A :class:`Codebook` is an immutable description of a dataset.  Each
:class:`Variable` has a canonical ``name`` (the column name used everywhere after
ingest), Chinese and English labels, the question text, a type, value codes with
labels, missing-value codes, bands (for banded answers such as income ranges),
a reverse-keying flag, the multi-item scale it belongs to, a personal-data level
and the raw column(s) it is read from.

Stored columns
--------------
Every variable is stored as one column named ``name``, except ``multiselect``
variables, which are stored as one 0/1 column per option, named
``{name}_{code}`` (see :meth:`Variable.stored_columns`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flexemp.core.errors import CodebookError, UnknownVariableError
from flexemp.core.options import PiiLevel, VariableType

#: Types whose values are numeric codes that must be listed in ``codes``.
CODED_TYPES: frozenset[str] = frozenset({"binary", "ordinal", "nominal", "banded"})
#: Types stored as numbers.
NUMERIC_TYPES: frozenset[str] = frozenset(
    {"binary", "ordinal", "nominal", "banded", "count", "continuous", "weight"}
)


@dataclass(frozen=True)
class Code:
    """One answer code with its labels (``value`` is the stored number)."""

    value: float
    label_zh: str
    label_en: str | None = None

    def label(self, lang: str = "zh") -> str:
        """Return the label in ``lang`` (falls back to Chinese)."""
        return (self.label_en or self.label_zh) if lang == "en" else self.label_zh


@dataclass(frozen=True)
class Band:
    """The interval a banded code stands for: ``[lower, upper)`` and its midpoint.

    ``lower`` or ``upper`` is ``None`` for an open-ended band (e.g. "60岁及以上");
    the midpoint of such a band must then be given explicitly.
    """

    code: float
    lower: float | None
    upper: float | None
    midpoint: float | None


@dataclass(frozen=True)
class Variable:
    """One questionnaire variable (see the module docstring)."""

    name: str
    type: VariableType
    label_zh: str
    label_en: str | None = None
    question: str | None = None
    codes: tuple[Code, ...] = ()
    valid_range: tuple[float | None, float | None] | None = None
    missing: tuple[float | str, ...] = ()
    bands: tuple[Band, ...] = ()
    reverse: bool = False
    scale: str | None = None
    pii: PiiLevel | None = None
    source: tuple[str, ...] = ()
    separator: str | None = None
    required: bool = False
    unit: str | None = None

    # ----------------------------------------------------------------- helpers
    def label(self, lang: str = "zh") -> str:
        """Return the variable label in ``lang`` (falls back to Chinese)."""
        return (self.label_en or self.label_zh) if lang == "en" else self.label_zh

    @property
    def code_values(self) -> tuple[float, ...]:
        """The valid code values, in codebook order."""
        return tuple(c.value for c in self.codes)

    def code_label(self, value: float, lang: str = "zh") -> str | None:
        """Return the label of code ``value`` or ``None`` when it is not a code."""
        for c in self.codes:
            if c.value == value:
                return c.label(lang)
        return None

    def label_to_code(self) -> dict[str, float]:
        """Map every zh and en label (stripped) to its code value."""
        out: dict[str, float] = {}
        for c in self.codes:
            out[c.label_zh.strip()] = c.value
            if c.label_en:
                out[c.label_en.strip()] = c.value
        return out

    def band(self, code: float) -> Band | None:
        """Return the band of ``code`` or ``None``."""
        for b in self.bands:
            if b.code == code:
                return b
        return None

    def midpoints(self) -> dict[float, float]:
        """Map each banded code to its midpoint (only bands with a midpoint)."""
        return {b.code: b.midpoint for b in self.bands if b.midpoint is not None}

    def stored_columns(self) -> tuple[str, ...]:
        """Names of the columns this variable occupies after ingest."""
        if self.type == "multiselect":
            return tuple(f"{self.name}_{_fmt_code(c.value)}" for c in self.codes)
        return (self.name,)

    @property
    def source_columns(self) -> tuple[str, ...]:
        """Raw column names read for this variable (``source`` or ``name``)."""
        return self.source or (self.name,)

    @property
    def is_numeric(self) -> bool:
        """Whether the stored column is numeric."""
        return self.type in NUMERIC_TYPES or self.type == "multiselect"

    def to_dict(self) -> dict[str, Any]:
        """Return the variable in the YAML form accepted by ``load_codebook``."""
        d: dict[str, Any] = {"name": self.name, "type": self.type, "label_zh": self.label_zh}
        if self.label_en:
            d["label_en"] = self.label_en
        if self.question:
            d["question"] = self.question
        if self.codes:
            d["codes"] = {
                _yaml_key(c.value): (
                    {"zh": c.label_zh, "en": c.label_en} if c.label_en else c.label_zh
                )
                for c in self.codes
            }
        if self.valid_range is not None:
            d["range"] = list(self.valid_range)
        if self.missing:
            d["missing"] = [_yaml_key(m) if isinstance(m, float) else m for m in self.missing]
        if self.bands:
            d["bands"] = {
                _yaml_key(b.code): {"lower": b.lower, "upper": b.upper, "midpoint": b.midpoint}
                for b in self.bands
            }
        if self.reverse:
            d["reverse"] = True
        if self.scale:
            d["scale"] = self.scale
        if self.pii is not None:
            d["pii"] = self.pii
        if self.source and self.source != (self.name,):
            d["source"] = self.source[0] if len(self.source) == 1 else list(self.source)
        if self.separator:
            d["separator"] = self.separator
        if self.required:
            d["required"] = True
        if self.unit:
            d["unit"] = self.unit
        return d


def _fmt_code(value: float) -> str:
    """Format a code for a column name: 3.0 → '3', 2.5 → '2.5', -1 → 'm1'."""
    text = str(int(value)) if float(value).is_integer() else repr(float(value))
    return text.replace("-", "m").replace(".", "_")


def _yaml_key(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


@dataclass(frozen=True)
class Codebook:
    """An immutable set of variables describing one dataset."""

    dataset: str
    variables: tuple[Variable, ...]
    title_zh: str | None = None
    title_en: str | None = None
    description: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = [v.name for v in self.variables]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise CodebookError("duplicate variable names", [f"variable {n!r} appears twice" for n in dup])

    def __iter__(self) -> Iterator[Variable]:
        return iter(self.variables)

    def __len__(self) -> int:
        return len(self.variables)

    def __contains__(self, name: object) -> bool:
        return any(v.name == name for v in self.variables)

    def __getitem__(self, name: str) -> Variable:
        for v in self.variables:
            if v.name == name:
                return v
        near = _nearest(name, [v.name for v in self.variables])
        raise UnknownVariableError(f"variable {name!r} is not in codebook {self.dataset!r}.{near}")

    @property
    def names(self) -> tuple[str, ...]:
        """Variable names in order."""
        return tuple(v.name for v in self.variables)

    @property
    def id_variable(self) -> Variable | None:
        """The respondent identifier (the first variable of type ``id``), if any."""
        for v in self.variables:
            if v.type == "id":
                return v
        return None

    def by_type(self, *types: str) -> tuple[Variable, ...]:
        """Variables of the given types."""
        return tuple(v for v in self.variables if v.type in types)

    def direct_identifiers(self) -> tuple[Variable, ...]:
        """Variables marked ``pii: direct``."""
        return tuple(v for v in self.variables if v.pii == "direct")

    def scales(self) -> dict[str, tuple[Variable, ...]]:
        """Map each scale name to its items."""
        out: dict[str, list[Variable]] = {}
        for v in self.variables:
            if v.scale:
                out.setdefault(v.scale, []).append(v)
        return {k: tuple(v) for k, v in out.items()}

    def stored_columns(self) -> tuple[str, ...]:
        """All columns of a validated dataset, in codebook order."""
        return tuple(c for v in self.variables for c in v.stored_columns())

    def labels(self, lang: str = "zh") -> dict[str, str]:
        """Map each stored column to its display label."""
        out: dict[str, str] = {}
        for v in self.variables:
            if v.type == "multiselect":
                for c, col in zip(v.codes, v.stored_columns(), strict=True):
                    out[col] = f"{v.label(lang)}：{c.label(lang)}"
            else:
                out[v.name] = v.label(lang)
        return out

    def to_dict(self) -> dict[str, Any]:
        """Return the codebook in its YAML form."""
        d: dict[str, Any] = {"dataset": self.dataset}
        if self.title_zh:
            d["title_zh"] = self.title_zh
        if self.title_en:
            d["title_en"] = self.title_en
        if self.description:
            d["description"] = self.description
        if self.meta:
            d["meta"] = dict(self.meta)
        d["variables"] = [v.to_dict() for v in self.variables]
        return d


def _nearest(name: str, names: list[str]) -> str:
    import difflib

    near = difflib.get_close_matches(name, names, n=1)
    return f" Did you mean {near[0]!r}?" if near else ""


def is_number(x: object) -> bool:
    """True for a finite int/float (not bool)."""
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(float(x))
