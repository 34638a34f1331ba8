"""A small two-wave flex_sentiment warehouse (ingested and screened like the demo) and a running server."""

from __future__ import annotations

import pytest

from flexemp.demo import demo_rules_path
from flexemp.synth.export import codebook_path_for, write_synthetic
from flexemp.warehouse.load import ingest
from flexemp.warehouse.screenings import screen_wave

N_SMALL = 1500
WAVES = ("2022Q1", "2022Q2")


@pytest.fixture(scope="package")
def small_db(tmp_path_factory):
    """Two waves of 1,500 synthetic respondents each, screened with the demo's rule."""
    root = tmp_path_factory.mktemp("web")
    db = root / "w.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FLEXEMP_HOME", str(root / "home"))
        mp.setenv("FLEXEMP_PSEUDONYM_KEY", "web-test-key-0123456789abcdef")
        for wave in WAVES:
            raw = write_synthetic("flex_sentiment", root / f"fs_{wave}.csv", n=N_SMALL, wave=wave)
            ingest(raw, codebook_path_for(raw), wave, db=db)
            screen_wave(wave, demo_rules_path("flex_sentiment"), dataset="flex_sentiment", db=db)
    return db


@pytest.fixture(scope="package")
def dashboard(small_db):
    from flexemp.web.data import load_dashboard

    return load_dashboard(small_db)


@pytest.fixture(scope="package")
def site(dashboard):
    from flexemp.web.site import Site

    return Site(dashboard)


@pytest.fixture(scope="package")
def live_server(site):
    """The dashboard over HTTP on a free loopback port, in a background thread."""
    from flexemp.web.server import DashboardServer, serve_in_thread

    server = DashboardServer(site, "127.0.0.1", 0)
    serve_in_thread(server)
    yield server
    server.shutdown()
    server.server_close()
