"""EOD finalization (platform spec §5.4): one ``daily_performance`` row per strategy/mode and
per baseline/mode for a trading day, from the day's closing equity.

Why equity-based: the reference chained stored ``daily_return`` values (percent vs an arbitrary
earlier snapshot) and produced a Sharpe of −4 instead of 0.82. Here every row is rebuilt from
the closing equities of the entity's rows (``E_t / E_{t−1} − 1``), with the KPIs of
:mod:`jutsu.eod.kpis` recomputed over the whole series, so finalizing a day twice writes the
same row (the second write is skipped when nothing changed) and a backfill in date order
reproduces what the daily runs would have written.

Everything here is synchronous database work; the scheduler calls it in a worker thread.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection, Engine, select

from jutsu.data.calendar import ET, is_session, previous_session, sessions_between
from jutsu.data.models import (
    DailyPerformance,
    EodJobStatus,
    LiveTrade,
    MarketData,
    PerformanceSnapshot,
    StrategyState,
)
from jutsu.eod.kpis import EntityType, Kpis, entity_kpis
from jutsu.eod.store import finish_eod_status, start_eod_status, upsert_daily
from jutsu.eod.trades import FillRow, fifo_round_trips
from jutsu.errors import DataError

__all__ = [
    "BASELINE_INITIAL_CAPITAL",
    "DayResult",
    "EodEntity",
    "finalize_day",
    "finalize_range",
    "load_entities",
    "recovery_dates",
    "run_recovery",
]

log = logging.getLogger(__name__)

BASELINE_INITIAL_CAPITAL = Decimal("10000")
_Q6 = Decimal("0.000001")
_Q8 = Decimal("0.00000001")
_RATIO_LIMIT = Decimal(10_000)  # num(10,6)
_STALE_RUNNING = dt.timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class EodEntity:
    """One active strategy: id, mode, configured starting capital, baseline symbol."""

    strategy_id: str
    mode: str
    initial_capital: Decimal
    baseline_symbol: str = "QQQ"


@dataclass(slots=True)
class DayResult:
    day: dt.date
    status: Literal["completed", "partial", "failed", "skipped"]
    strategies_processed: int = 0
    baselines_processed: int = 0
    errors: list[str] = field(default_factory=list)
    rows_written: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "status": self.status,
            "strategies_processed": self.strategies_processed,
            "baselines_processed": self.baselines_processed,
            "rows_written": self.rows_written,
            "errors": list(self.errors),
        }


def load_entities(registry_path: Path) -> list[EodEntity]:
    """Active strategies of the registry with their configured ``initial_capital``."""
    from jutsu.strategies.registry import load_registry, load_strategy_file

    registry = load_registry(registry_path)
    out = []
    for sid in registry.active_ids():
        entry = registry.strategies[sid]
        path = registry.config_path(sid)
        capital = (
            Decimal(str(load_strategy_file(path).portfolio.initial_capital))
            if path.is_file()
            else Decimal(10000)
        )
        out.append(EodEntity(sid, entry.mode, capital, entry.baseline_symbol))
    return out


# -- small helpers ----------------------------------------------------------------------------


def _q6(value: Decimal) -> Decimal:
    return value.quantize(_Q6)


def _ratio(value: float | Decimal | None) -> Decimal | None:
    """A fraction for a num(10,6) column; ``None`` when undefined or out of the column's range."""
    if value is None:
        return None
    d = Decimal(str(value))
    if not d.is_finite() or abs(d) >= _RATIO_LIMIT:
        return None
    return d.quantize(_Q6)


def _sum(value: float | None) -> Decimal | None:
    if value is None:
        return None
    d = Decimal(str(value))
    return d.quantize(_Q8) if d.is_finite() and abs(d) < Decimal(10) ** 10 else None


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """ET midnight-to-midnight of ``day`` as aware UTC bounds."""
    start = dt.datetime(day.year, day.month, day.day, tzinfo=ET)
    end = start + dt.timedelta(days=1)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _previous_rows(conn: Connection, entity_type: str, entity_id: str, mode: str, day: dt.date) -> list[Any]:
    return list(
        conn.execute(
            select(
                DailyPerformance.trading_date, DailyPerformance.total_equity, DailyPerformance.positions_json
            )
            .where(
                DailyPerformance.entity_type == entity_type,
                DailyPerformance.entity_id == entity_id,
                DailyPerformance.mode == mode,
                DailyPerformance.trading_date < day,
            )
            .order_by(DailyPerformance.trading_date)
        )
    )


def _closing_snapshot(conn: Connection, sid: str, mode: str, day: dt.date) -> Any:
    lo, hi = _day_bounds(day)
    base = select(PerformanceSnapshot).where(
        PerformanceSnapshot.strategy_id == sid,
        PerformanceSnapshot.mode == mode,
        PerformanceSnapshot.timestamp >= lo,
        PerformanceSnapshot.timestamp < hi,
    )
    closing = conn.execute(base.order_by(PerformanceSnapshot.timestamp.desc()).limit(1)).first()
    regime = conn.execute(
        base.where(PerformanceSnapshot.snapshot_source == "scheduler")
        .order_by(PerformanceSnapshot.timestamp.desc())
        .limit(1)
    ).first()
    if regime is None:
        regime = conn.execute(
            base.where(PerformanceSnapshot.strategy_cell.is_not(None))
            .order_by(PerformanceSnapshot.timestamp.desc())
            .limit(1)
        ).first()
    return closing, regime


def _fills(conn: Connection, sid: str, mode: str, day: dt.date) -> list[FillRow]:
    rows = conn.execute(
        select(LiveTrade)
        .where(
            LiveTrade.strategy_id == sid,
            LiveTrade.mode == mode,
            LiveTrade.trading_date <= day,
            LiveTrade.status.in_(("filled", "partially_filled")),
        )
        .order_by(LiveTrade.trading_date, LiveTrade.filled_at, LiveTrade.id)
    )
    out = []
    for r in rows:
        qty = r.filled_quantity if r.filled_quantity is not None else r.quantity
        if r.fill_price is None or not qty:
            continue
        out.append(FillRow(r.symbol, r.action, int(qty), Decimal(r.fill_price), Decimal(r.commission or 0)))
    return out


def _kpi_values(k: Kpis) -> dict[str, Any]:
    return {
        "sharpe_ratio": _ratio(k.sharpe_ratio),
        "sortino_ratio": _ratio(k.sortino_ratio),
        "calmar_ratio": _ratio(k.calmar_ratio),
        "max_drawdown": _ratio(k.max_drawdown),
        "volatility": _ratio(k.volatility),
        "cagr": _ratio(k.cagr),
        "returns_sum": _sum(k.returns_sum),
        "returns_sum_sq": _sum(k.returns_sum_sq),
        "downside_sum_sq": _sum(k.downside_sum_sq),
        "returns_count": k.returns_count,
    }


def _series_values(
    entity_type: EntityType,
    prev: Sequence[Any],
    day: dt.date,
    equity: Decimal,
    initial_capital: Decimal,
) -> dict[str, Any]:
    """Return, drawdown, counters and KPIs of the row for ``day`` given the earlier rows."""
    series = [Decimal(r.total_equity) for r in prev] + [equity]
    dates = [r.trading_date for r in prev] + [day]
    first = not prev
    base = initial_capital if first else series[-2]
    daily = Decimal(0) if entity_type == "baseline" and first else equity / base - 1
    peak = max([initial_capital, *series])
    if prev and (day - prev[-1].trading_date).days > 7:
        gap = len(sessions_between(prev[-1].trading_date, day)) - 1
        if gap > 5:
            log.warning("%s: %d sessions since the previous finalized row", day, gap)
    return {
        "daily_return": _ratio(daily),
        "cumulative_return": _ratio(equity / initial_capital - 1),
        "drawdown": _ratio(equity / peak - 1),
        "high_water_mark": _q6(peak),
        "initial_capital": _q6(initial_capital),
        "trading_days_count": len(series),
        "days_since_previous": 0 if first else (day - prev[-1].trading_date).days,
        "is_first_day": first,
        **_kpi_values(entity_kpis(entity_type, series, dates, initial_capital)),
    }


def _same(existing: Any, values: Mapping[str, Any]) -> bool:
    for key, value in values.items():
        old = getattr(existing, key)
        if isinstance(value, Decimal) and old is not None:
            places = _Q8 if key.endswith(("_sum", "_sum_sq")) else _Q6
            if Decimal(old).quantize(places) != value.quantize(places):
                return False
        elif old != value:
            return False
    return True


def _write(conn: Connection, values: dict[str, Any], now: dt.datetime) -> bool:
    """Upsert unless the stored row already holds exactly these values. True when written."""
    existing = conn.execute(
        select(DailyPerformance).where(
            DailyPerformance.trading_date == values["trading_date"],
            DailyPerformance.entity_type == values["entity_type"],
            DailyPerformance.entity_id == values["entity_id"],
            DailyPerformance.mode == values["mode"],
        )
    ).first()
    if existing is not None and _same(existing, values):
        return False
    upsert_daily(conn, {**values, "finalized_at": now})
    return True


# -- one strategy / one baseline ----------------------------------------------------------------


def _strategy_capital(conn: Connection, entity: EodEntity) -> Decimal:
    """The book's inception capital when the strategy has traded, else the configured one."""
    row = conn.execute(
        select(StrategyState.initial_capital).where(
            StrategyState.strategy_id == entity.strategy_id, StrategyState.mode == entity.mode
        )
    ).first()
    return Decimal(row[0]) if row is not None else entity.initial_capital


def _finalize_strategy(conn: Connection, entity: EodEntity, day: dt.date, now: dt.datetime) -> bool:
    sid, mode = entity.strategy_id, entity.mode
    closing, regime = _closing_snapshot(conn, sid, mode, day)
    if closing is None:
        raise DataError(f"{sid} ({mode}): no snapshot on {day.isoformat()}")
    equity = Decimal(closing.total_equity)
    if equity <= 0:
        raise DataError(f"{sid} ({mode}): non-positive closing equity {equity} on {day.isoformat()}")
    cash = Decimal(closing.cash) if closing.cash is not None else None
    positions = []
    for p in json.loads(closing.positions_json or "[]"):
        value = Decimal(str(p.get("value", 0)))
        positions.append({**p, "value": str(_q6(value)), "weight": str(_q6(value / equity))})
    capital = _strategy_capital(conn, entity)
    prev = _previous_rows(conn, "strategy", sid, mode, day)
    stats = fifo_round_trips(_fills(conn, sid, mode, day))
    values: dict[str, Any] = {
        "trading_date": day,
        "entity_type": "strategy",
        "entity_id": sid,
        "mode": mode,
        "total_equity": _q6(equity),
        "cash": _q6(cash) if cash is not None else None,
        "positions_value": _q6(equity - cash) if cash is not None else None,
        "positions_json": json.dumps(positions, sort_keys=True),
        **_series_values("strategy", prev, day, _q6(equity), capital),
        "strategy_cell": regime.strategy_cell if regime is not None else None,
        "trend_state": regime.trend_state if regime is not None else None,
        "vol_state": regime.vol_state if regime is not None else None,
        "t_norm": regime.t_norm if regime is not None else None,
        "z_score": regime.z_score if regime is not None else None,
        "sma_fast": regime.sma_fast if regime is not None else None,
        "sma_slow": regime.sma_slow if regime is not None else None,
        "total_trades": stats.total,
        "winning_trades": stats.winning,
        "losing_trades": stats.losing,
        "win_rate": stats.win_rate.quantize(_Q6) if stats.win_rate is not None else None,
        "baseline_symbol": entity.baseline_symbol,
    }
    return _write(conn, values, now)


def _close_of(conn: Connection, symbol: str, day: dt.date) -> Decimal | None:
    """Close of the stored ``1D`` bar of ``day`` (stamped at the session close, §2.2)."""
    lo, hi = _day_bounds(day)
    close = conn.execute(
        select(MarketData.close).where(
            MarketData.symbol == symbol,
            MarketData.timeframe == "1D",
            MarketData.timestamp >= lo,
            MarketData.timestamp < hi,
            MarketData.is_valid.is_not(False),
        )
    ).first()
    return None if close is None else Decimal(close[0])


def _finalize_baseline(
    conn: Connection, symbol: str, mode: str, day: dt.date, now: dt.datetime, capital: Decimal
) -> bool:
    close = _close_of(conn, symbol, day)
    if close is None or close <= 0:
        raise DataError(f"baseline {symbol}: no daily bar for {day.isoformat()} yet")
    prev = _previous_rows(conn, "baseline", symbol, mode, day)
    if not prev:
        equity = capital
    else:
        prev_close = _close_of(conn, symbol, prev[-1].trading_date)
        if prev_close is None or prev_close <= 0:
            raise DataError(f"baseline {symbol}: no daily bar for {prev[-1].trading_date.isoformat()}")
        equity = _q6(Decimal(prev[-1].total_equity) * close / prev_close)
    position = {
        "symbol": symbol,
        "quantity": str(_q6(equity / close)),
        "value": str(_q6(equity)),
        "weight": "1.000000",
        "price": str(close),
        "price_source": "bar",
    }
    values: dict[str, Any] = {
        "trading_date": day,
        "entity_type": "baseline",
        "entity_id": symbol,
        "mode": mode,
        "total_equity": _q6(equity),
        "cash": None,
        "positions_value": _q6(equity),
        "positions_json": json.dumps([position], sort_keys=True),
        **_series_values("baseline", prev, day, _q6(equity), capital),
        "baseline_symbol": None,
    }
    return _write(conn, values, now)


# -- a day, a range, the recovery pass ----------------------------------------------------------


@contextmanager
def _transaction(engine: Engine, dry_run: bool) -> Iterator[Connection]:
    """One transaction per entity; a dry run computes everything and rolls back."""
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            yield conn
        except BaseException:
            trans.rollback()
            raise
        if dry_run:
            trans.rollback()
        else:
            trans.commit()


def finalize_day(
    engine: Engine,
    day: dt.date,
    entities: Sequence[EodEntity],
    *,
    now: dt.datetime,
    baseline_capital: Decimal = BASELINE_INITIAL_CAPITAL,
    retry: bool = False,
    dry_run: bool = False,
) -> DayResult:
    """Finalize every strategy and baseline for ``day``; errors of one entity never stop the others."""
    if not is_session(day):
        return DayResult(day, "skipped", errors=[f"{day.isoformat()} is not an NYSE session"])
    baselines = sorted({(e.baseline_symbol, e.mode) for e in entities})
    result = DayResult(day, "completed")
    with engine.begin() as conn:
        if not dry_run:
            start_eod_status(
                conn,
                day,
                now=now,
                strategies_total=len(entities),
                baselines_total=len(baselines),
                retry=retry,
            )
    for entity in entities:
        try:
            with _transaction(engine, dry_run) as conn:
                written = _finalize_strategy(conn, entity, day, now)
            result.strategies_processed += 1
            result.rows_written += int(written)
        except DataError as exc:
            result.errors.append(str(exc))
        except Exception as exc:  # isolation: one broken entity must not stop the day
            log.exception("EOD %s failed for %s", day, entity.strategy_id)
            result.errors.append(f"{entity.strategy_id}: {type(exc).__name__}: {exc}")
    for symbol, mode in baselines:
        try:
            with _transaction(engine, dry_run) as conn:
                written = _finalize_baseline(conn, symbol, mode, day, now, baseline_capital)
            result.baselines_processed += 1
            result.rows_written += int(written)
        except DataError as exc:
            result.errors.append(str(exc))
        except Exception as exc:
            log.exception("EOD %s failed for baseline %s", day, symbol)
            result.errors.append(f"baseline {symbol}: {type(exc).__name__}: {exc}")
    if result.errors:
        result.status = "partial" if result.strategies_processed > 0 else "failed"
    if not dry_run:
        with engine.begin() as conn:
            finish_eod_status(
                conn,
                day,
                now=now,
                status=result.status,
                strategies_processed=result.strategies_processed,
                baselines_processed=result.baselines_processed,
                errors=result.errors,
            )
    return result


def finalize_range(
    engine: Engine,
    start: dt.date,
    end: dt.date,
    entities: Sequence[EodEntity],
    *,
    now: dt.datetime,
    baseline_capital: Decimal = BASELINE_INITIAL_CAPITAL,
    dry_run: bool = False,
) -> list[DayResult]:
    """Finalize every session ``start..end`` in date order (each row depends on its predecessor)."""
    if end < start:
        raise DataError(f"--to {end.isoformat()} is before --from {start.isoformat()}")
    return [
        finalize_day(engine, d, entities, now=now, baseline_capital=baseline_capital, dry_run=dry_run)
        for d in sessions_between(start, end)
    ]


def later_finalized_dates(engine: Engine, day: dt.date) -> list[dt.date]:
    """Dates after ``day`` that already have rows (re-finalizing ``day`` must recompute them)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(DailyPerformance.trading_date)
            .where(DailyPerformance.trading_date > day)
            .distinct()
            .order_by(DailyPerformance.trading_date)
        )
        return [r[0] for r in rows]


def recovery_dates(engine: Engine, today: dt.date, now: dt.datetime, days: int = 7) -> list[dt.date]:
    """The sessions among the ``days`` before ``today`` whose finalization is missing or unfinished."""
    dates: list[dt.date] = []
    probe = today
    for _ in range(days):
        probe = previous_session(probe)
        dates.append(probe)
    dates.reverse()
    with engine.connect() as conn:
        rows = {
            r.job_date: r for r in conn.execute(select(EodJobStatus).where(EodJobStatus.job_date.in_(dates)))
        }
    out = []
    for d in dates:
        r = rows.get(d)
        stuck = (
            r is not None
            and r.status == "running"
            and (r.started_at is None or now - r.started_at > _STALE_RUNNING)
        )
        if r is None or r.status in ("failed", "partial") or stuck:
            out.append(d)
    return out


def run_recovery(
    engine: Engine,
    today: dt.date,
    entities: Sequence[EodEntity],
    *,
    now: dt.datetime,
    baseline_capital: Decimal = BASELINE_INITIAL_CAPITAL,
) -> list[DayResult]:
    """§5.4 step 2: re-run the last 7 sessions that are missing/failed/partial/stuck, oldest first."""
    return [
        finalize_day(engine, d, entities, now=now, baseline_capital=baseline_capital, retry=True)
        for d in recovery_dates(engine, today, now)
    ]
