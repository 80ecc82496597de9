"""``/api/trades``: history with filters and pagination, CSV export, statistics (platform.md §3.9).

``POST /api/trades/execute`` (manual trades) needs the live pipeline's executor and is not
mounted here yet.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import StreamingResponse

from jutsu.api.deps import require_permission
from jutsu.api.permissions import Permission
from jutsu.api.platform import PlatformDep
from jutsu.api.schemas.trades import TradeListResponse, TradeRecord, TradeStats
from jutsu.api.services.errors import Invalid
from jutsu.data.repositories.trades import TradeFilter

__all__ = ["router"]

router = APIRouter(
    prefix="/api/trades", tags=["trades"], dependencies=[Depends(require_permission(Permission.TRADES_READ))]
)

Mode = Literal["dry_run", "paper", "live"]
Status = Literal["intent", "submitted", "partially_filled", "filled", "rejected", "cancelled", "expired"]


async def trade_filter(
    strategy_id: Annotated[str | None, Query(max_length=50)] = None,
    symbol: Annotated[str | None, Query(max_length=10)] = None,
    action: Literal["BUY", "SELL"] | None = None,
    mode: Mode | None = None,
    status: Status | None = None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
) -> TradeFilter:
    if start_date is not None and end_date is not None and end_date < start_date:
        raise Invalid(f"end_date {end_date} is before start_date {start_date}")
    return TradeFilter(
        strategy_id=strategy_id,
        symbol=symbol.upper() if symbol else None,
        action=action,
        mode=mode,
        status=status,
        start_date=start_date,
        end_date=end_date,
    )


FilterDep = Annotated[TradeFilter, Depends(trade_filter)]


@router.get("", response_model=TradeListResponse)
def list_trades(
    platform: PlatformDep,
    filters: FilterDep,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    """Newest first."""
    # Serialized here, in the worker thread: the service builds the model from stored rows, so
    # FastAPI's second validation pass (another thread-pool hop per request) is skipped.
    result = platform.trades.page(filters, page, page_size)
    return Response(content=result.model_dump_json(), media_type="application/json")


@router.get("/export", response_class=StreamingResponse, responses={200: {"content": {"text/csv": {}}}})
def export_trades(platform: PlatformDep, filters: FilterDep) -> StreamingResponse:
    """Every matching trade as CSV."""
    name = dt.datetime.now(dt.UTC).strftime("trades_export_%Y%m%d_%H%M%S.csv")
    return StreamingResponse(
        platform.trades.export_csv(filters),
        media_type="text/csv",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


@router.get("/summary/stats")
def trade_stats(platform: PlatformDep, filters: FilterDep) -> TradeStats:
    return platform.trades.stats(filters)


@router.get("/{trade_id}")
def get_trade(platform: PlatformDep, trade_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> TradeRecord:
    return platform.trades.get(trade_id)
