"""Research runs and their results in the database (``research_runs`` / ``research_results``).

A run's id is derived from what it computes (kind + config + data fingerprint + engine
version), so re-running the same config finds the same run and only evaluates the
combinations whose ``combo_key`` is not stored yet. Every result is committed as it arrives:
an interruption loses at most the tasks that were still running.

Storage of daily returns (for F1's overfitting statistics): ``research_results.returns`` is a
JSON list of floats, one per session of the combination's period, first return measured from
the initial capital; ``research_runs.summary["return_dates"]`` lists those sessions
(ISO dates) for a grid run, so every completed row of a grid is one column of the T×N matrix.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jutsu.data.models import ResearchResult, ResearchRun
from jutsu.research.worker import ComboOutcome

__all__ = ["ResearchStore", "StoredResult", "run_id_for"]

_NAMESPACE = uuid.UUID("5b0e7c53-4a3e-4c59-9a43-6d2f1f6f2a10")


def run_id_for(run_hash: str) -> str:
    """The run id for a run identity hash (deterministic: same inputs → same run)."""
    return str(uuid.uuid5(_NAMESPACE, run_hash))


@dataclass(frozen=True, slots=True)
class StoredResult:
    """One row of ``research_results``."""

    combo_key: str
    params: Mapping[str, Any]
    metrics: Mapping[str, float | None] | None
    returns: list[float] | None
    status: str
    error: str | None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ResearchStore:
    """Thin persistence for one research run (one short transaction per call)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def open_run(self, run_hash: str, kind: str, config: Mapping[str, Any]) -> tuple[str, set[str]]:
        """Create the run or reopen it; returns its id and the combo keys already stored."""
        run_id = run_id_for(run_hash)
        with Session(self._engine) as session, session.begin():
            run = session.get(ResearchRun, run_id)
            if run is None:
                session.add(
                    ResearchRun(
                        id=run_id, kind=kind, config=dict(config), status="running", progress=Decimal(0)
                    )
                )
            else:
                run.status = "running"
                run.finished_at = None
                run.error = None
        return run_id, self.stored_keys(run_id)

    def stored_keys(self, run_id: str) -> set[str]:
        with Session(self._engine) as session:
            return set(
                session.scalars(select(ResearchResult.combo_key).where(ResearchResult.run_id == run_id))
            )

    def save(self, run_id: str, params: Mapping[str, Any], outcome: ComboOutcome, progress: float) -> None:
        """Commit one result (a duplicate key — a concurrent re-run — is ignored)."""
        row = ResearchResult(
            run_id=run_id,
            combo_key=outcome.key,
            params=dict(params),
            metrics=outcome.metrics,
            returns=outcome.returns,
            status="completed" if outcome.error is None else "failed",
            error=outcome.error,
        )
        try:
            with Session(self._engine) as session, session.begin():
                session.add(row)
                session.execute(
                    update(ResearchRun)
                    .where(ResearchRun.id == run_id)
                    .values(progress=Decimal(str(round(min(max(progress, 0.0), 1.0), 6))))
                )
        except IntegrityError:
            pass

    def save_many(
        self, run_id: str, items: Sequence[tuple[Mapping[str, Any], ComboOutcome]], progress: float
    ) -> None:
        """Commit several results in one transaction (one fsync instead of one per result).

        Falls back to :meth:`save` one by one if a key is already stored (a concurrent re-run).
        """
        if not items:
            return
        rows = [
            ResearchResult(
                run_id=run_id,
                combo_key=outcome.key,
                params=dict(params),
                metrics=outcome.metrics,
                returns=outcome.returns,
                status="completed" if outcome.error is None else "failed",
                error=outcome.error,
            )
            for params, outcome in items
        ]
        try:
            with Session(self._engine) as session, session.begin():
                session.add_all(rows)
                session.execute(
                    update(ResearchRun)
                    .where(ResearchRun.id == run_id)
                    .values(progress=Decimal(str(round(min(max(progress, 0.0), 1.0), 6))))
                )
        except IntegrityError:
            for params, outcome in items:
                self.save(run_id, params, outcome, progress)

    def finish(
        self, run_id: str, status: str, summary: Mapping[str, Any] | None = None, error: str | None = None
    ) -> None:
        """Mark the run completed / cancelled / failed, with its summary."""
        with Session(self._engine) as session, session.begin():
            run = session.get(ResearchRun, run_id)
            if run is None:
                return
            run.status = status
            run.finished_at = _now()
            if status == "completed":
                run.progress = Decimal(1)
            if summary is not None:
                run.summary = dict(summary)
            run.error = error

    def results(self, run_id: str, keys: Collection[str] | None = None) -> dict[str, StoredResult]:
        """Stored results of the run by combo key (optionally only ``keys``)."""
        stmt = select(ResearchResult).where(ResearchResult.run_id == run_id)
        out: dict[str, StoredResult] = {}
        with Session(self._engine) as session:
            for row in session.scalars(stmt):
                if keys is not None and row.combo_key not in keys:
                    continue
                out[row.combo_key] = StoredResult(
                    combo_key=row.combo_key,
                    params=row.params,
                    metrics=row.metrics,
                    returns=row.returns,
                    status=row.status,
                    error=row.error,
                )
        return out

    def run_row(self, run_id: str) -> dict[str, Any] | None:
        """The run's status, progress and summary (for the API and tests)."""
        with Session(self._engine) as session:
            run = session.get(ResearchRun, run_id)
            if run is None:
                return None
            return {
                "id": run.id,
                "kind": run.kind,
                "status": run.status,
                "progress": float(run.progress),
                "summary": run.summary,
                "config": run.config,
            }
