"""Reads of the EOD-finalized ``daily_performance`` rows and ``eod_job_status`` (platform.md §5.4).

Only the EOD job writes these tables; the API only reads them. Queries use the
``idx_daily_perf_mode_entity`` index order (mode, entity_type, entity_id, trading_date).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, bindparam, select
from sqlalchemy.orm import Session

from jutsu.data.models import DailyPerformance, EodJobStatus

__all__ = [
    "EntityVersion",
    "daily_rows",
    "entity_version",
    "eod_status",
    "first_daily_row",
    "latest_daily_row",
    "recent_eod_jobs",
    "row_before",
]

EntityVersion = tuple[dt.date | None, int | None, dt.datetime | None]
"""``(newest trading_date, its id, its finalized_at)`` of one entity's rows (all ``None``: no rows)."""


def _entity(entity_type: str, entity_id: str, mode: str) -> list[ColumnElement[bool]]:
    return [
        DailyPerformance.mode == mode,
        DailyPerformance.entity_type == entity_type,
        DailyPerformance.entity_id == entity_id,
    ]


def daily_rows(
    session: Session,
    entity_type: str,
    entity_id: str,
    mode: str,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[DailyPerformance]:
    """Rows of one entity in ``start..end`` (inclusive), oldest first."""
    query = select(DailyPerformance).where(*_entity(entity_type, entity_id, mode))
    if start is not None:
        query = query.where(DailyPerformance.trading_date >= start)
    if end is not None:
        query = query.where(DailyPerformance.trading_date <= end)
    return list(session.scalars(query.order_by(DailyPerformance.trading_date)))


def latest_daily_row(
    session: Session, entity_type: str, entity_id: str, mode: str, *, on_or_before: dt.date | None = None
) -> DailyPerformance | None:
    """The newest row of one entity (optionally not after ``on_or_before``)."""
    query = select(DailyPerformance).where(*_entity(entity_type, entity_id, mode))
    if on_or_before is not None:
        query = query.where(DailyPerformance.trading_date <= on_or_before)
    return session.scalars(query.order_by(DailyPerformance.trading_date.desc()).limit(1)).first()


def row_before(
    session: Session, entity_type: str, entity_id: str, mode: str, day: dt.date
) -> DailyPerformance | None:
    """The last row strictly before ``day`` (period-return anchor)."""
    return latest_daily_row(session, entity_type, entity_id, mode, on_or_before=day - dt.timedelta(days=1))


def eod_status(session: Session, day: dt.date) -> EodJobStatus | None:
    """The finalization job row of one trading date."""
    return session.get(EodJobStatus, day)


def recent_eod_jobs(session: Session, limit: int = 5) -> list[EodJobStatus]:
    """The newest finalization job rows."""
    query = select(EodJobStatus).order_by(EodJobStatus.job_date.desc()).limit(limit)
    return list(session.scalars(query))


def first_daily_row(session: Session, entity_type: str, entity_id: str, mode: str) -> DailyPerformance | None:
    """The oldest row of one entity (its inception)."""
    query = select(DailyPerformance).where(*_entity(entity_type, entity_id, mode))
    return session.scalars(query.order_by(DailyPerformance.trading_date).limit(1)).first()


def entity_version(session: Session, entity_type: str, entity_id: str, mode: str) -> EntityVersion:
    """A cheap fingerprint of one entity's rows, for caches of values computed from them.

    One index seek (``idx_daily_perf_mode_entity``) on the Core path (no ORM entities): a newly
    finalized or re-finalized newest day changes it. Rows rewritten further back do not — the
    cache's time-to-live bounds that staleness.
    """
    row = (
        session.connection()
        .execute(_VERSION, {"mode": mode, "entity_type": entity_type, "entity_id": entity_id})
        .first()
    )
    if row is None:
        return (None, None, None)
    return (row[0], row[1], row[2])


_VERSION = (
    select(DailyPerformance.trading_date, DailyPerformance.id, DailyPerformance.finalized_at)
    .where(
        DailyPerformance.mode == bindparam("mode"),
        DailyPerformance.entity_type == bindparam("entity_type"),
        DailyPerformance.entity_id == bindparam("entity_id"),
    )
    .order_by(DailyPerformance.trading_date.desc())
    .limit(1)
)
