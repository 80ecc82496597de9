"""Backtest and research run bookkeeping (``backtest_runs``, ``research_runs``, ``research_results``).

The API's job manager creates a ``queued`` row, moves it to ``running`` and finally to
``completed``/``failed``/``cancelled``; readers poll these rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from jutsu.data.models import BacktestRun, ResearchResult, ResearchRun

__all__ = [
    "count_backtest_runs",
    "delete_backtest_run",
    "get_backtest_run",
    "get_research_run",
    "list_backtest_runs",
    "list_research_results",
    "list_research_runs",
    "save",
    "update_backtest_run",
    "update_research_run",
]


def save(session: Session, row: BacktestRun | ResearchRun | ResearchResult) -> None:
    """Insert a new row."""
    session.add(row)
    session.flush()


def get_backtest_run(session: Session, run_id: str) -> BacktestRun | None:
    return session.get(BacktestRun, run_id)


def list_backtest_runs(session: Session, *, limit: int, offset: int) -> list[BacktestRun]:
    """Runs, newest first."""
    query = select(BacktestRun).order_by(BacktestRun.created_at.desc(), BacktestRun.id)
    return list(session.scalars(query.offset(offset).limit(limit)))


def count_backtest_runs(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(BacktestRun)) or 0)


def update_backtest_run(session: Session, run_id: str, **values: Any) -> bool:
    """Set columns of one run; False when it no longer exists (deleted meanwhile)."""
    row = session.get(BacktestRun, run_id)
    if row is None:
        return False
    for key, value in values.items():
        setattr(row, key, value)
    session.flush()
    return True


def delete_backtest_run(session: Session, run_id: str) -> bool:
    result = session.execute(delete(BacktestRun).where(BacktestRun.id == run_id))
    return bool(getattr(result, "rowcount", 0))


def get_research_run(session: Session, run_id: str) -> ResearchRun | None:
    return session.get(ResearchRun, run_id)


def list_research_runs(session: Session, *, status: str | None, limit: int) -> list[ResearchRun]:
    """Research runs, newest first."""
    query = select(ResearchRun)
    if status is not None:
        query = query.where(ResearchRun.status == status)
    return list(session.scalars(query.order_by(ResearchRun.created_at.desc()).limit(limit)))


def update_research_run(session: Session, run_id: str, **values: Any) -> bool:
    row = session.get(ResearchRun, run_id)
    if row is None:
        return False
    for key, value in values.items():
        setattr(row, key, value)
    session.flush()
    return True


def list_research_results(session: Session, run_id: str) -> list[ResearchResult]:
    query = select(ResearchResult).where(ResearchResult.run_id == run_id).order_by(ResearchResult.id)
    return list(session.scalars(query))
