"""What the dashboard shows, computed once when the server starts.

For one dataset of the warehouse (the one whose codebook has questions tagged
``scale: sentiment`` or ``scale: expectation``), every current wave is read,
its stored screening applied (excluded rows left out), weights computed on all
screened rows, the optional population condition (``where``) applied, and
the diffusion indices of every tagged question computed overall and by each
allowed grouping.  Nothing here reads a request: the web layer only looks the
results up.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from flexemp.codebook import Codebook
from flexemp.core.errors import (
    DroppedRowsWarning,
    MarginsError,
    ScreeningError,
    UnsupportedOptionError,
    WarehouseError,
)
from flexemp.core.options import validate_option
from flexemp.core.types import Provenance
from flexemp.screening.expr import Expression
from flexemp.warehouse.store import Warehouse

Weighting = Literal["region", "none"]
WEIGHTINGS: tuple[str, ...] = ("region", "none")
#: Groupings the dashboard may break indices down by (kept if the codebook has them as coded variables).
GROUPINGS: tuple[str, ...] = ("industry", "occupation")
#: Codebook ``scale`` tags of the questions shown as diffusion indices, in display order.
INDEX_SCALES: tuple[str, ...] = ("sentiment", "expectation")
WEIGHT_COLUMN = "_fx_weight"


@dataclass(frozen=True)
class WaveData:
    """One wave: provenance, sample flow, weighting and its indices (overall and by grouping).

    ``n_analysis`` is the number of rows the indices are computed on (screened rows
    meeting the population condition, if any); ``population`` says which:
    ``{"where", "n", "n_screened", "n_excluded", "n_unknown"}`` (``where`` None: all
    screened rows).
    """

    wave: str
    provenance: Provenance
    flow: dict[str, Any] | None
    n_analysis: int
    weighting: dict[str, Any]
    margins: pd.DataFrame | None
    overall: pd.DataFrame
    by_group: dict[str, pd.DataFrame]
    no_group: dict[str, int]
    population: dict[str, Any]


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard shows; built by :func:`load_dashboard`."""

    db: Path
    dataset: str
    codebook: Codebook
    variables: tuple[str, ...]
    groupings: tuple[str, ...]
    waves: tuple[WaveData, ...]
    min_n: int
    weighting: str
    where: str | None = None

    def wave(self, label: str) -> WaveData | None:
        """The wave called ``label`` (exact match), or None."""
        return next((w for w in self.waves if w.wave == label), None)

    @property
    def wave_labels(self) -> tuple[str, ...]:
        """Wave labels in display order."""
        return tuple(w.wave for w in self.waves)

    def headline(self) -> pd.DataFrame:
        """Overall indices of every question and wave (``wave`` column set)."""
        return pd.concat([w.overall.assign(wave=w.wave) for w in self.waves], ignore_index=True)

    def change(self) -> pd.DataFrame | None:
        """Change of each overall index from the previous wave to the last (None with one wave)."""
        from flexemp.indices import index_change

        if len(self.waves) < 2:
            return None
        cur, prev = (self.waves[k].overall.assign(wave=self.waves[k].wave) for k in (-1, -2))
        return index_change(cur, prev)


def _index_datasets(wh: Warehouse) -> dict[str, Codebook]:
    """Datasets with at least one index question (codebook of their latest current load)."""
    out: dict[str, Codebook] = {}
    for prov in wh.waves():
        cb = wh.codebook(prov)
        if any(s in cb.scales() for s in INDEX_SCALES):
            out[prov.dataset] = cb
    return out


def _choose_dataset(found: dict[str, Codebook], dataset: str | None, path: Path) -> str:
    if dataset is not None:
        if dataset not in found:
            raise UnsupportedOptionError(
                f"dataset {dataset!r} has no wave with sentiment or expectation questions in {path}; "
                f"datasets with such questions: {', '.join(sorted(found)) or 'none'}"
            )
        return dataset
    if not found:
        raise WarehouseError(
            f"no dataset in {path} has questions tagged scale: sentiment or scale: expectation; "
            "ingest such a survey first (e.g. `flexemp demo`)"
        )
    if len(found) > 1:
        raise UnsupportedOptionError(f"several datasets have index questions ({', '.join(sorted(found))}); "
                                     "name one with --dataset")
    return next(iter(found))


def _screening(wh: Warehouse, load_id: int) -> tuple[dict[str, Any] | None, np.ndarray]:
    """The latest stored screening of a load: its flow and the excluded ``_row`` values."""
    latest = wh.latest_screening(load_id)
    if latest is None:
        return None, np.array([], dtype=np.int64)
    sid, flow = latest
    rows = wh.con.execute("SELECT _row FROM screen_exclusions WHERE screening_id = ?", [sid]).fetchnumpy()
    flow["screening_id"] = sid
    return flow, np.asarray(rows["_row"], dtype=np.int64)


def region_codes(codebook: Codebook) -> dict[float, str] | None:
    """Province code → census region (东部/中部/西部/东北) by the province labels; None if not possible.

    Examples
    --------
    >>> from flexemp.synth import get_dataset
    >>> region_codes(get_dataset("flex_sentiment").codebook())[19.0]
    '东部'
    """
    from flexemp.weighting.census import census_source

    if "province" not in codebook:
        return None
    members = {m: lev["zh"] for lev in census_source("region")["levels"] for m in lev["members"]}
    out = {c.value: members.get(c.label_zh.strip(), "") for c in codebook["province"].codes}
    if not out or any(not r for r in out.values()):
        return None
    return out


def _weights(frame: pd.DataFrame, codebook: Codebook, how: str) -> tuple[pd.DataFrame, dict[str, Any], pd.DataFrame | None]:
    """Add the weight column: census region shares (as seed 004) or ones; say what was done."""
    from flexemp.weighting import poststratify, weight_diagnostics
    from flexemp.weighting.census import census_margins

    ones = frame.assign(**{WEIGHT_COLUMN: 1.0})
    if how == "none":
        return ones, {"method": "none", "reason": "unweighted (serve --weighting none)",
                      "diagnostics": weight_diagnostics(ones[WEIGHT_COLUMN])}, None
    regions = region_codes(codebook)
    if regions is None:
        return ones, {"method": "none", "reason": "the codebook has no province variable whose labels name "
                      "the 31 provinces, so census region weights cannot be formed",
                      "diagnostics": weight_diagnostics(ones[WEIGHT_COLUMN])}, None
    region = frame["province"].map(regions)
    try:
        res = poststratify(frame.assign(_fx_region=region), {"_fx_region": census_margins("region").to_dict()})
    except MarginsError as exc:
        return ones, {"method": "none", "reason": f"census region weights failed: {exc}",
                      "diagnostics": weight_diagnostics(ones[WEIGHT_COLUMN])}, None
    margins = res.margins_table.assign(variable="region")
    info = {"method": "poststratify", "reason": "post-stratified to the 2020 census shares of the four regions "
            "(东部/中部/西部/东北), as seed 004 does; sex and age are not weighted",
            "diagnostics": res.diagnostics["after"]}
    return frame.assign(**{WEIGHT_COLUMN: res.weights.to_numpy()}), info, margins


def _population(frame: pd.DataFrame, where: Expression | None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The rows meeting the condition (rows where it is unknown are left out) and their counts."""
    from flexemp.screening.expr import evaluate

    if where is None:
        return frame, {"where": None, "n": len(frame), "n_screened": len(frame), "n_excluded": 0, "n_unknown": 0}
    truth = evaluate(where, frame)
    keep = truth.true
    sub = frame[keep].reset_index(drop=True)
    return sub, {"where": where.text, "n": len(sub), "n_screened": len(frame),
                 "n_excluded": int((~keep).sum()), "n_unknown": int(truth.unknown.sum())}


def _wave_data(wh: Warehouse, prov: Provenance, variables: tuple[str, ...], groupings: tuple[str, ...],
               min_n: int, how: str, where: Expression | None) -> WaveData:
    from flexemp.indices import diffusion_index

    stored = wh.wave(prov.wave, prov.dataset)
    flow, excluded = _screening(wh, prov.load_id)
    frame = stored.data[~stored.data["_row"].isin(excluded)].reset_index(drop=True)
    # Weights first, on every screened row, then the population subset (seed 004's order).
    frame, info, margins = _weights(frame, stored.codebook, how)
    frame, population = _population(frame, where)
    overall = diffusion_index(frame, list(variables), weights=WEIGHT_COLUMN, min_n=min_n)
    by_group: dict[str, pd.DataFrame] = {}
    no_group: dict[str, int] = {}
    for g in groupings:  # a loop over the (two) groupings, not over respondents
        no_group[g] = int(frame[g].isna().sum())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DroppedRowsWarning)  # counted in no_group and shown on the page
            by_group[g] = diffusion_index(frame, list(variables), by=g, weights=WEIGHT_COLUMN, min_n=min_n)
    return WaveData(prov.wave, prov, flow, len(frame), info, margins, overall, by_group, no_group, population)


def _condition(where: str, codebook: Codebook) -> Expression:
    """Parse the population condition over the dataset's codebook (ScreeningError if it is not one)."""
    from flexemp.screening.rules import parse_condition

    if not isinstance(where, str) or not where.strip():
        raise ScreeningError(f"where must be a condition such as \"emp_status == 1\", got {where!r}")
    try:
        return parse_condition(where, codebook)
    except ScreeningError as exc:
        raise ScreeningError(f"population condition (--where): {exc}") from exc


def load_dashboard(
    db: str | Path | None = None,
    *,
    dataset: str | None = None,
    min_n: int = 30,
    weighting: Weighting = "region",
    where: str | None = None,
) -> Dashboard:
    """Read the warehouse and compute everything the dashboard shows.

    Parameters
    ----------
    db : path, optional
        The warehouse (default ``$FLEXEMP_HOME/warehouse.duckdb``); opened read-only.
    dataset : str, optional
        Needed only when several datasets have sentiment or expectation questions.
    min_n : int
        Cells with fewer respondents are suppressed (shown as "—"), as in the study tables.
    weighting : {"region", "none"}
        ``"region"``: post-stratify each wave to the 2020 census shares of the four regions
        (seed 004's weighting); ``"none"``: unweighted.
    where : str, optional
        A population condition in the screening rules' expression syntax, e.g. seed 004's
        flexible workers ``"emp_status == 1 and (job_type == 2 or (job_type == 3 and
        biz_registered == 0))"``.  Weights are computed on all screened rows first, then
        the indices use only the rows where the condition is true (rows where it is
        unknown, e.g. a missing answer, are left out).  Checked against the codebook
        before anything is computed.

    Returns
    -------
    Dashboard

    Raises
    ------
    WarehouseError
        No warehouse, or no dataset with index questions.
    UnsupportedOptionError
        Unknown ``weighting``, a bad ``min_n``, an unknown ``dataset``, or several candidates.
    ScreeningError
        ``where`` does not parse, names an unknown variable or label, or is not a condition.

    Examples
    --------
    >>> import tempfile, os
    >>> from flexemp.web.data import load_dashboard
    >>> load_dashboard(os.path.join(tempfile.mkdtemp(), "none.duckdb"))
    Traceback (most recent call last):
    ...
    flexemp.core.errors.WarehouseError: no warehouse at ...
    """
    validate_option("weighting", weighting, WEIGHTINGS)
    if isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 1:
        raise UnsupportedOptionError(f"min_n must be a positive integer, got {min_n!r}")
    with Warehouse(db, read_only=True) as wh:
        name = _choose_dataset(_index_datasets(wh), dataset, wh.path)
        provs = sorted((p for p in wh.waves() if p.dataset == name), key=lambda p: p.wave)
        cb = wh.codebook(provs[-1])
        scales = cb.scales()
        variables = tuple(v.name for s in INDEX_SCALES for v in scales.get(s, ()))
        groupings = tuple(g for g in GROUPINGS if g in cb and cb[g].codes)
        cond = None if where is None else _condition(where, cb)
        waves = tuple(_wave_data(wh, p, variables, groupings, min_n, weighting, cond) for p in provs)
        return Dashboard(wh.path, name, cb, variables, groupings, waves, min_n, weighting,
                         None if cond is None else cond.text)
