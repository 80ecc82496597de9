"""Job and research bookkeeping: scheduled job runs, backtest runs, research runs and results.

Not detailed by platform.md §2.3; designed for issue #2. ``research_results.combo_key`` is the
hash of strategy + params + data fingerprint + engine version, so a re-run of a grid can skip
combinations already computed (``UNIQUE(run_id, combo_key)``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from jutsu.data.models.base import Base, in_list, now_column
from jutsu.data.types import JSONType, UTCDateTime

__all__ = [
    "JOB_RUN_STATUSES",
    "RESEARCH_KINDS",
    "RUN_STATUSES",
    "BacktestRun",
    "JobRun",
    "ResearchResult",
    "ResearchRun",
]

JOB_RUN_STATUSES = ("running", "completed", "partial", "failed")
RUN_STATUSES = ("queued", "running", "completed", "failed", "cancelled")
RESEARCH_KINDS = ("grid", "wfo", "montecarlo")
RESULT_STATUSES = ("completed", "failed")


class JobRun(Base):
    """One execution of a scheduled job (§6.1); ``errors`` maps strategy id → error message."""

    __tablename__ = "job_runs"
    __table_args__ = (
        Index("idx_job_runs_job_started", "job_id", "started_at"),
        CheckConstraint(in_list("status", JOB_RUN_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(String(100))
    trigger: Mapped[str] = mapped_column(String(16), server_default="scheduled", default="scheduled")
    started_at: Mapped[datetime] = now_column()
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), server_default="running", default="running")
    errors: Mapped[Any | None] = mapped_column(JSONType)


class BacktestRun(Base):
    """A backtest started from the CLI or API; ``summary`` holds strategy and baseline metrics."""

    __tablename__ = "backtest_runs"
    __table_args__ = (
        Index("idx_backtest_runs_strategy_created", "strategy_id", "created_at"),
        CheckConstraint(in_list("status", RUN_STATUSES), name="status"),
        CheckConstraint("end_date >= start_date", name="date_range"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    strategy_id: Mapped[str] = mapped_column(String(50))
    params: Mapped[Any] = mapped_column(JSONType)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    initial_capital: Mapped[Decimal] = mapped_column(Numeric(18, 6))
    status: Mapped[str] = mapped_column(String(16), server_default="queued", default="queued")
    created_at: Mapped[datetime] = now_column()
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    summary: Mapped[Any | None] = mapped_column(JSONType)
    data_fingerprint: Mapped[str | None] = mapped_column(String(64))
    engine_version: Mapped[str | None] = mapped_column(String(32))
    out_dir: Mapped[str | None] = mapped_column(String(500))
    error: Mapped[str | None] = mapped_column(Text)


class ResearchRun(Base):
    """A grid search, walk-forward or Monte Carlo job; ``progress`` is a fraction in [0, 1]."""

    __tablename__ = "research_runs"
    __table_args__ = (
        Index("idx_research_runs_created", "created_at"),
        CheckConstraint(in_list("kind", RESEARCH_KINDS), name="kind"),
        CheckConstraint(in_list("status", RUN_STATUSES), name="status"),
        CheckConstraint("progress >= 0 AND progress <= 1", name="progress_range"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    config: Mapped[Any] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16), server_default="queued", default="queued")
    progress: Mapped[Decimal] = mapped_column(Numeric(7, 6), server_default=text("0"), default=Decimal(0))
    created_at: Mapped[datetime] = now_column()
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    summary: Mapped[Any | None] = mapped_column(JSONType)
    error: Mapped[str | None] = mapped_column(Text)


class ResearchResult(Base):
    """One evaluated parameter combination of a research run."""

    __tablename__ = "research_results"
    __table_args__ = (
        UniqueConstraint("run_id", "combo_key", name="uix_research_results_run_combo"),
        CheckConstraint(in_list("status", RESULT_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("research_runs.id", ondelete="CASCADE"), index=True)
    combo_key: Mapped[str] = mapped_column(String(64))
    params: Mapped[Any] = mapped_column(JSONType)
    metrics: Mapped[Any | None] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = now_column()
    returns: Mapped[Any | None] = mapped_column(JSONType)
    """Daily returns of the combination (JSON list of floats, one per session of the run's
    period; the run's ``summary.return_dates`` holds the dates) — overfitting statistics read
    them as the T×N returns matrix."""
