"""Incremental market-data sync (platform spec §5.5).

Given a symbol and a requested start date, fetch from the chosen source only what is missing:

* nothing stored → fetch ``start .. end``;
* ``start`` on/after the newest stored bar → fetch from the session after it;
* ``start`` before the oldest stored bar → backfill ``start .. oldest - 1`` and top up after
  the newest;
* otherwise only the sessions after the newest stored bar (existing bars are never re-fetched).

``end`` is capped at the last *completed* session at ``now`` (16:00 ET, 13:00 on half days),
so today's in-progress bar is never stored. New bars go through the repository with
``on_conflict="skip"``: a vendor value that differs from a stored bar is logged as a
``warning`` and left alone (§2.2 rule 4). One ``sync`` audit row records the counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from time import perf_counter

import pandas as pd
from sqlalchemy import Engine

from jutsu.data.calendar import last_completed_session, sessions_between
from jutsu.data.repositories import market_data as repo
from jutsu.data.sources.base import MarketDataSource
from jutsu.data.validation import validate_symbol
from jutsu.errors import DataError

__all__ = ["SyncResult", "plan_ranges", "sync_symbol"]


@dataclass(frozen=True, slots=True)
class SyncResult:
    """Outcome of one symbol's sync (the shape of the API's sync result, §3.14)."""

    symbol: str
    timeframe: str
    source: str
    bars_fetched: int
    bars_stored: int
    bars_skipped: int
    bars_conflicting: int
    start_date: date
    end_date: date
    duration_seconds: float


def plan_ranges(start: date, end: date, first: date | None, last: date | None) -> list[tuple[date, date]]:
    """Date ranges to fetch so that ``start .. end`` is covered, given stored ``first .. last``."""
    if end < start:
        return []
    if first is None or last is None:
        return [(start, end)]
    ranges: list[tuple[date, date]] = []
    if start < first:
        ranges.append((start, min(end, first - timedelta(days=1))))
    after = max(start, last + timedelta(days=1))
    if after <= end:
        ranges.append((after, end))
    return ranges


def sync_symbol(
    engine: Engine,
    source: MarketDataSource,
    symbol: str,
    start: date,
    end: date | None = None,
    *,
    timeframe: str = "1D",
    now: datetime | None = None,
) -> SyncResult:
    """Fetch and store the bars of ``symbol`` missing in ``start .. end`` from ``source``."""
    validate_symbol(symbol)
    began = perf_counter()
    cap = last_completed_session(now or datetime.now(UTC))
    end = cap if end is None else min(end, cap)
    first = repo.first_bar_date(engine, symbol, timeframe)
    last = repo.last_bar_date(engine, symbol, timeframe)
    frames: list[pd.DataFrame] = []
    for lo, hi in plan_ranges(start, end, first, last):
        if not sessions_between(lo, hi):
            continue  # e.g. a "backfill" of New Year's Day: nothing to ask the vendor for
        fetched = source.fetch(symbol, lo, hi)
        frames.append(fetched[(fetched["date"] >= pd.Timestamp(lo)) & (fetched["date"] <= pd.Timestamp(hi))])
    frame = (
        pd.concat(frames, ignore_index=True).sort_values("date", ignore_index=True)
        if frames
        else pd.DataFrame()
    )
    fetched_count = len(frame)
    if fetched_count:
        try:
            report = repo.import_bars(
                engine, symbol, frame, source.name, timeframe, on_conflict="skip", operation="sync"
            )
        except DataError as exc:
            repo.record_operation(
                engine, symbol, timeframe, "sync", "error", f"sync from {source.name}: {exc}", 0
            )
            raise
        stored, skipped, conflicting = report.inserted, report.unchanged, report.conflicting
    else:
        stored = skipped = conflicting = 0
        if last is not None:
            repo.touch_metadata(engine, symbol, timeframe)
        repo.record_operation(
            engine,
            symbol,
            timeframe,
            "sync",
            "success",
            f"{symbol}: up to date through {end.isoformat()} (source {source.name}); nothing fetched",
            0,
        )
    return SyncResult(
        symbol=symbol,
        timeframe=timeframe,
        source=source.name,
        bars_fetched=fetched_count,
        bars_stored=stored,
        bars_skipped=skipped,
        bars_conflicting=conflicting,
        start_date=start,
        end_date=end,
        duration_seconds=perf_counter() - began,
    )
