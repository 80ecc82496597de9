"""A fake Schwab API on 127.0.0.1 for tests that drive the REAL schwab-py client.

Built from the recorded payloads in ``shared/data/fixtures/schwab/`` (account numbers, account with
positions, quotes, price history, order shapes, error bodies). It speaks:

* ``GET /v1/oauth/authorize`` → 302 to the callback with ``code`` and ``state``;
* ``POST /v1/oauth/token`` (``authorization_code`` and ``refresh_token`` grants, HTTP Basic app auth);
* ``GET /trader/v1/accounts/accountNumbers``, ``GET /trader/v1/accounts/{hash}[?fields=positions]``;
* ``GET /marketdata/v1/quotes?symbols=…``, ``GET /marketdata/v1/pricehistory?symbol=…``;
* ``POST/GET /trader/v1/accounts/{hash}/orders`` and ``GET/DELETE …/orders/{id}``.

Every API call needs a bearer token the fake issued. Fault modes (``server.fault(op, mode, times)``):
``http500``, ``timeout`` (sleep past the client's timeout; a timed-out *place order* is still
recorded, like an order whose answer was lost), ``unauthorized`` (401 body from the fixtures),
``invalid_account`` (400). ``server.fill_mode`` decides what a new order becomes: ``fill``
(FILLED in two execution legs), ``partial`` (WORKING with part filled), ``working``, ``reject``
(REJECTED with Schwab's recorded reason) or ``no_location`` (filled, 201 without Location).
``server.received_orders`` records every order body it accepted.
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

SCHWAB = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "fixtures" / "schwab"
APP_KEY = "fake-app-key-0123456789"
APP_SECRET = "fake-app-secret"
ORDER_ID_START = 1000436258264


def load(name: str) -> Any:
    return json.loads((SCHWAB / name).read_text(encoding="utf-8"))


def _now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


@dataclass
class FakeState:
    account_numbers: list[dict[str, str]] = field(default_factory=lambda: load("account_numbers.json"))
    issued_codes: set[str] = field(default_factory=set)
    access_tokens: set[str] = field(default_factory=set)
    refresh_tokens: set[str] = field(default_factory=set)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    orders: dict[int, dict[str, Any]] = field(default_factory=dict)
    received_orders: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    faults: dict[str, list[Any]] = field(default_factory=dict)
    fill_mode: str = "fill"
    fill_price: Decimal = Decimal("500.10")
    fill_prices: dict[str, Decimal] = field(default_factory=dict)
    """Per-symbol first-leg fill price (overrides ``fill_price`` for that symbol)."""
    quote_age_seconds: float = 0.0
    timeout_sleep: float = 1.5
    order_ids: Iterator[int] = field(default_factory=lambda: itertools.count(ORDER_ID_START))


class FakeSchwab:
    """The server plus its state; use :func:`fake_schwab` to run one for a test."""

    def __init__(self) -> None:
        self.state = FakeState()
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def account_number(self) -> str:
        return self.state.account_numbers[0]["accountNumber"]

    @property
    def account_hash(self) -> str:
        return self.state.account_numbers[0]["hashValue"]

    @property
    def received_orders(self) -> list[dict[str, Any]]:
        return self.state.received_orders

    @property
    def fill_mode(self) -> str:
        return self.state.fill_mode

    @fill_mode.setter
    def fill_mode(self, mode: str) -> None:
        self.state.fill_mode = mode

    def fault(self, operation: str, mode: str, times: int = 1) -> None:
        """Make the next ``times`` calls of ``operation`` fail with ``mode``."""
        self.state.faults[operation] = [mode] * times

    def issue_token(self, *, expires_in: int = 1800, created: int | None = None) -> dict[str, Any]:
        """A schwab-py wrapped token this server accepts (as if stored after a login)."""
        token = self._new_token(expires_in)
        token["expires_at"] = int(time.time()) + expires_in
        return {"creation_timestamp": created or int(time.time()), "token": token}

    def _new_token(self, expires_in: int = 1800, refresh: str | None = None) -> dict[str, Any]:
        access = "at-" + secrets.token_hex(16)
        refresh = refresh or "rt-" + secrets.token_hex(16)
        with self.lock:
            self.state.access_tokens.add(access)
            self.state.refresh_tokens.add(refresh)
        return {
            "expires_in": expires_in,
            "token_type": "Bearer",
            "scope": "api",
            "refresh_token": refresh,
            "access_token": access,
            "id_token": "id-" + secrets.token_hex(8),
        }

    def take_fault(self, operation: str) -> str | None:
        with self.lock:
            pending = self.state.faults.get(operation)
            if pending:
                return str(pending.pop(0))
        return None

    def start(self) -> FakeSchwab:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def fake_schwab() -> Iterator[FakeSchwab]:
    server = FakeSchwab().start()
    try:
        yield server
    finally:
        server.stop()


def _quote_templates() -> dict[str, dict[str, Any]]:
    templates: dict[str, dict[str, Any]] = {}
    for name in (
        "quotes_NVDA_equity.json",
        "quotes_AAPL_AMD_schwabdev_doc.json",
        "quotes_spec_example_with_etfs.json",
    ):
        for symbol, entry in load(name).items():
            if isinstance(entry, dict) and entry.get("assetMainType") == "EQUITY":
                templates.setdefault(symbol, entry)
    return templates


QUOTES = _quote_templates()
ACCOUNT_MARGIN = load("account_margin_with_option_positions.json")
POSITIONS = load("positions_equity_etf_option_fragment.json")
ORDER_TEMPLATE = load("order_pending_activation_etf.json")
FILLED_TEMPLATE = load("order_filled_etf.json")
REJECTED_REASON = load("order_rejected_etf.json")["statusDescription"]
ERROR_401 = load("error_401_client_not_authorized.json")
ERROR_ACCOUNT = load("error_trader_message_invalid_account.json")
PRICE_HISTORY = load("pricehistory_SPY_daily.json")
OLD_ORDERS = load("orders_list_etf.json")


def _make_handler(server: FakeSchwab) -> type[BaseHTTPRequestHandler]:
    state = server.state

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            return

        # -- plumbing -------------------------------------------------------------------
        def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
            data = b"" if body is None else json.dumps(body, default=str).encode()
            self.send_response(status)
            if body is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _fault(self, operation: str) -> bool:
            mode = server.take_fault(operation)
            if mode is None:
                return False
            if mode == "timeout":
                time.sleep(state.timeout_sleep)
                with suppress(OSError):
                    self._send(504, {"message": "late"})
                return True
            if mode == "http500":
                self._send(500, {"errors": [{"status": 500, "title": "Internal Server Error"}]})
            elif mode == "unauthorized":
                self._send(401, ERROR_401)
            elif mode == "invalid_account":
                self._send(400, ERROR_ACCOUNT)
            else:
                raise AssertionError(f"unknown fault mode {mode}")
            return True

        def _authorized(self) -> bool:
            auth = self.headers.get("Authorization", "")
            with server.lock:
                ok = auth.startswith("Bearer ") and auth[7:] in state.access_tokens
            if not ok:
                self._send(401, ERROR_401)
            return ok

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        # -- routes ---------------------------------------------------------------------
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            with server.lock:
                state.requests.append(("GET", self.path))
            if url.path == "/v1/oauth/authorize":
                code = "code-" + secrets.token_hex(8)
                with server.lock:
                    state.issued_codes.add(code)
                target = (
                    query["redirect_uri"][0] + "?" + urlencode({"code": code, "state": query["state"][0]})
                )
                self._send(302, None, {"Location": target})
                return
            if not self._authorized():
                return
            if url.path == "/trader/v1/accounts/accountNumbers":
                if not self._fault("account_numbers"):
                    self._send(200, state.account_numbers)
                return
            m = re.fullmatch(r"/trader/v1/accounts/(\w+)", url.path)
            if m:
                if self._fault("account") or not self._known_hash(m.group(1)):
                    return
                body = copy.deepcopy(ACCOUNT_MARGIN)
                body["securitiesAccount"]["accountNumber"] = server.account_number
                body["securitiesAccount"].pop("positions", None)
                if "positions" in (query.get("fields") or [""])[0]:
                    body["securitiesAccount"]["positions"] = copy.deepcopy(POSITIONS)
                self._send(200, body)
                return
            m = re.fullmatch(r"/trader/v1/accounts/(\w+)/orders", url.path)
            if m:
                if self._fault("orders") or not self._known_hash(m.group(1)):
                    return
                start = datetime.strptime(query["fromEnteredTime"][0], "%Y-%m-%dT%H:%M:%SZ").replace(
                    tzinfo=UTC
                )
                end = datetime.strptime(query["toEnteredTime"][0], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
                with server.lock:
                    every = [*OLD_ORDERS, *state.orders.values()]
                chosen = [
                    o
                    for o in every
                    if start <= datetime.strptime(o["enteredTime"], "%Y-%m-%dT%H:%M:%S%z") <= end
                ]
                self._send(200, chosen)
                return
            m = re.fullmatch(r"/trader/v1/accounts/(\w+)/orders/(\d+)", url.path)
            if m:
                if self._fault("get_order") or not self._known_hash(m.group(1)):
                    return
                with server.lock:
                    order = copy.deepcopy(state.orders.get(int(m.group(2))))
                if order is None:
                    self._send(404, {"message": "Order not found"})
                else:
                    self._send(200, order)
                return
            if url.path == "/marketdata/v1/quotes":
                if self._fault("quotes"):
                    return
                self._send(200, self._quotes(query["symbols"][0].split(",")))
                return
            if url.path == "/marketdata/v1/pricehistory":
                if self._fault("pricehistory"):
                    return
                body = copy.deepcopy(PRICE_HISTORY)
                body["symbol"] = query["symbol"][0]
                self._send(200, body)
                return
            self._send(404, {"message": f"no route {url.path}"})

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            raw = self._body()
            with server.lock:
                state.requests.append(("POST", self.path))
            if url.path == "/v1/oauth/token":
                self._token(parse_qs(raw.decode()))
                return
            if not self._authorized():
                return
            m = re.fullmatch(r"/trader/v1/accounts/(\w+)/orders", url.path)
            if not m:
                self._send(404, {"message": f"no route {url.path}"})
                return
            mode = server.take_fault("place_order")
            if mode in ("http500", "unauthorized", "invalid_account"):
                with server.lock:
                    state.faults.setdefault("place_order", []).insert(0, mode)
                self._fault("place_order")
                return
            if not self._known_hash(m.group(1)):
                return
            order_id = self._accept(json.loads(raw))
            if mode == "timeout":  # the order is in, but the answer never arrives in time
                time.sleep(state.timeout_sleep)
            location = f"https://api.schwabapi.com/trader/v1/accounts/{m.group(1)}/orders/{order_id}"
            headers = {} if state.fill_mode == "no_location" else {"Location": location}
            with suppress(OSError):
                self._send(201, None, headers)

        def do_DELETE(self) -> None:
            url = urlsplit(self.path)
            with server.lock:
                state.requests.append(("DELETE", self.path))
            if not self._authorized():
                return
            m = re.fullmatch(r"/trader/v1/accounts/(\w+)/orders/(\d+)", url.path)
            if not m or self._fault("cancel_order") or not self._known_hash(m.group(1)):
                return
            with server.lock:
                order = state.orders.get(int(m.group(2)))
                if order is not None and order["cancelable"]:
                    order.update(status="CANCELED", cancelable=False, editable=False, closeTime=_now_text())
                    order["remainingQuantity"] = 0.0
                    ok = True
                else:
                    ok = False
            if order is None:
                self._send(404, {"message": "Order not found"})
            elif not ok:
                self._send(400, {"message": "Order cannot be canceled", "errors": ["not cancelable"]})
            else:
                self._send(200)

        # -- behaviour ------------------------------------------------------------------
        def _known_hash(self, account_hash: str) -> bool:
            if any(a["hashValue"] == account_hash for a in state.account_numbers):
                return True
            self._send(400, ERROR_ACCOUNT)
            return False

        def _token(self, form: dict[str, list[str]]) -> None:
            expected = "Basic " + base64.b64encode(f"{APP_KEY}:{APP_SECRET}".encode()).decode()
            grant = (form.get("grant_type") or [""])[0]
            with server.lock:
                state.token_requests.append({"grant_type": grant})
            if self._fault("token"):
                return
            if self.headers.get("Authorization") != expected:
                self._send(401, {"error": "invalid_client", "error_description": "bad app credentials"})
                return
            if grant == "authorization_code":
                code = (form.get("code") or [""])[0]
                with server.lock:
                    known = code in state.issued_codes
                    state.issued_codes.discard(code)
                if not known:
                    self._send(400, {"error": "invalid_grant", "error_description": "unknown code"})
                    return
                self._send(200, server._new_token())
                return
            if grant == "refresh_token":
                refresh = (form.get("refresh_token") or [""])[0]
                if refresh not in state.refresh_tokens:
                    self._send(400, load("oauth_token_error_400_refresh_token_authentication.json"))
                    return
                self._send(200, server._new_token(refresh=refresh))
                return
            self._send(400, {"error": "unsupported_grant_type"})

        def _quotes(self, symbols: list[str]) -> dict[str, Any]:
            stamp = int((time.time() - state.quote_age_seconds) * 1000)
            body: dict[str, Any] = {}
            invalid = []
            for symbol in symbols:
                template = QUOTES.get(symbol)
                if template is None and symbol.isalpha() and symbol.isupper() and symbol != "BAD":
                    template = QUOTES["NVDA"]
                if template is None:
                    invalid.append(symbol)
                    continue
                entry = copy.deepcopy(template)
                entry["symbol"] = symbol
                entry["quote"].update(quoteTime=stamp, tradeTime=stamp)
                body[symbol] = entry
            if invalid:
                body["errors"] = {"invalidSymbols": invalid}
            return body

        def _accept(self, spec: dict[str, Any]) -> int:
            leg = spec["orderLegCollection"][0]
            qty = float(leg["quantity"])
            order = copy.deepcopy(ORDER_TEMPLATE)
            order.pop("price", None)
            order.update(
                session=spec["session"], duration=spec["duration"], orderType=spec["orderType"],
                quantity=qty, filledQuantity=0.0, remainingQuantity=qty, enteredTime=_now_text(),
                accountNumber=int(server.account_number), status="WORKING",
            )  # fmt: skip
            order["orderLegCollection"][0].update(instruction=leg["instruction"], quantity=qty)
            order["orderLegCollection"][0]["instrument"]["symbol"] = leg["instrument"]["symbol"]
            with server.lock:
                order_id = next(state.order_ids)
                order["orderId"] = order_id
                state.received_orders.append(spec)
                self._apply_fill_mode(order)
                state.orders[order_id] = order
            return order_id

        def _apply_fill_mode(self, order: dict[str, Any]) -> None:
            mode = state.fill_mode
            qty = order["quantity"]
            if mode == "reject":
                order.update(status="REJECTED", statusDescription=REJECTED_REASON, cancelable=False,
                             remainingQuantity=0.0, closeTime=_now_text())  # fmt: skip
                return
            if mode == "working":
                return
            if mode == "partial":
                first = float(int(qty // 2) or 1)
                self._add_fill(order, [(first, state.fill_price)])
                order.update(status="WORKING", filledQuantity=first, remainingQuantity=qty - first)
                return
            first = float(int(qty // 2))
            symbol = order["orderLegCollection"][0]["instrument"]["symbol"]
            price = state.fill_prices.get(symbol, state.fill_price)
            legs = [(first, price), (qty - first, price + Decimal("0.20"))]
            self._add_fill(order, [leg for leg in legs if leg[0] > 0])
            order.update(status="FILLED", filledQuantity=qty, remainingQuantity=0.0, cancelable=False,
                         editable=False, closeTime=_now_text())  # fmt: skip

        def _add_fill(self, order: dict[str, Any], legs: list[tuple[float, Decimal]]) -> None:
            template = FILLED_TEMPLATE["orderActivityCollection"][0]
            activities = []
            remaining = order["quantity"]
            for qty, price in legs:
                remaining -= qty
                activity = copy.deepcopy(template)
                activity["quantity"] = qty
                activity["orderRemainingQuantity"] = remaining
                activity["executionLegs"][0].update(quantity=qty, price=float(price), time=_now_text())
                activities.append(activity)
            order["orderActivityCollection"] = activities

    return Handler
