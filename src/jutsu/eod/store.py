"""Writes of the EOD tables: ``daily_performance`` upserts and ``eod_job_status`` bookkeeping.

The upsert is dispatched on the dialect (``INSERT ... ON CONFLICT (uix_daily_perf columns)
DO UPDATE`` on PostgreSQL and SQLite), so two finalizations of one day can never create a
second row, even when they race.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from jutsu.data.models import DailyPerformance, EodJobStatus
from jutsu.errors import ConfigError

__all__ = ["DAILY_KEY", "finish_eod_status", "start_eod_status", "upsert_daily"]

DAILY_KEY = ("trading_date", "entity_type", "entity_id", "mode")


def _insert(conn: Connection, table: Any) -> Any:
    if conn.dialect.name == "postgresql":
        return pg_insert(table)
    if conn.dialect.name == "sqlite":
        return sqlite_insert(table)
    raise ConfigError(f"unsupported database dialect {conn.dialect.name!r}")  # pragma: no cover


def upsert_daily(conn: Connection, values: Mapping[str, Any]) -> None:
    """Insert or replace the row of (trading_date, entity_type, entity_id, mode)."""
    stmt = _insert(conn, DailyPerformance).values(**values)
    changes = {k: stmt.excluded[k] for k in values if k not in DAILY_KEY}
    conn.execute(stmt.on_conflict_do_update(index_elements=list(DAILY_KEY), set_=changes))


def start_eod_status(
    conn: Connection,
    day: dt.date,
    *,
    now: dt.datetime,
    strategies_total: int,
    baselines_total: int,
    retry: bool,
) -> None:
    """Mark ``day`` running (new row, or reset of an earlier attempt; ``retry`` counts it)."""
    row = conn.execute(select(EodJobStatus).where(EodJobStatus.job_date == day)).first()
    values: dict[str, Any] = {
        "status": "running",
        "started_at": now,
        "completed_at": None,
        "strategies_total": strategies_total,
        "strategies_processed": 0,
        "baselines_total": baselines_total,
        "baselines_processed": 0,
        "error_message": None,
    }
    if row is None:
        stmt = _insert(conn, EodJobStatus).values(job_date=day, retry_count=1 if retry else 0, **values)
        conn.execute(stmt.on_conflict_do_update(index_elements=["job_date"], set_=values))
        return
    retries = (row.retry_count or 0) + (1 if retry else 0)
    conn.execute(
        update(EodJobStatus).where(EodJobStatus.job_date == day).values(retry_count=retries, **values)
    )


def finish_eod_status(
    conn: Connection,
    day: dt.date,
    *,
    now: dt.datetime,
    status: str,
    strategies_processed: int,
    baselines_processed: int,
    errors: list[str],
) -> None:
    conn.execute(
        update(EodJobStatus)
        .where(EodJobStatus.job_date == day)
        .values(
            status=status,
            completed_at=now,
            strategies_processed=strategies_processed,
            baselines_processed=baselines_processed,
            error_message="; ".join(errors[:5]) or None,
        )
    )
