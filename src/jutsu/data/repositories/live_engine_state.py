"""The engine state and the kill switch (platform spec §1.4), persisted in ``system_state``.

This module is the only code that reads or writes the ``system_state`` key ``engine``: the
live pipeline consults it before every order, the API's control endpoints and the CLI change
it. Keeping the JSON layout in one place means every reader agrees on what "halted" means.

Layout of the JSON value::

    {"state": "stopped|running|error|halted", "mode": "dry_run", "started_at": iso|null,
     "last_execution": iso|null, "next_execution": iso|null, "error": str|null,
     "halted_strategies": {"<strategy_id>": "<reason>"}, "halt_reason": str|null,
     "halted_at": iso|null}

A missing row reads as ``stopped`` with nothing halted.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from jutsu.data.models import SystemState
from jutsu.errors import ConfigError

__all__ = [
    "ENGINE_KEY",
    "ENGINE_STATES",
    "EngineState",
    "EngineStateName",
    "read_engine_state",
    "set_engine_state",
    "set_kill_switch",
    "set_strategy_halt",
    "write_engine_state",
]

ENGINE_KEY = "engine"
EngineStateName = Literal["stopped", "running", "error", "halted"]
ENGINE_STATES: tuple[str, ...] = ("stopped", "running", "error", "halted")


@dataclass(frozen=True, slots=True)
class EngineState:
    """The global engine switch plus the per-strategy kill switches."""

    state: EngineStateName = "stopped"
    mode: str = "dry_run"
    started_at: dt.datetime | None = None
    last_execution: dt.datetime | None = None
    next_execution: dt.datetime | None = None
    error: str | None = None
    halt_reason: str | None = None
    halted_at: dt.datetime | None = None
    halted_strategies: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_halted(self) -> bool:
        """The global kill switch is on: no automated or manual trading at all."""
        return self.state == "halted"

    def blocks(self, strategy_id: str) -> str | None:
        """Why ``strategy_id`` may not trade now (``None`` = it may). Stopped engines block only
        scheduled runs, which the pipeline checks separately."""
        if self.is_halted:
            return f"kill switch is on (engine halted: {self.halt_reason or 'no reason given'})"
        reason = self.halted_strategies.get(strategy_id)
        if reason is not None:
            return f"kill switch is on for strategy {strategy_id} ({reason or 'no reason given'})"
        return None

    def to_json(self) -> dict[str, Any]:
        def iso(value: dt.datetime | None) -> str | None:
            return None if value is None else value.astimezone(dt.UTC).isoformat()

        return {
            "state": self.state,
            "mode": self.mode,
            "started_at": iso(self.started_at),
            "last_execution": iso(self.last_execution),
            "next_execution": iso(self.next_execution),
            "error": self.error,
            "halt_reason": self.halt_reason,
            "halted_at": iso(self.halted_at),
            "halted_strategies": dict(self.halted_strategies),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EngineState:
        def instant(key: str) -> dt.datetime | None:
            raw = data.get(key)
            if not raw:
                return None
            value = dt.datetime.fromisoformat(str(raw))
            return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)

        state = str(data.get("state", "stopped"))
        if state not in ENGINE_STATES:
            raise ConfigError(f"system_state 'engine': unknown state {state!r}")
        halted = data.get("halted_strategies") or {}
        return cls(
            state=state,  # type: ignore[arg-type]  # checked against ENGINE_STATES above
            mode=str(data.get("mode", "dry_run")),
            started_at=instant("started_at"),
            last_execution=instant("last_execution"),
            next_execution=instant("next_execution"),
            error=data.get("error"),
            halt_reason=data.get("halt_reason"),
            halted_at=instant("halted_at"),
            halted_strategies={str(k): str(v) for k, v in dict(halted).items()},
        )


def read_engine_state(bind: Engine | Connection) -> EngineState:
    """The persisted engine state (``stopped`` when never written)."""
    query = select(SystemState.value).where(SystemState.key == ENGINE_KEY)
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            raw = conn.execute(query).scalar_one_or_none()
    else:
        raw = bind.execute(query).scalar_one_or_none()
    if not raw:
        return EngineState()
    try:
        data = json.loads(raw)
    except ValueError:
        raise ConfigError("system_state 'engine' holds invalid JSON") from None
    if not isinstance(data, dict):
        raise ConfigError("system_state 'engine' must be a JSON object")
    return EngineState.from_json(data)


def write_engine_state(bind: Engine | Connection, state: EngineState) -> None:
    """Upsert the ``engine`` row (one statement, safe against a concurrent first write)."""
    value = json.dumps(state.to_json(), sort_keys=True)
    now = dt.datetime.now(dt.UTC)
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            _upsert(conn, value, now)
    else:
        _upsert(bind, value, now)


def _upsert(conn: Connection, value: str, now: dt.datetime) -> None:
    row = {"key": ENGINE_KEY, "value": value, "value_type": "json", "updated_at": now}
    if conn.dialect.name == "postgresql":
        stmt = pg_insert(SystemState).values(**row)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[SystemState.key], set_={"value": value, "updated_at": now}
            )
        )
        return
    if conn.dialect.name == "sqlite":
        lite = sqlite_insert(SystemState).values(**row)
        conn.execute(
            lite.on_conflict_do_update(
                index_elements=[SystemState.key], set_={"value": value, "updated_at": now}
            )
        )
        return
    raise ConfigError(f"unsupported database dialect {conn.dialect.name!r}")  # pragma: no cover


def set_engine_state(
    bind: Engine, state: EngineStateName, *, error: str | None = None, mode: str | None = None
) -> EngineState:
    """Move the global engine to ``state`` (``running`` clears a halt; admins only upstream)."""
    current = read_engine_state(bind)
    now = dt.datetime.now(dt.UTC)
    new = replace(
        current,
        state=state,
        mode=mode or current.mode,
        started_at=now if state == "running" and current.state != "running" else current.started_at,
        error=error if state == "error" else None,
        halt_reason=current.halt_reason if state == "halted" else None,
        halted_at=current.halted_at if state == "halted" else None,
    )
    write_engine_state(bind, new)
    return new


def set_kill_switch(bind: Engine, *, active: bool, reason: str = "") -> EngineState:
    """Global kill switch: ``active`` → ``halted`` (blocks all trading); off → ``stopped``.

    Turning it off never restarts trading by itself: an admin starts the engine afterwards.
    """
    current = read_engine_state(bind)
    now = dt.datetime.now(dt.UTC)
    if active:
        new = replace(current, state="halted", halt_reason=reason or "kill switch", halted_at=now)
    else:
        new = replace(current, state="stopped", halt_reason=None, halted_at=None)
    write_engine_state(bind, new)
    return new


def set_strategy_halt(bind: Engine, strategy_id: str, *, active: bool, reason: str = "") -> EngineState:
    """Per-strategy kill switch: block (or unblock) one strategy without touching the others."""
    current = read_engine_state(bind)
    halted = dict(current.halted_strategies)
    if active:
        halted[strategy_id] = reason or "kill switch"
    else:
        halted.pop(strategy_id, None)
    new = replace(current, halted_strategies=halted)
    write_engine_state(bind, new)
    return new
