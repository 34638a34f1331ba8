"""Option vocabularies (``Literal`` types) and the one validator that checks them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any, Literal, get_args, get_origin

from flexemp.core.errors import UnsupportedOptionError

VariableType = Literal[
    "binary",
    "ordinal",
    "nominal",
    "count",
    "continuous",
    "banded",
    "multiselect",
    "text",
    "id",
    "date",
    "weight",
]
PiiLevel = Literal["direct", "quasi", "none"]
QuarantinePolicy = Literal["reject", "quarantine"]
Language = Literal["zh", "en"]
DataFormat = Literal["csv", "parquet", "sav", "dta", "xlsx"]
Encoding = Literal["utf-8", "utf-8-sig", "gbk", "gb18030"]

# descriptive statistics
PercentBase = Literal["row", "col", "total"]
ChisqStatistic = Literal["F", "Chisq"]
CompareTest = Literal["auto", "chisq", "welch", "t"]
# indices and weighting
Scale = Literal["balance", "share"]
Engine = Literal["duckdb", "spark"]
CensusVariable = Literal["province", "region", "sex", "age_group", "age_group_16"]

VARIABLE_TYPES: tuple[str, ...] = get_args(VariableType)
PII_LEVELS: tuple[str, ...] = get_args(PiiLevel)


def validate_option(name: str, value: object, allowed: Iterable[str] | Any) -> str:
    """Check that ``value`` is one of the allowed spellings of option ``name``.

    Parameters
    ----------
    name : str
        The option's name as the user wrote it (used in the message).
    value : object
        The value given.
    allowed : iterable of str or a ``Literal`` type
        The valid values.

    Returns
    -------
    str
        ``value``, unchanged, when it is valid.

    Raises
    ------
    UnsupportedOptionError
        Listing the valid values and the closest match.
    """
    choices = tuple(get_args(allowed)) if get_origin(allowed) is Literal else tuple(allowed)
    if isinstance(value, str) and value in choices:
        return value
    listed = ", ".join(repr(c) for c in choices)
    near = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1)
    hint = f" Did you mean {near[0]!r}?" if near else ""
    raise UnsupportedOptionError(f"{name}={value!r} is not supported; use one of {listed}.{hint}")

Estimator = Literal["ols", "logit", "probit", "oprobit", "ologit", "mlogit", "iv2sls", "heckman2s", "psm"]
VcovType = Literal["classical", "robust", "cluster"]
WeightKind = Literal["freq", "prob"]
MarginsAt = Literal["average"]
