"""A small two-wave flex_sentiment warehouse (ingested and screened like the demo) and a running server."""

from __future__ import annotations

import pytest

from tests.small_warehouse import WAVES as WAVES
from tests.small_warehouse import build_small_warehouse

N_SMALL = 1500


@pytest.fixture(scope="package")
def small_db(tmp_path_factory):
    """Two waves of 1,500 synthetic respondents each, screened with the demo's rule."""
    return build_small_warehouse(tmp_path_factory.mktemp("web"), n=N_SMALL, key="web-test-key-0123456789abcdef")


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
