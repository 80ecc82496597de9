"""EOD finalization on real data: snapshots seeded from a real backtest over the shared prices.

Checks: one row per entity and day, idempotency (a second pass leaves identical rows), a
backfill of a range rebuilds the same rows, KPIs equal ``compute_metrics`` on the same equity,
FIFO trade counts, the baseline chain from real closes, holidays skipped, recovery pass.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, insert, select

from jutsu.backtest.loaders import csv_dir_loader
from jutsu.backtest.models import BacktestRequest
from jutsu.backtest.runner import run_backtest_job
from jutsu.core.metrics import compute_metrics
from jutsu.core.result import BacktestResult
from jutsu.data.calendar import session_close
from jutsu.data.models import DailyPerformance, EodJobStatus, LiveTrade, PerformanceSnapshot
from jutsu.data.repositories.market_data import import_bars
from jutsu.data.sources.csv_source import read_price_csv
from jutsu.eod.finalize import EodEntity, finalize_day, finalize_range, run_recovery
from jutsu.eod.trades import FillRow, fifo_round_trips

START, END = dt.date(2023, 2, 1), dt.date(2023, 3, 31)
CAPITAL = Decimal("10000")
NOW = dt.datetime(2023, 4, 3, 21, 0, tzinfo=dt.UTC)
ENTITY = EodEntity("sma_crossover", "paper", CAPITAL, "QQQ")


@pytest.fixture(scope="module")
def backtest(shared_prices: Path) -> BacktestResult:
    request = BacktestRequest(
        strategy_id="sma_crossover",
        start=START,
        end=END,
        initial_capital=CAPITAL,
        overrides={"fast": "5", "slow": "20"},
    )
    return run_backtest_job(request, load_frames=csv_dir_loader(shared_prices)).result


def _seed(engine: Engine, result: BacktestResult, prices: Path) -> None:
    _, frame = read_price_csv(prices / "QQQ.csv", "QQQ")
    frame = frame[(frame["date"] >= "2022-12-01") & (frame["date"] <= "2023-04-30")].reset_index(drop=True)
    import_bars(engine, "QQQ", frame, "csv")
    with engine.begin() as conn:
        for snap in result.snapshots:
            positions = [
                {"symbol": s, "quantity": q, "value": str(q * snap.prices[s])}
                for s, q in sorted(snap.positions.items())
                if q
            ]
            stamp = session_close(snap.date) + dt.timedelta(minutes=5)
            conn.execute(
                insert(PerformanceSnapshot).values(
                    timestamp=stamp,
                    total_equity=snap.equity,
                    cash=snap.cash,
                    positions_value=snap.equity - snap.cash,
                    snapshot_source="refresh",
                    positions_json=json.dumps(positions),
                    mode="paper",
                    strategy_id="sma_crossover",
                    created_at=stamp,
                )
            )
            # an earlier intraday snapshot of the same day must not be the closing one
            conn.execute(
                insert(PerformanceSnapshot).values(
                    timestamp=stamp - dt.timedelta(hours=3),
                    total_equity=snap.equity * 2,
                    cash=snap.cash,
                    snapshot_source="scheduler",
                    strategy_cell=3,
                    trend_state="Sideways",
                    vol_state="Low",
                    mode="paper",
                    strategy_id="sma_crossover",
                    created_at=stamp,
                )
            )
        for i, f in enumerate(result.fills):
            conn.execute(
                insert(LiveTrade).values(
                    symbol=f.symbol,
                    timestamp=session_close(f.date),
                    trading_date=f.date,
                    action=str(f.side),
                    quantity=f.quantity,
                    filled_quantity=f.quantity,
                    target_price=f.price,
                    fill_price=f.price,
                    commission=f.commission,
                    status="filled",
                    client_order_id=f"seed-{i}",
                    filled_at=session_close(f.date),
                    mode="paper",
                    strategy_id="sma_crossover",
                )
            )


def _rows(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(DailyPerformance).order_by(
                DailyPerformance.entity_type, DailyPerformance.entity_id, DailyPerformance.trading_date
            )
        ).mappings()
        return [dict(r) for r in rows]


def test_finalize_twice_backfill_and_kpis(
    db_engine: Engine, backtest: BacktestResult, shared_prices: Path
) -> None:
    _seed(db_engine, backtest, shared_prices)
    results = finalize_range(db_engine, START, END, [ENTITY], now=NOW)
    assert {r.status for r in results} == {"completed"}
    assert len(results) == len(backtest.snapshots)
    first = _rows(db_engine)
    strat = [r for r in first if r["entity_type"] == "strategy"]
    base = [r for r in first if r["entity_type"] == "baseline"]
    assert len(strat) == len(base) == len(backtest.snapshots)

    # idempotent: a second pass over every day writes nothing and leaves identical rows
    again = finalize_range(db_engine, START, END, [ENTITY], now=NOW + dt.timedelta(days=1))
    assert sum(r.rows_written for r in again) == 0
    assert _rows(db_engine) == first

    # backfill after wiping the rows rebuilds exactly the same values
    with db_engine.begin() as conn:
        conn.execute(delete(DailyPerformance))
    finalize_range(db_engine, START, END, [ENTITY], now=NOW)
    rebuilt = _rows(db_engine)
    drop = ("id", "finalized_at")
    assert [{k: v for k, v in r.items() if k not in drop} for r in rebuilt] == [
        {k: v for k, v in r.items() if k not in drop} for r in first
    ]

    # KPIs of the last row equal compute_metrics on the same (stored) equity series
    equity = [Decimal(r["total_equity"]) for r in strat]
    dates = [r["trading_date"] for r in strat]
    m = compute_metrics(equity, dates, CAPITAL)
    last = strat[-1]
    for column, key in (
        ("sharpe_ratio", "sharpe"),
        ("sortino_ratio", "sortino"),
        ("volatility", "volatility"),
        ("cagr", "cagr"),
        ("max_drawdown", "max_drawdown"),
        ("calmar_ratio", "calmar"),
    ):
        assert m[key] is not None
        assert float(last[column]) == pytest.approx(m[key], abs=1e-6), column
    # equity and returns come from the closing snapshot, not the intraday one, nor stored returns
    assert [e for e in equity] == [s.equity.quantize(Decimal("0.000001")) for s in backtest.snapshots]
    assert float(strat[0]["daily_return"]) == pytest.approx(float(equity[0] / CAPITAL - 1), abs=1e-6)
    assert strat[0]["is_first_day"] is True and strat[0]["trading_days_count"] == 1
    assert float(strat[5]["daily_return"]) == pytest.approx(float(equity[5] / equity[4] - 1), abs=1e-6)
    assert last["trading_days_count"] == len(strat) and last["strategy_cell"] == 3

    # trade counts: FIFO round trips of the backtest's fills
    stats = fifo_round_trips(
        FillRow(f.symbol, str(f.side), f.quantity, f.price, f.commission) for f in backtest.fills
    )
    assert stats.total > 0
    assert (last["total_trades"], last["winning_trades"]) == (stats.total, stats.winning)

    # baseline: 10 000 on day one, then the ratio of real closes
    _, qqq = read_price_csv(shared_prices / "QQQ.csv", "QQQ")
    closes = {d.date(): Decimal(str(c)) for d, c in zip(qqq["date"], qqq["close"], strict=True)}
    assert Decimal(base[0]["total_equity"]) == Decimal("10000")
    want = Decimal(10000) * closes[END] / closes[START]
    assert float(base[-1]["total_equity"]) == pytest.approx(float(want), rel=1e-6)
    assert base[0]["daily_return"] == 0 and base[0]["sharpe_ratio"] is None


def test_holiday_is_skipped_and_recovery_repairs_missing_days(
    db_engine: Engine, backtest: BacktestResult, shared_prices: Path
) -> None:
    _seed(db_engine, backtest, shared_prices)
    holiday = finalize_day(db_engine, dt.date(2023, 1, 16), [ENTITY], now=NOW)  # MLK day
    assert holiday.status == "skipped"
    finalize_range(db_engine, START, dt.date(2023, 3, 20), [ENTITY], now=NOW)
    # 2023-03-22 failed earlier, 23.. are missing: the recovery pass redoes the last 7 sessions
    # before today that need it, in order (03-21 is the 8th session back: out of the window)
    with db_engine.begin() as conn:
        conn.execute(insert(EodJobStatus).values(job_date=dt.date(2023, 3, 22), status="failed"))
    done = run_recovery(db_engine, dt.date(2023, 3, 31), [ENTITY], now=NOW)
    assert [r.day for r in done] == [dt.date(2023, 3, d) for d in (22, 23, 24, 27, 28, 29, 30)]
    with db_engine.connect() as conn:
        status = conn.execute(select(EodJobStatus).where(EodJobStatus.job_date == dt.date(2023, 3, 22))).one()
        assert status.status == "completed" and status.retry_count == 1
        n = conn.execute(
            select(func.count())
            .select_from(DailyPerformance)
            .where(DailyPerformance.entity_type == "strategy")
        ).scalar_one()
    assert n == len([s for s in backtest.snapshots if s.date <= dt.date(2023, 3, 30)]) - 1


def test_missing_snapshot_makes_the_day_failed(db_engine: Engine) -> None:
    result = finalize_day(db_engine, dt.date(2023, 3, 1), [ENTITY], now=NOW)
    assert result.status == "failed"
    assert "no snapshot" in result.errors[0]
    with db_engine.connect() as conn:
        row = conn.execute(select(EodJobStatus)).one()
    assert row.status == "failed" and "no snapshot" in (row.error_message or "")
