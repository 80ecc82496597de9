"""Runtime parameter overrides and their immutable audit trail (platform.md §2.3, §3.11).

Every read filters by ``strategy_id`` (an override of one strategy must never leak into another)
and ignores overrides whose ``expires_at`` has passed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from jutsu.data.models import ConfigHistory, ConfigOverride

__all__ = ["active_overrides", "add_history", "deactivate", "history", "insert_override"]


def active_overrides(
    session: Session, strategy_id: str, now: dt.datetime, *, parameter_name: str | None = None
) -> list[ConfigOverride]:
    """Active, unexpired overrides of ``strategy_id`` (and the platform-wide ``*`` ones)."""
    query = select(ConfigOverride).where(
        ConfigOverride.strategy_id.in_((strategy_id, "*")),
        ConfigOverride.is_active.is_(True),
        or_(ConfigOverride.expires_at.is_(None), ConfigOverride.expires_at > now),
    )
    if parameter_name is not None:
        query = query.where(ConfigOverride.parameter_name == parameter_name)
    return list(session.scalars(query.order_by(ConfigOverride.parameter_name)))


def deactivate(session: Session, override: ConfigOverride, now: dt.datetime) -> None:
    """Turn an override off (rows are kept; history is written by the caller)."""
    override.is_active = False
    override.deactivated_at = now
    session.flush()


def insert_override(session: Session, override: ConfigOverride) -> ConfigOverride:
    """Add a new active override; the partial unique index enforces one active per key."""
    session.add(override)
    session.flush()
    return override


def add_history(session: Session, entry: ConfigHistory) -> None:
    """Append one audit row (insert-only table)."""
    session.add(entry)
    session.flush()


def history(
    session: Session,
    *,
    strategy_id: str | None = None,
    parameter_name: str | None = None,
    limit: int = 100,
) -> list[ConfigHistory]:
    """Audit rows, newest first."""
    query = select(ConfigHistory)
    if strategy_id is not None:
        query = query.where(ConfigHistory.strategy_id == strategy_id)
    if parameter_name is not None:
        query = query.where(ConfigHistory.parameter_name == parameter_name)
    query = query.order_by(ConfigHistory.timestamp.desc(), ConfigHistory.id.desc()).limit(limit)
    return list(session.scalars(query))
