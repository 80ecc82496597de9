"""A one-second, process-wide memo of the persisted engine document (``system_state['engine']``).

Why: every performance/trades request without an explicit ``mode`` resolves the strategy's
runtime mode from that document, and every dashboard WebSocket sends a ``status_update`` built
from it once a second — 20 dashboards made it the most-read row of the database. The document
changes only on control actions; changes made through this process's
:class:`~jutsu.api.services.engine.EngineService` replace the memo at once, changes made by
another process (CLI kill switch, a second server) are seen within ``ttl_seconds``.

Control endpoints and ``/api/status`` keep reading the row itself: only mode resolution and the
WebSocket heartbeat go through here. Thread-safe (sync endpoints run in a thread pool).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jutsu.api.services.engine import EngineState

__all__ = ["EngineStateCache"]


class EngineStateCache:
    """The last engine state read or written, valid for ``ttl_seconds``."""

    def __init__(self, *, ttl_seconds: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        if ttl_seconds <= 0:
            raise ValueError(f"ttl_seconds must be positive, got {ttl_seconds}")
        self._ttl = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._state: EngineState | None = None
        self._expires = 0.0

    def fresh(self) -> EngineState | None:
        """A copy of the memo if still valid, else ``None`` (no I/O: callable on the event loop)."""
        with self._lock:
            if self._state is None or self._clock() >= self._expires:
                return None
            return dataclasses.replace(self._state)

    def get(self, load: Callable[[], EngineState]) -> EngineState:
        """The memo, or ``load()`` stored as the new memo (two threads may both load: harmless)."""
        state = self.fresh()
        if state is not None:
            return state
        state = load()
        self.put(state)
        return dataclasses.replace(state)

    def put(self, state: EngineState) -> None:
        """Remember ``state`` (a copy) as just read or written."""
        with self._lock:
            self._state = dataclasses.replace(state)
            self._expires = self._clock() + self._ttl

    def invalidate(self) -> None:
        with self._lock:
            self._state = None
