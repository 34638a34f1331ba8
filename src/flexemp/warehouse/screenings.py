"""Screen a stored wave and keep the sample flow and the excluded rows in the warehouse.

Rows are never deleted: a screening records, for each excluded row, the step
and rule that excluded it.  Screening the same load with the same rules again
reuses the stored result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from flexemp.warehouse.store import Warehouse


@dataclass(frozen=True)
class StoredScreening:
    """A screening kept in the warehouse: its id, load, flow and whether it was reused."""

    screening_id: int
    load_id: int
    dataset: str
    wave: str
    flow: dict[str, Any]
    reused: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON form: the flow (``n_start``, ``n_final``, ``steps``) plus identifiers."""
        return {
            "screening_id": self.screening_id,
            "load_id": self.load_id,
            "dataset": self.dataset,
            "wave": self.wave,
            **self.flow,
        }


def screen_wave(
    wave: str,
    rules: str | Path | list[Any] | dict[str, Any],
    *,
    dataset: str | None = None,
    db: str | Path | None = None,
) -> StoredScreening:
    """Apply screening rules to a stored wave and record the flow.

    Parameters
    ----------
    wave : str
        The wave label.
    rules : path, YAML text or parsed rules
        See :mod:`flexemp.screening.rules` for the format.
    dataset : str, optional
        Needed only when several datasets have a wave of this name.
    db : path, optional
        The warehouse (default ``$FLEXEMP_HOME/warehouse.duckdb``).

    Returns
    -------
    StoredScreening

    Raises
    ------
    WaveNotFoundError, ScreeningError
    """
    from flexemp.screening.flow import screen
    from flexemp.screening.rules import load_rules

    with Warehouse(db) as wh:
        stored = wh.wave(wave, dataset)
        ruleset = load_rules(rules, stored.codebook)
        prov = stored.provenance
        hit = wh.con.execute(
            "SELECT screening_id, flow_json FROM screenings WHERE load_id = ? AND rules_sha256 = ?",
            [prov.load_id, ruleset.sha256],
        ).fetchone()
        if hit is not None:
            return StoredScreening(int(hit[0]), prov.load_id, prov.dataset, prov.wave, json.loads(hit[1]), True)
        result = screen(stored.data, stored.codebook, ruleset)
        flow = result.to_dict()
        excluded = result.excluded_rows()
        with wh.transaction() as con:
            sid = wh.next_id("screenings", "screening_id")
            con.execute(
                "INSERT INTO screenings VALUES (?, ?, ?, ?, ?, ?)",
                [sid, prov.load_id, ruleset.sha256, json.dumps(ruleset.to_dict(), ensure_ascii=False),
                 json.dumps(flow, ensure_ascii=False), wh.now()],
            )
            frame = pd.DataFrame(
                {
                    "screening_id": sid,
                    "_row": excluded["_row"].astype("int64"),
                    "step": excluded["step"].astype("int64"),
                    "rule": excluded["rule"].astype("string"),
                }
            )
            con.register("_flexemp_excl", frame)
            con.execute(
                "INSERT INTO screen_exclusions SELECT screening_id, _row, step, rule FROM _flexemp_excl"
            )
            con.unregister("_flexemp_excl")
        return StoredScreening(sid, prov.load_id, prov.dataset, prov.wave, flow, False)


def excluded_rows(screening_id: int, *, db: str | Path | None = None) -> pd.DataFrame:
    """The rows a screening excluded: ``_row``, ``step``, ``rule`` (ordered by row)."""
    with Warehouse(db, read_only=True) as wh:
        return wh.con.execute(
            "SELECT _row, step, rule FROM screen_exclusions WHERE screening_id = ? ORDER BY _row",
            [screening_id],
        ).df()


def screened_data(screening_id: int, *, db: str | Path | None = None) -> pd.DataFrame:
    """The rows a screening kept (the analysis sample), ordered by ``_row``."""
    with Warehouse(db, read_only=True) as wh:
        row = wh.con.execute("SELECT load_id FROM screenings WHERE screening_id = ?", [screening_id]).fetchone()
        if row is None:
            from flexemp.core.errors import WarehouseError

            raise WarehouseError(f"no screening with id {screening_id}")
        table = f"data_{int(row[0])}"
        return wh.con.execute(
            f"SELECT d.* FROM {table} d ANTI JOIN screen_exclusions e "
            "ON e.screening_id = ? AND e._row = d._row ORDER BY d._row",
            [screening_id],
        ).df()
