"""Typed platform events and the in-process bus that carries them to WebSocket clients.

Services (live pipeline, scheduler, research, data sync) publish; the API's WebSocket hub
subscribes and broadcasts ``{"type": ..., "data": ...}``. The bus is an object built by the
app factory and passed down — never a module-level singleton — and publishing never blocks
or raises into the publisher.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Event", "EventBus", "EventType", "Publisher"]

logger = logging.getLogger(__name__)

EventType = Literal["trade_executed", "regime_change", "data_refresh", "job_status", "error"]


@dataclass(frozen=True, slots=True)
class Event:
    """One event; ``data`` is JSON-serialisable and validated by the API's typed payloads."""

    type: EventType
    data: Mapping[str, object]
    strategy_id: str | None = None
    timestamp: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


Publisher = Callable[[Event], None]


class EventBus:
    """Thread-safe fan-out of events to subscribers (callables). A failing subscriber is
    logged and skipped; publishers are never affected."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[Publisher] = []

    def subscribe(self, callback: Publisher) -> Callable[[], None]:
        """Add ``callback``; returns a function that removes it."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def publish(self, event: Event) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(event)
            except Exception:
                logger.exception("event subscriber failed for %s", event.type)
