"""The study report in a real browser: no console errors, every chart drawn, Chinese glyphs rendered."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops

from flexemp.study.run import run_study

STUDY = """
study: browser
title: 浏览器测试：劳动合同与生活满意度
data: {dataset: platform_workers}
analyses:
  - {id: t1, type: summary, title: 表1 描述性统计, variables: [life_sat, contract, age]}
  - id: t2
    type: regression
    title: 表2 基准回归
    model: oprobit
    outcome: life_sat
    treatments: [contract, training]
    controls: [male, age]
    chart: true
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    run = run_study(STUDY, out)
    return run, out / "report.html"


@pytest.fixture
def page(browser, report):
    ctx = browser.new_context(viewport={"width": 1200, "height": 900}, java_script_enabled=True)
    pg = ctx.new_page()
    messages: list[str] = []
    pg.on("console", lambda m: messages.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    pg.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    requests: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    pg.goto(report[1].as_uri())
    pg.wait_for_load_state("load")
    yield pg, messages, requests
    ctx.close()


def test_report_loads_offline_without_console_errors(page):
    pg, messages, requests = page
    assert pg.title() == "浏览器测试：劳动合同与生活满意度"
    assert messages == []
    assert all(u.startswith("file://") for u in requests), requests  # nothing fetched from the network


def test_every_chart_is_drawn_with_its_values(page, report):
    pg, _, _ = page
    run = report[0]
    charts = [c for o in run.outputs for c in o.charts]
    svgs = pg.locator("figure svg")
    assert svgs.count() == len(charts) == 1
    values = pg.eval_on_selector_all("figure svg [data-value]", "els => els.map(e => Number(e.dataset.value))")
    expected = [v for s in charts[0].series for v in s.values if v is not None]
    assert sorted(values) == pytest.approx(sorted(expected))
    box = svgs.first.bounding_box()
    assert box["width"] > 200 and box["height"] > 100


def _shot(pg, text: str) -> Image.Image:
    pg.evaluate("""t => { let s = document.getElementById('glyph-probe');
        if (!s) { s = document.createElement('span'); s.id = 'glyph-probe';
                  s.style.cssText = 'font-size:48px;position:fixed;top:0;left:0;background:#fff;color:#000;'
                                  + 'padding:4px;z-index:99'; document.body.appendChild(s); }
        s.textContent = t; }""", text)
    return Image.open(io.BytesIO(pg.locator("#glyph-probe").screenshot())).convert("L")


def test_chinese_text_renders_as_distinct_glyphs_not_boxes(page):
    """Render the report's own characters one by one: each must differ from the others and from
    a code point no font has (which draws the missing-glyph box or nothing)."""
    pg, _, _ = page
    title = pg.locator("h1").inner_text()
    chars = list(dict.fromkeys(c for c in title if "\u4e00" <= c <= "\u9fff"))[:4]
    assert len(chars) == 4
    shots = [_shot(pg, c) for c in chars]
    missing = _shot(pg, "\U0010fffd")  # a private-use code point: never in a font
    for i, a in enumerate(shots):
        assert ImageChops.difference(a, Image.new("L", a.size, 255)).getbbox() is not None, f"{chars[i]} is blank"
        if a.size == missing.size:
            assert ImageChops.difference(a, missing).getbbox() is not None, f"{chars[i]} drew the missing glyph"
        for j in range(i):
            b = shots[j]
            if a.size == b.size:
                assert ImageChops.difference(a, b).getbbox() is not None, f"{chars[i]} and {chars[j]} look the same"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["platform_care", "riders_injury_insurance", "internet_flex_finance",
                                  "flex_sentiment"])
def test_every_example_report_draws_all_its_charts(browser, tmp_path, name):
    from flexemp.studies import list_studies, study_path

    assert name in list_studies()
    run = run_study(study_path(name), tmp_path)
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = ctx.new_page()
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    pg.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    pg.goto((tmp_path / "report.html").as_uri())
    pg.wait_for_load_state("load")
    charts = [c for o in run.outputs for c in o.charts]
    figures = pg.locator("figure svg")
    assert figures.count() == len(charts)
    drawn = pg.eval_on_selector_all("figure svg", "svgs => svgs.map(s => s.querySelectorAll('[data-value]').length)")
    expected = [sum(v is not None for s in c.series for v in s.values) for c in charts]
    assert drawn == expected
    assert pg.locator("table.fx-table").count() == sum(len(o.tables) for o in run.outputs)
    assert problems == []
    ctx.close()
