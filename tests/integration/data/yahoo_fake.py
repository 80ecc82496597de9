"""A local fake of Yahoo's chart API that replays the recorded payloads in shared/fixtures/yahoo.

yfinance is pointed at it the way the fixtures README describes (option a): a ``requests``
session whose HTTPS adapter rewrites every URL to ``http://127.0.0.1:<port>`` keeping path and
query, so fc.yahoo.com, getcrumb and the chart calls all reach this server and no yfinance
internals are patched.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

YAHOO = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "fixtures" / "yahoo"

CHART_FIXTURES = {
    "QQQ": "chart_QQQ_1d_2020-01-02.json",
    "AAPL": "chart_AAPL_1d_2020-08-31_2020-11-06_div_split.json",
    "MSFT": "chart_MSFT_1d_2021-02-01_2022-01-28_div.json",
    "NVDA": "chart_NVDA_1d_2021-02-01_2022-01-28_split.json",
    "BEKE": "chart_error_400_no_data_BEKE.json",
    "SI": "chart_error_404_not_found_SI.json",
}


def load_recording(name: str) -> tuple[int, bytes, str]:
    """(status, body bytes, content type) of one recorded response."""
    rec = json.loads((YAHOO / name).read_text())["response"]
    if "bodyJson" in rec:
        return rec["status"], json.dumps(rec["bodyJson"]).encode(), "application/json"
    if "body" in rec:
        return rec["status"], rec["body"].encode(), "application/json"
    return rec["status"], rec["bodyText"].encode(), "text/plain"


@dataclass
class FakeYahoo:
    port: int
    requests: list[str] = field(default_factory=list)

    def chart_requests(self, symbol: str) -> list[str]:
        return [p for p in self.requests if p.startswith(f"/v8/finance/chart/{symbol}?")]


def _handler(state: FakeYahoo) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, ctype: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            state.requests.append(self.path)
            path = urlsplit(self.path).path
            if path == "/v1/test/getcrumb":
                self._send(*load_recording("getcrumb_query1.json"))
            elif path.startswith("/v8/finance/chart/"):
                symbol = path.rsplit("/", 1)[-1]
                name = CHART_FIXTURES.get(symbol)
                if name is None:
                    body = {
                        "chart": {
                            "result": None,
                            "error": {
                                "code": "Not Found",
                                "description": "No data found, symbol may be delisted",
                            },
                        }
                    }
                    self._send(404, json.dumps(body).encode(), "application/json")
                else:
                    self._send(*load_recording(name))
            elif path in ("", "/"):
                self._send(200, b"ok", "text/plain")
            else:
                self._send(
                    404, b'{"finance":{"result":null,"error":{"code":"Not Found"}}}', "application/json"
                )

        def do_POST(self) -> None:
            state.requests.append(self.path)
            self._send(404, b"", "text/plain")

    return Handler


class RedirectAdapter(HTTPAdapter):
    """Send every HTTPS request to the fake server, keeping path and query."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self._port = port

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        parts = urlsplit(request.url or "")
        query = f"?{parts.query}" if parts.query else ""
        request.url = f"http://127.0.0.1:{self._port}{parts.path or '/'}{query}"
        return super().send(request, **kwargs)


@contextmanager
def fake_yahoo() -> Iterator[tuple[FakeYahoo, requests.Session]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    state = FakeYahoo(port=server.server_address[1])
    server.RequestHandlerClass = _handler(state)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    session = requests.Session()
    session.mount("https://", RedirectAdapter(state.port))
    try:
        yield state, session
    finally:
        session.close()
        server.shutdown()
        server.server_close()
