"""``GET /api/control/preview``: the orders the next trading run would place now (read-only).

Readable by viewers (``status:read``, the trading-status family of §3.10): it places nothing
and shows only what the dashboard already shows — positions, targets and prices.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from jutsu.api.deps import require_permission
from jutsu.api.permissions import Permission
from jutsu.api.platform import PlatformDep
from jutsu.api.schemas.preview import PreviewPublic
from jutsu.api.services.preview import run_preview

__all__ = ["router"]

router = APIRouter(prefix="/api/control", tags=["control"])
STATUS = [Depends(require_permission(Permission.STATUS_READ))]

LIVE_QUOTES_KEY = "quote_source"
"""``container.extras`` key of an optional live QuoteSource; absent = newest stored closes."""
CLOCK_KEY = "preview_clock"
"""``container.extras`` key of an optional ``() -> datetime`` (tests pin "now"); absent = the wall clock."""


@router.get(
    "/preview",
    dependencies=STATUS,
    responses={404: {"description": "Unknown strategy"}, 409: {"description": "No data to preview"}},
)
def preview(
    platform: PlatformDep,
    strategy_id: Annotated[str | None, Query(max_length=50, description="Default: the primary")] = None,
) -> PreviewPublic:
    """Exact orders (side, shares, reference price, value, target vs current weight, reason) for now."""
    sid, mode = platform.status.resolve(strategy_id, None)
    container = platform.container
    return run_preview(
        container.engine,
        platform.catalog.registry_path,
        sid,
        mode,
        live_quotes=container.extras.get(LIVE_QUOTES_KEY),
        clock=container.extras.get(CLOCK_KEY),
    )
