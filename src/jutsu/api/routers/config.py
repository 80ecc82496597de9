"""``/api/config``: effective parameters and overrides with audit (platform.md §3.11)."""

from __future__ import annotations

from typing import Annotated

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
    return platform.config.set_override(body, user.username, user.id)


@router.get("/history", dependencies=[Depends(require_permission(Permission.CONFIG_READ))])
def config_history(
    platform: PlatformDep,
    strategy_id: StrategyQ = None,
    parameter_name: Annotated[str | None, Query(max_length=50)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> ConfigHistoryPublic:
    return platform.config.history(strategy_id, parameter_name, limit)


@router.delete("/{parameter_name}")
def reset_override(
    platform: PlatformDep,
    parameter_name: Annotated[str, Path(min_length=1, max_length=50)],
    user: Writer,
    strategy_id: StrategyQ = None,
) -> ConfigUpdateResponse:
    return platform.config.reset(parameter_name, strategy_id, user.username)
