"""Scheduler state in the database only (spec §6.4; no state files): ``system_state['scheduler']``
and one ``job_runs`` row per job execution.

Why: the reference kept ``state/scheduler_state.json`` beside the database, and the two drifted
after restores. Here the database is the single source of truth; the in-memory scheduler only
caches what it last read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.orm import Session

from jutsu.data.models import JobRun
from jutsu.data.repositories.system_state import get_json, put_json

__all__ = [
    "SCHEDULER_KEY",
    "finish_job_run",
    "last_job_runs",
    "read_scheduler_state",
    "start_job_run",
    "update_scheduler_state",
]

SCHEDULER_KEY = "scheduler"
_DEFAULTS: dict[str, Any] = {
    "enabled": True,
    "execution_time": "5min_before_close",
    "last_run": None,
    "last_run_status": None,
    "last_error": None,
    "run_count": 0,
}


def read_scheduler_state(engine: Engine) -> dict[str, Any]:
    """The scheduler document with defaults filled in."""
    with Session(engine) as session:
        stored = get_json(session, SCHEDULER_KEY) or {}
    return {**_DEFAULTS, **stored}


def update_scheduler_state(engine: Engine, **changes: Any) -> dict[str, Any]:
    """Merge ``changes`` into the document (read-modify-write in one transaction)."""
    with Session(engine) as session, session.begin():
        doc = {**_DEFAULTS, **(get_json(session, SCHEDULER_KEY) or {}), **changes}
        put_json(session, SCHEDULER_KEY, doc)
    return doc


def start_job_run(engine: Engine, job_id: str, trigger: str, now: dt.datetime) -> int:
    """Insert the ``running`` row of one execution; returns its id."""
    with engine.begin() as conn:
        result = conn.execute(
            insert(JobRun).values(job_id=job_id, trigger=trigger, started_at=now, status="running")
        )
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])


def finish_job_run(
    engine: Engine, run_id: int, status: str, now: dt.datetime, errors: Mapping[str, str] | None
) -> None:
    """Close the row: ``completed`` / ``partial`` / ``failed`` with per-strategy errors."""
    with engine.begin() as conn:
        conn.execute(
            update(JobRun)
            .where(JobRun.id == run_id)
            .values(status=status, finished_at=now, errors=dict(errors) if errors else None)
        )


def last_job_runs(engine: Engine) -> dict[str, dict[str, Any]]:
    """The newest row of every job id (``/api/health`` "last result of each job")."""
    with engine.connect() as conn:
        newest = select(func.max(JobRun.id)).group_by(JobRun.job_id).scalar_subquery()
        rows = conn.execute(select(JobRun).where(JobRun.id.in_(newest))).all()
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        out[r.job_id] = {
            "status": r.status,
            "trigger": r.trigger,
            "started_at": r.started_at.isoformat() if r.started_at else None,
            "finished_at": r.finished_at.isoformat() if r.finished_at else None,
            "errors": r.errors,
        }
    return out
