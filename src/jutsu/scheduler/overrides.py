"""Runtime overrides as the scheduler sees them: expiry sweep and the effective execution time.

Why an expiry sweep: the reference's stale-override incident — a forgotten ``execution_time``
override silently moved the trading job for weeks. Every override now carries ``expires_at``;
an expired one is ignored, logged, deactivated and recorded in ``config_history`` with
``change_type='expire'`` (changed by ``system``), so the audit trail shows when it stopped.

Resolution of ``execution_time`` (spec §6.2, first hit wins): active global override
(``strategy_id='*'``) → ``strategy.parameters.execution_time`` in
``config/live_trading_config.yaml`` → ``5min_before_close``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from jutsu.config.yaml_io import load_yaml_file
from jutsu.data.models import ConfigHistory, ConfigOverride
from jutsu.data.repositories import config_overrides as repo
from jutsu.errors import ConfigError
from jutsu.scheduler.triggers import EXECUTION_TIMES

__all__ = [
    "DEFAULT_EXECUTION_TIME",
    "EXECUTION_TIME_PARAM",
    "GLOBAL",
    "LIVE_TRADING_YAML",
    "EffectiveTime",
    "clear_override",
    "effective_execution_time",
    "expire_overrides",
    "list_overrides",
    "set_global_override",
    "validate_execution_time",
    "yaml_execution_time",
]

log = logging.getLogger(__name__)

EXECUTION_TIME_PARAM = "execution_time"
GLOBAL = "*"
DEFAULT_EXECUTION_TIME = "5min_before_close"
LIVE_TRADING_YAML = Path("config/live_trading_config.yaml")

Source = Literal["override", "yaml", "default"]


@dataclass(frozen=True, slots=True)
class EffectiveTime:
    key: str
    source: Source
    expires_at: dt.datetime | None = None


def validate_execution_time(key: str) -> str:
    """``key`` if it is one of the five execution-time keys, else :class:`ConfigError`."""
    if key not in EXECUTION_TIMES:
        raise ConfigError(f"invalid execution_time {key!r}; valid keys: {', '.join(EXECUTION_TIMES)}")
    return key


def expire_overrides(engine: Engine, now: dt.datetime) -> list[ConfigOverride]:
    """Deactivate every active override whose ``expires_at`` has passed; audit and log each."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        due = list(
            session.scalars(
                select(ConfigOverride).where(
                    ConfigOverride.is_active.is_(True),
                    ConfigOverride.expires_at.is_not(None),
                    ConfigOverride.expires_at <= now,
                )
            )
        )
        for o in due:
            repo.deactivate(session, o, now)
            repo.add_history(
                session,
                ConfigHistory(
                    parameter_name=o.parameter_name,
                    strategy_id=o.strategy_id,
                    old_value=o.override_value,
                    new_value=(o.original_value or "")[:100],
                    change_type="expire",
                    changed_by="system",
                    reason=f"override expired at {o.expires_at.isoformat() if o.expires_at else '?'}",
                    timestamp=now,
                ),
            )
            log.warning(
                "override %s=%s for %s expired at %s; ignored from now on",
                o.parameter_name,
                o.override_value,
                o.strategy_id,
                o.expires_at,
            )
    return due


def yaml_execution_time(path: Path = LIVE_TRADING_YAML) -> str | None:
    """``strategy.parameters.execution_time`` of the live-trading YAML, when the file sets it."""
    if not path.is_file():
        return None
    doc: Any = load_yaml_file(path)
    if not isinstance(doc, dict):
        return None
    strategy = doc.get("strategy")
    parameters = strategy.get("parameters") if isinstance(strategy, dict) else None
    value = parameters.get("execution_time") if isinstance(parameters, dict) else None
    return None if value is None else validate_execution_time(str(value))


def effective_execution_time(
    engine: Engine, now: dt.datetime, yaml_path: Path = LIVE_TRADING_YAML
) -> EffectiveTime:
    """The execution-time key in force now and where it comes from (expired overrides swept first)."""
    expire_overrides(engine, now)
    with Session(engine) as session:
        active = [
            o
            for o in repo.active_overrides(session, GLOBAL, now, parameter_name=EXECUTION_TIME_PARAM)
            if o.strategy_id == GLOBAL
        ]
    if active:
        key = active[0].override_value
        if key in EXECUTION_TIMES:
            return EffectiveTime(key, "override", active[0].expires_at)
        log.error("ignoring invalid execution_time override %r", key)
    from_yaml = yaml_execution_time(yaml_path)
    if from_yaml is not None:
        return EffectiveTime(from_yaml, "yaml")
    return EffectiveTime(DEFAULT_EXECUTION_TIME, "default")


def set_global_override(
    engine: Engine,
    name: str,
    value: str,
    *,
    expires_at: dt.datetime,
    reason: str,
    changed_by: str | None,
    now: dt.datetime,
    user_id: int | None = None,
    strategy_id: str = GLOBAL,
    original_value: str | None = None,
    value_type: str = "str",
) -> ConfigOverride:
    """Replace the active override of (``name``, ``strategy_id``); audit who/when/old/new/why.

    An override without a future expiry or a reason is refused (the stale-override incident).
    """
    if expires_at.tzinfo is None or expires_at <= now:
        raise ConfigError("an override needs an expiry in the future (e.g. --expires-in 2h)")
    if not reason.strip():
        raise ConfigError("an override needs a reason")
    if name == EXECUTION_TIME_PARAM:
        validate_execution_time(value)
        strategy_id = GLOBAL
        if original_value is None:
            original_value = yaml_execution_time() or DEFAULT_EXECUTION_TIME
    expire_overrides(engine, now)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        previous = [
            o
            for o in repo.active_overrides(session, strategy_id, now, parameter_name=name)
            if o.strategy_id == strategy_id
        ]
        old = previous[0].override_value if previous else original_value
        for o in previous:
            repo.deactivate(session, o, now)
        row = repo.insert_override(
            session,
            ConfigOverride(
                parameter_name=name,
                original_value=None if original_value is None else original_value[:100],
                override_value=value[:100],
                value_type=value_type,
                strategy_id=strategy_id,
                is_active=True,
                reason=reason.strip()[:200],
                created_by=user_id,
                created_at=now,
                expires_at=expires_at,
            ),
        )
        repo.add_history(
            session,
            ConfigHistory(
                parameter_name=name,
                strategy_id=strategy_id,
                old_value=None if old is None else old[:100],
                new_value=value[:100],
                change_type="override",
                changed_by=changed_by,
                reason=reason.strip()[:200],
                timestamp=now,
            ),
        )
    return row


def clear_override(
    engine: Engine, name: str, strategy_id: str, *, changed_by: str | None, now: dt.datetime
) -> ConfigOverride | None:
    """Deactivate the active override of (``name``, ``strategy_id``); ``None`` when there is none."""
    if name == EXECUTION_TIME_PARAM:
        strategy_id = GLOBAL
    with Session(engine, expire_on_commit=False) as session, session.begin():
        active = [
            o
            for o in repo.active_overrides(session, strategy_id, now, parameter_name=name)
            if o.strategy_id == strategy_id
        ]
        if not active:
            return None
        o = active[0]
        repo.deactivate(session, o, now)
        repo.add_history(
            session,
            ConfigHistory(
                parameter_name=name,
                strategy_id=strategy_id,
                old_value=o.override_value,
                new_value=(o.original_value or "")[:100],
                change_type="reset",
                changed_by=changed_by,
                reason="override cleared",
                timestamp=now,
            ),
        )
    return o


def list_overrides(engine: Engine, now: dt.datetime) -> list[ConfigOverride]:
    """Active, unexpired overrides of every strategy (expired ones are swept first)."""
    expire_overrides(engine, now)
    with Session(engine, expire_on_commit=False) as session:
        return list(
            session.scalars(
                select(ConfigOverride)
                .where(ConfigOverride.is_active.is_(True))
                .order_by(ConfigOverride.strategy_id, ConfigOverride.parameter_name)
            )
        )
