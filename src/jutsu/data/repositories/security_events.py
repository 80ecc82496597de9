"""The only code that reads or writes ``security_events`` (platform.md §2.3, §4.8): insert-only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jutsu.data.models import SecurityEvent

__all__ = ["SecurityEventFilter", "add_security_event", "list_security_events"]


@dataclass(frozen=True, slots=True)
class SecurityEventFilter:
    """Optional filters; string filters match exactly (bound parameters, never SQL text)."""

    event_type: str | None = None
    severity: str | None = None
    username: str | None = None
    ip_address: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def add_security_event(
    session: Session,
    *,
    timestamp: datetime,
    event_type: str,
    severity: str,
    username: str | None,
    ip_address: str | None,
    user_agent: str | None,
    details: Mapping[str, Any] | None,
) -> SecurityEvent:
    """Append one event (the caller commits)."""
    row = SecurityEvent(
        timestamp=timestamp,
        event_type=event_type,
        severity=severity,
        username=username[:50] if username else None,
        ip_address=ip_address[:45] if ip_address else None,
        user_agent=user_agent[:255] if user_agent else None,
        details=dict(details) if details else None,
    )
    session.add(row)
    return row


def list_security_events(
    session: Session, flt: SecurityEventFilter, *, offset: int, limit: int
) -> tuple[Sequence[SecurityEvent], int]:
    """One page of events, newest first, and the total matching the filter."""
    conditions = []
    if flt.event_type is not None:
        conditions.append(SecurityEvent.event_type == flt.event_type)
    if flt.severity is not None:
        conditions.append(SecurityEvent.severity == flt.severity)
    if flt.username is not None:
        conditions.append(SecurityEvent.username == flt.username)
    if flt.ip_address is not None:
        conditions.append(SecurityEvent.ip_address == flt.ip_address)
    if flt.since is not None:
        conditions.append(SecurityEvent.timestamp >= flt.since)
    if flt.until is not None:
        conditions.append(SecurityEvent.timestamp < flt.until)
    total = session.scalar(select(func.count()).select_from(SecurityEvent).where(*conditions)) or 0
    rows = session.scalars(
        select(SecurityEvent)
        .where(*conditions)
        .order_by(SecurityEvent.timestamp.desc(), SecurityEvent.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return rows, int(total)
