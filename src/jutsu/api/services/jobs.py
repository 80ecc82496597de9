"""Asynchronous backtests and research jobs: start (202), poll, cancel.

Jobs run on a small thread pool owned by the app (not a module global). Each backtest is a row
in ``backtest_runs`` moving ``queued → running → completed | failed | cancelled``; progress and
completion are published on the event bus as ``job_status`` (the WebSocket forwards them).

Cancelling a queued job stops it before it starts. A running backtest cannot be interrupted
inside the engine; it is marked ``cancelled`` at once and its result is discarded when the
engine returns. Research grid jobs are interrupted between combinations (the research
service's progress callback raises).

Results: ``summary`` holds the ``summary.json`` document of the run plus ``equity_curve`` and
``trades`` lists, so everything the API serves lives in the database (both engines).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from jutsu.api.schemas.jobs import (
    BacktestAccepted,
    BacktestEquityPoint,
    BacktestHistoryItem,
    BacktestRequestBody,
    BacktestResponse,
    BacktestTrade,
    JobAccepted,
    JobStatusPublic,
    ResearchResultPublic,
    ResearchResultsPublic,
)
from jutsu.api.services.errors import Conflict, Invalid, NotFound
from jutsu.api.services.strategies import StrategyCatalog
from jutsu.backtest.loaders import FrameLoader, database_loader
from jutsu.backtest.models import BacktestRequest
from jutsu.data.models import BacktestRun
from jutsu.data.repositories import runs as repo
from jutsu.errors import JutsuError
from jutsu.events import Event, EventBus

__all__ = ["JobManager"]

log = logging.getLogger(__name__)
_DONE = ("completed", "failed", "cancelled")


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str, allow_nan=False))


class JobManager:
    """Owns the worker threads; ``shutdown()`` is called by the app's lifespan on exit."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        engine: Engine,
        bus: EventBus,
        catalog: StrategyCatalog,
        *,
        load_frames: FrameLoader | None = None,
        workers: int = 2,
    ) -> None:
        self._sessions = sessions
        self._engine = engine
        self._bus = bus
        self._catalog = catalog
        self._load = load_frames or database_loader(engine)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="jutsu-job")
        self._cancelled: set[str] = set()
        self._lock = threading.Lock()
        self._research: dict[str, JobStatusPublic] = {}
        self._research_run_ids: dict[str, str] = {}

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _publish(
        self, job: str, job_id: str, status: str, progress: float | None = None, error: str | None = None
    ) -> None:
        data: dict[str, object] = {"job": job, "id": job_id, "status": status}
        if progress is not None:
            data["progress"] = progress
        if error is not None:
            data["error"] = error
        self._bus.publish(Event(type="job_status", data=data))

    # -- backtests -----------------------------------------------------------------------------

    def start_backtest(self, body: BacktestRequestBody) -> BacktestAccepted:
        cls = self._catalog.catalog_class(body.strategy_name)
        try:
            cls.Params.model_validate(body.parameters)
        except ValidationError as exc:
            msg = exc.errors()[0]["msg"]
            raise Invalid(f"Invalid parameters for {body.strategy_name}: {msg}") from None
        run_id = str(uuid.uuid4())
        request = BacktestRequest(
            strategy_id=body.strategy_name,
            start=body.start_date,
            end=body.end_date,
            initial_capital=body.initial_capital,
            overrides={
                k: json.dumps(v) if isinstance(v, bool) else str(v) for k, v in body.parameters.items()
            },
            baseline_symbol=body.baseline_symbol,
        )
        if body.commission_per_share is not None:
            request = dataclasses.replace(request, commission_per_share=body.commission_per_share)
        if body.slippage_percent is not None:
            request = dataclasses.replace(request, slippage=body.slippage_percent / 100)
        config = _jsonable(body.model_dump(mode="json"))
        with self._sessions.begin() as session:
            repo.save(
                session,
                BacktestRun(
                    id=run_id,
                    strategy_id=body.strategy_name,
                    params=config,
                    start_date=body.start_date,
                    end_date=body.end_date,
                    initial_capital=body.initial_capital,
                    status="queued",
                    created_at=dt.datetime.now(dt.UTC),
                ),
            )
        self._publish("backtest", run_id, "queued", 0.0)
        self._pool.submit(self._run_backtest, run_id, request)
        return BacktestAccepted(backtest_id=run_id, status="queued")

    def _set(self, run_id: str, **values: Any) -> bool:
        with self._sessions.begin() as session:
            return repo.update_backtest_run(session, run_id, **values)

    def _run_backtest(self, run_id: str, request: BacktestRequest) -> None:
        from jutsu.api.services.backtest_regimes import empty_regime, regime_days
        from jutsu.backtest.runner import run_backtest_job
        from jutsu.reporting.files import build_summary
        from jutsu.reporting.tables import equity_rows

        with self._lock:
            if run_id in self._cancelled:
                return
        if not self._set(run_id, status="running"):
            return
        self._publish("backtest", run_id, "running", 0.0)
        try:
            outcome = run_backtest_job(
                request, load_frames=self._load, registry_path=self._catalog.registry_path
            )
            summary = build_summary(outcome)
            regimes = regime_days(outcome.result.decisions)
            summary["equity_curve"] = [
                {
                    "date": r.date.isoformat(),
                    "equity": r.equity,
                    "cash": r.cash,
                    "baseline_equity": r.baseline_equity,
                    "drawdown": r.drawdown,
                    **regimes.get(r.date, empty_regime()),
                }
                for r in equity_rows(outcome.result, outcome.baseline_equity)
            ]
            summary["trades"] = [
                {
                    "date": f.date.isoformat(),
                    "symbol": f.symbol,
                    "side": str(f.side),
                    "quantity": f.quantity,
                    "price": f.price,
                    "commission": f.commission,
                    "reason": f.reason,
                }
                for f in outcome.result.fills
            ]
            doc = json.loads(json.dumps(summary, default=_num, allow_nan=False))
        except JutsuError as exc:
            self._finish(run_id, "failed", error=str(exc))
            return
        except Exception:
            log.exception("backtest %s failed", run_id)
            self._finish(run_id, "failed", error="internal error while running the backtest")
            return
        with self._lock:
            cancelled = run_id in self._cancelled
        if cancelled:
            return
        self._finish(
            run_id,
            "completed",
            summary=doc,
            data_fingerprint=outcome.data_fingerprint,
            engine_version=outcome.engine_version,
        )

    def _finish(self, run_id: str, status: str, *, error: str | None = None, **values: Any) -> None:
        self._set(run_id, status=status, error=error, finished_at=dt.datetime.now(dt.UTC), **values)
        self._publish("backtest", run_id, status, 1.0 if status == "completed" else None, error)

    def cancel_backtest(self, run_id: str) -> BacktestAccepted:
        with self._sessions.begin() as session:
            row = repo.get_backtest_run(session, run_id)
            if row is None:
                raise NotFound(f"Backtest {run_id} not found")
            if row.status in _DONE:
                raise Conflict(f"Backtest {run_id} is already {row.status}")
            with self._lock:
                self._cancelled.add(run_id)
            repo.update_backtest_run(session, run_id, status="cancelled", finished_at=dt.datetime.now(dt.UTC))
        self._publish("backtest", run_id, "cancelled")
        return BacktestAccepted(backtest_id=run_id, status="cancelled")

    def delete_backtest(self, run_id: str) -> None:
        with self._lock:
            self._cancelled.add(run_id)
        with self._sessions.begin() as session:
            if not repo.delete_backtest_run(session, run_id):
                raise NotFound(f"Backtest {run_id} not found")

    def _row(self, session: Session, run_id: str) -> BacktestRun:
        row = repo.get_backtest_run(session, run_id)
        if row is None:
            raise NotFound(f"Backtest {run_id} not found")
        return row

    def get_backtest(self, run_id: str) -> BacktestResponse:
        with self._sessions() as session:
            row = self._row(session, run_id)
            summary = row.summary if isinstance(row.summary, dict) else {}
            return BacktestResponse(
                backtest_id=row.id,
                strategy_name=row.strategy_id,
                status=row.status,
                created_at=row.created_at,
                finished_at=row.finished_at,
                start_date=row.start_date,
                end_date=row.end_date,
                initial_capital=float(row.initial_capital),
                config=row.params if isinstance(row.params, dict) else {},
                metrics=summary.get("strategy"),
                baseline_metrics=summary.get("baseline"),
                baseline_symbol=summary.get("baseline_symbol"),
                error=row.error,
            )

    def backtest_equity(self, run_id: str) -> list[BacktestEquityPoint]:
        with self._sessions() as session:
            row = self._row(session, run_id)
            summary = row.summary if isinstance(row.summary, dict) else {}
        return [BacktestEquityPoint.model_validate(p) for p in summary.get("equity_curve", [])]

    def backtest_trades(self, run_id: str) -> list[BacktestTrade]:
        with self._sessions() as session:
            row = self._row(session, run_id)
            summary = row.summary if isinstance(row.summary, dict) else {}
        return [BacktestTrade.model_validate(t) for t in summary.get("trades", [])]

    def backtest_history(self, limit: int, offset: int) -> list[BacktestHistoryItem]:
        with self._sessions() as session:
            rows = repo.list_backtest_runs(session, limit=limit, offset=offset)
            items = []
            for r in rows:
                metrics = (r.summary or {}).get("strategy", {}) if isinstance(r.summary, dict) else {}
                params = r.params if isinstance(r.params, dict) else {}
                items.append(
                    BacktestHistoryItem(
                        backtest_id=r.id,
                        strategy_name=r.strategy_id,
                        symbol=params.get("symbol"),
                        status=r.status,
                        created_at=r.created_at,
                        total_return=_metric(metrics.get("total_return")),
                        sharpe_ratio=_metric(metrics.get("sharpe_ratio")),
                    )
                )
        return items

    # -- market data sync ----------------------------------------------------------------------

    def start_sync(self, source: Any, symbol: str, start: dt.date, end: dt.date | None) -> JobAccepted:
        """Run :func:`jutsu.data.sync.sync_symbol` in the background; ``job_status`` carries the result."""
        job_id = str(uuid.uuid4())
        self._publish("data_sync", job_id, "queued", 0.0)
        self._pool.submit(self._run_sync, job_id, source, symbol, start, end)
        return JobAccepted(job_id=job_id, status="queued")

    def _run_sync(self, job_id: str, source: Any, symbol: str, start: dt.date, end: dt.date | None) -> None:
        from jutsu.data.sync import sync_symbol

        self._publish("data_sync", job_id, "running", 0.0)
        try:
            result = sync_symbol(self._engine, source, symbol, start, end)
        except JutsuError as exc:
            self._publish("data_sync", job_id, "failed", error=str(exc))
            return
        except Exception:
            log.exception("sync job %s failed", job_id)
            self._publish("data_sync", job_id, "failed", error="internal error while syncing")
            return
        self._publish("data_sync", job_id, "completed", 1.0)
        self._bus.publish(
            Event(type="data_refresh", data={"refresh_type": "manual", "date": result.end_date.isoformat()})
        )

    # -- research ------------------------------------------------------------------------------

    def start_grid(self, config_doc: dict[str, Any]) -> JobAccepted:
        """Start a grid search through :func:`jutsu.research.grid.run_grid` (adapter)."""
        from jutsu.research.combos import expand_grid
        from jutsu.research.config import parse_research_config

        try:
            config = parse_research_config(config_doc, source="request body")
            expand_grid(config)
        except JutsuError as exc:
            raise Invalid(str(exc)) from None
        job_id = str(uuid.uuid4())
        status = JobStatusPublic(
            job_id=job_id,
            kind="grid",
            status="queued",
            progress=0.0,
            started_at=None,
            completed_at=None,
            error=None,
        )
        with self._lock:
            self._research[job_id] = status
        self._publish("optimization", job_id, "queued", 0.0)
        self._pool.submit(self._run_grid, job_id, config)
        return JobAccepted(job_id=job_id, status="queued")

    def _update_research(self, job_id: str, **values: Any) -> JobStatusPublic:
        with self._lock:
            current = self._research[job_id].model_copy(update=values)
            self._research[job_id] = current
        return current

    def _run_grid(self, job_id: str, config: Any) -> None:
        from jutsu.research.executors import LocalExecutor
        from jutsu.research.grid import run_grid
        from jutsu.research.jobs import ResearchInterrupted

        with self._lock:
            if job_id in self._cancelled:
                return
        self._update_research(job_id, status="running", started_at=dt.datetime.now(dt.UTC))
        self._publish("optimization", job_id, "running", 0.0)

        def progress(done: int, total: int) -> None:
            with self._lock:
                stop = job_id in self._cancelled
            if stop:
                raise ResearchInterrupted(job_id, done, total)
            fraction = round(done / max(total, 1), 6)
            self._update_research(job_id, progress=fraction)
            self._publish("optimization", job_id, "running", fraction)

        try:
            result = run_grid(
                config, loader=self._load, executor=LocalExecutor(1), engine=self._engine, progress=progress
            )
        except ResearchInterrupted:
            self._update_research(job_id, status="cancelled", completed_at=dt.datetime.now(dt.UTC))
            self._publish("optimization", job_id, "cancelled")
            return
        except JutsuError as exc:
            self._update_research(
                job_id, status="failed", error=str(exc), completed_at=dt.datetime.now(dt.UTC)
            )
            self._publish("optimization", job_id, "failed", error=str(exc))
            return
        except Exception:
            log.exception("grid job %s failed", job_id)
            msg = "internal error while running the grid search"
            self._update_research(job_id, status="failed", error=msg, completed_at=dt.datetime.now(dt.UTC))
            self._publish("optimization", job_id, "failed", error=msg)
            return
        with self._lock:
            self._research[job_id] = self._research[job_id].model_copy(
                update={"status": "completed", "progress": 1.0, "completed_at": dt.datetime.now(dt.UTC)}
            )
            self._research_run_ids[job_id] = result.run_id
        self._publish("optimization", job_id, "completed", 1.0)

    def research_status(self, job_id: str) -> JobStatusPublic:
        with self._lock:
            status = self._research.get(job_id)
        if status is not None:
            return status
        with self._sessions() as session:
            run = repo.get_research_run(session, job_id)
            if run is None:
                raise NotFound(f"Job {job_id} not found")
            return JobStatusPublic(
                job_id=run.id,
                kind=run.kind,
                status=run.status,
                progress=float(run.progress),
                started_at=run.created_at,
                completed_at=run.finished_at,
                error=run.error,
            )

    def research_jobs(self, status: str | None, limit: int) -> list[JobStatusPublic]:
        with self._lock:
            live = [s for s in self._research.values() if status is None or s.status == status]
        with self._sessions() as session:
            stored = [
                JobStatusPublic(
                    job_id=r.id,
                    kind=r.kind,
                    status=r.status,
                    progress=float(r.progress),
                    started_at=r.created_at,
                    completed_at=r.finished_at,
                    error=r.error,
                )
                for r in repo.list_research_runs(session, status=status, limit=limit)
            ]
        return (live + stored)[:limit]

    def research_results(self, job_id: str) -> ResearchResultsPublic:
        status = self.research_status(job_id)
        with self._lock:
            run_id = self._research_run_ids.get(job_id, job_id)
        with self._sessions() as session:
            rows = repo.list_research_results(session, run_id)
            results = [
                ResearchResultPublic(
                    params=r.params if isinstance(r.params, dict) else {},
                    metrics=r.metrics if isinstance(r.metrics, dict) else None,
                    status=r.status,
                    error=r.error,
                )
                for r in rows
            ]
        return ResearchResultsPublic(job_id=job_id, status=status.status, count=len(results), results=results)

    def cancel_research(self, job_id: str) -> JobAccepted:
        status = self.research_status(job_id)
        if status.status in _DONE:
            raise Conflict(f"Job {job_id} is already {status.status}")
        with self._lock:
            self._cancelled.add(job_id)
        if job_id in self._research and status.status == "queued":
            self._update_research(job_id, status="cancelled", completed_at=dt.datetime.now(dt.UTC))
        return JobAccepted(job_id=job_id, status="cancelling" if status.status == "running" else "cancelled")


def _num(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def _metric(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
