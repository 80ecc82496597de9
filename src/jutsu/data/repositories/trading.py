"""Reads of the live-trading book: positions, per-strategy state, execution runs, snapshots.

Every query filters by both ``strategy_id`` and ``mode`` (platform.md §2.2-5): a missing filter
once made one strategy trade on another's positions. Functions take a ``Session``; the caller
(a service) owns the transaction.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jutsu.data.models import ExecutionRun, PerformanceSnapshot, Position, StrategyState

__all__ = [
    "latest_execution_run",
    "latest_snapshot",
    "latest_snapshot_any",
    "list_positions",
    "scheduler_snapshots_since",
    "strategy_state",
]


def list_positions(session: Session, strategy_id: str, mode: str) -> list[Position]:
    """Open positions of one strategy in one mode, by symbol."""
    query = (
        select(Position)
        .where(Position.strategy_id == strategy_id, Position.mode == mode, Position.quantity > 0)
        .order_by(Position.symbol)
    )
    return list(session.scalars(query))


def strategy_state(session: Session, strategy_id: str, mode: str) -> StrategyState | None:
    """Cash and run memory of one strategy in one mode (``None`` before its first run)."""
    return session.get(StrategyState, (strategy_id, mode))


def latest_execution_run(session: Session, strategy_id: str, mode: str) -> ExecutionRun | None:
    """The most recently started evaluation of the strategy in that mode."""
    query = (
        select(ExecutionRun)
        .where(ExecutionRun.strategy_id == strategy_id, ExecutionRun.mode == mode)
        .order_by(ExecutionRun.started_at.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def latest_snapshot(
    session: Session, strategy_id: str, mode: str, *, source: str | None = "scheduler"
) -> PerformanceSnapshot | None:
    """Newest snapshot of ``source`` (default ``scheduler``, the only regime authority, §1.5)."""
    query = select(PerformanceSnapshot).where(
        PerformanceSnapshot.strategy_id == strategy_id, PerformanceSnapshot.mode == mode
    )
    if source is not None:
        query = query.where(PerformanceSnapshot.snapshot_source == source)
    return session.scalars(query.order_by(PerformanceSnapshot.timestamp.desc()).limit(1)).first()


def latest_snapshot_any(session: Session, mode: str | None = None) -> dt.datetime | None:
    """Instant of the newest snapshot of any strategy (data staleness, §3.10)."""
    query = select(func.max(PerformanceSnapshot.timestamp))
    if mode is not None:
        query = query.where(PerformanceSnapshot.mode == mode)
    value: dt.datetime | None = session.scalar(query)
    return value


def scheduler_snapshots_since(
    session: Session, strategy_id: str, mode: str, since: dt.datetime
) -> list[PerformanceSnapshot]:
    """Scheduler snapshots at or after ``since``, oldest first (indicator history)."""
    query = (
        select(PerformanceSnapshot)
        .where(
            PerformanceSnapshot.strategy_id == strategy_id,
            PerformanceSnapshot.mode == mode,
            PerformanceSnapshot.snapshot_source == "scheduler",
            PerformanceSnapshot.timestamp >= since,
        )
        .order_by(PerformanceSnapshot.timestamp)
    )
    return list(session.scalars(query))
