"""``/api/v1/backtest`` (async runs, platform.md §3.13) and ``/api/v1/optimization`` (research jobs).

Runs start with 202 and a job id, progress goes out as WebSocket ``job_status`` events, and
the run row is polled with ``GET /api/v1/backtest/{id}``. Research: grid search runs through
:func:`jutsu.research.grid.run_grid` (see :class:`~jutsu.api.services.jobs.JobManager`);
genetic and walk-forward starts answer 503 until the research package exposes them to the API.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response, status

from jutsu.api.deps import require_permission
from jutsu.api.permissions import Permission
from jutsu.api.platform import PlatformDep
from jutsu.api.schemas.jobs import (
    BacktestAccepted,
    BacktestEquityPoint,
    BacktestHistoryItem,
    BacktestRequestBody,
    BacktestResponse,
    BacktestTrade,
    GridSearchRequest,
    JobAccepted,
    JobStatusPublic,
    ResearchResultsPublic,
)
from jutsu.api.services.errors import Unavailable

__all__ = ["optimization_router", "router"]

RUN = [Depends(require_permission(Permission.BACKTEST_RUN))]
READ = [Depends(require_permission(Permission.PERFORMANCE_READ))]
router = APIRouter(prefix="/api/v1/backtest", tags=["backtest"])
optimization_router = APIRouter(prefix="/api/v1/optimization", tags=["optimization"])
RunId = Annotated[str, Path(min_length=1, max_length=36)]


@router.post("/run", dependencies=RUN, status_code=status.HTTP_202_ACCEPTED)
def run_backtest(platform: PlatformDep, body: BacktestRequestBody) -> BacktestAccepted:
    return platform.jobs.start_backtest(body)


@router.get("/history", dependencies=READ)
def backtest_history(
    platform: PlatformDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[BacktestHistoryItem]:
    return platform.jobs.backtest_history(limit, offset)


@router.get("/{backtest_id}", dependencies=READ)
def get_backtest(platform: PlatformDep, backtest_id: RunId) -> BacktestResponse:
    return platform.jobs.get_backtest(backtest_id)


@router.get("/{backtest_id}/equity", dependencies=READ)
def backtest_equity(platform: PlatformDep, backtest_id: RunId) -> list[BacktestEquityPoint]:
    """Daily equity, cash, baseline equity and drawdown of a completed run (empty before)."""
    return platform.jobs.backtest_equity(backtest_id)


@router.get("/{backtest_id}/trades", dependencies=READ)
def backtest_trades(platform: PlatformDep, backtest_id: RunId) -> list[BacktestTrade]:
    return platform.jobs.backtest_trades(backtest_id)


@router.post("/{backtest_id}/cancel", dependencies=RUN)
def cancel_backtest(platform: PlatformDep, backtest_id: RunId) -> BacktestAccepted:
    return platform.jobs.cancel_backtest(backtest_id)


@router.delete("/{backtest_id}", dependencies=RUN, status_code=status.HTTP_204_NO_CONTENT)
def delete_backtest(platform: PlatformDep, backtest_id: RunId) -> Response:
    platform.jobs.delete_backtest(backtest_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@optimization_router.post("/grid-search", dependencies=RUN, status_code=status.HTTP_202_ACCEPTED)
def grid_search(platform: PlatformDep, body: GridSearchRequest) -> JobAccepted:
    return platform.jobs.start_grid(body.config)


@optimization_router.post(
    "/{kind}", dependencies=RUN, status_code=status.HTTP_202_ACCEPTED, responses={503: {"description": "n/a"}}
)
def other_optimization(kind: Literal["genetic", "walk-forward"], body: GridSearchRequest) -> JobAccepted:
    raise Unavailable(f"{kind} optimization is not available through the API yet; use the jutsu research CLI")


@optimization_router.get("/jobs/list", dependencies=READ)
def list_jobs(
    platform: PlatformDep,
    status_filter: Annotated[
        Literal["queued", "running", "completed", "failed", "cancelled"] | None, Query(alias="status")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[JobStatusPublic]:
    return platform.jobs.research_jobs(status_filter, limit)


@optimization_router.get("/{job_id}", dependencies=READ)
def job_status(platform: PlatformDep, job_id: RunId) -> JobStatusPublic:
    return platform.jobs.research_status(job_id)


@optimization_router.get("/{job_id}/results", dependencies=READ)
def job_results(platform: PlatformDep, job_id: RunId) -> ResearchResultsPublic:
    return platform.jobs.research_results(job_id)


@optimization_router.post("/{job_id}/cancel", dependencies=RUN)
def cancel_job(platform: PlatformDep, job_id: RunId) -> JobAccepted:
    return platform.jobs.cancel_research(job_id)
