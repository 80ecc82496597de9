"""Operational tables (platform.md §2.3): broker token store, reconciliation, security events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jutsu.data.models.base import Base, in_list, now_column
from jutsu.data.types import JSONType, UTCDateTime

__all__ = ["SEVERITIES", "BrokerToken", "ReconciliationReport", "SecurityEvent"]

SEVERITIES = ("INFO", "WARNING", "LOW", "MEDIUM", "HIGH", "CRITICAL")  # spec + issue #5 levels (0003)


class BrokerToken(Base):
    """The broker's OAuth token JSON, Fernet-encrypted; one row per provider."""

    __tablename__ = "broker_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(String(20), unique=True, server_default="schwab", default="schwab")
    token_ciphertext: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = now_column()
    created_by: Mapped[int | None] = mapped_column(Integer)


class ReconciliationReport(Base):
    """Insert-only result of comparing local trades/positions with the broker's (§5.10)."""

    __tablename__ = "reconciliation_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_at: Mapped[datetime] = mapped_column(UTCDateTime())
    period_start: Mapped[datetime] = mapped_column(UTCDateTime())
    period_end: Mapped[datetime] = mapped_column(UTCDateTime())
    total_local: Mapped[int] = mapped_column(Integer)
    total_broker: Mapped[int] = mapped_column(Integer)
    matched: Mapped[int] = mapped_column(Integer)
    missing_local: Mapped[int] = mapped_column(Integer)
    missing_broker: Mapped[int] = mapped_column(Integer)
    price_discrepancies: Mapped[int] = mapped_column(Integer)
    quantity_discrepancies: Mapped[int] = mapped_column(Integer)
    position_drift_json: Mapped[Any | None] = mapped_column(JSONType)
    is_reconciled: Mapped[bool] = mapped_column(Boolean)
    details_json: Mapped[Any | None] = mapped_column(JSONType)


class SecurityEvent(Base):
    """Insert-only security journal (§4.8)."""

    __tablename__ = "security_events"
    __table_args__ = (CheckConstraint(in_list("severity", SEVERITIES), name="severity"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    timestamp: Mapped[datetime] = now_column(index=True)
    event_type: Mapped[str] = mapped_column(String(32), index=True)
    severity: Mapped[str] = mapped_column(String(10))
    username: Mapped[str | None] = mapped_column(String(50))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    details: Mapped[Any | None] = mapped_column(JSONType)
