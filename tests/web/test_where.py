"""The population condition (``--where`` / ``where=``): seed 004's flexible workers on the dashboard."""

from __future__ import annotations

import csv
import io
import json
from html import escape

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import flexemp
from flexemp.cli import app
from flexemp.core.errors import ScreeningError
from flexemp.web.data import load_dashboard
from flexemp.web.site import Site

from .conftest import WAVES
from .test_site import RTOL, _index, _region_weights, _screened

FLEX = "emp_status == 1 and (job_type == 2 or (job_type == 3 and biz_registered == 0))"
VARS = ["emp_change", "inc_change", "cons_change", "emp_expect", "inc_expect", "cons_expect"]


def _flexible(data: pd.DataFrame) -> np.ndarray:
    """Seed 004's rule written directly in pandas (a missing answer compares False, as 'unknown' is left out)."""
    jt = data["job_type"]
    return ((data["emp_status"] == 1) & ((jt == 2) | ((jt == 3) & (data["biz_registered"] == 0)))).to_numpy(bool)


@pytest.fixture(scope="module")
def flex_dashboard(small_db):
    return load_dashboard(small_db, where=FLEX)


@pytest.fixture(scope="module")
def flex_site(flex_dashboard):
    return Site(flex_dashboard)


def _json(res):
    return json.loads(res.body.decode("utf-8"))


@pytest.mark.parametrize("wave", WAVES)
def test_indices_are_those_of_the_flexible_workers_weighted_on_all_screened_rows(flex_site, small_db, wave):
    data, cb = _screened(small_db, wave)
    w_all = _region_weights(data, cb)  # weights first, on every screened row (seed 004's order) ...
    keep = _flexible(data)
    sub, w = data[keep].reset_index(drop=True), w_all[keep]  # ... then the flexible-worker subset
    assert 30 < keep.sum() < len(data)
    ref = flexemp.diffusion_index(sub.assign(_w=w), VARS, weights="_w")
    recs = [r for r in _json(flex_site.handle("GET", "/.json"))["indices"] if r["wave"] == wave]
    assert [r["var"] for r in recs] == VARS
    w_sub = _region_weights(sub, cb)  # the other order (weights on the subset) gives other numbers
    differs = []
    for r, (_, x) in zip(recs, ref.iterrows(), strict=True):
        assert r["index"] == pytest.approx(_index(sub, r["var"], w), rel=RTOL)
        assert r["index"] == pytest.approx(float(x["index"]), rel=RTOL)
        assert r["se"] == pytest.approx(float(x["se"]), rel=RTOL)
        assert r["n"] == int(keep.sum())
        differs.append(abs(r["index"] - _index(sub, r["var"], w_sub)) > 1e-6)
    assert any(differs)


def test_breakdowns_and_weighting_use_the_population(flex_site, small_db):
    data, _ = _screened(small_db, "2022Q2")
    keep = _flexible(data)
    doc = _json(flex_site.handle("GET", "/wave/2022Q2/industry.json"))
    counts = data.loc[keep, "industry"].value_counts()
    for r in doc["indices"]:
        if not r["suppressed"]:
            assert r["n"] == counts[r["group"]]
    assert doc["not_in_breakdown"] == int(data.loc[keep, "industry"].isna().sum())
    wave = _json(flex_site.handle("GET", "/wave/2022Q2.json"))
    assert wave["n_analysis"] == int(keep.sum())
    assert wave["weighting"]["diagnostics"]["n"] == len(data)  # the weights were formed on every screened row


def test_json_twins_carry_the_condition_and_n(flex_site, small_db):
    n = {wave: int(_flexible(_screened(small_db, wave)[0]).sum()) for wave in WAVES}
    screened = {wave: len(_screened(small_db, wave)[0]) for wave in WAVES}
    head = _json(flex_site.handle("GET", "/.json"))
    assert head["where"] == FLEX
    assert [(p["wave"], p["where"], p["n"], p["n_screened"]) for p in head["population"]] == [
        (wave, FLEX, n[wave], screened[wave]) for wave in WAVES]
    for wave in WAVES:
        for path in (f"/wave/{wave}.json", f"/wave/{wave}/occupation.json?lang=en"):
            doc = _json(flex_site.handle("GET", path))
            pop = doc["population"]
            assert doc["where"] == FLEX and pop["where"] == FLEX and pop["n"] == n[wave]
            assert pop["n_screened"] - pop["n_excluded"] == pop["n"]
            assert 0 <= pop["n_unknown"] <= pop["n_excluded"]


def test_every_page_states_the_condition_and_n(flex_site, small_db):
    n = {wave: int(_flexible(_screened(small_db, wave)[0]).sum()) for wave in WAVES}
    for lang, phrase in (("zh", "分析总体：满足条件"), ("en", "Population: respondents with")):
        q = "?lang=en" if lang == "en" else ""
        for path, waves in (("/", WAVES), *((f"/wave/{w}", (w,)) for w in WAVES),
                            *((f"/wave/{w}/industry", (w,)) for w in WAVES)):
            html = flex_site.handle("GET", path + q).body.decode()
            assert phrase in html and escape(FLEX) in html, (path, lang)
            assert all(f"{n[w]:,}" in html for w in waves)
    flow = list(csv.reader(io.StringIO(flex_site.handle("GET", "/wave/2022Q1.csv?table=flow").body.decode("utf-8-sig"))))
    row = next(r for r in flow if r[0].startswith("分析总体"))
    assert int(row[3]) == n["2022Q1"] and int(row[1]) == len(_screened(small_db, "2022Q1")[0])


def test_without_a_condition_the_pages_say_all_screened_respondents(site):
    assert "分析总体：全部筛选后受访者" in site.handle("GET", "/").body.decode()
    doc = _json(site.handle("GET", "/wave/2022Q1.json"))
    assert doc["where"] is None and doc["population"]["where"] is None
    assert doc["population"]["n"] == doc["n_analysis"] == doc["population"]["n_screened"]


@pytest.mark.parametrize(("where", "phrase"), [
    ("emp_stat == 1", "unknown variable 'emp_stat'"),
    ("emp_status ==", "cannot parse"),
    ("emp_status + 1", "not a condition"),
    ("  ", "where must be a condition"),
])
def test_a_bad_condition_is_refused(small_db, where, phrase):
    with pytest.raises(ScreeningError, match=phrase):
        load_dashboard(small_db, where=where)


def test_cli_refuses_a_bad_condition_before_serving(small_db):
    res = CliRunner().invoke(app, ["serve", "--db", str(small_db), "--port", "0", "--where", "emp_stat == 1"])
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert res.exit_code == 1 and "dashboard on" not in res.output
    assert lines[0].startswith("Error:") and "emp_stat" in res.output and "emp_status" in res.output
