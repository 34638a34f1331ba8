"""Population margins from China's 7th National Population Census (2020), with their sources.

The numbers live in ``weighting/data/census2020.yaml``, copied exactly as the NBS bulletins of
11 May 2021 print them (bulletin No. 3 for provinces and regions, No. 4 for sex, No. 5 for age);
each table carries a ``source`` block.  :func:`census_margins` turns a table into a margin for
:func:`flexemp.weighting.rake`; :func:`census_source` returns the citation.
"""

from __future__ import annotations

import copy
from collections.abc import Hashable, Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

import pandas as pd
import yaml

from flexemp.codebook.model import Variable
from flexemp.core.errors import MarginsError
from flexemp.core.options import CensusVariable, validate_option

__all__ = [
    "CENSUS_VARIABLES",
    "CensusVariable",
    "census_margins",
    "census_source",
    "level_map_from_codebook",
]

CENSUS_VARIABLES: tuple[str, ...] = ("province", "region", "sex", "age_group", "age_group_16")


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    text = resources.files("flexemp.weighting").joinpath("data/census2020.yaml").read_text("utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def _table(variable: str) -> dict[str, Any]:
    validate_option("variable", variable, CensusVariable)
    table: dict[str, Any] = _data()["tables"][variable]
    return table


def census_source(variable: str) -> dict[str, Any]:
    """The citation and scope of one census table.

    Parameters
    ----------
    variable : {"province", "region", "sex", "age_group", "age_group_16"}
        The census table.

    Returns
    -------
    dict
        ``variable, census, title_zh, title_en, source`` (title, issuer, date, url, read_at,
        read_on), ``unit``, ``total`` (the population the bulletin states), ``not_in_levels``
        (persons in the total but in no level: the 2,000,000 active military for provinces and
        regions) and ``levels`` (each level's labels, count and printed percentage).

    Raises
    ------
    UnsupportedOptionError
        ``variable`` is not one of the tables.

    Notes
    -----
    The bulletins were read in reprints stored in the ``pages`` search corpus (``read_at``); the
    official stats.gov.cn address could not be read here, so ``url`` is ``None``.

    Examples
    --------
    >>> src = census_source("sex")
    >>> src["source"]["title"]
    '第七次全国人口普查公报（第四号）——人口性别构成情况，一、全国人口性别构成'
    >>> src["total"]
    1411778724
    """
    table = copy.deepcopy(_table(variable))
    census = {k: v for k, v in _data()["census"].items()}
    return {"variable": variable, "census": census, **table}


def census_margins(
    variable: str,
    *,
    level_map: Mapping[str, Hashable | None] | None = None,
    as_shares: bool = True,
) -> pd.Series:
    """One census table as a margin (shares or counts) for :func:`flexemp.weighting.rake`.

    Parameters
    ----------
    variable : {"province", "region", "sex", "age_group", "age_group_16"}
        ``province``: the 31 provinces (keys 北京 … 新疆); ``region``: 东部/中部/西部/东北 (NBS
        definition, bulletin No. 3 note [4]); ``sex``: 男/女; ``age_group``: 0-14岁/15-59岁/60岁及以上
        (Table 5-1); ``age_group_16``: 0-15岁/16-59岁/60岁及以上 (note [3] of bulletin No. 5).
    level_map : mapping of census level to sample level or None, optional
        Renames census levels to the values in the data (e.g. ``{"男": 1, "女": 2}``).  Several census
        levels may map to one sample level (their counts are added).  ``None`` drops a level from
        the population (e.g. ``"0-15岁": None`` for a survey of people aged 16+); shares are then
        over the remaining levels.  Every census level must be mapped.
    as_shares : bool
        Shares summing to 1 (default) or population counts (persons).

    Returns
    -------
    Series
        Float values indexed by level (in census order), named ``variable``.  Pass it to ``rake``
        as ``{"column": margin.to_dict()}``.

    Raises
    ------
    UnsupportedOptionError
        ``variable`` is not one of the tables.
    MarginsError
        ``level_map`` misses a census level, names a level the table does not have, or drops every
        level.

    Notes
    -----
    Shares are exact ratios of the printed counts (count / Σ counts of the kept levels), not the
    bulletin's rounded percentages.  Province and region counts sum to 1,409,778,724: the national
    total 1,411,778,724 less the 2,000,000 active military, who belong to no province; sex and age
    counts sum to the national total.  Count margins of ``province`` and ``sex`` therefore have
    different totals (``rake`` refuses them); use shares, the default.

    Examples
    --------
    >>> census_margins("sex").round(6).to_dict()
    {'男': 0.512361, '女': 0.487639}
    >>> census_margins("sex", level_map={"男": 1, "女": 2}, as_shares=False).to_dict()
    {1: 723339956.0, 2: 688438768.0}
    >>> m = census_margins("age_group_16", level_map={"0-15岁": None, "16-59岁": "16-59", "60岁及以上": "60+"})
    >>> round(float(m["60+"]), 6)
    0.230973
    """
    table = _table(variable)
    if not isinstance(as_shares, bool):
        raise MarginsError(f"as_shares must be True or False, got {as_shares!r}")
    names = [str(lev["zh"]) for lev in table["levels"]]
    counts = pd.Series([float(lev["population"]) for lev in table["levels"]], index=names)
    if level_map is not None:
        counts = _apply_level_map(variable, counts, level_map)
    if as_shares:
        counts = counts / counts.sum()
    counts.name = variable
    return counts


def _apply_level_map(
    variable: str, counts: pd.Series, level_map: Mapping[str, Hashable | None]
) -> pd.Series:
    if not isinstance(level_map, Mapping):
        raise MarginsError(
            f"level_map must be a mapping {{census level: sample level or None}}, got "
            f"{type(level_map).__name__}"
        )
    names = list(counts.index)
    unknown = [k for k in level_map if k not in names]
    if unknown:
        raise MarginsError(
            f"level_map for {variable!r} names level(s) {unknown[:5]} that the census table does not "
            f"have; its levels are {names}"
        )
    missing = [k for k in names if k not in level_map]
    if missing:
        raise MarginsError(
            f"level_map for {variable!r} does not map census level(s) {missing[:5]}"
            f"{' …' if len(missing) > 5 else ''} ({len(missing)} in all); map each to a sample "
            "level, or to None to leave it out of the population"
        )
    kept = [k for k in names if level_map[k] is not None]
    if not kept:
        raise MarginsError(f"level_map for {variable!r} maps every level to None; nothing is left")
    targets = [level_map[k] for k in kept]
    grouped = counts[kept].groupby(pd.Index(targets, dtype=object), sort=False).sum()
    return pd.Series(grouped.to_numpy(dtype=float), index=pd.Index(grouped.index, dtype=object))


def level_map_from_codebook(
    codebook_variable: Variable, census_variable: str
) -> dict[str, Hashable]:
    """Map census levels to a codebook variable's codes by their Chinese labels.

    Parameters
    ----------
    codebook_variable : Variable
        A codebook variable whose code labels (``label_zh``) are the census level names, e.g.
        ``province`` (北京 … 新疆) or ``sex`` (男/女) of the embedded ``flex_sentiment`` codebook.
    census_variable : {"province", "region", "sex", "age_group", "age_group_16"}
        The census table.

    Returns
    -------
    dict
        ``{census level: code}``; integral codes are returned as ``int``.

    Raises
    ------
    MarginsError
        Some census level has no code with the same label (the levels are listed).  Age bands of a
        questionnaire rarely match the census groups: build that ``level_map`` by hand, and check
        the band limits.

    Examples
    --------
    >>> from flexemp.synth.registry import get_dataset
    >>> cb = get_dataset("flex_sentiment").codebook()
    >>> province = next(v for v in cb.variables if v.name == "province")
    >>> level_map_from_codebook(province, "province")["广东"]
    19
    """
    table = _table(census_variable)
    by_label: dict[str, Hashable] = {}
    for code in codebook_variable.codes:
        value = code.value
        by_label[code.label_zh.strip()] = int(value) if float(value).is_integer() else value
    names = [str(lev["zh"]) for lev in table["levels"]]
    unmatched = [n for n in names if n not in by_label]
    if unmatched:
        raise MarginsError(
            f"codebook variable {codebook_variable.name!r} has no code labelled {unmatched[:5]} "
            f"({len(unmatched)} census level(s) of {census_variable!r} unmatched; its labels are "
            f"{list(by_label)[:10]}); pass level_map to census_margins by hand"
        )
    return {n: by_label[n] for n in names}
