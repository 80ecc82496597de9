"""``/api/control``: engine state, per-strategy mode, kill switch, scheduler and EOD status.

The engine document is persisted in ``system_state['engine']`` (platform.md §1.4). The
scheduler arrives with a later issue: until a scheduler object is attached to
``container.extras['scheduler']``, every scheduler/EOD/refresh *action* answers
503 ``{"detail": "scheduler not running"}``; read-only EOD and staleness views work from the
database regardless.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field

from jutsu.api.deps import require_permission
from jutsu.api.permissions import Permission
from jutsu.api.platform import PlatformDep
from jutsu.api.schemas.performance import EODStatus
from jutsu.api.services.engine import Transition
from jutsu.api.services.errors import Invalid, Unavailable
from jutsu.api.services.performance import eod_public
from jutsu.data.repositories import performance as perf_repo
from jutsu.data.repositories import trading as trading_repo

__all__ = ["router"]

router = APIRouter(prefix="/api/control", tags=["control"])
ENGINE = [Depends(require_permission(Permission.ENGINE_CONTROL))]
SCHEDULER = [Depends(require_permission(Permission.SCHEDULER_CONTROL))]
STATUS = [Depends(require_permission(Permission.STATUS_READ))]
NO_SCHEDULER = "scheduler not running"


class ControlAction(BaseModel):
    action: Literal["start", "stop", "restart", "mode_switch"] | None = None
    mode: str | None = Field(default=None, max_length=20)
    confirm: bool = False


class ControlResponse(BaseModel):
    success: bool
    action: str
    previous_state: str
    new_state: str
    message: str
    timestamp: dt.datetime


class EngineStatePublic(BaseModel):
    is_running: bool
    state: str
    mode: str
    uptime_seconds: float
    error: str | None
    started_at: dt.datetime | None
    halted_strategies: list[str]
    strategy_modes: dict[str, str]


class ModeSwitch(BaseModel):
    strategy_id: str = Field(min_length=1, max_length=50)
    mode: str = Field(min_length=1, max_length=20)
    confirm: bool = False


class KillSwitchRequest(BaseModel):
    """``strategy_id`` omitted = global kill switch; given = halt only that strategy."""

    flatten: bool = False
    confirm: bool
    strategy_id: str | None = Field(default=None, max_length=50)


class KillSwitchResponse(BaseModel):
    success: bool
    state: str
    strategy_id: str | None
    orders_submitted: list[str]
    message: str


class KillSwitchReset(BaseModel):
    confirm: bool
    strategy_id: str | None = Field(default=None, max_length=50)


class EodStatusPublic(BaseModel):
    is_running: bool
    next_eod_finalization: dt.datetime | None
    recent_jobs: list[EODStatus]


class DataStalenessInfo(BaseModel):
    is_stale: bool
    last_snapshot: dt.datetime | None
    age_hours: float | None
    threshold_hours: float


def _response(t: Transition) -> ControlResponse:
    return ControlResponse(
        success=True,
        action=t.action,
        previous_state=t.previous_state,
        new_state=t.new_state,
        message=t.message,
        timestamp=t.timestamp,
    )


@router.get("/state", dependencies=STATUS)
def engine_state(platform: PlatformDep) -> EngineStatePublic:
    s = platform.engine.read()
    return EngineStatePublic(
        is_running=s.state == "running",
        state=s.state,
        mode=s.mode,
        uptime_seconds=round(s.uptime_seconds(dt.datetime.now(dt.UTC)), 3),
        error=s.error,
        started_at=s.started_at,
        halted_strategies=list(s.halted_strategies),
        strategy_modes=dict(s.strategy_modes),
    )


@router.post("/start", dependencies=ENGINE)
def start(platform: PlatformDep, body: ControlAction) -> ControlResponse:
    return _response(platform.engine.start(body.mode, confirm=body.confirm))


@router.post("/stop", dependencies=ENGINE)
def stop(platform: PlatformDep, body: ControlAction | None = None) -> ControlResponse:
    return _response(platform.engine.stop())


@router.post("/restart", dependencies=ENGINE)
def restart(platform: PlatformDep, body: ControlAction) -> ControlResponse:
    return _response(platform.engine.restart(body.mode, confirm=body.confirm))


@router.post("/mode", dependencies=ENGINE)
def switch_mode(platform: PlatformDep, body: ModeSwitch) -> ControlResponse:
    return _response(platform.engine.switch_mode(body.strategy_id, body.mode, confirm=body.confirm))


@router.post("/kill-switch/reset", dependencies=ENGINE)
def kill_switch_reset(platform: PlatformDep, body: KillSwitchReset) -> ControlResponse:
    if not body.confirm:
        raise Invalid("Resetting the kill switch requires confirm: true")
    return _response(platform.engine.reset_kill(body.strategy_id))


@router.post("/kill-switch", dependencies=ENGINE)
def kill_switch(platform: PlatformDep, body: KillSwitchRequest) -> KillSwitchResponse:
    """Halt (persisted). Flattening needs the live pipeline's executor: without it no order is
    sent and the message says so."""
    if not body.confirm:
        raise Invalid("The kill switch requires confirm: true")
    t = platform.engine.kill(body.strategy_id)
    orders: list[str] = []
    message = t.message
    flattener: Any = platform.container.extras.get("flattener")
    if body.flatten:
        if flattener is None:
            message += "; flatten requested but no order executor is attached, no orders sent"
        else:
            orders = [str(o) for o in flattener(body.strategy_id)]
    state = t.new_state if body.strategy_id is None else "halted"
    return KillSwitchResponse(
        success=True, state=state, strategy_id=body.strategy_id, orders_submitted=orders, message=message
    )


def _scheduler(platform: PlatformDep) -> Any:
    scheduler = platform.scheduler
    if scheduler is None:
        raise Unavailable(NO_SCHEDULER)
    return scheduler


def _call(platform: PlatformDep, name: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    method = getattr(_scheduler(platform), name, None)
    if method is None:
        raise Unavailable(NO_SCHEDULER)
    result = method(*args, **kwargs)
    return dict(result) if isinstance(result, dict) else {"result": result}


class SchedulerEnable(BaseModel):
    execution_time: str | None = Field(default=None, max_length=30)


class SchedulerTime(BaseModel):
    execution_time: str = Field(min_length=1, max_length=30)


class SchedulerTrigger(BaseModel):
    strategy_id: str | None = Field(default=None, max_length=50)
    force: bool = False


@router.get("/scheduler", dependencies=STATUS, responses={503: {"description": NO_SCHEDULER}})
def scheduler_status(platform: PlatformDep) -> dict[str, Any]:
    return _call(platform, "status")


@router.put("/scheduler", dependencies=SCHEDULER, responses={503: {"description": NO_SCHEDULER}})
def scheduler_set_time(platform: PlatformDep, body: SchedulerTime) -> dict[str, Any]:
    return _call(platform, "set_execution_time", body.execution_time)


@router.post("/scheduler/enable", dependencies=SCHEDULER, responses={503: {"description": NO_SCHEDULER}})
def scheduler_enable(platform: PlatformDep, body: SchedulerEnable) -> dict[str, Any]:
    return _call(platform, "enable", body.execution_time)


@router.post("/scheduler/disable", dependencies=SCHEDULER, responses={503: {"description": NO_SCHEDULER}})
def scheduler_disable(platform: PlatformDep) -> dict[str, Any]:
    return _call(platform, "disable")


@router.post(
    "/scheduler/trigger",
    dependencies=SCHEDULER,
    status_code=status.HTTP_202_ACCEPTED,
    responses={503: {"description": NO_SCHEDULER}},
)
def scheduler_trigger(platform: PlatformDep, body: SchedulerTrigger) -> dict[str, Any]:
    return _call(platform, "trigger", strategy_id=body.strategy_id, force=body.force)


@router.post("/eod/trigger", dependencies=SCHEDULER, responses={503: {"description": NO_SCHEDULER}})
def eod_trigger(platform: PlatformDep, target_date: dt.date | None = None) -> dict[str, Any]:
    return _call(platform, "trigger_eod", target_date)


@router.post("/eod/trigger-recovery", dependencies=SCHEDULER, responses={503: {"description": NO_SCHEDULER}})
def eod_trigger_recovery(platform: PlatformDep) -> dict[str, Any]:
    return _call(platform, "trigger_eod_recovery")


@router.get("/eod/status", dependencies=STATUS)
def eod_status(platform: PlatformDep) -> EodStatusPublic:
    scheduler = platform.scheduler
    with platform.sessions() as session:
        jobs = perf_repo.recent_eod_jobs(session, 5)
        recent = [eod_public(j.job_date, j) for j in jobs]
    return EodStatusPublic(
        is_running=bool(getattr(scheduler, "is_running_eod_finalization", False)),
        next_eod_finalization=getattr(scheduler, "next_eod_finalization", None),
        recent_jobs=recent,
    )


@router.get("/refresh/status", dependencies=STATUS)
def refresh_status(
    platform: PlatformDep, threshold_hours: Annotated[float, Query(gt=0, le=24 * 365)] = 1.0
) -> DataStalenessInfo:
    with platform.sessions() as session:
        last = trading_repo.latest_snapshot_any(session)
    age = None if last is None else (dt.datetime.now(dt.UTC) - last).total_seconds() / 3600
    return DataStalenessInfo(
        is_stale=age is None or age > threshold_hours,
        last_snapshot=last,
        age_hours=None if age is None else round(age, 4),
        threshold_hours=threshold_hours,
    )


@router.post("/refresh", dependencies=SCHEDULER, responses={503: {"description": NO_SCHEDULER}})
def refresh(platform: PlatformDep, sync_data: bool = True) -> dict[str, Any]:
    return _call(platform, "refresh", sync_data=sync_data)
