"""FinalizedCache: hits within the time-to-live, rebuilds after it, LRU bound, errors not cached."""

from __future__ import annotations

import pytest

from jutsu.api.services.finalized_cache import FinalizedCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_second_read_within_ttl_is_a_hit_and_expiry_rebuilds() -> None:
    clock = Clock()
    cache = FinalizedCache(ttl_seconds=10, clock=clock)
    builds: list[int] = []

    def build() -> bytes:
        builds.append(1)
        return f"v{len(builds)}".encode()

    assert cache.get_or_build("k", build) == b"v1"
    clock.now = 9.9
    assert cache.get_or_build("k", build) == b"v1"
    assert (cache.hits, cache.misses) == (1, 1)
    clock.now = 10.1
    assert cache.get_or_build("k", build) == b"v2"


def test_keys_are_independent_and_the_oldest_is_evicted() -> None:
    cache = FinalizedCache(max_entries=2, ttl_seconds=60, clock=Clock())
    cache.get_or_build("a", lambda: b"a")
    cache.get_or_build("b", lambda: b"b")
    cache.get_or_build("a", lambda: b"stale")  # refreshes a's recency
    cache.get_or_build("c", lambda: b"c")  # evicts b, the least recently used
    assert len(cache) == 2
    assert cache.get_or_build("a", lambda: b"new") == b"a"
    assert cache.get_or_build("b", lambda: b"b2") == b"b2"


def test_a_failing_build_is_not_cached() -> None:
    cache = FinalizedCache(clock=Clock())

    def boom() -> bytes:
        raise LookupError("no rows")

    with pytest.raises(LookupError):
        cache.get_or_build("k", boom)
    assert cache.get_or_build("k", lambda: b"ok") == b"ok"
    cache.clear()
    assert len(cache) == 0


@pytest.mark.parametrize(("entries", "ttl"), [(0, 1.0), (1, 0.0)])
def test_bad_limits_are_refused(entries: int, ttl: float) -> None:
    with pytest.raises(ValueError, match="must be"):
        FinalizedCache(max_entries=entries, ttl_seconds=ttl)
