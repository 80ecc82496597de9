"""``/api/config``: effective parameters and overrides with audit (platform.md §3.11)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from jutsu.api.deps import AuthenticatedUser, require_permission
from jutsu.api.permissions import Permission
from jutsu.api.platform import PlatformDep
from jutsu.api.schemas.config import ConfigHistoryPublic, ConfigResponse, ConfigUpdate, ConfigUpdateResponse

__all__ = ["router"]

router = APIRouter(prefix="/api/config", tags=["config"])
StrategyQ = Annotated[str | None, Query(max_length=50)]
Writer = Annotated[AuthenticatedUser, Depends(require_permission(Permission.CONFIG_WRITE))]


@router.get("", dependencies=[Depends(require_permission(Permission.CONFIG_READ))])
def get_config(platform: PlatformDep, strategy_id: StrategyQ = None) -> ConfigResponse:
    return platform.config.effective(strategy_id)


@router.put("")
def put_override(platform: PlatformDep, body: ConfigUpdate, user: Writer) -> ConfigUpdateResponse:
    """Create/replace an override; ``reason`` and a future ``expires_at`` are required."""
    result = platform.config.set_override(body, user.username, user.id)
    _reschedule(platform, body.parameter_name)
    return result


def _reschedule(platform: PlatformDep, parameter_name: str) -> None:
    """An ``execution_time`` change moves the trading job at once (when a scheduler runs here)."""
    scheduler = platform.scheduler
    if parameter_name == "execution_time" and scheduler is not None:
        scheduler.reschedule()


@router.get("/effective", dependencies=[Depends(require_permission(Permission.CONFIG_READ))])
def effective_config(platform: PlatformDep) -> dict[str, Any]:
    """Every effective value with its source: env, secret, override, yaml or default."""
    values = platform.config.effective_values(platform.container.settings)
    return {"values": values, "count": len(values)}


@router.get("/history", dependencies=[Depends(require_permission(Permission.CONFIG_READ))])
def config_history(
    platform: PlatformDep,
    strategy_id: StrategyQ = None,
    parameter_name: Annotated[str | None, Query(max_length=50)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> ConfigHistoryPublic:
    return platform.config.history(strategy_id, parameter_name, limit)


@router.delete(
    "/{parameter_name}",
    responses={404: {"description": "Unknown strategy, or a parameter the strategy does not have"}},
)
def reset_override(
    platform: PlatformDep,
    parameter_name: Annotated[str, Path(min_length=1, max_length=50)],
    user: Writer,
    strategy_id: StrategyQ = None,
) -> ConfigUpdateResponse:
    result = platform.config.reset(parameter_name, strategy_id, user.username)
    _reschedule(platform, parameter_name)
    return result
