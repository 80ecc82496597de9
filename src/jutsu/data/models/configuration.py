"""Configuration and key/value tables (platform.md §2.3): overrides, their history, system state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text, text, true
from sqlalchemy.orm import Mapped, mapped_column

from jutsu.data.models.base import Base, now_column
from jutsu.data.types import UTCDateTime

__all__ = ["ConfigHistory", "ConfigOverride", "SystemState"]


class ConfigOverride(Base):
    """A runtime parameter override for one strategy (``*`` = platform-wide); one active at a time."""

    __tablename__ = "config_overrides"
    __table_args__ = (Index("idx_config_override_active", "parameter_name", "strategy_id", "is_active"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    parameter_name: Mapped[str] = mapped_column(String(50))
    original_value: Mapped[str | None] = mapped_column(String(100))
    override_value: Mapped[str] = mapped_column(String(100))
    value_type: Mapped[str] = mapped_column(String(20))
    strategy_id: Mapped[str] = mapped_column(String(50))
    is_active: Mapped[bool | None] = mapped_column(Boolean, server_default=true(), default=True)
    reason: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = now_column()
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# Bare ``WHERE is_active`` is valid on both engines (``= 1`` fails on PostgreSQL, ``= true`` on old SQLite).
_ACTIVE = text("is_active")
Index(
    "uix_config_override_one_active",
    ConfigOverride.parameter_name,
    ConfigOverride.strategy_id,
    unique=True,
    sqlite_where=_ACTIVE,
    postgresql_where=_ACTIVE,
)


class ConfigHistory(Base):
    """Insert-only audit of configuration changes."""

    __tablename__ = "config_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    parameter_name: Mapped[str] = mapped_column(String(50), index=True)
    strategy_id: Mapped[str | None] = mapped_column(String(50))
    old_value: Mapped[str | None] = mapped_column(String(100))
    new_value: Mapped[str] = mapped_column(String(100))
    change_type: Mapped[str] = mapped_column(String(20))
    changed_by: Mapped[str | None] = mapped_column(String(50))
    reason: Mapped[str | None] = mapped_column(String(200))
    timestamp: Mapped[datetime] = now_column(index=True)


class SystemState(Base):
    """Key/value store for small pieces of platform state (engine, scheduler, leader heartbeat)."""

    __tablename__ = "system_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(50), unique=True, index=True)
    value: Mapped[str | None] = mapped_column(Text)
    value_type: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[datetime] = now_column()
