"""``/api/v1/data``: stored symbols, bars, sync bookkeeping and a background sync (platform.md §3.14).

Sources for ``POST /sync`` come from ``container.extras['data_sources']`` (name → zero-argument
factory of a ``MarketDataSource``); the default offers ``yahoo``. ``schwab`` is listed by the
spec but answers 400 until the Schwab source exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Query, status
from pydantic import BaseModel, Field

from jutsu.api.deps import require_permission
from jutsu.api.permissions import Permission
from jutsu.api.platform import PlatformDep
from jutsu.api.schemas.jobs import JobAccepted
from jutsu.api.services.errors import Invalid, NotFound
from jutsu.data.repositories import market_read

__all__ = ["router"]

ET = ZoneInfo("America/New_York")
READ = [Depends(require_permission(Permission.DASHBOARD_READ))]
router = APIRouter(prefix="/api/v1/data", tags=["data"])
Timeframe = Annotated[str, Query(pattern="^(1D|1H|15m|5m|1m)$")]


class BarPublic(BaseModel):
    timestamp: dt.datetime
    trading_date: dt.date
    open: float
    high: float
    low: float
    close: float
    volume: int
    data_source: str


class MetadataPublic(BaseModel):
    symbol: str
    timeframe: str
    total_bars: int | None
    first_bar_timestamp: dt.datetime | None
    last_bar_timestamp: dt.datetime | None
    last_updated: dt.datetime | None


class DataSyncRequest(BaseModel):
    symbol: str = Field(min_length=1, max_length=10, pattern=r"^\$?[A-Za-z0-9.\-^]{1,9}$")
    source: str = Field(default="yahoo", max_length=20)
    timeframe: str = Field(default="1D", pattern="^1D$")
    start_date: dt.date
    end_date: dt.date | None = None
    force_refresh: bool = False


def _default_sources() -> dict[str, Callable[[], Any]]:
    from jutsu.data.sources import YahooSource

    return {"yahoo": YahooSource}


@router.get("/symbols", dependencies=READ)
def symbols(
    platform: PlatformDep, timeframe: Annotated[str | None, Query(max_length=10)] = None
) -> list[str]:
    with platform.sessions() as session:
        return market_read.symbols_with_data(session, timeframe)


@router.get("/metadata", dependencies=READ)
def metadata(
    platform: PlatformDep, symbol: Annotated[str | None, Query(max_length=10)] = None
) -> list[MetadataPublic]:
    with platform.sessions() as session:
        rows = market_read.list_metadata(session, symbol.upper() if symbol else None)
        return [
            MetadataPublic(
                symbol=m.symbol,
                timeframe=m.timeframe,
                total_bars=m.total_bars,
                first_bar_timestamp=first,
                last_bar_timestamp=m.last_bar_timestamp,
                last_updated=m.last_updated,
            )
            for m, first in rows
        ]


@router.post(
    "/sync",
    dependencies=[Depends(require_permission(Permission.DATA_WRITE))],
    status_code=status.HTTP_202_ACCEPTED,
)
def sync(platform: PlatformDep, body: DataSyncRequest) -> JobAccepted:
    sources: dict[str, Callable[[], Any]] = (
        platform.container.extras.get("data_sources") or _default_sources()
    )
    factory = sources.get(body.source)
    if factory is None:
        raise Invalid(
            f"Unknown or unavailable source {body.source!r}; available: {', '.join(sorted(sources))}"
        )
    if body.end_date is not None and body.end_date < body.start_date:
        raise Invalid(f"end_date {body.end_date} is before start_date {body.start_date}")
    return platform.jobs.start_sync(factory(), body.symbol.upper(), body.start_date, body.end_date)


@router.get(
    "/{symbol}/bars",
    dependencies=READ,
    responses={404: {"description": "No bar of this symbol is stored (`unknown symbol X`)"}},
)
def bars(
    platform: PlatformDep,
    symbol: Annotated[str, Path(min_length=1, max_length=10)],
    timeframe: Timeframe = "1D",
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[BarPublic]:
    """Stored valid bars, oldest first; 404 when no bar of the symbol is stored at all (a known
    symbol with nothing in the range is an empty list)."""
    with platform.sessions() as session:
        rows = market_read.read_bars(
            session, symbol.upper(), timeframe=timeframe, start=start_date, end=end_date, limit=limit
        )
        if not rows and not market_read.has_symbol(session, symbol.upper()):
            raise NotFound(f"unknown symbol {symbol.upper()}")
        return [
            BarPublic(
                timestamp=r.timestamp,
                trading_date=r.timestamp.astimezone(ET).date(),
                open=float(r.open),
                high=float(r.high),
                low=float(r.low),
                close=float(r.close),
                volume=int(r.volume),
                data_source=r.data_source,
            )
            for r in rows
        ]
