"""``/api/status``, ``/api/positions``, ``/api/indicators`` and ``/api/health`` (platform.md §3.7)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy import text

from jutsu.api.deps import ContainerDep, require_permission
from jutsu.api.permissions import Permission
from jutsu.api.platform import PlatformDep
from jutsu.api.schemas.status import (
    IndicatorDescriptions,
    IndicatorHistory,
    IndicatorsPublic,
    PositionsPublic,
    RegimeInfo,
    SystemStatus,
)
from jutsu.api.services.errors import Unavailable

__all__ = ["health_router", "indicators_router", "positions_router", "router"]

router = APIRouter(prefix="/api/status", tags=["status"])
positions_router = APIRouter(prefix="/api/positions", tags=["positions"])
indicators_router = APIRouter(prefix="/api/indicators", tags=["indicators"])
health_router = APIRouter(prefix="/api/health", tags=["health"])

StrategyQ = Annotated[str | None, Query(max_length=50)]
ModeQ = Annotated[str | None, Query(max_length=20)]


class LivenessPublic(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]
    timestamp: dt.datetime
    scheduler: dict[str, Any] | None = None
    """State, job store, degraded flag, next run and last result of each job (when attached)."""


@health_router.get("", summary="Liveness with a database round trip (public)")
def liveness(container: ContainerDep) -> LivenessPublic:
    try:
        with container.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        raise Unavailable("database unreachable") from None
    scheduler = container.extras.get("scheduler")
    return LivenessPublic(
        status="ok",
        database="ok",
        timestamp=dt.datetime.now(dt.UTC),
        scheduler=scheduler.health() if scheduler is not None else None,
    )


@router.get("", dependencies=[Depends(require_permission(Permission.STATUS_READ))])
def get_status(platform: PlatformDep, strategy_id: StrategyQ = None, mode: ModeQ = None) -> SystemStatus:
    """One-call dashboard status of a strategy (default: the primary)."""
    return platform.status.status(strategy_id, mode)


@router.get("/regime", dependencies=[Depends(require_permission(Permission.REGIME_READ))])
def get_regime(platform: PlatformDep, strategy_id: StrategyQ = None, mode: ModeQ = None) -> RegimeInfo:
    """Latest authoritative regime (scheduler runs only); 503 before the first trading run."""
    return platform.status.regime(strategy_id, mode)


@positions_router.get("", dependencies=[Depends(require_permission(Permission.DASHBOARD_READ))])
def get_positions(
    platform: PlatformDep, strategy_id: StrategyQ = None, mode: ModeQ = None
) -> PositionsPublic:
    return platform.status.positions(strategy_id, mode)


@indicators_router.get("/history", dependencies=[Depends(require_permission(Permission.INDICATORS_READ))])
def get_indicator_history(
    platform: PlatformDep,
    indicator: Annotated[str, Query(min_length=1, max_length=50)],
    days: Annotated[int, Query(ge=1, le=365)] = 30,
    strategy_id: StrategyQ = None,
) -> IndicatorHistory:
    return platform.status.indicator_history(indicator, days, strategy_id)


@indicators_router.get(
    "/descriptions", dependencies=[Depends(require_permission(Permission.INDICATORS_READ))]
)
def get_indicator_descriptions(platform: PlatformDep) -> IndicatorDescriptions:
    return platform.status.descriptions()


@indicators_router.get("", dependencies=[Depends(require_permission(Permission.INDICATORS_READ))])
def get_indicators(
    platform: PlatformDep, strategy_id: StrategyQ = None, mode: ModeQ = None
) -> IndicatorsPublic:
    return platform.status.indicators(strategy_id, mode)
