"""Prometheus metrics: HTTP request latencies, job durations and order counts.

Prometheus scrapes one process, so its counters are process-wide by nature; this module owns one
:class:`~prometheus_client.CollectorRegistry` (not the library's implicit global one, so nothing
else registered in the process leaks into ``/metrics``). Producers call the small functions below
— :func:`observe_job` from the scheduler, :func:`count_order` from the live pipeline — and never
touch ``prometheus_client`` themselves, so label names and allowed values stay in one place.

Label values are restricted to known sets: a free-form label (a raw URL path, an error text)
would create one time series per distinct value and exhaust the scraper's memory.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

__all__ = [
    "CONTENT_TYPE",
    "JOB_STATUSES",
    "ORDER_MODES",
    "ORDER_SIDES",
    "REGISTRY",
    "MetricsMiddleware",
    "count_order",
    "observe_job",
    "observe_request",
    "render_latest",
]

REGISTRY = CollectorRegistry()
CONTENT_TYPE = CONTENT_TYPE_LATEST

ORDER_MODES = frozenset({"dry_run", "paper", "live"})
ORDER_SIDES = frozenset({"buy", "sell"})
ORDER_STATUSES = frozenset(
    {"submitted", "accepted", "partially_filled", "filled", "rejected", "cancelled", "expired", "failed"}
)
"""``jutsu.brokers.base.OrderStatus`` plus ``failed`` (an order the platform could not send)."""
JOB_STATUSES = frozenset({"success", "failed", "skipped"})
UNMATCHED_ROUTE = "<unmatched>"

REQUEST_SECONDS = Histogram(
    "jutsu_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template and status code.",
    ("method", "route", "status"),
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
JOB_SECONDS = Histogram(
    "jutsu_job_duration_seconds",
    "Duration of scheduled jobs (trading run, EOD finalization, refresh, backup), by outcome.",
    ("job", "status"),
    registry=REGISTRY,
    buckets=(0.1, 0.5, 1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0),
)
ORDERS = Counter(
    "jutsu_orders_total",
    "Orders by trading mode, side and status.",
    ("mode", "side", "status"),
    registry=REGISTRY,
)


def _choice(name: str, value: str, allowed: frozenset[str]) -> str:
    normalized = value.strip().lower().replace("-", "_")
    if normalized not in allowed:
        raise ValueError(f"metric label {name}={value!r} is not one of {', '.join(sorted(allowed))}")
    return normalized


def observe_job(job: str, seconds: float, status: str) -> None:
    """Record one run of ``job`` (a job id such as ``daily_trading_job``) that took ``seconds``."""
    if not job or not job.replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"metric label job={job!r} must be a job identifier (letters, digits, _ and -)")
    if seconds < 0:
        raise ValueError(f"job duration must not be negative, got {seconds}")
    JOB_SECONDS.labels(job=job, status=_choice("status", status, JOB_STATUSES)).observe(seconds)


def count_order(mode: str, side: str, status: str) -> None:
    """Count one order event: ``mode`` dry_run|paper|live, ``side`` buy|sell, lifecycle ``status``."""
    ORDERS.labels(
        mode=_choice("mode", mode, ORDER_MODES),
        side=_choice("side", side, ORDER_SIDES),
        status=_choice("status", status, ORDER_STATUSES),
    ).inc()


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Record one HTTP request; ``route`` is the template (``/api/trades/{trade_id}``), never the raw path."""
    REQUEST_SECONDS.labels(method=method.upper(), route=route, status=str(status)).observe(seconds)


def render_latest() -> bytes:
    """The registry in the Prometheus text exposition format (the body of ``GET /metrics``)."""
    return generate_latest(REGISTRY)


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class MetricsMiddleware:
    """Pure ASGI middleware timing every HTTP request by route template and status code.

    The route template is read from ``scope["route"]`` after the router matched (Starlette sets
    it), so ``/api/trades/17`` and ``/api/trades/18`` share one series. Requests no route matched
    (scanners probing random paths) all share the label ``<unmatched>``. WebSocket connections are
    long-lived and are not timed here.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        start = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            observe_request(
                scope.get("method", "GET"), _route_template(scope), status, time.perf_counter() - start
            )


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path or "/"
    return UNMATCHED_ROUTE
