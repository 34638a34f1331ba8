"""The dashboard in-process: pages, JSON twins, numbers, suppression, downloads, errors, methods, tokens."""

from __future__ import annotations

import csv
import hashlib
import http.client
import io
import json
import re

import numpy as np
import openpyxl
import pytest
from typer.testing import CliRunner

from flexemp.cli import app
from flexemp.core.errors import UnsupportedOptionError
from flexemp.warehouse.store import Warehouse
from flexemp.web.data import load_dashboard
from flexemp.web.server import make_server, resolve_token
from flexemp.web.site import Site
from flexemp.weighting.census import census_source

from .conftest import N_SMALL, WAVES

SCORES = {1: 1.0, 2: 0.5, 3: 0.0, 4: -0.5, 5: -1.0}
RTOL = 1e-10  # the same sums in another order
TOKEN = "s3cret-token-for-tests-0123"


def _json(res):
    return json.loads(res.body.decode("utf-8"))


def _screened(db, wave):
    with Warehouse(db, read_only=True) as wh:
        data = wh.wave(wave, "flex_sentiment").data
        cb = wh.codebook(wh.find_load(wave, "flex_sentiment"))
    return data[data["age_band"] != 0].reset_index(drop=True), cb


def _region_weights(data, cb):
    """Closed form of post-stratification: w = census share of the region × n / n in the region."""
    levels = census_source("region")["levels"]
    member = {m: lev["zh"] for lev in levels for m in lev["members"]}
    pop = {lev["zh"]: lev["population"] for lev in levels}
    total = sum(pop.values())
    region = data["province"].map({c.value: member[c.label_zh] for c in cb["province"].codes})
    n_r = region.map(region.value_counts())
    return (region.map(pop) / total * len(data) / n_r).to_numpy(float)


def _index(data, var, w):
    s = data[var].map(SCORES).to_numpy(float)
    ok = ~np.isnan(s)
    return 50.0 + 50.0 * float(np.sum(w[ok] * s[ok]) / np.sum(w[ok]))


# ------------------------------------------------------------------ numbers
@pytest.mark.parametrize("wave", WAVES)
def test_headline_json_equals_the_closed_form_with_census_region_weights(site, small_db, wave):
    data, cb = _screened(small_db, wave)
    assert len(data) < N_SMALL  # the under-16s were screened out
    w = _region_weights(data, cb)
    doc = _json(site.handle("GET", "/.json"))
    assert doc["ok"] is True and doc["page"] == "headline" and doc["waves"] == list(WAVES)
    recs = [r for r in doc["indices"] if r["wave"] == wave]
    assert [r["var"] for r in recs] == ["emp_change", "inc_change", "cons_change", "emp_expect", "inc_expect", "cons_expect"]
    for r in recs:
        assert r["index"] == pytest.approx(_index(data, r["var"], w), rel=RTOL)
        assert r["n"] == len(data)
        assert r["conf_low"] < r["index"] < r["conf_high"]


def test_unweighted_dashboard_equals_the_plain_mean(small_db):
    d = load_dashboard(small_db, weighting="none")
    data, _ = _screened(small_db, "2022Q2")
    got = Site(d).handle("GET", "/wave/2022Q2.json")
    rec = next(r for r in _json(got)["indices"] if r["var"] == "inc_expect")
    assert rec["index"] == pytest.approx(_index(data, "inc_expect", np.ones(len(data))), rel=RTOL)
    assert _json(got)["weighting"]["method"] == "none"


def test_wave_page_shows_the_sample_flow_and_weighting_diagnostics(site, small_db):
    data, cb = _screened(small_db, "2022Q1")
    doc = _json(site.handle("GET", "/wave/2022Q1.json"))
    step = doc["sample_flow"]["steps"][0]
    assert step["n_before"] == N_SMALL and step["n_after"] == len(data) == doc["n_analysis"]
    w = _region_weights(data, cb)
    diag = doc["weighting"]["diagnostics"]
    assert diag["deff_kish"] == pytest.approx(len(w) * np.sum(w**2) / np.sum(w) ** 2, rel=RTOL)
    assert {m["level"] for m in doc["weighting"]["margins"]} == {"东部", "中部", "西部", "东北"}
    html = site.handle("GET", "/wave/2022Q1").body.decode()
    assert "样本流程" in html and "加权诊断" in html and "Kish设计效应" in html


# ------------------------------------------------------------------ suppression
def test_small_cells_are_suppressed_in_every_format(small_db):
    data, _ = _screened(small_db, "2022Q2")
    counts = data["occupation"].value_counts()
    min_n = int(counts.sort_values().iloc[2]) + 1  # the three smallest occupations fall below it
    small = {float(c) for c in counts.index[counts < min_n]}
    assert 0 < len(small) < len(counts)
    dash = load_dashboard(small_db, min_n=min_n)
    site = Site(dash)
    doc = _json(site.handle("GET", "/wave/2022Q2/occupation.json"))
    for r in doc["indices"]:
        if r["group"] in small:
            assert r["suppressed"] and r["index"] is None and r["conf_low"] is None and r["n"] == counts[r["group"]]
        else:
            assert not r["suppressed"] and r["index"] is not None and r["n"] == counts[r["group"]]
    labels = {r["group_label"] for r in doc["indices"] if r["group"] in small}
    n_of = {(r["group_label"], r["var"]): r["n"] for r in doc["indices"]}
    code_of = {r["group_label"]: r["group"] for r in doc["indices"]}
    answers = {lab: [f"n={n_of[lab, v]}" for v in dash.variables] for lab in labels}
    rows = list(csv.reader(io.StringIO(site.handle("GET", "/wave/2022Q2/occupation.csv").body.decode("utf-8-sig"))))
    for row in rows[2:]:
        if row[0] in labels:  # the index "—", the next cell its number of answers (one rule with the study)
            assert row[1] == str(counts[code_of[row[0]]]) and row[2::2] == ["—"] * 6 and row[3::2] == answers[row[0]]
        else:
            assert re.fullmatch(r"\d+\.\d", row[2])
    html = site.handle("GET", "/wave/2022Q2/occupation").body.decode()
    for lab in labels:  # no chart mark for a suppressed group
        assert f'data-category="{lab}"' not in html


# ------------------------------------------------------------------ downloads
def test_csv_and_xlsx_hold_the_tables_as_shown(site):
    res = site.handle("GET", "/.csv")
    assert res.header("Content-Type").startswith("text/csv") and "attachment" in res.header("Content-Disposition")
    rows = list(csv.reader(io.StringIO(res.body.decode("utf-8-sig"))))
    assert rows[0][1:5] == ["2022Q1", "2022Q1", "2022Q2", "2022Q2"]
    doc = _json(site.handle("GET", "/.json"))
    q1 = next(r for r in doc["indices"] if r["wave"] == "2022Q1" and r["var"] == "emp_change")
    assert rows[2][0] == "本季度就业形势变化" and rows[2][1] == f"{q1['index']:.1f}"
    flow = list(csv.reader(io.StringIO(site.handle("GET", "/wave/2022Q1.csv?table=flow").body.decode("utf-8-sig"))))
    assert flow[0] == ["步骤", "筛选前", "剔除", "筛选后"]
    book = openpyxl.load_workbook(io.BytesIO(site.handle("GET", "/wave/2022Q1.xlsx?lang=en").body))
    assert len(book.sheetnames) == 4  # indices, flow, weights, margins
    values = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row if c is not None]
    assert "Sentiment indices (2022Q1)" in values
    assert any(isinstance(v, float) and abs(v - q1["index"]) < 1e-9 for v in values)


# ------------------------------------------------------------------ languages and pages
def test_english_switch_and_links(site):
    zh = site.handle("GET", "/wave/2022Q2/industry").body.decode()
    en = site.handle("GET", "/wave/2022Q2/industry?lang=en").body.decode()
    assert '<html lang="zh-CN">' in zh and "所在行业" in zh and "制造业" in zh
    assert '<html lang="en">' in en and "Manufacturing" in en and "制造业" not in en
    assert 'href="/wave/2022Q2/industry?lang=en"' in zh and 'href="/wave/2022Q2/industry"' in en
    assert 'href="/wave/2022Q2/industry.csv?lang=en&amp;table=indices"' in en


def test_every_page_has_a_json_twin_and_charts_with_marks(site):
    for path in ("/", "/wave/2022Q1", "/wave/2022Q2/industry", "/wave/2022Q2/occupation"):
        html = site.handle("GET", path).body.decode()
        twin = "/.json" if path == "/" else path + ".json"
        doc = _json(site.handle("GET", twin))
        assert doc["ok"] is True and doc["path"] == path
        assert html.count('class="fx-mark"') == sum(
            v is not None for c in doc["charts"] for s in c["series"] for v in s["values"])
        assert html.count("<svg") == len(doc["charts"]) >= 1


def test_no_external_resources_and_security_headers(site):
    res = site.handle("GET", "/")
    html = res.body.decode()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "default-src 'self'" in res.header("Content-Security-Policy")
    assert res.header("X-Content-Type-Options") == "nosniff"


# ------------------------------------------------------------------ errors
ERRORS = [
    ("GET", "/wave/1999Q9", 404, "unknown wave '1999Q9'"),
    ("GET", "/wave/2022Q1/sex", 404, "unknown grouping 'sex'"),
    ("GET", "/wave/2022Q1/industry/x", 404, "no page at"),
    ("GET", "/admin", 404, "no page at"),
    ("GET", "/wave/2022Q1.csv?table=nope", 404, "unknown table 'nope'"),
    ("GET", "/?lang=fr", 400, "lang must be zh or en"),
    ("GET", "/?sql=drop", 400, "unknown or repeated query parameter"),
    ("GET", "/?lang=en&lang=zh", 400, "unknown or repeated query parameter"),
    ("GET", "/wave/%ff", 400, "not valid"),
    ("POST", "/", 405, "read-only"),
    ("DELETE", "/wave/2022Q1", 405, "read-only"),
]


@pytest.mark.parametrize(("method", "target", "status", "phrase"), ERRORS)
def test_errors_have_one_shape_in_json_and_a_page_in_html(site, method, target, status, phrase):
    path, _, query = target.partition("?")
    download = path.endswith(".csv")  # errors of downloads come in the JSON envelope
    twin = target if download else ("/.json" if path == "/" else path + ".json") + ("?" + query if query else "")
    res = site.handle(method, twin)
    doc = _json(res)
    assert res.status == status and res.header("Content-Type").startswith("application/json")
    assert set(doc) == {"ok", "error"} and doc["ok"] is False
    assert set(doc["error"]) == {"status", "code", "message"} and doc["error"]["status"] == status
    assert phrase in doc["error"]["message"]
    if download:
        return
    page = site.handle(method, target)
    assert page.status == status and page.header("Content-Type").startswith("text/html")
    assert phrase.replace("'", "&#x27;") in page.body.decode() and "Traceback" not in page.body.decode()
    if status == 405:
        assert res.header("Allow") == "GET, HEAD"


# ------------------------------------------------------------------ tokens and binding
def test_token_is_required_on_every_request(dashboard):
    site = Site(dashboard, token=TOKEN)
    bare = site.handle("GET", "/.json")
    assert bare.status == 401 and _json(bare)["error"]["code"] == "unauthorized"
    assert site.handle("GET", "/wave/2022Q1.csv", {"Authorization": "Bearer wrong-token-000000000"}).status == 401
    assert site.handle("POST", "/", {}).status == 401  # no hint about the routes without the token
    assert site.handle("GET", "/wave/2022Q1.csv", {"Authorization": f"Bearer {TOKEN}"}).status == 200
    first = site.handle("GET", f"/?token={TOKEN}")
    assert first.status == 200 and first.header("Set-Cookie").startswith(f"flexemp_token={TOKEN};")
    assert "HttpOnly" in first.header("Set-Cookie")
    assert site.handle("GET", "/wave/2022Q2/industry", {"Cookie": f"flexemp_token={TOKEN}"}).status == 200
    assert site.handle("GET", "/", {"Cookie": "flexemp_token=nope"}).status == 401


def test_public_bind_without_token_is_refused(monkeypatch):
    monkeypatch.delenv("FLEXEMP_SERVE_TOKEN", raising=False)
    with pytest.raises(UnsupportedOptionError, match=r"refusing to serve on 0\.0\.0\.0"):
        resolve_token(None, "0.0.0.0")
    with pytest.raises(UnsupportedOptionError, match="16-256 characters"):
        resolve_token("short", "127.0.0.1")
    assert resolve_token(None, "127.0.0.1") is None
    monkeypatch.setenv("FLEXEMP_SERVE_TOKEN", TOKEN)
    assert resolve_token(None, "0.0.0.0") == TOKEN


def test_cli_refuses_a_public_bind_without_token(small_db, monkeypatch):
    monkeypatch.delenv("FLEXEMP_SERVE_TOKEN", raising=False)
    res = CliRunner().invoke(app, ["serve", "--db", str(small_db), "--host", "0.0.0.0"])
    assert res.exit_code == 1 and "Error:" in res.output and "refusing to serve on 0.0.0.0" in res.output


def test_make_server_reads_without_writing(small_db):
    before = hashlib.sha256(small_db.read_bytes()).hexdigest()
    server = make_server(small_db, port=0)
    server.server_close()
    assert hashlib.sha256(small_db.read_bytes()).hexdigest() == before


# ------------------------------------------------------------------ over HTTP
def test_http_get_head_and_other_methods(live_server):
    host, port = live_server.server_address[:2]
    con = http.client.HTTPConnection(host, port, timeout=10)
    con.request("GET", "/.json")
    res = con.getresponse()
    body = res.read()
    assert res.status == 200 and json.loads(body)["ok"] is True  # keep-alive: same connection again
    con.request("HEAD", "/")
    res = con.getresponse()
    assert res.status == 200 and res.read() == b"" and int(res.getheader("Content-Length")) > 1000
    for method in ("PUT", "PATCH", "FOO"):
        con.request(method, "/.json")
        res = con.getresponse()
        assert res.status == 405 and json.loads(res.read())["error"]["code"] == "method_not_allowed"
    con.close()
