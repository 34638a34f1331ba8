"""Routing, rendering and access control of the dashboard, without sockets.

:class:`Site` pre-renders every page (HTML, JSON twin, CSV of each table) in
both languages when it is built, and XLSX workbooks on first request, so a
request is a dictionary look-up.  :meth:`Site.handle` takes a method, a
request target and headers and returns a :class:`Response`; the HTTP server in
:mod:`flexemp.web.server` only copies bytes.  Tests call ``handle`` directly.

Routes (each page also answers ``.json``, ``.csv`` and ``.xlsx``)::

    /                          headline: every index across waves, the 50 line, CIs
    /wave/<wave>               one wave: indices, sample flow, weighting diagnostics
    /wave/<wave>/<grouping>    one wave by industry or occupation

Query parameters: ``lang`` (``zh`` default, ``en``), ``table`` (which table a
``.csv`` holds; default the page's first), ``token`` (when a token is set).
Anything else is refused with 400.  Every error, in every format, has the
envelope ``{"ok": false, "error": {"status", "code", "message"}}``.
"""

from __future__ import annotations

import csv
import hmac
import io
import json
import tempfile
import threading
from dataclasses import dataclass
from html import escape
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from flexemp.present.charts.interactive import CHART_CSS, CHART_JS
from flexemp.present.charts.interactive import render_html as render_chart
from flexemp.present.render.html import TABLE_CSS
from flexemp.present.render.html import render_html as render_table
from flexemp.web.data import Dashboard
from flexemp.web.views import View, group_page, headline, t, wave_page

LANGS = ("zh", "en")
FORMATS = ("html", "json", "csv", "xlsx")
PARAMS = frozenset({"lang", "table", "token"})
COOKIE = "flexemp_token"
CSP = ("default-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ERROR_CODES = {400: "bad_request", 401: "unauthorized", 404: "not_found", 405: "method_not_allowed",
               500: "internal_error"}

PAGE_CSS = """
body { margin: 0; font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif;
  color: #222; background: #fafafa; }
header { background: #1f3a5f; color: #fff; padding: .6em 1.2em; display: flex; flex-wrap: wrap; gap: 1em;
  align-items: center; }
header a { color: #fff; }
header h1 { font-size: 1.2em; margin: 0; }
main { max-width: 1100px; margin: 0 auto; padding: 1em 1.2em 3em; background: #fff; }
nav.fx-pick label { margin-right: .8em; }
.fx-downloads { font-size: .85em; text-align: center; margin-top: -.6em; }
.fx-downloads a { margin: 0 .4em; }
.fx-error { border-left: 4px solid #c0392b; padding: .6em 1em; background: #fdf0ef; }
"""

NAV_JS = """
(function () {
  var form = document.getElementById('fx-pick');
  if (!form) { return; }
  function go() {
    var w = form.querySelector('[name=wave]').value, g = form.querySelector('[name=grouping]').value;
    var url = '/wave/' + encodeURIComponent(w) + (g ? '/' + encodeURIComponent(g) : '');
    if (form.getAttribute('data-lang') === 'en') { url += '?lang=en'; }
    window.location.href = url;
  }
  form.addEventListener('change', go);
  form.addEventListener('submit', function (e) { e.preventDefault(); go(); });
})();
"""


@dataclass(frozen=True)
class Response:
    """Status, headers and body of one answer."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        """The first header called ``name`` (case-insensitive), or None."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


class HTTPProblem(Exception):
    """A request that is answered with an error page (status and message)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_payload(status: int, message: str) -> dict[str, Any]:
    """The one error envelope of every JSON error."""
    return {"ok": False, "error": {"status": status, "code": ERROR_CODES.get(status, "error"), "message": message}}


def _href(path: str, lang: str, **params: str) -> str:
    q = [f"{k}={quote(v)}" for k, v in params.items()]
    if lang == "en":
        q.insert(0, "lang=en")
    return escape(path + ("?" + "&".join(q) if q else ""), quote=True)


def _csv(table: Any) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    if table.column_groups:  # one header row of group labels, repeated over the columns they span
        writer.writerow(["", *(g.label for g in table.column_groups for _ in range(g.span))])
    for row in table.text_grid():
        writer.writerow(row)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens Chinese correctly


class Site:
    """The dashboard's pages, pre-rendered, and the request handler.

    Parameters
    ----------
    dashboard : Dashboard
        From :func:`flexemp.web.data.load_dashboard`.
    token : str, optional
        When set, every request must carry it (``Authorization: Bearer …``,
        ``?token=`` or the cookie set after a ``?token=`` request).
    """

    def __init__(self, dashboard: Dashboard, *, token: str | None = None) -> None:
        self.d = dashboard
        self.token = token
        self._xlsx: dict[tuple[str, str], bytes] = {}
        self._lock = threading.Lock()
        self.views: dict[tuple[str, str], View] = {}
        self.rendered: dict[tuple[str, str, str], bytes] = {}
        for lang in LANGS:
            self.views[("/", lang)] = headline(dashboard, lang)
            for w in dashboard.waves:
                self.views[(f"/wave/{w.wave}", lang)] = wave_page(dashboard, w, lang)
                for g in dashboard.groupings:
                    self.views[(f"/wave/{w.wave}/{g}", lang)] = group_page(dashboard, w, g, lang)
        for (path, lang), view in self.views.items():
            self.rendered[(path, lang, "html")] = self._html(path, lang, view).encode("utf-8")
            self.rendered[(path, lang, "json")] = self._json(path, lang, view)
            for table in view.tables:
                self.rendered[(path, lang, "csv:" + table.key)] = _csv(table)

    # ------------------------------------------------------------ rendering
    def _nav(self, path: str, lang: str) -> str:
        d = self.d
        parts = [f'<h1><a href="{_href("/", lang)}">{escape(t(lang, "灵活就业景气监测", "Flexible-employment sentiment monitor"))}</a></h1>']
        other = "en" if lang == "zh" else "zh"
        parts.append(f'<a id="fx-lang" href="{_href(path, other)}" hreflang="{other}">{"English" if lang == "zh" else "中文"}</a>')
        segs = path.strip("/").split("/")
        cur_w = segs[1] if len(segs) > 1 else d.wave_labels[-1]
        cur_g = segs[2] if len(segs) > 2 else ""
        waves = "".join(f'<option value="{escape(w, quote=True)}"{" selected" if w == cur_w else ""}>{escape(w)}</option>'
                        for w in d.wave_labels)
        groups = f'<option value="">{escape(t(lang, "总体", "Overall"))}</option>' + "".join(
            f'<option value="{g}"{" selected" if g == cur_g else ""}>{escape(d.codebook[g].label(lang))}</option>'
            for g in d.groupings)
        parts.append(f'<nav class="fx-pick"><form id="fx-pick" data-lang="{lang}">'
                     f'<label>{escape(t(lang, "期别", "Wave"))} <select name="wave">{waves}</select></label>'
                     f'<label>{escape(t(lang, "分组", "Breakdown"))} <select name="grouping">{groups}</select></label>'
                     f'<noscript><span>{escape(t(lang, "（需要脚本；也可使用下方链接）", "(needs scripts; or use the links below)"))}'
                     "</span></noscript></form></nav>")
        return "<header>" + "".join(parts) + "</header>"

    def _links(self, lang: str) -> str:
        items = [f'<li><a href="{_href("/", lang)}">{escape(t(lang, "各期总览", "All waves"))}</a></li>']
        for w in self.d.wave_labels:
            sub = "".join(f' · <a href="{_href(f"/wave/{quote(w)}/{g}", lang)}">{escape(self.d.codebook[g].label(lang))}</a>'
                          for g in self.d.groupings)
            items.append(f'<li><a href="{_href(f"/wave/{quote(w)}", lang)}">{escape(w)}</a>{sub}</li>')
        return f'<nav class="fx-links"><ul>{"".join(items)}</ul></nav>'

    def _html(self, path: str, lang: str, view: View) -> str:
        qpath = quote(path)
        body = [f"<h2>{escape(view.title)}</h2>", *(f"<p>{escape(p)}</p>" for p in view.paragraphs)]
        body += [render_chart(c, lang=lang) for c in view.charts]
        json_path = "/.json" if path == "/" else qpath + ".json"
        csv_path = "/.csv" if path == "/" else qpath + ".csv"
        xlsx_path = "/.xlsx" if path == "/" else qpath + ".xlsx"
        for table in view.tables:
            body.append(render_table(table))
            body.append(f'<p class="fx-downloads"><a class="fx-csv" href="{_href(csv_path, lang, table=table.key)}" '
                        f'download>CSV</a><a class="fx-xlsx" href="{_href(xlsx_path, lang)}" download>XLSX</a>'
                        f'<a class="fx-json" href="{_href(json_path, lang)}">JSON</a></p>')
        return self._page(path, lang, view.title, "\n".join(body))

    def _page(self, path: str, lang: str, title: str, main: str) -> str:
        return (f'<!doctype html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                f'<link rel="icon" href="data:,"><title>{escape(title)} · flexemp</title>'
                f"<style>{PAGE_CSS}{TABLE_CSS}{CHART_CSS}</style></head><body>"
                f"{self._nav(path, lang)}<main>{main}{self._links(lang)}</main>"
                f"<script>{CHART_JS}{NAV_JS}</script></body></html>\n")

    def _json(self, path: str, lang: str, view: View) -> bytes:
        d = self.d
        doc = {"ok": True, "page": view.page, "path": path, "lang": lang, "title": view.title, "dataset": d.dataset,
               "waves": list(d.wave_labels), "groupings": list(d.groupings), "min_n": d.min_n,
               "weighting": d.weighting, "where": d.where, "variables": [{"name": v, "label": d.codebook[v].label(lang)} for v in d.variables],
               "tables": [tb.to_dict() for tb in view.tables], "charts": [c.to_dict() for c in view.charts],
               **view.payload}
        return json.dumps(doc, ensure_ascii=False, default=str, allow_nan=False).encode("utf-8")

    def _xlsx_bytes(self, path: str, lang: str) -> bytes:
        from flexemp.present.render.xlsx import write_xlsx

        key = (path, lang)
        with self._lock:
            if key not in self._xlsx:
                with tempfile.TemporaryDirectory() as tmp:
                    out = write_xlsx(self.views[key].tables, Path(tmp) / "tables.xlsx")
                    self._xlsx[key] = out.read_bytes()
            return self._xlsx[key]

    # ------------------------------------------------------------ requests
    def _authorised(self, headers: dict[str, str], params: dict[str, str]) -> tuple[bool, bool]:
        """(allowed, set the cookie)."""
        if self.token is None:
            return True, False
        want = self.token.encode("utf-8")
        auth = headers.get("authorization", "")
        if auth[:7].lower() == "bearer " and hmac.compare_digest(auth[7:].strip().encode("utf-8"), want):
            return True, False
        if "token" in params:
            ok = hmac.compare_digest(params["token"].encode("utf-8"), want)
            return ok, ok
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(headers.get("cookie", ""))
        except Exception:  # a malformed cookie header is no credential
            return False, False
        morsel = jar.get(COOKIE)
        return (morsel is not None and hmac.compare_digest(morsel.value.encode("utf-8"), want)), False

    def _resolve(self, path: str) -> tuple[str, str]:
        """Split the path into a page key and a format; 404 for anything unknown."""
        fmt = "html"
        if path in ("/.json", "/.csv", "/.xlsx"):
            return "/", path[2:]
        for f in ("json", "csv", "xlsx"):
            if path.endswith("." + f) and path != "/":
                path, fmt = path[: -len(f) - 1], f
                break
        segs = path.split("/")
        if path == "/":
            return "/", fmt
        if len(segs) < 3 or len(segs) > 4 or segs[0] != "" or segs[1] != "wave":
            raise HTTPProblem(404, f"no page at {path!r}; pages are /, /wave/<wave> and /wave/<wave>/<grouping>")
        wave = segs[2]
        if self.d.wave(wave) is None:
            raise HTTPProblem(404, f"unknown wave {wave!r}; waves: {', '.join(self.d.wave_labels)}")
        if len(segs) == 4 and segs[3] not in self.d.groupings:
            raise HTTPProblem(404, f"unknown grouping {segs[3]!r}; groupings: {', '.join(self.d.groupings)}")
        return path, fmt

    def _error(self, status: int, message: str, fmt: str, lang: str) -> Response:
        if fmt == "html":
            main = (f'<h2>{status}</h2><div class="fx-error" role="alert"><p id="fx-error-message">{escape(message)}</p></div>')
            body = self._page("/", lang, f"{status} · {t(lang, '出错', 'Error')}", main).encode("utf-8")
        else:
            fmt = "json"
            body = json.dumps(error_payload(status, message), ensure_ascii=False).encode("utf-8")
        headers = [("Content-Type", CONTENT_TYPES[fmt])]
        if status == 405:
            headers.append(("Allow", "GET, HEAD"))
        if status == 401:
            headers.append(("WWW-Authenticate", 'Bearer realm="flexemp"'))
        return Response(status, (*headers, *SECURITY_HEADERS, ("Cache-Control", "no-store")), body)

    def handle(self, method: str, target: str, headers: dict[str, str] | None = None) -> Response:
        """Answer one request (``headers`` with lower-case names); never raises.

        Examples
        --------
        >>> site.handle("GET", "/wave/1999Q9.json").status  # doctest: +SKIP
        404
        """
        hdrs = {k.lower(): v for k, v in (headers or {}).items()}
        fmt, lang = "html", "zh"
        try:
            parts = urlsplit(target)
            fmt = next((f for f in ("json", "csv", "xlsx") if parts.path.endswith("." + f)), "html")
            path = unquote(parts.path, errors="strict") or "/"
            pairs = parse_qsl(parts.query, keep_blank_values=True, errors="strict")
            params = dict(pairs)
            if params.get("lang") in LANGS:
                lang = params["lang"]
            allowed, set_cookie = self._authorised(hdrs, params)
            if not allowed:
                raise HTTPProblem(401, "this dashboard needs its access token: send 'Authorization: Bearer <token>' "
                                       "or add ?token=<token> once")
            if method not in ("GET", "HEAD"):
                raise HTTPProblem(405, f"method {method} is not allowed: the dashboard is read-only (GET, HEAD)")
            unknown = sorted({k for k, _ in pairs} - PARAMS)
            if unknown or len(params) != len(pairs):
                raise HTTPProblem(400, f"unknown or repeated query parameter(s) {unknown or sorted(params)}; "
                                       "allowed: lang, table (CSV only), token")
            if "lang" in params and params["lang"] not in LANGS:
                raise HTTPProblem(400, f"lang must be zh or en, got {params['lang']!r}")
            page, fmt = self._resolve(path)
            body = self._body(page, fmt, lang, params.get("table"))
        except HTTPProblem as exc:
            return self._error(exc.status, exc.message, fmt, lang)
        except (UnicodeDecodeError, ValueError):
            return self._error(400, "the request target is not valid (bad percent-encoding or query)", fmt, lang)
        except Exception:  # never a stack trace on the page; the server logs it
            import logging

            logging.getLogger("flexemp.web").exception("error answering %s %s", method, target)
            return self._error(500, "internal error; see the server log", fmt, lang)
        out = [("Content-Type", CONTENT_TYPES[fmt]), *SECURITY_HEADERS, ("Cache-Control", "no-store" if self.token else "no-cache")]
        if fmt in ("csv", "xlsx"):
            stem = "index" if page == "/" else page.strip("/").replace("/", "_")
            name = f"flexemp_{stem}_{lang}{'_' + params['table'] if fmt == 'csv' and 'table' in params else ''}.{fmt}"
            out.append(("Content-Disposition", f"attachment; filename*=UTF-8''{quote(name)}"))
        if set_cookie and self.token:
            out.append(("Set-Cookie", f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"))
        return Response(200, tuple(out), body)

    def _body(self, page: str, fmt: str, lang: str, table: str | None) -> bytes:
        if table is not None and fmt != "csv":
            raise HTTPProblem(400, "table= chooses the table of a .csv download; the other formats hold every table")
        if fmt == "xlsx":
            return self._xlsx_bytes(page, lang)
        if fmt == "csv":
            keys = [tb.key for tb in self.views[(page, lang)].tables]
            key = keys[0] if table is None else table
            if key not in keys:
                raise HTTPProblem(404, f"unknown table {table!r} on {page}; tables: {', '.join(keys)}")
            return self.rendered[(page, lang, "csv:" + key)]
        return self.rendered[(page, lang, fmt)]
