"""Engine state, per-strategy mode and the kill switch, persisted in ``system_state['engine']``.

Platform.md §1.4: the state must survive restarts (the reference kept it in memory). The
document also carries the per-strategy mode switches (``strategy_modes``) and the strategies
halted by a per-strategy kill switch (``halted_strategies``), so one row is the single source
of truth that the trading job consults.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session

from jutsu.api.services.engine_cache import EngineStateCache
from jutsu.api.services.errors import Conflict, Invalid
from jutsu.api.services.sessions import SessionSource
from jutsu.api.services.strategies import StrategyCatalog
from jutsu.data.repositories import market_read, system_state

__all__ = ["ENGINE_KEY", "EngineService", "EngineState", "normalize_mode"]

ENGINE_KEY = "engine"
EngineStateName = Literal["stopped", "running", "error", "halted"]
_ALIASES = {
    "dry_run": "dry_run",
    "dryrun": "dry_run",
    "dry-run": "dry_run",
    "mock": "dry_run",
    "offline_mock": "dry_run",
    "paper": "paper",
    "live": "live",
    "online_live": "live",
}


def normalize_mode(value: str) -> str:
    """Stored mode for ``value`` (accepts the legacy aliases of §1.3); 400 when unknown."""
    mode = _ALIASES.get(value.strip().lower())
    if mode is None:
        raise Invalid(f"Invalid mode {value!r}: use dry_run, paper or live")
    return mode


@dataclass(slots=True)
class EngineState:
    """The persisted engine document."""

    state: EngineStateName = "stopped"
    mode: str = "dry_run"
    started_at: dt.datetime | None = None
    last_execution: dt.datetime | None = None
    next_execution: dt.datetime | None = None
    error: str | None = None
    halted_strategies: tuple[str, ...] = ()
    strategy_modes: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> EngineState:
        if not data:
            return cls()

        def instant(key: str) -> dt.datetime | None:
            raw = data.get(key)
            return dt.datetime.fromisoformat(raw) if isinstance(raw, str) and raw else None

        state = data.get("state")
        modes = data.get("strategy_modes") or {}
        return cls(
            state=state if state in ("stopped", "running", "error", "halted") else "stopped",
            mode=str(data.get("mode") or "dry_run"),
            started_at=instant("started_at"),
            last_execution=instant("last_execution"),
            next_execution=instant("next_execution"),
            error=data.get("error"),
            halted_strategies=tuple(sorted(data.get("halted_strategies") or ())),
            strategy_modes=tuple(sorted((str(k), str(v)) for k, v in dict(modes).items())),
        )

    def to_json(self) -> dict[str, Any]:
        def iso(v: dt.datetime | None) -> str | None:
            return None if v is None else v.isoformat()

        return {
            "state": self.state,
            "mode": self.mode,
            "started_at": iso(self.started_at),
            "last_execution": iso(self.last_execution),
            "next_execution": iso(self.next_execution),
            "error": self.error,
            "halted_strategies": list(self.halted_strategies),
            "strategy_modes": dict(self.strategy_modes),
        }

    def uptime_seconds(self, now: dt.datetime) -> float:
        if self.state != "running" or self.started_at is None:
            return 0.0
        return max(0.0, (now - self.started_at).total_seconds())


@dataclass(frozen=True, slots=True)
class Transition:
    """Result of an engine action (the ``ControlResponse`` payload)."""

    action: str
    previous_state: str
    new_state: str
    message: str
    timestamp: dt.datetime


class EngineService:
    """Reads and changes the persisted engine document; each method is one transaction."""

    def __init__(
        self, sessions: SessionSource, catalog: StrategyCatalog, cache: EngineStateCache | None = None
    ) -> None:
        self._sessions = sessions
        self._catalog = catalog
        self._cache = cache

    def read(self) -> EngineState:
        with self._sessions() as session:
            state = EngineState.from_json(system_state.get_json(session, ENGINE_KEY))
        if self._cache is not None:
            self._cache.put(state)
        return state

    def read_recent(self) -> EngineState:
        """The state as of at most the cache's TTL ago (1 s); :meth:`read` without a cache."""
        return self.read() if self._cache is None else self._cache.get(self.read)

    def recent_if_fresh(self) -> EngineState | None:
        """The cached state without any I/O (``None`` when stale): for the event loop."""
        return None if self._cache is None else self._cache.fresh()

    def strategy_mode(self, strategy_id: str, state: EngineState | None = None) -> str:
        """Runtime mode switch if any, else the registry's configured mode."""
        current = state or self.read_recent()
        switched = dict(current.strategy_modes).get(strategy_id)
        if switched is not None:
            return switched
        return self._catalog.registry().strategies[strategy_id].mode

    def _change(self, action: str, apply: Any) -> Transition:
        now = dt.datetime.now(dt.UTC)
        with self._sessions.begin() as session:
            state = EngineState.from_json(system_state.get_json(session, ENGINE_KEY))
            previous = state.state
            message = apply(session, state, now)
            system_state.put_json(session, ENGINE_KEY, state.to_json())
        if self._cache is not None:
            self._cache.put(state)
        return Transition(action, previous, state.state, message, now)

    def start(self, mode: str | None, *, confirm: bool, action: str = "start") -> Transition:
        new_mode = None if mode is None else normalize_mode(mode)
        if new_mode == "live" and not confirm:
            raise Invalid("Starting in live mode requires confirm: true")

        def apply(_s: Session, state: EngineState, now: dt.datetime) -> str:
            if state.state == "halted":
                raise Conflict("Engine is halted by the kill switch; reset it first")
            if state.state == "running":
                raise Conflict("Engine is already running")
            state.state, state.started_at, state.error = "running", now, None
            if new_mode is not None:
                state.mode = new_mode
            return f"Engine started in {state.mode} mode"

        return self._change(action, apply)

    def stop(self) -> Transition:
        def apply(_s: Session, state: EngineState, _now: dt.datetime) -> str:
            if state.state == "halted":
                raise Conflict("Engine is halted by the kill switch; reset it instead")
            if state.state != "running" and state.state != "error":
                raise Conflict("Engine is not running")
            state.state, state.started_at = "stopped", None
            return "Engine stopped"

        return self._change("stop", apply)

    def restart(self, mode: str | None, *, confirm: bool) -> Transition:
        current = self.read()
        if current.state in ("running", "error"):
            self.stop()
        return self.start(mode, confirm=confirm, action="restart")

    def switch_mode(self, strategy_id: str, mode: str, *, confirm: bool) -> Transition:
        sid = self._catalog.require(strategy_id)
        new_mode = normalize_mode(mode)

        def apply(session: Session, state: EngineState, _now: dt.datetime) -> str:
            if new_mode == "live":
                if not confirm:
                    raise Invalid("Switching to live requires confirm: true")
                if state.state != "running":
                    raise Invalid("Switching to live requires the engine to be running")
                if not market_read.broker_token_exists(session):
                    raise Invalid("Switching to live requires a valid broker token")
            modes = dict(state.strategy_modes)
            modes[sid] = new_mode
            state.strategy_modes = tuple(sorted(modes.items()))
            return f"Strategy {sid} now runs in {new_mode} mode"

        return self._change("mode_switch", apply)

    def kill(self, strategy_id: str | None) -> Transition:
        """Halt everything (``strategy_id=None``) or one strategy; both persist."""
        sid = None if strategy_id is None else self._catalog.require(strategy_id)

        def apply(_s: Session, state: EngineState, _now: dt.datetime) -> str:
            if sid is None:
                state.state, state.started_at = "halted", None
                return "Kill switch engaged: all trading halted"
            state.halted_strategies = tuple(sorted({*state.halted_strategies, sid}))
            return f"Kill switch engaged for {sid}"

        return self._change("kill_switch", apply)

    def reset_kill(self, strategy_id: str | None) -> Transition:
        sid = None if strategy_id is None else self._catalog.require(strategy_id)

        def apply(_s: Session, state: EngineState, _now: dt.datetime) -> str:
            if sid is None:
                if state.state != "halted":
                    raise Conflict("Engine is not halted")
                state.state, state.halted_strategies = "stopped", ()
                return "Kill switch reset: engine stopped"
            if sid not in state.halted_strategies:
                raise Conflict(f"Strategy {sid} is not halted")
            state.halted_strategies = tuple(s for s in state.halted_strategies if s != sid)
            return f"Kill switch reset for {sid}"

        return self._change("kill_switch_reset", apply)
