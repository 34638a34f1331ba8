"""A small multi-wave ``flex_sentiment`` warehouse, ingested and screened like the demo (for fixtures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from flexemp.demo import demo_rules_path
from flexemp.synth.export import codebook_path_for, write_synthetic
from flexemp.warehouse.load import ingest
from flexemp.warehouse.screenings import screen_wave

WAVES = ("2022Q1", "2022Q2")


def build_small_warehouse(root: Path, *, n: int, key: str, extra_rules: str = "", waves: tuple[str, ...] = WAVES) -> Path:
    """Write ``n`` synthetic respondents per wave, ingest and screen them into ``root/w.duckdb``.

    Screening uses the demo's rules for ``flex_sentiment`` plus ``extra_rules`` (YAML list items
    appended to its ``rules:``); ``FLEXEMP_HOME`` and the pseudonym ``key`` are set for the build only.
    """
    db = root / "w.duckdb"
    rules = demo_rules_path("flex_sentiment").read_text(encoding="utf-8") + extra_rules
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FLEXEMP_HOME", str(root / "home"))
        mp.setenv("FLEXEMP_PSEUDONYM_KEY", key)
        for wave in waves:
            raw = write_synthetic("flex_sentiment", root / f"fs_{wave}.csv", n=n, wave=wave)
            ingest(raw, codebook_path_for(raw), wave, db=db)
            screen_wave(wave, rules, dataset="flex_sentiment", db=db)
    return db
