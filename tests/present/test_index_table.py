"""The shared diffusion-index cells: ordinary, missing and suppressed cells, stars at the p boundaries, one rule."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import yaml

from flexemp.present.index_table import (
    DASH,
    difference_cells,
    index_cells,
    suppressed_cells,
    suppression_note,
    wave_columns,
    wave_row_cells,
)
from flexemp.present.stars import star_marks


def _texts(cells):
    return [c.text for c in cells]


# ------------------------------------------------------------------ index cells
def test_an_ordinary_index_has_one_decimal_and_its_interval():
    r = pd.Series({"index": 61.649, "conf_low": 58.2149, "conf_high": 65.0851, "n": 412, "suppressed": False})
    idx, ci = index_cells(r, min_n=30)
    assert (idx.text, ci.text) == ("61.6", "[58.2, 65.1]")
    assert idx.value == 61.649 and idx.is_number  # the full number is kept for results.json / XLSX
    assert ci.value is None


@pytest.mark.parametrize(("n", "min_n", "second"), [(12, 30, "n=12"), (0, 30, "n=0"), (29, 30, "n=29"),
                                                     (None, 30, "n<30"), (None, 50, "n<50")])
def test_a_suppressed_cell_reads_dash_and_gives_the_count_when_it_is_known(n, min_n, second):
    cells = suppressed_cells(n, min_n)
    assert _texts(cells) == [DASH, second]
    assert all(c.value is None for c in cells)  # no number of a suppressed estimate leaks into results.json


def test_a_suppressed_index_record_hides_its_numbers():
    r = {"index": 48.7, "conf_low": 40.0, "conf_high": 57.4, "n": np.int64(12), "suppressed": np.bool_(True)}
    assert _texts(index_cells(r, min_n=30)) == [DASH, "n=12"]
    assert _texts(index_cells(r, min_n=30)) == _texts(suppressed_cells(12, 30))
    no_count = {"index": float("nan"), "n": float("nan"), "suppressed": True}
    assert _texts(index_cells(no_count, min_n=30)) == [DASH, "n<30"]


def test_missing_cells_and_missing_values():
    assert _texts(index_cells(None, min_n=30)) == ["", ""]
    assert _texts(difference_cells(None, "change", min_n=30)) == ["", ""]
    nan = {"index": math.nan, "conf_low": math.nan, "conf_high": math.nan, "n": 40, "suppressed": False}
    assert _texts(index_cells(nan, min_n=30)) == [DASH, ""]
    assert _texts(difference_cells({"change": None, "p_value": None, "suppressed": False}, "change", min_n=30)) == [
        DASH, ""]


# ------------------------------------------------------------------ differences and stars
@pytest.mark.parametrize(("p", "stars", "p_text"), [
    (0.0099, "***", "0.010"), (0.01, "**", "0.010"), (0.0499, "**", "0.050"), (0.05, "*", "0.050"),
    (0.0999, "*", "0.100"), (0.10, "", "0.100"), (0.5, "", "0.500"), (2e-9, "***", "<0.001"),
])
def test_stars_follow_star_marks_at_the_boundaries(p, stars, p_text):
    r = {"change": -2.349, "p_value": p, "suppressed": False}
    diff, pv = difference_cells(r, "change", min_n=30)
    assert stars == star_marks(p)  # one rule for every table
    assert diff.text == f"-2.3{stars}" and diff.value == -2.349 and diff.stars == stars
    assert pv.text == p_text and pv.value == p


def test_a_gap_uses_its_column_and_its_count_when_suppressed():
    ok = {"gap": 3.26, "change": 99.0, "p_value": 0.2, "n": 80, "suppressed": False}
    assert _texts(difference_cells(ok, "gap", min_n=30)) == ["3.3", "0.200"]
    assert _texts(difference_cells({"gap": None, "n": 7, "suppressed": True}, "gap", min_n=30)) == [DASH, "n=7"]
    # a change between independent waves has no single count
    assert _texts(difference_cells({"change": None, "suppressed": True}, "change", min_n=30)) == [DASH, "n<30"]


# ------------------------------------------------------------------ layout and note
def test_wave_columns_and_row_cells_line_up():
    cols, groups = wave_columns(["2022Q1", "2022Q2"], change=True, lang="en")
    assert cols == ["Index", "95% CI", "Index", "95% CI", "Change", "p"]
    assert [(g.label, g.span) for g in groups] == [("2022Q1", 2), ("2022Q2", 2), ("Change", 2)]
    cols0, groups0 = wave_columns([None], change=False, lang="zh")
    assert cols0 == ["指数", "95%置信区间"] and [(g.label, g.span) for g in groups0] == [("指数", 2)]
    q1 = {"index": 55.0, "conf_low": 51.0, "conf_high": 59.0, "n": 300, "suppressed": False}
    row = wave_row_cells([q1, None], {"change": 1.0, "p_value": 0.04, "suppressed": False}, change_columns=True,
                         min_n=30)
    assert len(row) == len(cols) and _texts(row) == ["55.0", "[51.0, 59.0]", "", "", "1.0**", "0.040"]
    assert len(wave_row_cells([q1], None, change_columns=False, min_n=30)) == 2
    assert _texts(wave_row_cells([q1], None, change_columns=True, min_n=30))[2:] == ["", ""]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_note_states_the_rule_with_the_threshold(lang):
    note = suppression_note(25, lang)
    assert "25" in note and DASH in note and "n=12" in note and "n<25" in note
    assert ("不予发布" in note) == (lang == "zh") and ("not published" in note) == (lang == "en")


# ------------------------------------------------------------------ one rule in the study and the dashboard
def test_the_study_and_the_dashboard_render_a_suppressed_cell_identically(tmp_path, monkeypatch):
    """The same wave through ``flexemp run`` (index analysis) and ``flexemp serve`` (wave page)."""
    from flexemp.demo import demo_rules_path
    from flexemp.study.run import run_study
    from flexemp.synth.export import codebook_path_for, write_synthetic
    from flexemp.warehouse.load import ingest
    from flexemp.warehouse.screenings import screen_wave
    from flexemp.web.data import load_dashboard
    from flexemp.web.views import wave_page

    monkeypatch.setenv("FLEXEMP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FLEXEMP_PSEUDONYM_KEY", "index-table-test-key-0123456789")
    db, wave, rules = tmp_path / "w.duckdb", "2022Q2", demo_rules_path("flex_sentiment")
    raw = write_synthetic("flex_sentiment", tmp_path / "fs.csv", n=400, wave=wave)
    ingest(raw, codebook_path_for(raw), wave, db=db)
    screen_wave(wave, rules, dataset="flex_sentiment", db=db)
    min_n = 10_000  # above the sample size: every cell is suppressed

    dash = load_dashboard(db, min_n=min_n, weighting="none")
    page = wave_page(dash, dash.waves[0], "zh").tables[0]
    shown = {r.label: _texts(r.cells[:2]) for r in page.rows}

    study = {
        "study": "same_cells", "title": "同一规则", "language": "zh",
        "data": {"warehouse": {"db": str(db), "wave": wave, "dataset": "flex_sentiment"}},
        "screening": str(rules), "min_n": min_n, "outputs": ["json"],
        "analyses": [{"id": "t1", "type": "index", "title": "表1", "variables": list(dash.variables),
                      "chart": False, "text": False}],
    }
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(study, allow_unicode=True), encoding="utf-8")
    run_study(path, tmp_path / "out")
    res = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    a = next(x for x in res["analyses"] if x["id"] == "t1")
    rows = [r for r in a["tables"][0]["rows"] if r["kind"] == "body"]
    study_shown = {r["label"]: [c["text"] for c in r["cells"]] for r in rows}
    counts = {r["var"]: r["n"] for r in a["results"]["indices"]}

    assert set(study_shown) == set(shown) and len(shown) == len(dash.variables) >= 3
    for var in dash.variables:
        label = dash.codebook[var].label("zh")
        assert study_shown[label] == shown[label] == [DASH, f"n={counts[var]}"]
        assert 0 < counts[var] < min_n
    assert suppression_note(min_n, "zh") in page.notes[0] and suppression_note(min_n, "zh") in a["tables"][0]["notes"][0]
