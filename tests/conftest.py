"""Shared fixtures. `browser`: headless Chromium (Debian's package) driven by Playwright, one per session.

Skipped when /usr/bin/chromium is missing, unless FLEXEMP_REQUIRE_BROWSER=1 (CI), then they fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("FLEXEMP_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    required = os.environ.get("FLEXEMP_REQUIRE_BROWSER") == "1"
    if not CHROMIUM.exists():
        if required:
            pytest.fail(f"FLEXEMP_REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium to run the browser tests)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            raise
        pytest.skip("playwright is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()
