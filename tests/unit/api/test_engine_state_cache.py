"""EngineStateCache: served within the TTL, reloaded after it, writes replace it, copies out."""

from __future__ import annotations

import pytest

from jutsu.api.services.engine import EngineState
from jutsu.api.services.engine_cache import EngineStateCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Loader:
    """Stands in for the database read: counts calls, returns the current stored document."""

    def __init__(self) -> None:
        self.calls = 0
        self.stored = EngineState(state="running", mode="paper")

    def __call__(self) -> EngineState:
        self.calls += 1
        return EngineState(state=self.stored.state, mode=self.stored.mode)


def test_reads_within_ttl_share_one_load_and_expiry_reloads() -> None:
    clock, load = Clock(), Loader()
    cache = EngineStateCache(ttl_seconds=1.0, clock=clock)
    assert cache.fresh() is None
    assert cache.get(load).state == "running"
    clock.now = 0.99
    assert cache.get(load).state == "running"
    assert load.calls == 1
    load.stored.state = "stopped"  # changed by another process
    clock.now = 1.0
    assert cache.get(load).state == "stopped"
    assert load.calls == 2


def test_put_replaces_the_memo_at_once_and_invalidate_forgets_it() -> None:
    clock, load = Clock(), Loader()
    cache = EngineStateCache(ttl_seconds=1.0, clock=clock)
    cache.get(load)
    cache.put(EngineState(state="halted", mode="paper"))
    fresh = cache.fresh()
    assert fresh is not None and fresh.state == "halted"
    cache.invalidate()
    assert cache.fresh() is None
    assert cache.get(load).state == "running"
    assert load.calls == 2


def test_callers_get_copies_so_a_mutation_cannot_leak_into_other_requests() -> None:
    cache = EngineStateCache(clock=Clock())
    first = cache.get(Loader())
    first.state = "error"
    fresh = cache.fresh()
    assert fresh is not None and fresh.state == "running"


def test_ttl_must_be_positive() -> None:
    with pytest.raises(ValueError, match="ttl_seconds"):
        EngineStateCache(ttl_seconds=0)
