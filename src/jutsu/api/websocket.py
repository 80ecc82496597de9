"""The ``/ws`` endpoint and its hub: bus events to connected dashboards (platform.md §3.16).

Publishers (live pipeline, scheduler, job threads) call ``EventBus.publish`` from any thread.
The hub's bus subscriber validates the payload against its typed model and hands the message
to each client's asyncio queue with ``loop.call_soon_threadsafe`` — the only safe way into an
event loop from another thread. Each connection has one sender task draining its queue, so a
slow client never blocks a publisher.

Auth: ``?token=<access token>``; missing/invalid/expired/revoked → close 4001 (also when the
token expires during the connection). Beyond ``max_connections`` → close 1013.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ValidationError

from jutsu.events import Event, EventBus

__all__ = [
    "CHANNEL_OF",
    "DataRefreshData",
    "ErrorData",
    "JobStatusData",
    "RegimeChangeData",
    "TradeExecutedData",
    "WebSocketHub",
    "router",
]

log = logging.getLogger(__name__)
router = APIRouter(tags=["websocket"])

CLOSE_UNAUTHORIZED = 4001
CLOSE_TRY_AGAIN = 1013
CHANNELS = frozenset({"status", "trades", "regime", "data", "jobs"})
CHANNEL_OF = {
    "trade_executed": "trades",
    "regime_change": "regime",
    "data_refresh": "data",
    "job_status": "jobs",
    "status_update": "status",
}


class _Payload(BaseModel):
    strategy_id: str | None = None


class TradeExecutedData(_Payload):
    trade_id: int | None = None
    execution_id: str | None = None
    mode: str | None = None
    symbol: str
    action: Literal["BUY", "SELL"]
    quantity: int
    target_price: float | None = None
    fill_price: float | None = None
    fill_value: float | None = None
    slippage_pct: float | None = None
    status: str | None = None
    reason: str | None = None
    strategy_cell: int | None = None
    trend_state: str | None = None
    vol_state: str | None = None
    timestamp: dt.datetime | None = None


class RegimeState(BaseModel):
    cell: int | None = None
    trend_state: str | None = None
    vol_state: str | None = None
    t_norm: float | None = None
    z_score: float | None = None


class RegimeChangeData(_Payload):
    mode: str | None = None
    old: RegimeState | None = None
    new: RegimeState
    trading_date: dt.date | None = None


class DataRefreshData(_Payload):
    refresh_type: Literal[
        "hourly", "market_close", "trading", "eod_finalization", "eod_finalization_halfday", "manual"
    ]
    strategies: list[str] | None = None
    date: dt.date | None = None
    execution_ids: list[str] | None = None


class JobStatusData(_Payload):
    job: str
    id: str
    status: str
    progress: float | None = None
    error: str | None = None


class ErrorData(_Payload):
    message: str
    code: str | None = None


PAYLOADS: dict[str, type[_Payload]] = {
    "trade_executed": TradeExecutedData,
    "regime_change": RegimeChangeData,
    "data_refresh": DataRefreshData,
    "job_status": JobStatusData,
    "error": ErrorData,
}


def envelope(event: Event) -> dict[str, Any] | None:
    """The wire message of ``event``; ``None`` (logged) when the payload does not validate."""
    model = PAYLOADS.get(event.type)
    if model is None:
        return None
    raw = dict(event.data)
    if event.strategy_id is not None:
        raw.setdefault("strategy_id", event.strategy_id)
    try:
        data = model.model_validate(raw).model_dump(mode="json")
    except ValidationError as exc:
        log.warning("dropping %s event with an invalid payload: %s", event.type, exc.errors()[0]["msg"])
        return None
    message: dict[str, Any] = {"type": event.type, "timestamp": event.timestamp.isoformat(), "data": data}
    if event.type == "error":
        message["message"] = data["message"]
    return message


@dataclass(eq=False)
class _Client:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[dict[str, Any]]
    channels: set[str] = field(default_factory=lambda: set(CHANNELS))


class WebSocketHub:
    """Connected clients and the bus subscription that feeds them."""

    def __init__(self, bus: EventBus, *, max_connections: int = 100) -> None:
        self.max_connections = max_connections
        self._clients: set[_Client] = set()
        self._lock = threading.Lock()
        self._unsubscribe = bus.subscribe(self._on_event)

    def close(self) -> None:
        self._unsubscribe()

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._clients)

    def _on_event(self, event: Event) -> None:
        message = envelope(event)
        if message is None:
            return
        channel = CHANNEL_OF.get(event.type)
        with self._lock:
            clients = list(self._clients)
        for client in clients:
            if channel is not None and channel not in client.channels:
                continue
            with contextlib.suppress(RuntimeError):  # loop already closed: client is leaving
                client.loop.call_soon_threadsafe(client.queue.put_nowait, message)

    def _add(self, client: _Client) -> bool:
        with self._lock:
            if len(self._clients) >= self.max_connections:
                return False
            self._clients.add(client)
            return True

    def _remove(self, client: _Client) -> None:
        with self._lock:
            self._clients.discard(client)


def _authenticate(websocket: WebSocket, token: str | None) -> tuple[str, float | None] | None:
    """``(username, exp)`` for a valid access token; ``None`` otherwise."""
    from jutsu.api.security.tokens import TokenError
    from jutsu.data.repositories import tokens as token_repo
    from jutsu.data.repositories import users as user_repo

    container = getattr(websocket.app.state, "container", None)
    if container is None:
        return None
    if not container.settings.auth_required:
        return "local-admin", None
    if not token:
        return None
    try:
        claims = container.tokens.decode(token, "access")
    except TokenError:
        return None
    with container.sessions() as session:
        if token_repo.is_blacklisted(session, claims.jti):
            return None
        user = user_repo.get_user_by_username(session, claims.sub)
        if user is None or not user.is_active:
            return None
        if user.password_changed_at is not None and claims.iat < user.password_changed_at.timestamp():
            return None
    return claims.sub, claims.exp


@router.websocket("/ws")
async def websocket_endpoint(websocket: WebSocket) -> None:
    """Dashboard live updates; see the module docstring for the protocol."""
    from jutsu.api.platform import PLATFORM_KEY, Platform

    container = getattr(websocket.app.state, "container", None)
    platform = container.extras.get(PLATFORM_KEY) if container is not None else None
    token = websocket.query_params.get("token")
    identity = await asyncio.to_thread(_authenticate, websocket, token)
    await websocket.accept()
    if identity is None or not isinstance(platform, Platform):
        await websocket.close(code=CLOSE_UNAUTHORIZED, reason="Not authenticated")
        return
    username, expires = identity
    hub = platform.hub
    client = _Client(loop=asyncio.get_running_loop(), queue=asyncio.Queue())
    if not hub._add(client):
        await websocket.close(code=CLOSE_TRY_AGAIN, reason="Too many connections")
        return
    now = dt.datetime.now(dt.UTC).isoformat()
    await websocket.send_json(
        {"type": "connected", "timestamp": now, "message": "Connected", "user": username}
    )
    sender = asyncio.create_task(_send_loop(websocket, client, platform, expires))
    try:
        while True:
            text = await websocket.receive_text()
            await _handle(text, client)
    except WebSocketDisconnect:
        pass
    finally:
        hub._remove(client)
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await sender


async def _handle(text: str, client: _Client) -> None:
    now = dt.datetime.now(dt.UTC).isoformat()
    try:
        message = json.loads(text)
    except ValueError:
        message = None
    if not isinstance(message, dict):
        await client.queue.put({"type": "error", "timestamp": now, "message": "Invalid JSON"})
        return
    kind = message.get("type")
    if kind == "ping":
        await client.queue.put({"type": "pong", "timestamp": now})
    elif kind in ("subscribe", "unsubscribe"):
        raw = message.get("channels")
        wanted = {c for c in raw if isinstance(c, str)} & CHANNELS if isinstance(raw, list) else set()
        if kind == "subscribe":
            client.channels |= wanted
        else:
            client.channels -= wanted
        await client.queue.put({"type": f"{kind}d", "timestamp": now, "channels": sorted(client.channels)})
    else:
        await client.queue.put(
            {"type": "error", "timestamp": now, "message": f"Unknown message type: {kind}"}
        )


async def _send_loop(websocket: WebSocket, client: _Client, platform: Any, expires: float | None) -> None:
    """Drain the client's queue; every second send ``status_update``; close 4001 at token expiry."""
    next_status = time.monotonic()
    while True:
        if expires is not None and time.time() >= expires:
            await websocket.close(code=CLOSE_UNAUTHORIZED, reason="Token expired")
            return
        timeout = max(0.0, next_status - time.monotonic())
        try:
            message = await asyncio.wait_for(client.queue.get(), timeout=timeout)
        except TimeoutError:
            next_status = time.monotonic() + 1.0
            if "status" in client.channels:
                # a 1 s memo shared by every socket: one engine-row read a second, not one each
                state = platform.engine.recent_if_fresh() or await asyncio.to_thread(
                    platform.engine.read_recent
                )
                now = dt.datetime.now(dt.UTC)
                await websocket.send_json(
                    {
                        "type": "status_update",
                        "timestamp": now.isoformat(),
                        "data": {
                            "is_running": state.state == "running",
                            "state": state.state,
                            "mode": state.mode,
                            "uptime_seconds": state.uptime_seconds(now),
                        },
                    }
                )
            continue
        await websocket.send_json(message)
