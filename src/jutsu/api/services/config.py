"""Effective strategy parameters and runtime overrides with an audit trail (platform.md §3.11).

Bounds come from the strategy class's pydantic ``Params`` model (the declared schema wins over
the reference's table); a value is accepted only if the whole parameter set still validates.
Every override must carry a reason and an expiry in the future.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from jutsu.api.schemas.config import (
    ConfigHistoryEntry,
    ConfigHistoryPublic,
    ConfigParameter,
    ConfigResponse,
    ConfigUpdate,
    ConfigUpdateResponse,
    OverridePublic,
    ParameterConstraints,
)
from jutsu.api.services.errors import Conflict, Invalid, NotFound
from jutsu.api.services.sessions import SessionSource
from jutsu.api.services.strategies import StrategyCatalog
from jutsu.data.models import ConfigHistory, ConfigOverride
from jutsu.data.repositories import config_overrides as repo
from jutsu.errors import ConfigError
from jutsu.scheduler.effective import effective_values
from jutsu.scheduler.overrides import (
    EXECUTION_TIME_PARAM,
    clear_override,
    effective_execution_time,
    set_global_override,
)

__all__ = ["ConfigService"]

_TYPE_NAMES = {bool: "bool", int: "int", float: "float", str: "str"}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _value_type(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), "str")


def _parse(text: str, value_type: str) -> Any:
    if value_type == "str":
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


class ConfigService:
    def __init__(self, sessions: SessionSource, catalog: StrategyCatalog) -> None:
        self._sessions = sessions
        self._catalog = catalog

    def effective(self, strategy_id: str | None) -> ConfigResponse:
        sid = self._catalog.require(strategy_id)
        cls = self._catalog.strategy_class(sid)
        values = self._catalog.effective_parameters(sid)
        now = dt.datetime.now(dt.UTC)
        with self._sessions() as session:
            overrides = repo.active_overrides(session, sid, now)
        by_name = {o.parameter_name: o for o in overrides}
        schema = cls.Params.model_json_schema().get("properties", {})
        params = []
        for name, value in values.items():
            prop = schema.get(name, {})
            o = by_name.get(name)
            params.append(
                ConfigParameter(
                    name=name,
                    value=_parse(o.override_value, o.value_type) if o else value,
                    original_value=value if o else None,
                    is_overridden=o is not None,
                    constraints=ParameterConstraints(
                        min_value=prop.get("minimum", prop.get("exclusiveMinimum")),
                        max_value=prop.get("maximum", prop.get("exclusiveMaximum")),
                        allowed_values=prop.get("enum"),
                        value_type=_value_type(value),
                    ),
                    description=prop.get("description"),
                )
            )
        registry = self._catalog.registry()
        last = max((o.created_at for o in overrides), default=None)
        return ConfigResponse(
            strategy_id=sid,
            strategy_name=registry.strategies[sid].display_name,
            parameters=params,
            active_overrides=[_override_public(o) for o in overrides],
            last_modified=last,
        )

    def set_override(
        self, update: ConfigUpdate, changed_by: str | None, user_id: int | None
    ) -> ConfigUpdateResponse:
        now = dt.datetime.now(dt.UTC)
        if update.expires_at <= now:
            raise Invalid("expires_at must be in the future")
        if not update.reason.strip():
            raise Invalid("reason must not be empty")
        if update.parameter_name == EXECUTION_TIME_PARAM:
            return self._set_execution_time(update, changed_by, user_id, now)
        sid = self._catalog.require(update.strategy_id)
        cls = self._catalog.strategy_class(sid)
        values = self._catalog.effective_parameters(sid)
        name = update.parameter_name
        if name not in values:
            known = ", ".join(sorted(values))
            raise Invalid(f"Unknown parameter {name!r} for {sid}; known parameters: {known}")
        candidate = {**values, name: update.new_value}
        try:
            validated = cls.Params.model_validate(candidate).model_dump(mode="json")
        except ValidationError as exc:
            err = exc.errors()[0]
            raise Invalid(f"Invalid value for {name}: {err['msg']}") from None
        new_value = validated[name]
        original = _text(values[name])
        with self._sessions.begin() as session:
            previous = repo.active_overrides(session, sid, now, parameter_name=name)
            old_text = previous[0].override_value if previous else original
            for o in previous:
                if o.strategy_id == sid:
                    repo.deactivate(session, o, now)
            try:
                repo.insert_override(
                    session,
                    ConfigOverride(
                        parameter_name=name,
                        original_value=original[:100],
                        override_value=_text(new_value)[:100],
                        value_type=_value_type(new_value),
                        strategy_id=sid,
                        is_active=True,
                        reason=update.reason.strip(),
                        created_by=user_id,
                        created_at=now,
                        expires_at=update.expires_at,
                    ),
                )
            except IntegrityError:
                raise Conflict(f"Another override of {name} was created concurrently") from None
            repo.add_history(
                session,
                ConfigHistory(
                    parameter_name=name,
                    strategy_id=sid,
                    old_value=old_text[:100],
                    new_value=_text(new_value)[:100],
                    change_type="override",
                    changed_by=changed_by,
                    reason=update.reason.strip(),
                    timestamp=now,
                ),
            )
        return ConfigUpdateResponse(
            success=True,
            parameter_name=name,
            old_value=old_text,
            new_value=_text(new_value),
            message=f"{name} overridden for {sid} until {update.expires_at.isoformat()}",
        )

    def _engine(self) -> Engine:
        with self._sessions() as session:
            bind = session.get_bind()
        assert isinstance(bind, Engine)
        return bind

    def _set_execution_time(
        self, update: ConfigUpdate, changed_by: str | None, user_id: int | None, now: dt.datetime
    ) -> ConfigUpdateResponse:
        """The platform-wide ``execution_time`` override (``strategy_id='*'``, spec §6.2)."""
        engine = self._engine()
        before = effective_execution_time(engine, now).key
        try:
            set_global_override(
                engine,
                EXECUTION_TIME_PARAM,
                str(update.new_value),
                expires_at=update.expires_at,
                reason=update.reason,
                changed_by=changed_by,
                now=now,
                user_id=user_id,
            )
        except ConfigError as exc:
            raise Invalid(str(exc)) from None
        except IntegrityError:
            raise Conflict("Another execution_time override was created concurrently") from None
        return ConfigUpdateResponse(
            success=True,
            parameter_name=EXECUTION_TIME_PARAM,
            old_value=before,
            new_value=str(update.new_value),
            message=f"execution_time overridden until {update.expires_at.isoformat()}",
        )

    def effective_values(self, settings: Any) -> list[dict[str, Any]]:
        """Every effective value with its source (``GET /api/config/effective``)."""
        params = {
            sid: (self._catalog.effective_parameters(sid), self._catalog.file_parameters(sid))
            for sid in self._catalog.registry().active_ids()
        }
        return effective_values(self._engine(), settings, params, now=dt.datetime.now(dt.UTC))

    def reset(
        self, parameter_name: str, strategy_id: str | None, changed_by: str | None
    ) -> ConfigUpdateResponse:
        now = dt.datetime.now(dt.UTC)
        if parameter_name == EXECUTION_TIME_PARAM:
            cleared = clear_override(self._engine(), parameter_name, "*", changed_by=changed_by, now=now)
            return ConfigUpdateResponse(
                success=True,
                parameter_name=parameter_name,
                old_value=cleared.override_value if cleared else None,
                new_value=effective_execution_time(self._engine(), now).key if cleared else None,
                message=f"{parameter_name} override cleared"
                if cleared
                else f"{parameter_name} was not overridden",
            )
        sid = self._catalog.require(strategy_id)
        with self._sessions.begin() as session:
            active = [
                o
                for o in repo.active_overrides(session, sid, now, parameter_name=parameter_name)
                if o.strategy_id == sid
            ]
            if not active:
                # an override of a parameter the strategy no longer has can still be cleared
                # (branch above); a name the strategy does not know at all is a 404, not "done"
                values = self._catalog.effective_parameters(sid)
                if parameter_name not in values:
                    known = ", ".join(sorted(values))
                    raise NotFound(
                        f"unknown parameter {parameter_name!r} for {sid}; known parameters: {known}"
                    )
                return ConfigUpdateResponse(
                    success=True,
                    parameter_name=parameter_name,
                    old_value=None,
                    new_value=None,
                    message=f"{parameter_name} was not overridden",
                )
            o = active[0]
            repo.deactivate(session, o, now)
            repo.add_history(
                session,
                ConfigHistory(
                    parameter_name=parameter_name,
                    strategy_id=sid,
                    old_value=o.override_value,
                    new_value=o.original_value or "",
                    change_type="reset",
                    changed_by=changed_by,
                    reason="reset to file value",
                    timestamp=now,
                ),
            )
        return ConfigUpdateResponse(
            success=True,
            parameter_name=parameter_name,
            old_value=o.override_value,
            new_value=o.original_value,
            message=f"{parameter_name} reset to the file value",
        )

    def history(self, strategy_id: str | None, parameter_name: str | None, limit: int) -> ConfigHistoryPublic:
        with self._sessions() as session:
            rows = repo.history(session, strategy_id=strategy_id, parameter_name=parameter_name, limit=limit)
            entries = [
                ConfigHistoryEntry(
                    timestamp=r.timestamp,
                    parameter_name=r.parameter_name,
                    strategy_id=r.strategy_id,
                    old_value=r.old_value,
                    new_value=r.new_value,
                    change_type=r.change_type,
                    changed_by=r.changed_by,
                    reason=r.reason,
                )
                for r in rows
            ]
        return ConfigHistoryPublic(history=entries, count=len(entries))


def _override_public(o: ConfigOverride) -> OverridePublic:
    return OverridePublic(
        id=o.id,
        parameter_name=o.parameter_name,
        strategy_id=o.strategy_id,
        original_value=o.original_value,
        override_value=o.override_value,
        value_type=o.value_type,
        reason=o.reason,
        created_at=o.created_at,
        expires_at=o.expires_at,
    )
