"""The job table (platform spec §6.1) and the module-level job callables.

Why module-level functions: the SQLAlchemy job store pickles each job, and APScheduler stores
a plain function as its import path (``jutsu.scheduler.jobs:daily_trading_job``). Nothing with
a lock, an engine or a service inside is ever pickled (§6.4). The callables find the running
:class:`~jutsu.scheduler.service.SchedulerService` of this process through :func:`bind_runtime`,
a process-local pointer that is set at start and cleared at shutdown.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Protocol

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from jutsu.data.calendar import ET
from jutsu.scheduler.triggers import HourlySessionTrigger, SessionTrigger, execution_trigger

__all__ = [
    "JOB_IDS",
    "TRADING_JOB",
    "JobRuntime",
    "JobSpec",
    "bind_runtime",
    "daily_trading_job",
    "eod_finalization_job",
    "eod_finalization_job_halfday",
    "eod_startup_recovery",
    "hourly_refresh_job",
    "job_specs",
    "maintenance_job",
    "market_close_refresh_job",
    "startup_recovery_spec",
    "token_expiration_check_job",
]

log = logging.getLogger(__name__)

TRADING_JOB = "daily_trading_job"
DEFAULT_GRACE = 300
EOD_GRACE = 14_400
MAINTENANCE_GRACE = 3_600


class JobRuntime(Protocol):
    """What the job callables need from the running scheduler."""

    async def run_job(self, job_id: str) -> None: ...


_runtime: JobRuntime | None = None


def bind_runtime(runtime: JobRuntime | None) -> None:
    """Point the job callables at this process's scheduler (``None`` at shutdown)."""
    global _runtime
    _runtime = runtime


async def _dispatch(job_id: str) -> None:
    if _runtime is None:
        log.error("job %s fired but no scheduler runtime is bound in this process", job_id)
        return
    await _runtime.run_job(job_id)


async def daily_trading_job() -> None:
    """§5.2: the daily live run of every active strategy."""
    await _dispatch("daily_trading_job")


async def market_close_refresh_job() -> None:
    """§5.5: closing prices and the closing snapshot (16:05 / 13:05 ET)."""
    await _dispatch("market_close_refresh_job")


async def hourly_refresh_job() -> None:
    """§5.5: hourly price/P&L refresh in market hours."""
    await _dispatch("hourly_refresh_job")


async def eod_finalization_job() -> None:
    """§5.4: EOD finalization on full days (16:15 ET)."""
    await _dispatch("eod_finalization_job")


async def eod_finalization_job_halfday() -> None:
    """§5.4: EOD finalization on early-close days (13:15 ET)."""
    await _dispatch("eod_finalization_job_halfday")


async def eod_startup_recovery() -> None:
    """§5.4 recovery pass, 90 s after the scheduler starts."""
    await _dispatch("eod_startup_recovery")


async def token_expiration_check_job() -> None:
    """§5.9: broker refresh-token expiry warnings (08:00 and 20:00 ET)."""
    await _dispatch("token_expiration_check_job")


async def maintenance_job() -> None:
    """02:00 ET: database backup (ops) and housekeeping."""
    await _dispatch("maintenance_job")


@dataclass(frozen=True, slots=True)
class JobSpec:
    job_id: str
    func: str
    trigger: BaseTrigger
    misfire_grace_time: int
    name: str


def _ref(name: str) -> str:
    return f"{__name__}:{name}"


def job_specs(execution_time: str, *, trading_enabled: bool = True) -> list[JobSpec]:
    """Every recurring job; the trading job only when enabled (the switch controls only it)."""
    specs = [
        JobSpec(
            "market_close_refresh_job",
            _ref("market_close_refresh_job"),
            SessionTrigger("close", 5),
            DEFAULT_GRACE,
            "Market-close refresh",
        ),
        JobSpec(
            "hourly_refresh_job",
            _ref("hourly_refresh_job"),
            HourlySessionTrigger(10),
            DEFAULT_GRACE,
            "Hourly refresh",
        ),
        JobSpec(
            "eod_finalization_job",
            _ref("eod_finalization_job"),
            SessionTrigger("close", 15, "full"),
            EOD_GRACE,
            "EOD finalization",
        ),
        JobSpec(
            "eod_finalization_job_halfday",
            _ref("eod_finalization_job_halfday"),
            SessionTrigger("close", 15, "half"),
            EOD_GRACE,
            "EOD finalization (early close)",
        ),
        JobSpec(
            "token_expiration_check_job",
            _ref("token_expiration_check_job"),
            CronTrigger(hour="8,20", minute=0, timezone=ET),
            DEFAULT_GRACE,
            "Broker token check",
        ),
        JobSpec(
            "maintenance_job",
            _ref("maintenance_job"),
            CronTrigger(hour=2, minute=0, timezone=ET),
            MAINTENANCE_GRACE,
            "Maintenance and backup",
        ),
    ]
    if trading_enabled:
        specs.insert(
            0,
            JobSpec(
                TRADING_JOB,
                _ref(TRADING_JOB),
                execution_trigger(execution_time),
                DEFAULT_GRACE,
                "Daily trading",
            ),
        )
    return specs


JOB_IDS: tuple[str, ...] = (
    TRADING_JOB,
    "market_close_refresh_job",
    "hourly_refresh_job",
    "eod_finalization_job",
    "eod_finalization_job_halfday",
    "eod_startup_recovery",
    "token_expiration_check_job",
    "maintenance_job",
)


def startup_recovery_spec(now: dt.datetime, delay_seconds: float = 90.0) -> JobSpec:
    """The one-shot EOD catch-up 90 s after start (not persisted across restarts on purpose)."""
    return JobSpec(
        "eod_startup_recovery",
        _ref("eod_startup_recovery"),
        DateTrigger(run_date=now + dt.timedelta(seconds=delay_seconds)),
        DEFAULT_GRACE,
        "EOD startup recovery",
    )
