"""Load a study's data: source, validation, screening per wave, direct identifiers dropped, weights.

The result, :class:`StudyData`, is what every analysis reads: the screened
frame (stored column names, a ``wave`` column when the study has waves), its
codebook, the sample flow of each wave and, when the study computes weights,
the weighting result.  Rows that fail validation are counted in the flow as a
first step ("未通过数据校验"), never lost silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from flexemp.codebook import Codebook, load_codebook
from flexemp.core.errors import StudyError
from flexemp.core.types import SampleFlowStep
from flexemp.study.schema import StudySpec

WEIGHT_COLUMN = "weight"
WEIGHT_KEYS = {"method", "margins", "base_weight", "trim", "by_wave"}


@dataclass
class WaveFlow:
    """The sample flow of one wave: rows read, rows failing validation, then each screening step."""

    wave: str | None
    n_read: int
    n_invalid: int
    steps: tuple[SampleFlowStep, ...]
    n_final: int

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for results.json."""
        return {"wave": self.wave, "n_read": self.n_read, "n_invalid": self.n_invalid,
                "steps": [s.to_dict() for s in self.steps], "n_final": self.n_final}


@dataclass
class StudyData:
    """The screened (and possibly weighted) data of a study."""

    frame: pd.DataFrame
    codebook: Codebook
    flows: list[WaveFlow]
    source: dict[str, Any]
    weights: str | None = None
    weighting: Any = None  # WeightingResult or list of them (one per wave)
    extra_columns: set[str] = field(default_factory=set)

    @property
    def waves(self) -> list[str]:
        """The study's waves in order ([] without waves)."""
        if "wave" not in self.frame.columns:
            return []
        return list(dict.fromkeys(self.frame["wave"].astype(str)))


def _waves(data: dict[str, Any]) -> list[str | None]:
    if "waves" in data:
        waves = data["waves"]
        if not isinstance(waves, list) or not waves:
            raise StudyError("data.waves must be a non-empty list of wave names")
        return [str(w) for w in waves]
    return [str(data["wave"])] if data.get("wave") is not None else [None]


def _load_frames(spec: StudySpec) -> tuple[list[tuple[str | None, pd.DataFrame]], Codebook, dict[str, Any]]:
    """Raw frames per wave (source column names) and the codebook."""
    data = spec.data
    if "dataset" in data:
        from flexemp.synth import get_dataset

        ds = get_dataset(str(data["dataset"]))
        waves = _waves(data)
        if waves == [None] and ds.waves:
            waves = [ds.default_wave]
        frames = [(w, ds.generate(n=data.get("n"), seed=data.get("seed"), wave=w)) for w in waves]
        return frames, ds.codebook(), {"dataset": ds.name, "embedded": True, "waves": waves,
                                      "seed_document": ds.seed_document}
    if "file" in data:
        from flexemp.io.readers import read_data

        path = spec.base_dir / str(data["file"])
        cb = load_codebook(spec.base_dir / str(data["codebook"]))
        raw = read_data(path)
        return [(data.get("wave"), raw.frame)], cb, {"file": str(data["file"]), "embedded": False}
    raise AssertionError("warehouse data are loaded by _load_warehouse")


def _load_warehouse(spec: StudySpec) -> tuple[list[tuple[str | None, pd.DataFrame]], Codebook, dict[str, Any]]:
    from flexemp.warehouse.store import Warehouse

    wh = spec.data["warehouse"]
    if not isinstance(wh, dict) or "db" not in wh:
        raise StudyError("data.warehouse needs db: PATH and wave: NAME (or waves: [...])")
    db = spec.base_dir / str(wh["db"])
    if not db.exists():
        raise StudyError(f"data.warehouse.db: no warehouse at {db}")
    frames: list[tuple[str | None, pd.DataFrame]] = []
    codebook: Codebook | None = None
    with Warehouse(db) as store:
        for w in _waves(wh):
            stored = store.wave(str(w), wh.get("dataset"))
            frames.append((w, stored.data))
            codebook = codebook or stored.codebook
    assert codebook is not None
    return frames, codebook, {"warehouse": str(wh["db"]), "dataset": wh.get("dataset"), "embedded": False}


def _rules(spec: StudySpec, codebook: Codebook) -> Any:
    from flexemp.screening.rules import load_rules

    s = spec.screening
    if s is None:
        return None
    if s == "builtin":
        if "dataset" not in spec.data:
            raise StudyError("screening: builtin is only for embedded datasets; give a rules file")
        from flexemp.demo import demo_rules_path

        return load_rules(demo_rules_path(str(spec.data["dataset"])), codebook)
    if isinstance(s, str):
        path = spec.base_dir / s
        if not path.exists():
            raise StudyError(f"screening: rules file not found: {path}")
        return load_rules(path, codebook)
    return load_rules(s, codebook)


def load_study_data(spec: StudySpec) -> StudyData:
    """Read, validate, screen and weight the study's data (see the module docstring)."""
    from flexemp.ingest.validate import validate
    from flexemp.screening.flow import screen

    if "warehouse" in spec.data:
        frames, codebook, source = _load_warehouse(spec)
        prevalidated = True
    else:
        frames, codebook, source = _load_frames(spec)
        prevalidated = False
    rules = _rules(spec, codebook)
    kept_frames: list[pd.DataFrame] = []
    flows: list[WaveFlow] = []
    for wave, raw in frames:
        if prevalidated:
            valid, n_invalid = raw, 0
        else:
            vd = validate(raw, codebook)
            valid, n_invalid = vd.data, len(vd.quarantine)
        steps: tuple[SampleFlowStep, ...] = ()
        if rules is not None:
            res = screen(valid, codebook, rules)
            steps = res.flow
            valid = valid.loc[res.kept.to_numpy()]
        if wave is not None and "wave" not in valid.columns:
            valid = valid.assign(wave=wave)
        flows.append(WaveFlow(wave, len(raw), n_invalid, steps, len(valid)))
        kept_frames.append(valid)
    frame = pd.concat(kept_frames, ignore_index=True) if len(kept_frames) > 1 else kept_frames[0].reset_index(drop=True)
    direct = [c for v in codebook.direct_identifiers() for c in v.stored_columns() if c in frame.columns]
    frame = frame.drop(columns=direct)  # personal data never reaches tables, JSON or charts
    out = StudyData(frame, codebook, flows, source)
    _apply_weights(spec, out)
    return out


def _apply_weights(spec: StudySpec, sd: StudyData) -> None:
    w = spec.weights
    if w is None:
        return
    if isinstance(w, str):
        if w not in sd.frame.columns:
            raise StudyError(f"weights: column {w!r} is not in the data")
        sd.weights = w
        return
    if not isinstance(w, dict):
        raise StudyError("weights must be a column name or a mapping {method: rake, margins: {...}}")
    unknown = set(w) - WEIGHT_KEYS
    if unknown:
        raise StudyError(f"weights: unknown key(s) {sorted(unknown)}; allowed: {sorted(WEIGHT_KEYS)}")
    from flexemp.weighting.calibrate import poststratify, rake

    method = w.get("method", "rake")
    if method not in ("rake", "poststrat"):
        raise StudyError(f"weights.method must be 'rake' or 'poststrat' (got {method!r})")
    margins = w.get("margins")
    if not isinstance(margins, dict) or not margins:
        raise StudyError("weights.margins must map each variable to {level: share or count}")
    margins = {var: {_level(k): float(v) for k, v in levels.items()} for var, levels in margins.items()}
    trim = tuple(w["trim"]) if w.get("trim") is not None else None
    base = w.get("base_weight")

    def fit(frame: pd.DataFrame) -> Any:
        if method == "rake":
            return rake(frame, margins, base_weight=base, trim=trim)  # type: ignore[arg-type]
        return poststratify(frame, margins, base_weight=base)  # type: ignore[arg-type]

    if w.get("by_wave", True) and "wave" in sd.frame.columns and sd.frame["wave"].nunique() > 1:
        results = []
        weights = pd.Series(index=sd.frame.index, dtype=float)
        for _, part in sd.frame.groupby("wave", sort=False):
            r = fit(part)
            weights.loc[part.index] = r.weights
            results.append(r)
        sd.weighting = results
    else:
        r = fit(sd.frame)
        weights = r.weights
        sd.weighting = [r]
    sd.frame = sd.frame.assign(**{WEIGHT_COLUMN: weights.to_numpy()})
    sd.weights = WEIGHT_COLUMN
    sd.extra_columns.add(WEIGHT_COLUMN)


def _level(key: Any) -> Any:
    """YAML keys of margins: numbers stay numbers (codes are floats in validated data)."""
    if isinstance(key, bool):
        return key
    if isinstance(key, int | float):
        return float(key)
    try:
        return float(key)
    except (TypeError, ValueError):
        return key
