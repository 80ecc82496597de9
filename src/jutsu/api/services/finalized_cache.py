"""A small in-process cache of serialized responses built from EOD-finalized data.

Why: ``daily_performance`` changes once a day (the EOD job), yet every dashboard poll rebuilt
hundreds of ORM rows, KPIs and a large JSON document — under 20 concurrent clients that CPU work,
not the database, set the latency. Callers key an entry by the request *and* a cheap version of
the data it reads (newest row's date/id/finalized time and row count per entity), so a newly
finalized day is served at once; ``ttl_seconds`` bounds staleness for edits the version cannot
see (an older row rewritten in place).

Thread-safe: sync endpoints run in a thread pool. Two threads missing the same key may both
build it (harmless, the last write wins) — cheaper than holding a lock while building.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

__all__ = ["FinalizedCache"]


class FinalizedCache:
    """LRU of ``key -> bytes`` with a time-to-live per entry."""

    def __init__(
        self,
        *,
        max_entries: int = 512,
        ttl_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1, got {max_entries}")
        if ttl_seconds <= 0:
            raise ValueError(f"ttl_seconds must be positive, got {ttl_seconds}")
        self._max = max_entries
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_build(self, key: Hashable, build: Callable[[], bytes]) -> bytes:
        """The cached value of ``key`` if still fresh, else ``build()`` (stored; errors are not)."""
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > now:
                self._entries.move_to_end(key)
                self.hits += 1
                return entry[1]
            self.misses += 1
        value = build()
        with self._lock:
            self._entries[key] = (self._clock() + self._ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every entry (e.g. after a bulk rewrite of daily rows)."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
