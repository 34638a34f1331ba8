"""Bounded load test on loopback: 50 concurrent clients for 20 s against the headline page of the demo warehouse."""

from __future__ import annotations

import http.client
import threading
import time

import numpy as np
import pytest

CLIENTS = 50
SECONDS = 20.0
P99_LIMIT_MS = 300.0


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    from flexemp.demo import run_demo
    from flexemp.web.server import make_server, serve_in_thread

    root = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FLEXEMP_HOME", str(root / "home"))
        mp.setenv("FLEXEMP_PSEUDONYM_KEY", "load-test-key-0123456789abcdef")
        run_demo(db=root / "demo.duckdb", out=root / "out")
    server = make_server(root / "demo.duckdb", port=0)
    serve_in_thread(server)
    yield server
    server.shutdown()
    server.server_close()


def _client(host: str, port: int, stop: float, lat: list[float], errors: list[str]) -> None:
    con = http.client.HTTPConnection(host, port, timeout=10)
    while time.perf_counter() < stop:
        t0 = time.perf_counter()
        try:
            con.request("GET", "/")
            res = con.getresponse()
            body = res.read()
            if res.status != 200 or b"fx-mark" not in body:
                errors.append(f"status {res.status}")
        except (OSError, http.client.HTTPException) as exc:
            errors.append(repr(exc))
            con.close()
            con = http.client.HTTPConnection(host, port, timeout=10)
            continue
        lat.append(time.perf_counter() - t0)
    con.close()


@pytest.mark.slow
def test_fifty_clients_for_twenty_seconds(demo_server):
    host, port = demo_server.server_address[:2]
    latencies: list[list[float]] = [[] for _ in range(CLIENTS)]
    errors: list[str] = []
    stop = time.perf_counter() + SECONDS
    threads = [threading.Thread(target=_client, args=(host, port, stop, latencies[i], errors)) for i in range(CLIENTS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    lat_ms = np.array([x for xs in latencies for x in xs]) * 1000.0
    p50, p99 = np.percentile(lat_ms, [50, 99])
    print(f"\nload: {CLIENTS} clients × {SECONDS:.0f} s on GET /: {lat_ms.size} requests "
          f"({lat_ms.size / SECONDS:.0f}/s), errors {len(errors)}, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
          f"max {lat_ms.max():.1f} ms")
    assert errors == []
    assert lat_ms.size > CLIENTS * 10
    assert p99 < P99_LIMIT_MS
