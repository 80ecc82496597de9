"""The APScheduler 3 ``AsyncIOScheduler`` of the API process (platform spec §6).

Responsibilities, each small:

* **start with retries** — probe the database and start on the ``SQLAlchemyJobStore``
  (``apscheduler_jobs``); after the retry delays (1, 2, 4, 8, 16 s) run *degraded* on a
  ``MemoryJobStore`` and keep probing in the background; when the database answers again,
  swap the persistent store back in and re-register the jobs;
* **register jobs** from :func:`~jutsu.scheduler.jobs.job_specs` with ``replace_existing`` —
  keeping a stored ``next_run_time`` when the trigger is unchanged, so a job missed while the
  process was down runs once on start (``coalesce``) if still within its misfire grace, and is
  reported missed otherwise — never twice;
* **run jobs** in worker threads (``asyncio.to_thread``) under one busy-flag per concern
  (trading / refresh / EOD), recording each run in ``job_runs``, the trading run's summary in
  ``system_state['scheduler']``, a ``job_status`` event and the job-duration metric;
* **answer** the control endpoints (status, trigger, enable/disable, execution time, EOD,
  refresh) and ``/api/health``.

Exactly-once trading per session and strategy is not this module's job: the pipeline's
``execution_runs`` claim (partial unique index on scheduled runs) guarantees it even across a
crash and restart; this module only makes sure a missed run is attempted at most once.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import Engine, text

from jutsu.data.calendar import ET
from jutsu.errors import DataConflictError, JutsuError
from jutsu.events import Event, Publisher
from jutsu.scheduler.bodies import Body, JobContext, JobOutcome, default_bodies
from jutsu.scheduler.jobs import (
    DEFAULT_GRACE,
    TRADING_JOB,
    JobSpec,
    bind_runtime,
    job_specs,
    startup_recovery_spec,
)
from jutsu.scheduler.overrides import LIVE_TRADING_YAML, EffectiveTime, effective_execution_time
from jutsu.scheduler.state import (
    finish_job_run,
    last_job_runs,
    read_scheduler_state,
    start_job_run,
    update_scheduler_state,
)
from jutsu.scheduler.triggers import EXECUTION_TIMES, execution_time_label, execution_trigger
from jutsu.strategies.registry import DEFAULT_REGISTRY_PATH

__all__ = ["DEFAULT_RETRY_DELAYS", "JobAlreadyRunning", "SchedulerService"]

log = logging.getLogger(__name__)

DEFAULT_RETRY_DELAYS: tuple[float, ...] = (1, 2, 4, 8, 16)
VOLATILE = "volatile"
_KIND = {
    TRADING_JOB: "trading",
    "market_close_refresh_job": "refresh",
    "hourly_refresh_job": "refresh",
    "manual_refresh": "refresh",
    "eod_finalization_job": "eod",
    "eod_finalization_job_halfday": "eod",
    "eod_manual": "eod",
    "eod_startup_recovery": "eod",
    "token_expiration_check_job": "token",
    "maintenance_job": "maintenance",
}
_METRIC_STATUS = {"completed": "success", "partial": "failed", "failed": "failed", "skipped": "skipped"}


class JobAlreadyRunning(DataConflictError):
    """A job of the same concern is running (the API answers 409)."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).isoformat()


class SchedulerService:
    """One per API process; attach as ``container.extras['scheduler']``."""

    def __init__(
        self,
        engine: Engine,
        *,
        registry_path: Path = DEFAULT_REGISTRY_PATH,
        bodies: Mapping[str, Body] | None = None,
        publish: Publisher | None = None,
        settings: Any = None,
        retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS,
        reattach_interval: float = 30.0,
        override_poll_interval: float = 60.0,
        yaml_path: Path = LIVE_TRADING_YAML,
        startup_recovery_delay: float | None = 90.0,
        clock: Callable[[], dt.datetime] = _now,
    ) -> None:
        self.engine = engine
        self.registry_path = registry_path
        self.bodies: dict[str, Body] = {**default_bodies(), **(bodies or {})}
        self.publish = publish
        self.settings = settings
        self.retry_delays = retry_delays
        self.reattach_interval = reattach_interval
        self.override_poll_interval = override_poll_interval
        self.yaml_path = yaml_path
        self.startup_recovery_delay = startup_recovery_delay
        self.clock = clock
        self.job_store: str = "none"
        self.degraded = False
        self.reattached_at: dt.datetime | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._busy: set[str] = set()
        self._busy_lock = threading.Lock()
        self._last: dict[str, dict[str, Any]] = {}
        self._effective = EffectiveTime("5min_before_close", "default")
        self._enabled = True

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start on the database job store, retrying; degrade to memory if it stays unreachable."""
        self._loop = asyncio.get_running_loop()
        bind_runtime(self)
        delays = list(self.retry_delays)
        for attempt in range(len(delays) + 1):
            try:
                await self._start_persistent()
                break
            except Exception as exc:
                log.warning("scheduler start attempt %d failed: %s", attempt + 1, type(exc).__name__)
                self._discard()
                if attempt < len(delays):
                    await asyncio.sleep(delays[attempt])
        else:
            self._start_degraded()
            self._tasks.append(asyncio.create_task(self._reattach_loop()))
        self._tasks.append(asyncio.create_task(self._override_loop()))
        if not self.degraded:
            self._tasks.append(asyncio.create_task(self._resume_interrupted()))

    async def _resume_interrupted(self) -> None:
        """A scheduled run of today left ``running`` by a dead process is resumed once.

        The pipeline re-claims the same execution id, adopts the orders the broker already has
        and sends only what is missing, so the session still trades exactly once.
        """
        try:
            pending = await asyncio.to_thread(_interrupted_runs, self.engine, self.clock())
        except Exception:
            log.exception("could not look for interrupted trading runs")
            return
        if pending and self._enabled:
            log.warning("resuming interrupted trading run(s): %s", ", ".join(pending))
            await self.run_job(TRADING_JOB)

    async def shutdown(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        self._discard()
        bind_runtime(None)

    def _discard(self) -> None:
        if self._scheduler is not None:
            with contextlib.suppress(Exception):
                self._scheduler.shutdown(wait=False)
        self._scheduler = None

    def _new_scheduler(self, default_store: Any) -> AsyncIOScheduler:
        scheduler = AsyncIOScheduler(
            jobstores={"default": default_store, VOLATILE: MemoryJobStore()},
            job_defaults={"misfire_grace_time": DEFAULT_GRACE, "coalesce": True, "max_instances": 1},
            timezone=ET,
            event_loop=self._loop,
        )
        scheduler.add_listener(self._on_missed, EVENT_JOB_MISSED)
        return scheduler

    def _probe(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    async def _start_persistent(self) -> None:
        await asyncio.to_thread(self._probe)
        state = await asyncio.to_thread(read_scheduler_state, self.engine)
        self._enabled = bool(state.get("enabled", True))
        self._effective = await asyncio.to_thread(
            effective_execution_time, self.engine, self.clock(), self.yaml_path
        )
        scheduler = self._new_scheduler(SQLAlchemyJobStore(engine=self.engine))
        self._scheduler = scheduler
        scheduler.start(paused=True)
        self._register_jobs()
        scheduler.resume()
        self.job_store, self.degraded = "sqlalchemy", False
        log.info("scheduler started on the database job store")

    def _start_degraded(self) -> None:
        scheduler = self._new_scheduler(MemoryJobStore())
        self._scheduler = scheduler
        scheduler.start(paused=True)
        self._register_jobs()
        scheduler.resume()
        self.job_store, self.degraded = "memory", True
        log.critical("database unreachable: scheduler running DEGRADED on an in-memory job store")

    async def _reattach_loop(self) -> None:
        """Probe the database; when it answers, swap the persistent store in and reload the jobs."""
        while self.degraded:
            await asyncio.sleep(self.reattach_interval)
            try:
                await asyncio.to_thread(self._probe)
                state = await asyncio.to_thread(read_scheduler_state, self.engine)
                effective = await asyncio.to_thread(
                    effective_execution_time, self.engine, self.clock(), self.yaml_path
                )
                store = SQLAlchemyJobStore(engine=self.engine)
                await asyncio.to_thread(store.jobs_t.create, self.engine, True)
            except Exception as exc:
                log.info("database still unreachable (%s); scheduler stays degraded", type(exc).__name__)
                continue
            self._enabled = bool(state.get("enabled", True))
            self._effective = effective
            try:
                await asyncio.to_thread(self._swap_store, store)
            except Exception as exc:
                log.warning("re-attach failed (%s); scheduler stays degraded", type(exc).__name__)
                continue
            self.job_store, self.degraded = "sqlalchemy", False
            self.reattached_at = self.clock()
            log.warning("database reachable again: scheduler re-attached to the persistent job store")

    def _swap_store(self, store: SQLAlchemyJobStore) -> None:
        """Replace the in-memory store with the persistent one and reload the jobs (worker thread:
        every call here talks to the database, the event loop stays free)."""
        scheduler = self._scheduler
        assert scheduler is not None
        scheduler.remove_jobstore("default")
        scheduler.add_jobstore(store, "default")
        self._register_jobs(include_recovery=False)

    async def _override_loop(self) -> None:
        """Pick up overrides changed elsewhere (CLI, another worker) and expiries."""
        while True:
            await asyncio.sleep(self.override_poll_interval)
            if self.degraded:
                continue
            try:
                await asyncio.to_thread(self.reschedule)
            except Exception:
                log.exception("override poll failed")

    # -- jobs -------------------------------------------------------------------------------------

    def _add(self, spec: JobSpec, jobstore: str = "default") -> None:
        scheduler = self._scheduler
        assert scheduler is not None
        kwargs: dict[str, Any] = {
            "id": spec.job_id,
            "name": spec.name,
            "replace_existing": True,
            "misfire_grace_time": spec.misfire_grace_time,
            "coalesce": True,
            "max_instances": 1,
            "jobstore": jobstore,
        }
        try:
            existing = scheduler.get_job(spec.job_id, jobstore)
        except Exception:
            log.error("job %s could not be loaded from the job store; re-adding it", spec.job_id)
            existing = None
            with contextlib.suppress(Exception):
                scheduler.remove_job(spec.job_id, jobstore)
        if existing is not None and str(existing.trigger) == str(spec.trigger) and existing.next_run_time:
            kwargs["next_run_time"] = existing.next_run_time
        scheduler.add_job(spec.func, spec.trigger, **kwargs)

    def _register_jobs(self, include_recovery: bool = True) -> None:
        scheduler = self._scheduler
        assert scheduler is not None
        for spec in job_specs(self._effective.key, trading_enabled=self._enabled):
            self._add(spec)
        if not self._enabled and scheduler.get_job(TRADING_JOB) is not None:
            scheduler.remove_job(TRADING_JOB)
        if include_recovery and self.startup_recovery_delay is not None:
            self._add(startup_recovery_spec(self.clock(), self.startup_recovery_delay), VOLATILE)

    def _on_missed(self, event: JobExecutionEvent) -> None:
        """A run beyond its misfire grace: recorded as missed (failed), never run late."""
        log.error("job %s missed its run at %s", event.job_id, event.scheduled_run_time)
        self._last[event.job_id] = {
            "status": "missed",
            "message": f"missed scheduled run at {_iso(event.scheduled_run_time)}",
            "finished_at": _iso(self.clock()),
        }
        if self.degraded or self._loop is None:
            return
        scheduled = _iso(event.scheduled_run_time) or "?"
        self._loop.create_task(asyncio.to_thread(self._record_missed, event.job_id, scheduled))

    def _record_missed(self, job_id: str, scheduled: str) -> None:
        try:
            now = self.clock()
            run_id = start_job_run(self.engine, job_id, "scheduled", now)
            finish_job_run(
                self.engine, run_id, "failed", now, {"_job": f"missed scheduled run at {scheduled}"}
            )
        except Exception:
            log.exception("could not record the missed run of %s", job_id)

    def _claim(self, kind: str) -> bool:
        with self._busy_lock:
            if kind in self._busy:
                return False
            self._busy.add(kind)
            return True

    def _release(self, kind: str) -> None:
        with self._busy_lock:
            self._busy.discard(kind)

    async def run_job(self, job_id: str, **options: Any) -> None:
        """Entry point of the job callables (scheduled runs)."""
        kind = _KIND.get(job_id, job_id)
        if not self._claim(kind):
            log.warning("%s skipped: a %s job is already running", job_id, kind)
            return
        await self._run_claimed(job_id, kind, "scheduled", options)

    async def _run_claimed(
        self, job_id: str, kind: str, trigger: str, options: Mapping[str, Any]
    ) -> JobOutcome:
        try:
            return await self._execute(job_id, trigger, options)
        finally:
            self._release(kind)

    async def _execute(self, job_id: str, trigger: str, options: Mapping[str, Any]) -> JobOutcome:
        body = self.bodies[job_id]
        now = self.clock()
        ctx = JobContext(
            engine=self.engine,
            registry_path=self.registry_path,
            now=now,
            trigger="manual" if trigger == "manual" else "scheduled",
            strategy_id=options.get("strategy_id"),
            force=bool(options.get("force", False)),
            target_date=options.get("target_date"),
            publish=self.publish,
            settings=self.settings,
        )
        run_id = None
        try:
            run_id = await asyncio.to_thread(start_job_run, self.engine, job_id, trigger, now)
        except Exception:
            log.exception("could not record the start of %s", job_id)
        self._emit({"job": job_id, "status": "running"})
        t0 = time.perf_counter()
        try:
            outcome = await asyncio.to_thread(body, ctx)
        except JutsuError as exc:
            outcome = JobOutcome("failed", str(exc), {"_job": str(exc)})
        except Exception as exc:
            log.exception("job %s failed", job_id)
            outcome = JobOutcome(
                "failed", f"{type(exc).__name__}: {exc}", {"_job": f"{type(exc).__name__}: {exc}"}
            )
        seconds = time.perf_counter() - t0
        finished = self.clock()
        await asyncio.to_thread(self._record, job_id, run_id, outcome, finished)
        self._last[job_id] = {
            "status": outcome.status,
            "message": outcome.message,
            "finished_at": _iso(finished),
            "errors": dict(outcome.errors),
        }
        self._emit({"job": job_id, "status": outcome.status, "message": outcome.message})
        try:
            from jutsu.ops.metrics import observe_job

            observe_job(job_id, seconds, _METRIC_STATUS[outcome.status])
        except Exception:
            log.debug("job metric not recorded", exc_info=True)
        return outcome

    def _record(self, job_id: str, run_id: int | None, outcome: JobOutcome, now: dt.datetime) -> None:
        status = "completed" if outcome.status == "skipped" else outcome.status
        errors = dict(outcome.errors)
        if outcome.status == "skipped":
            errors["_skipped"] = outcome.message
        try:
            if run_id is not None:
                finish_job_run(self.engine, run_id, status, now, errors)
            if job_id == TRADING_JOB:
                state = read_scheduler_state(self.engine)
                update_scheduler_state(
                    self.engine,
                    last_run=now.isoformat(),
                    last_run_status={"completed": "success", "skipped": "skipped"}.get(
                        outcome.status, "failed"
                    ),
                    last_error=None if outcome.status in ("completed", "skipped") else outcome.message,
                    run_count=int(state.get("run_count") or 0) + 1,
                )
        except Exception:
            log.exception("could not record the result of %s", job_id)

    def _emit(self, data: Mapping[str, object]) -> None:
        if self.publish is None:
            return
        try:
            self.publish(Event(type="job_status", data=dict(data), timestamp=self.clock()))
        except Exception:
            log.exception("job_status publish failed")

    # -- called from API worker threads or the loop --------------------------------------------

    def _submit(self, coro: Coroutine[Any, Any, JobOutcome]) -> Any:
        loop = self._loop
        if loop is None or self._scheduler is None:
            coro.close()
            raise JobAlreadyRunning("scheduler not running")
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            return loop.create_task(coro)
        return asyncio.run_coroutine_threadsafe(coro, loop)

    def _manual(self, job_id: str, *, wait: bool, **options: Any) -> JobOutcome | None:
        kind = _KIND[job_id]
        if not self._claim(kind):
            raise JobAlreadyRunning(f"a {kind} job is already running")
        try:
            future = self._submit(self._run_claimed(job_id, kind, "manual", options))
        except BaseException:
            self._release(kind)
            raise
        if wait and hasattr(future, "result"):
            result: JobOutcome = future.result(timeout=3600)
            return result
        return None

    def trigger(self, strategy_id: str | None = None, force: bool = False) -> dict[str, Any]:
        """Start the trading job now (202); 409 while one runs."""
        self._manual(TRADING_JOB, wait=False, strategy_id=strategy_id, force=force)
        return {
            "success": True,
            "message": "trading job started" + (f" for {strategy_id}" if strategy_id else ""),
            "timestamp": _iso(self.clock()),
            "execution_ids": [],
        }

    def trigger_job(self, job_id: str) -> dict[str, Any]:
        """Run any registered job now and wait for it (CLI ``jutsu scheduler trigger JOB``)."""
        if job_id not in _KIND:
            raise JutsuError(f"unknown job {job_id!r}; jobs: {', '.join(sorted(_KIND))}")
        outcome = self._manual(job_id, wait=True)
        assert outcome is not None
        return _outcome_dict(outcome, self.clock())

    def trigger_eod(self, target_date: dt.date | None = None) -> dict[str, Any]:
        outcome = self._manual("eod_manual", wait=True, target_date=target_date)
        assert outcome is not None
        return _outcome_dict(outcome, self.clock())

    def trigger_eod_recovery(self) -> dict[str, Any]:
        outcome = self._manual("eod_startup_recovery", wait=True)
        assert outcome is not None
        out = _outcome_dict(outcome, self.clock())
        out["recovery_count"] = len(outcome.result.get("days", []))
        return out

    def refresh(self, sync_data: bool = True) -> dict[str, Any]:
        outcome = self._manual("manual_refresh", wait=True)
        assert outcome is not None
        return {
            "success": outcome.status in ("completed", "skipped"),
            "message": outcome.message,
            "timestamp": _iso(self.clock()),
            "details": {"steps": ["snapshots"], "errors": [f"{k}: {v}" for k, v in outcome.errors.items()]},
        }

    def reschedule(self) -> EffectiveTime:
        """Re-read the effective execution time (sweeping expired overrides); move the job if needed."""
        effective = effective_execution_time(self.engine, self.clock(), self.yaml_path)
        changed = effective.key != self._effective.key
        self._effective = effective
        scheduler = self._scheduler
        if changed and scheduler is not None and self._enabled:
            scheduler.reschedule_job(TRADING_JOB, trigger=execution_trigger(effective.key))
            log.warning("trading job rescheduled to %s (%s)", effective.key, effective.source)
        return effective

    def set_execution_time(
        self, key: str, *, expires_in: dt.timedelta = dt.timedelta(days=7), changed_by: str = "scheduler"
    ) -> dict[str, Any]:
        """Write the global ``execution_time`` override (the one runtime source) and reschedule."""
        from jutsu.scheduler.overrides import set_global_override

        set_global_override(
            self.engine,
            "execution_time",
            key,
            expires_at=self.clock() + expires_in,
            reason="set from the scheduler panel",
            changed_by=changed_by,
            now=self.clock(),
        )
        self.reschedule()
        return self.status()

    def enable(self, execution_time: str | None = None) -> dict[str, Any]:
        if execution_time is not None:
            self.set_execution_time(execution_time)
        update_scheduler_state(self.engine, enabled=True)
        self._enabled = True
        if self._scheduler is not None:
            self._add(job_specs(self._effective.key)[0])
        return self.status()

    def disable(self) -> dict[str, Any]:
        update_scheduler_state(self.engine, enabled=False)
        self._enabled = False
        if self._scheduler is not None and self._scheduler.get_job(TRADING_JOB) is not None:
            self._scheduler.remove_job(TRADING_JOB)
        return self.status()

    # -- views ------------------------------------------------------------------------------------

    def _next(self, job_id: str) -> dt.datetime | None:
        scheduler = self._scheduler
        if scheduler is None:
            return None
        try:
            job = scheduler.get_job(job_id)
        except Exception:
            return None
        return None if job is None else job.next_run_time

    @property
    def running(self) -> bool:
        return self._scheduler is not None and bool(self._scheduler.running)

    @property
    def is_running_eod_finalization(self) -> bool:
        return "eod" in self._busy

    @property
    def next_eod_finalization(self) -> dt.datetime | None:
        times = [
            t for t in (self._next("eod_finalization_job"), self._next("eod_finalization_job_halfday")) if t
        ]
        return min(times) if times else None

    def last_result(self, job_id: str) -> dict[str, Any] | None:
        """The result of ``job_id``'s last run in this process (``None`` before its first run)."""
        return self._last.get(job_id)

    def is_healthy(self) -> bool:
        """§6.5: exists, running, and the trading job (when enabled) reads without error."""
        if not self.running or self._scheduler is None:
            return False
        if not self._enabled:
            return True
        try:
            job = self._scheduler.get_job(TRADING_JOB)
            _ = None if job is None else job.next_run_time
        except Exception:
            return False
        return job is not None

    def health(self) -> dict[str, Any]:
        """What ``/api/health`` reports about the scheduler."""
        try:
            stored = last_job_runs(self.engine) if not self.degraded else {}
        except Exception:
            stored = {}
        jobs: dict[str, Any] = {}
        scheduler = self._scheduler
        ids = [j.id for j in scheduler.get_jobs()] if scheduler is not None and self.running else []
        for job_id in sorted(set(ids) | set(self._last)):
            last = self._last.get(job_id) or stored.get(job_id)
            jobs[job_id] = {"next_run": _iso(self._next(job_id)), "last_result": last}
        return {
            "state": "running" if self.running else "stopped",
            "healthy": self.is_healthy(),
            "job_store": self.job_store,
            "degraded": self.degraded,
            "reattached_at": _iso(self.reattached_at),
            "jobs": jobs,
        }

    def status(self) -> dict[str, Any]:
        """``SchedulerStatus`` (spec §6.6)."""
        state = read_scheduler_state(self.engine) if not self.degraded else {}
        key = self._effective.key
        return {
            "enabled": self._enabled,
            "execution_time": key,
            "execution_time_source": self._effective.source,
            "execution_time_est": execution_time_label(key),
            "next_run": _iso(self._next(TRADING_JOB)) if self._enabled else None,
            "next_refresh": _iso(self._next("market_close_refresh_job")),
            "next_hourly_refresh": _iso(self._next("hourly_refresh_job")),
            "next_eod_finalization": _iso(self.next_eod_finalization),
            "last_run": state.get("last_run"),
            "last_run_status": state.get("last_run_status"),
            "last_error": state.get("last_error"),
            "run_count": int(state.get("run_count") or 0),
            "is_running": "trading" in self._busy,
            "is_running_refresh": "refresh" in self._busy,
            "is_running_hourly_refresh": "refresh" in self._busy,
            "is_running_eod_finalization": "eod" in self._busy,
            "scheduler_running": self.running,
            "scheduler_healthy": self.is_healthy(),
            "job_store": self.job_store,
            "valid_execution_times": list(EXECUTION_TIMES),
        }


def _interrupted_runs(engine: Engine, now: dt.datetime) -> list[str]:
    """Strategies whose scheduled run of today's session is still ``running`` (a crash)."""
    from sqlalchemy import select

    from jutsu.data.models import ExecutionRun

    session = now.astimezone(ET).date()
    with engine.connect() as conn:
        rows = conn.execute(
            select(ExecutionRun.strategy_id).where(
                ExecutionRun.trading_date == session,
                ExecutionRun.trigger == "scheduled",
                ExecutionRun.status == "running",
            )
        )
        return [r[0] for r in rows]


def _outcome_dict(outcome: JobOutcome, now: dt.datetime) -> dict[str, Any]:
    return {
        "success": outcome.status in ("completed", "skipped"),
        "message": outcome.message,
        "timestamp": _iso(now),
        "status": outcome.status,
        "errors": dict(outcome.errors),
        "result": dict(outcome.result),
    }
