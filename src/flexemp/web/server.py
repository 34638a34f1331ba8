"""The HTTP server of ``flexemp serve``: the standard library's threading server over :class:`Site`.

Binds 127.0.0.1 by default.  Any other address exposes the warehouse's
aggregate results to the network (``0.0.0.0``: every interface), so it is
refused unless an access token is configured; with a token, every request
must carry it.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from flexemp.core.errors import UnsupportedOptionError
from flexemp.web.site import Response, Site

TOKEN_ENV = "FLEXEMP_SERVE_TOKEN"
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9._~-]{16,256}")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
log = logging.getLogger("flexemp.web")


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1).

    Examples
    --------
    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("0.0.0.0"), is_loopback("localhost")
    (True, True, False, True)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_token(token: str | None, host: str) -> str | None:
    """The token to require (``token`` or ``$FLEXEMP_SERVE_TOKEN``); refuse a public bind without one.

    Raises
    ------
    UnsupportedOptionError
        ``host`` is not a loopback address and no token is configured, or the token is
        shorter than 16 characters or uses characters other than ``A-Z a-z 0-9 . _ ~ -``.
    """
    tok = token if token is not None else (os.environ.get(TOKEN_ENV) or None)
    if tok is not None and not TOKEN_PATTERN.fullmatch(tok):
        raise UnsupportedOptionError(
            "the access token must be 16-256 characters from A-Z a-z 0-9 . _ ~ - ; make one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(24))'`"
        )
    if tok is None and not is_loopback(host):
        raise UnsupportedOptionError(
            f"refusing to serve on {host}: any machine that can reach it could read the dashboard. "
            f"Set an access token (--token or ${TOKEN_ENV}) to serve beyond this computer, or keep the default "
            "--host 127.0.0.1"
        )
    return tok


class _Handler(BaseHTTPRequestHandler):
    site: Site
    protocol_version = "HTTP/1.1"
    server_version = "flexemp"
    sys_version = ""
    timeout = 30  # seconds a connection may idle before it is closed

    def _send(self, res: Response, *, body: bool = True) -> None:
        self.send_response(res.status)
        for k, v in res.headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(res.body)))
        self.end_headers()
        if body:
            self.wfile.write(res.body)

    def _answer(self) -> None:
        res = self.site.handle(self.command, self.path, dict(self.headers.items()))
        self._send(res, body=self.command != "HEAD")

    do_GET = do_HEAD = _answer

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):  # every other method gets 405 (or 401) from Site.handle
            return self._answer
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)


class DashboardServer(ThreadingHTTPServer):
    """A threading HTTP server bound to one :class:`Site`."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, site: Site, host: str, port: int) -> None:
        handler = type("Handler", (_Handler,), {"site": site})
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), handler)

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:8765``."""
        host, port = str(self.server_address[0]), int(self.server_address[1])
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"


def make_server(
    db: str | Path | None = None,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    token: str | None = None,
    dataset: str | None = None,
    min_n: int = 30,
    weighting: str = "region",
    where: str | None = None,
) -> DashboardServer:
    """Compute the dashboard from the warehouse and bind the server (not yet serving).

    Parameters
    ----------
    db : path, optional
        The warehouse, opened read-only (default ``$FLEXEMP_HOME/warehouse.duckdb``).
    host : str
        Address to bind; default ``127.0.0.1`` (this computer only).  ``0.0.0.0``
        listens on every interface and needs a token.
    port : int
        TCP port (0 picks a free one).
    token : str, optional
        Access token (default ``$FLEXEMP_SERVE_TOKEN``); when set, every request needs it.
    dataset, min_n, weighting, where
        As :func:`flexemp.web.data.load_dashboard` (``where``: the population condition,
        checked before the server binds).

    Returns
    -------
    DashboardServer
        Call ``serve_forever()``; ``url`` gives the address.

    Raises
    ------
    UnsupportedOptionError
        A non-loopback host without a token, a malformed token, a port outside 0-65535.
    WarehouseError, ScreeningError
        See :func:`~flexemp.web.data.load_dashboard`.

    Examples
    --------
    >>> make_server("/nonexistent.duckdb", host="0.0.0.0")
    Traceback (most recent call last):
    ...
    flexemp.core.errors.UnsupportedOptionError: refusing to serve on 0.0.0.0: ...
    """
    from flexemp.web.data import load_dashboard

    tok = resolve_token(token, host)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise UnsupportedOptionError(f"port must be an integer from 0 to 65535, got {port!r}")
    dash = load_dashboard(db, dataset=dataset, min_n=min_n, weighting=weighting, where=where)  # type: ignore[arg-type]
    site = Site(dash, token=tok)
    return DashboardServer(site, host, port)


def serve_in_thread(server: DashboardServer) -> threading.Thread:
    """Run ``server.serve_forever`` in a daemon thread (tests, notebooks); stop with ``server.shutdown()``."""
    thread = threading.Thread(target=server.serve_forever, name="flexemp-serve", daemon=True)
    thread.start()
    return thread
