"""The dashboard in headless Chromium: pages load, charts draw, no console errors, pickers, downloads."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

# `browser` is the session-wide headless Chromium of tests/conftest.py (skips without Chromium
# unless FLEXEMP_REQUIRE_BROWSER=1).


@pytest.fixture
def page(browser, live_server):
    ctx = browser.new_context(accept_downloads=True)
    pg = ctx.new_page()
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    pg.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    pg.base = live_server.url  # type: ignore[attr-defined]
    pg.problems = problems  # type: ignore[attr-defined]
    yield pg
    ctx.close()
    assert problems == []


def _marks(pg):
    return pg.eval_on_selector_all(
        "svg .fx-mark", "els => els.map(e => [e.getAttribute('data-category'), e.getAttribute('data-value')])")


def test_pages_load_and_charts_draw(page):
    for path in ("/", "/wave/2022Q1", "/wave/2022Q2/industry", "/wave/2022Q2/occupation?lang=en"):
        res = page.goto(page.base + path)
        assert res.status == 200
        marks = _marks(page)
        assert len(marks) > 0 and all(float(v) > 0 for _, v in marks)
        box = page.locator("svg").first.bounding_box()
        assert box["width"] > 300 and box["height"] > 200  # drawn, not collapsed


def test_changing_wave_or_group_changes_the_chart(page):
    page.goto(page.base + "/wave/2022Q1/industry")
    first = _marks(page)
    with page.expect_navigation():
        page.select_option("select[name=wave]", "2022Q2")
    assert page.url.endswith("/wave/2022Q2/industry")
    second = _marks(page)
    assert [c for c, _ in second] == [c for c, _ in first] and second != first  # same groups, new values
    with page.expect_navigation():
        page.select_option("select[name=grouping]", "occupation")
    assert page.url.endswith("/wave/2022Q2/occupation")
    assert {c for c, _ in _marks(page)} != {c for c, _ in second}
    with page.expect_navigation():
        page.click("#fx-lang")
    assert page.url.endswith("/wave/2022Q2/occupation?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"


def test_unknown_wave_is_a_404_page_with_a_message(page, live_server):
    res = page.goto(page.base + "/wave/1999Q9")
    assert res.status == 404
    assert "unknown wave '1999Q9'" in page.locator("#fx-error-message").inner_text()
    # Chromium logs every 404 document as a console error: that one is expected, nothing else
    assert [p for p in page.problems if "status of 404" not in p] == [] and len(page.problems) == 1
    page.problems.clear()


def test_downloads_arrive(page, tmp_path):
    page.goto(page.base + "/wave/2022Q1")
    with page.expect_download() as info:
        page.click("a.fx-csv >> nth=1")  # the sample-flow table
    path = tmp_path / "flow.csv"
    info.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["步骤", "筛选前", "剔除", "筛选后"] and rows[-1][0] == "分析样本"
    with page.expect_download() as info:
        page.click("a.fx-xlsx >> nth=0")
    xpath = tmp_path / "wave.xlsx"
    info.value.save_as(xpath)
    book = openpyxl.load_workbook(xpath)
    assert len(book.sheetnames) == 4
    assert book.worksheets[0].cell(1, 1).value == "景气指数（2022Q1）"
