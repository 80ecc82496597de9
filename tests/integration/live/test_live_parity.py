"""Paper = backtest, day for day (DECISIONS 2): the live pipeline replayed over two years of
real prices with the paper broker gives the backtest engine's target weights and trades.

Windows: on SQLite the full two years (2022-07-01 .. 2024-06-28, ~500 sessions, both
strategies). On PostgreSQL one quarter (2023-01-03 .. 2023-03-31): the pipeline's SQL is the
same on both engines and each PostgreSQL round trip costs several times SQLite's, so the
quarter proves the engine-specific parts (NUMERIC round trips, JSON weights, the ledger's
row locks) while keeping the suite's budget; the quarter still holds v3_5b rebalances and the
sma_crossover entry of 2023-03. Both compare EVERY session's target weights and EVERY trade
(date, symbol, side, quantity, price).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from live_helpers import Clock, context, full_bar, full_market, job
from sqlalchemy import Engine, select

from jutsu.core.engine import run_backtest
from jutsu.data.calendar import sessions_between
from jutsu.data.models import ExecutionRun, LiveTrade
from jutsu.data.repositories.live_engine_state import set_engine_state
from jutsu.data.repositories.live_ledger import q6, read_book
from jutsu.live.pipeline import run_daily

WINDOWS = {
    "sqlite": (dt.date(2022, 7, 1), dt.date(2024, 6, 28)),
    "postgresql": (dt.date(2023, 1, 3), dt.date(2023, 3, 31)),
}
MIN_TRADES = {"sqlite": {"v3_5b": 10, "sma_crossover": 1}, "postgresql": {"v3_5b": 2, "sma_crossover": 1}}


def test_paper_pipeline_matches_backtest_every_day(db_engine: Engine) -> None:
    START, END = WINDOWS[db_engine.dialect.name]
    set_engine_state(db_engine, "running")
    clock = Clock(START)
    ctx, notifier, _ = context(db_engine, clock, today_bar=full_bar)
    jobs = [job("v3_5b"), job("sma_crossover")]
    sessions = sessions_between(START, END)
    for day in sessions:
        clock.set(day)
        result = run_daily(ctx, jobs)
        assert result.status == "completed", (day, result.message)
    assert not notifier.alerts

    for j in jobs:
        fresh = job(j.strategy_id)
        bt = run_backtest(
            fresh.strategy, full_market(), start=START, end=END, initial_capital=Decimal("10000")
        )
        with db_engine.connect() as conn:
            rows = conn.execute(
                select(LiveTrade)
                .where(LiveTrade.strategy_id == j.strategy_id, LiveTrade.mode == "paper")
                .order_by(LiveTrade.id)
            ).all()
            runs = conn.execute(
                select(ExecutionRun.trading_date, ExecutionRun.target_weights_json)
                .where(ExecutionRun.strategy_id == j.strategy_id)
                .order_by(ExecutionRun.trading_date)
            ).all()
        live_trades = [
            (r.trading_date, r.symbol, r.action, r.filled_quantity, Decimal(r.fill_price)) for r in rows
        ]
        bt_trades = [(f.date, f.symbol, f.side, f.quantity, q6(f.price)) for f in bt.fills]
        minimum = MIN_TRADES[db_engine.dialect.name][j.strategy_id]
        assert len(bt_trades) >= minimum, "the period must exercise trading"
        assert live_trades == bt_trades
        assert all(r.status == "filled" for r in rows)
        # target weights: every session, every symbol
        assert [r.trading_date for r in runs] == list(sessions)
        for run, dec in zip(runs, bt.decisions, strict=True):
            assert run.trading_date == dec.date
            live_w = {k: Decimal(v) for k, v in run.target_weights_json.items()}
            assert live_w == dict(dec.weights), run.trading_date
        # the book ends where the backtest ends
        book = read_book(db_engine, j.strategy_id, "paper")
        assert book is not None
        last = bt.snapshots[-1]
        assert book.quantities() == {s: q for s, q in last.positions.items() if q}
        assert abs(book.cash - last.cash) < Decimal("0.01")


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """SQLite only: what this test checks (the in-memory bar) does not depend on the database."""
    from jutsu.data.database import create_db_engine
    from jutsu.data.migrate import upgrade

    engine = create_db_engine(f"sqlite:///{tmp_path / 'quote_only.db'}")
    upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.mark.parametrize("strategy_id", ["sma_crossover"])
def test_quote_only_bar_matches_backtest_for_close_only_strategy(
    sqlite_engine: Engine, strategy_id: str
) -> None:
    """The default in-memory bar (OHLC = quote, volume 0) suffices for close-only strategies."""
    db_engine = sqlite_engine
    set_engine_state(db_engine, "running")
    start, end = dt.date(2023, 1, 3), dt.date(2023, 4, 28)
    clock = Clock(start)
    ctx, _, _ = context(db_engine, clock)
    for day in sessions_between(start, end):
        clock.set(day)
        assert run_daily(ctx, [job(strategy_id)]).status == "completed"
    bt = run_backtest(job(strategy_id).strategy, full_market(), start=start, end=end)
    with db_engine.connect() as conn:
        rows = conn.execute(select(LiveTrade).order_by(LiveTrade.id)).all()
    assert rows, "the window must include the crossover entry of 2023-03"
    assert [(r.trading_date, r.action, r.filled_quantity) for r in rows] == [
        (f.date, f.side, f.quantity) for f in bt.fills
    ]
