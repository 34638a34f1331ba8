"""Load a study's data: source, validation, screening per wave, direct identifiers dropped, weights.

The result, :class:`StudyData`, is what every analysis reads: the screened
frame (stored column names, a ``wave`` column when the study has waves), its
codebook, the sample flow of each wave and, when the study computes weights,
the weighting result.  Rows that fail validation are counted in the flow as a
first step ("未通过数据校验"), never lost silently.

An embedded dataset (``data: {dataset: NAME}``) is read as collected when the
study screens (``screening`` given): the valid rows followed by the invalid
questionnaires the dataset defines (``generate(collected=True)``; seed 001:
103 questionnaires, 3 removed by the screening rules), so the flow shows what
the survey removed.  Without screening the study reads the valid sample.

Weights (study key ``weights``) are a column name or a mapping::

    weights:
      method: rake                       # rake | poststrat
      census: {province: province}       # codebook variable: census table (levels matched by label)
      margins: {sex: {1: 0.51, 2: 0.49}} # and/or explicit margins {variable: {code: share}}
      compare: {sex: sex, age_band: {table: age_group_16,
                groups: {"0-15岁": null, "16-59岁": [1, 2, 3, 4, 5], "60岁及以上": [6]}}}
      after: 剔除16岁以下样本            # weight the sample after this screening step (default: last)
      trim: [0.3, 3]
      by_wave: true

``census`` takes the 7th-census tables of :mod:`flexemp.weighting.census`; a table may
be given as ``{table: T, level_map: {census level: code or null}}`` when the labels
differ.  ``compare`` sets census margins that are *not* weighted to, shown before and
after weighting (seed 004 keeps the sample's sex and age structure); ``groups`` assigns
the sample's codes to census levels.  With ``after``, the weights are computed on the
sample kept up to that screening step and later steps select the analysed population
from the weighted sample (seed 004: weight the 26,252 adults, then pick the flexible
workers).  The census citations are kept in ``StudyData.source["census"]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from flexemp.codebook import Codebook, load_codebook
from flexemp.core.errors import StudyError
from flexemp.core.types import SampleFlowStep
from flexemp.study.schema import StudySpec

WEIGHT_COLUMN = "weight"
WEIGHT_KEYS = {"method", "margins", "census", "compare", "after", "base_weight", "trim", "by_wave"}
_FINAL = "_in_final_sample"


@dataclass
class WaveFlow:
    """The sample flow of one wave: rows read, rows failing validation, then each screening step."""

    wave: str | None
    n_read: int
    n_invalid: int
    steps: tuple[SampleFlowStep, ...]
    n_final: int
    weighted_step: int | None = None  # weights computed on the rows kept after this step
    weighted_share: float | None = None  # Σw(final) / Σw(weighted sample) when weighted_step < last

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for results.json."""
        return {"wave": self.wave, "n_read": self.n_read, "n_invalid": self.n_invalid,
                "steps": [s.to_dict() for s in self.steps], "n_final": self.n_final,
                "weighted_step": self.weighted_step, "weighted_share_final": self.weighted_share}


@dataclass
class StudyData:
    """The screened (and possibly weighted) data of a study."""

    frame: pd.DataFrame
    codebook: Codebook
    flows: list[WaveFlow]
    source: dict[str, Any]
    weights: str | None = None
    weighting: Any = None  # WeightingResult or list of them (one per wave)
    rules: list[dict[str, Any]] = field(default_factory=list)  # the screening rules applied
    comparisons: list[pd.DataFrame] = field(default_factory=list)  # per weighting: unweighted census margins

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
        collected = spec.screening is not None  # screened studies read the questionnaires as collected
        frames = [(w, ds.generate(n=data.get("n"), seed=data.get("seed"), wave=w, collected=collected))
                  for w in waves]
        return frames, ds.codebook(), {"dataset": ds.name, "embedded": True, "waves": waves,
                                      "seed_document": ds.seed_document, "collected": collected}
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
    stage = _weight_stage(spec, rules)
    kept_frames: list[pd.DataFrame] = []
    flows: list[WaveFlow] = []
    for wave, raw in frames:
        if prevalidated:
            valid, n_invalid = raw, 0
        else:
            vd = validate(raw, codebook)
            valid, n_invalid = vd.data, len(vd.quarantine)
        steps: tuple[SampleFlowStep, ...] = ()
        final = pd.Series(True, index=valid.index)
        if rules is not None:
            res = screen(valid, codebook, rules)
            steps = res.flow
            final = res.kept
            if stage is not None:  # keep the rows the weights are computed on
                step_no = res.excluded_by.map({s.rule: s.step for s in res.flow}).fillna(0).astype(int)
                alive = final.to_numpy() | (step_no.to_numpy() > stage)
                valid, final = valid.loc[alive], final.loc[alive]
            else:
                valid, final = valid.loc[final.to_numpy()], final.loc[final.to_numpy()]
        valid = valid.assign(**{_FINAL: final.to_numpy(bool)})
        if wave is not None and "wave" not in valid.columns:
            valid = valid.assign(wave=wave)
        flows.append(WaveFlow(wave, len(raw), n_invalid, steps, int(final.sum())))
        kept_frames.append(valid)
    frame = pd.concat(kept_frames, ignore_index=True) if len(kept_frames) > 1 else kept_frames[0].reset_index(drop=True)
    direct = [c for v in codebook.direct_identifiers() for c in v.stored_columns() if c in frame.columns]
    frame = frame.drop(columns=direct)  # personal data never reaches tables, JSON or charts
    out = StudyData(frame, codebook, flows, source)
    if rules is not None:
        out.rules = list(rules.to_dict().get("rules", []))
    _apply_weights(spec, out, stage)
    final_rows = out.frame[_FINAL].to_numpy(bool)
    if not final_rows.all():
        out.frame = out.frame.loc[final_rows].reset_index(drop=True)
    out.frame = out.frame.drop(columns=[_FINAL])
    return out


def _weight_stage(spec: StudySpec, rules: Any) -> int | None:
    """The screening step after which weights are computed (None: the final sample)."""
    w = spec.weights
    if not isinstance(w, dict) or w.get("after") is None:
        return None
    names = list(rules.names) if rules is not None else []
    after = w["after"]
    if isinstance(after, int) and not isinstance(after, bool) and 0 <= after <= len(names):
        step = after
    elif str(after) in names:
        step = names.index(str(after)) + 1
    else:
        raise StudyError(f"weights.after: {after!r} is not a screening step; give a rule name "
                         f"({', '.join(names) or 'no rules'}) or a step number 0-{len(names)}")
    return None if step == len(names) else step


def _apply_weights(spec: StudySpec, sd: StudyData, stage: int | None) -> None:
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
    margins: dict[str, Any] = {}
    explicit = w.get("margins")
    if explicit is not None:
        if not isinstance(explicit, dict) or not explicit:
            raise StudyError("weights.margins must map each variable to {level: share or count}")
        margins = {var: {_level(k): float(v) for k, v in levels.items()} for var, levels in explicit.items()}
    census, sources = _census_margins(w.get("census"), sd.codebook, "census")
    both = sorted(set(census) & set(margins))
    if both:
        raise StudyError(f"weights: {both} appear in both margins and census; give each variable once")
    margins.update(census)
    if not margins:
        raise StudyError("weights needs margins: {variable: {level: share}} or census: {variable: TABLE}")
    compare, compare_sources = _census_comparisons(w.get("compare"), sd.codebook)
    trim = tuple(w["trim"]) if w.get("trim") is not None else None
    base = w.get("base_weight")

    def fit(frame: pd.DataFrame) -> Any:
        if method == "rake":
            return rake(frame, margins, base_weight=base, trim=trim)  # type: ignore[arg-type]
        return poststratify(frame, margins, base_weight=base)  # type: ignore[arg-type]

    by_wave = w.get("by_wave", True) and "wave" in sd.frame.columns and sd.frame["wave"].nunique() > 1
    parts = list(sd.frame.groupby("wave", sort=False)) if by_wave else [(None, sd.frame)]
    weights = pd.Series(index=sd.frame.index, dtype=float)
    results = []
    for _, part in parts:
        r = fit(part)
        weights.loc[part.index] = r.weights
        results.append(r)
        sd.comparisons.append(_compare_table(part, r.weights, compare))
    sd.weighting = results
    sd.frame = sd.frame.assign(**{WEIGHT_COLUMN: weights.to_numpy()})
    sd.weights = WEIGHT_COLUMN
    if sources or compare_sources:
        sd.source["census"] = {"weighted": sources, "compared": compare_sources}
    if stage is not None:
        sd.source["weighted_after_step"] = stage
        final = sd.frame[_FINAL].to_numpy(bool)
        wave_col = sd.frame["wave"].astype(str).to_numpy() if "wave" in sd.frame.columns else None
        w_all = weights.to_numpy(float)
        for flow in sd.flows:
            sel = np.ones(len(final), bool) if wave_col is None or flow.wave is None else wave_col == str(flow.wave)
            flow.weighted_step = stage
            flow.weighted_share = float(w_all[sel & final].sum() / w_all[sel].sum())


def _source_brief(table: str) -> dict[str, Any]:
    from flexemp.weighting.census import census_source

    src = census_source(table)
    return {"table": table, "census": src["census"]["zh"], "title_zh": src["title_zh"],
            "title_en": src["title_en"], "source": src["source"]["title"], "issuer": src["source"]["issuer"],
            "date": src["source"]["date"], "reference_time": src["census"]["reference_time"]}


def _census_spec(var: str, spec: Any, key: str) -> tuple[str, Any]:
    if isinstance(spec, str):
        return spec, None
    if isinstance(spec, dict) and isinstance(spec.get("table"), str):
        extra = set(spec) - {"table", "level_map", "groups"}
        if extra:
            raise StudyError(f"weights.{key}.{var}: unknown key(s) {sorted(extra)}; use table and level_map/groups")
        return spec["table"], spec.get("level_map", spec.get("groups"))
    raise StudyError(f"weights.{key}.{var}: give a census table name (province, region, sex, age_group, "
                     f"age_group_16) or {{table: NAME, level_map: {{census level: code}}}}")


def _census_margins(spec: Any, codebook: Codebook, key: str) -> tuple[dict[str, pd.Series], dict[str, Any]]:
    """``{variable: census share Series}`` for raking, with the citation of each table."""
    from flexemp.core.errors import FlexempError
    from flexemp.weighting.census import census_margins, level_map_from_codebook

    if spec is None:
        return {}, {}
    if not isinstance(spec, dict) or not spec:
        raise StudyError(f"weights.{key} must map codebook variables to census tables, e.g. {{province: province}}")
    out: dict[str, pd.Series] = {}
    sources: dict[str, Any] = {}
    for var, item in spec.items():
        table, level_map = _census_spec(str(var), item, key)
        if var not in codebook:
            raise StudyError(f"weights.{key}: {var!r} is not a codebook variable")
        try:
            lm = (level_map_from_codebook(codebook[var], table) if level_map is None
                  else {str(k): (None if v is None else _level(v)) for k, v in level_map.items()})
            m = census_margins(table, level_map=lm)
        except FlexempError as exc:
            raise StudyError(f"weights.{key}.{var}: {exc}") from exc
        out[str(var)] = pd.Series(m.to_numpy(float), index=pd.Index([_level(x) for x in m.index], dtype=object))
        sources[str(var)] = _source_brief(table)
    return out, sources


def _census_comparisons(spec: Any, codebook: Codebook) -> tuple[dict[str, tuple[pd.Series, dict[float, str]]], dict[str, Any]]:
    """``{variable: (census shares by census level, {code: census level})}`` for margins only compared."""
    from flexemp.core.errors import FlexempError
    from flexemp.weighting.census import census_margins, level_map_from_codebook

    if spec is None:
        return {}, {}
    if not isinstance(spec, dict) or not spec:
        raise StudyError("weights.compare must map codebook variables to census tables, e.g. {sex: sex}")
    out: dict[str, tuple[pd.Series, dict[float, str]]] = {}
    sources: dict[str, Any] = {}
    for var, item in spec.items():
        table, groups = _census_spec(str(var), item, "compare")
        if var not in codebook:
            raise StudyError(f"weights.compare: {var!r} is not a codebook variable")
        try:
            if groups is None:
                groups = {lev: [code] for lev, code in level_map_from_codebook(codebook[var], table).items()}
            if not isinstance(groups, dict):
                raise StudyError(f"weights.compare.{var}.groups must map census levels to codes (or null)")
            keep = {str(k): (str(k) if v is not None else None) for k, v in groups.items()}
            shares = census_margins(table, level_map=keep)
        except FlexempError as exc:
            raise StudyError(f"weights.compare.{var}: {exc}") from exc
        code_to_level: dict[float, str] = {}
        for lev, codes in groups.items():
            for c in ([] if codes is None else codes if isinstance(codes, list) else [codes]):
                code_to_level[float(c)] = str(lev)
        out[str(var)] = (shares, code_to_level)
        sources[str(var)] = _source_brief(table)
    return out, sources


def _compare_table(frame: pd.DataFrame, weights: pd.Series,
                   compare: dict[str, tuple[pd.Series, dict[float, str]]]) -> pd.DataFrame:
    """Census share, unweighted and weighted sample share of each census level (vectorised)."""
    rows = []
    for var, (shares, code_to_level) in compare.items():
        if var not in frame.columns:
            raise StudyError(f"weights.compare: column {var!r} is not in the data")
        col = pd.to_numeric(frame[var], errors="coerce")
        lev = col.map(code_to_level)
        unassigned = col.notna() & lev.isna()
        if unassigned.any():
            raise StudyError(f"weights.compare.{var}: code(s) {sorted(col[unassigned].unique().tolist())[:5]} are "
                             "assigned to no census level; list them under groups")
        ok = lev.notna().to_numpy()
        w = weights.loc[frame.index].to_numpy(float)
        before = lev[ok].value_counts(normalize=True)
        after = pd.Series(w[ok]).groupby(lev[ok].to_numpy()).sum()
        after = after / after.sum()
        for level, target in shares.items():
            rows.append({"variable": var, "level": level, "target": float(target),
                         "before": float(before.get(level, 0.0)), "after": float(after.get(level, 0.0))})
    return pd.DataFrame(rows, columns=["variable", "level", "target", "before", "after"])


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
