"""The daily run's safety behaviour on SQLite and PostgreSQL: crash recovery without duplicate
orders, kill switch, broker errors mid-run, stale quotes, holidays, missing accounts, modes."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections.abc import Mapping, Sequence
from decimal import Decimal

from live_helpers import Clock, CloseQuotes, context, crash_child, full_bar, job
from sqlalchemy import Engine, func, select

from jutsu.brokers.base import AccountSnapshot, BrokerPosition, OrderReport, OrderRequest, Quote
from jutsu.brokers.paper import PaperBroker
from jutsu.data.models import ExecutionRun, LiveTrade, ReconciliationReport
from jutsu.data.repositories.live_engine_state import (
    read_engine_state,
    set_engine_state,
    set_kill_switch,
    set_strategy_halt,
)
from jutsu.data.repositories.live_ledger import read_book
from jutsu.errors import BrokerError
from jutsu.live.pipeline import run_daily, run_strategy

DAY = dt.date(2023, 1, 3)  # first paper day of v3_5b: two opening orders (QQQ, TMF)


def _trades(engine: Engine, strategy_id: str) -> list[tuple[str, str, int | None, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(LiveTrade.client_order_id, LiveTrade.status, LiveTrade.filled_quantity, LiveTrade.symbol)
            .where(LiveTrade.strategy_id == strategy_id)
            .order_by(LiveTrade.id)
        ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def _clean_reference(engine: Engine, strategy_id: str = "v3_5b") -> tuple[dict[str, int], Decimal]:
    """A clean run of the same decision under another id: the book a crash must also reach."""
    from jutsu.live.pipeline import StrategyJob

    clock = Clock(DAY)
    ctx, _, _ = context(engine, clock, today_bar=full_bar)
    j = job(strategy_id)
    ref = StrategyJob("reference", "paper", j.strategy)
    assert run_strategy(ctx, ref, session=DAY).status == "success"
    book = read_book(engine, "reference", "paper")
    assert book is not None
    return book.quantities(), book.cash


def test_crash_between_placing_and_recording_never_duplicates(db_engine: Engine, db_url: str) -> None:
    expected_positions, expected_cash = _clean_reference(db_engine)
    assert len(expected_positions) >= 2, "the day must need several orders"
    proc = multiprocessing.get_context("fork").Process(
        target=crash_child, args=(db_url, DAY, "after_place", "v3_5b")
    )
    proc.start()
    proc.join(120)
    assert proc.exitcode == 137  # killed right after the broker accepted the first order
    before = _trades(db_engine, "v3_5b")
    assert len(before) == 1 and before[0][1] == "filled"  # paper broker filled it, the run never recorded it
    with db_engine.connect() as conn:
        status = conn.execute(
            select(ExecutionRun.status).where(ExecutionRun.strategy_id == "v3_5b")
        ).scalar_one()
    assert status == "running"

    clock = Clock(DAY)
    ctx, _, _ = context(db_engine, clock, today_bar=full_bar)
    outcome = run_strategy(ctx, job("v3_5b"), session=DAY)  # the restart
    assert outcome.status == "success", outcome.message
    after = _trades(db_engine, "v3_5b")
    ids = [t[0] for t in after]
    assert len(ids) == len(set(ids)) == len(expected_positions)
    assert after[0] == before[0]  # the first order was adopted, not sent again
    book = read_book(db_engine, "v3_5b", "paper")
    assert book is not None
    assert book.quantities() == expected_positions
    assert book.cash == expected_cash
    with db_engine.connect() as conn:
        recon = conn.execute(
            select(ReconciliationReport.is_reconciled).order_by(ReconciliationReport.id.desc())
        ).first()
    assert recon is not None and recon[0] is True
    # the run row counts the whole session (the killed attempt's adopted fill included), as the
    # uninterrupted reference run's row does
    with db_engine.connect() as conn:
        counts = {
            r[0]: (r[1], r[2])
            for r in conn.execute(
                select(ExecutionRun.strategy_id, ExecutionRun.orders_planned, ExecutionRun.orders_filled)
            )
        }
    assert counts["v3_5b"] == counts["reference"] == (len(expected_positions), len(expected_positions))
    assert (outcome.orders_planned, outcome.orders_filled) == counts["v3_5b"]
    # and a third attempt is a no-op: the day is done
    again = run_strategy(ctx, job("v3_5b"), session=DAY)
    assert again.status == "skipped" and _trades(db_engine, "v3_5b") == after


def test_crash_before_placing_resends_once(db_engine: Engine, db_url: str) -> None:
    proc = multiprocessing.get_context("fork").Process(
        target=crash_child, args=(db_url, DAY, "before_place", "v3_5b")
    )
    proc.start()
    proc.join(120)
    assert proc.exitcode == 137
    assert [t[1] for t in _trades(db_engine, "v3_5b")] == ["intent"]
    ctx, _, _ = context(db_engine, Clock(DAY), today_bar=full_bar)
    assert run_strategy(ctx, job("v3_5b"), session=DAY).status == "success"
    trades = _trades(db_engine, "v3_5b")
    assert all(t[1] == "filled" for t in trades)
    assert len({t[0] for t in trades}) == len(trades) >= 2


class FailSecondOrder(PaperBroker):
    """Paper broker whose second order of the process raises once (a broker outage)."""

    calls = 0

    def place_order(self, order: OrderRequest) -> OrderReport:
        type(self).calls += 1
        if type(self).calls == 2:
            raise BrokerError("HTTP 503 from the order endpoint")
        return super().place_order(order)


def test_broker_error_mid_run_then_rerun_completes_without_duplicates(db_engine: Engine) -> None:
    set_engine_state(db_engine, "running")
    FailSecondOrder.calls = 0
    clock = Clock(DAY)
    ctx, notifier, events = context(db_engine, clock, broker_cls=FailSecondOrder, today_bar=full_bar)
    jobs = [job("v3_5b"), job("sma_crossover")]
    result = run_daily(ctx, jobs)
    v35b = result.outcomes[0]
    assert v35b.status == "failed" and "503" in v35b.message and "v3_5b" in v35b.message
    assert result.outcomes[1].status == "success"  # isolated
    assert result.status == "partial"
    assert any(a.kind == "run_failed" and a.strategy_id == "v3_5b" for a in notifier.alerts)
    assert any(e.type == "error" for e in events)
    first = _trades(db_engine, "v3_5b")
    assert [t[1] for t in first] == ["filled", "intent"]  # nothing lost: the failed order is journaled
    with db_engine.connect() as conn:
        row = conn.execute(
            select(ExecutionRun.status, ExecutionRun.error).where(ExecutionRun.strategy_id == "v3_5b")
        ).one()
    assert row.status == "failed" and "503" in row.error

    rerun = run_daily(ctx, jobs)
    assert rerun.outcomes[0].status == "success", rerun.outcomes[0].message
    assert rerun.outcomes[1].status == "skipped"  # already done today
    trades = _trades(db_engine, "v3_5b")
    assert trades[0] == first[0]  # first order not sent twice
    assert all(t[1] == "filled" for t in trades)
    assert len({t[0] for t in trades}) == len(trades)


def test_kill_switch_stops_orders(db_engine: Engine) -> None:
    set_engine_state(db_engine, "running")
    set_strategy_halt(db_engine, "v3_5b", active=True, reason="admin test")
    ctx, _, _ = context(db_engine, Clock(DAY), today_bar=full_bar)
    result = run_daily(ctx, [job("v3_5b"), job("sma_crossover")])
    assert result.outcomes[0].status == "skipped" and "kill switch" in result.outcomes[0].message
    assert _trades(db_engine, "v3_5b") == []
    assert result.outcomes[1].status == "success"

    set_kill_switch(db_engine, active=True, reason="panic")
    assert read_engine_state(db_engine).is_halted
    halted = run_daily(ctx, [job("sma_crossover")], trigger="manual")
    assert halted.status == "skipped" and "kill switch" in halted.message


def test_kill_switch_flipped_mid_run_stops_remaining_orders(db_engine: Engine) -> None:
    def hook(point: str, cid: str) -> None:
        if point == "after_place":
            set_kill_switch(db_engine, active=True, reason="flip during run")

    ctx, notifier, _ = context(db_engine, Clock(DAY), today_bar=full_bar, crash_hook=hook)
    outcome = run_strategy(ctx, job("v3_5b"), session=DAY, trigger="manual")
    assert outcome.status == "aborted" and "kill switch" in outcome.message
    assert len(_trades(db_engine, "v3_5b")) == 1
    assert any(a.kind == "kill_switch" for a in notifier.alerts)


def test_stale_quote_aborts_with_clear_message(db_engine: Engine) -> None:
    clock = Clock(DAY)
    quotes = CloseQuotes(clock)
    quotes.stamp = clock() - dt.timedelta(hours=2)
    ctx, notifier, _ = context(db_engine, clock, quotes=quotes)
    outcome = run_strategy(ctx, job("sma_crossover"), session=DAY, trigger="manual")
    assert outcome.status == "aborted"
    assert "stale quote for QQQ" in outcome.message
    assert _trades(db_engine, "sma_crossover") == []
    assert notifier.alerts and notifier.alerts[0].severity == "critical"


def test_market_holiday_is_skipped(db_engine: Engine) -> None:
    set_engine_state(db_engine, "running")
    holiday = dt.date(2023, 7, 4)
    ctx, _, _ = context(db_engine, Clock(holiday))
    result = run_daily(ctx, [job("sma_crossover")])
    assert result.status == "skipped" and "not an NYSE trading session" in result.message
    with db_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ExecutionRun)).scalar_one() == 0


def test_engine_not_running_skips_scheduled_runs(db_engine: Engine) -> None:
    ctx, _, _ = context(db_engine, Clock(DAY))
    result = run_daily(ctx, [job("sma_crossover")])
    assert result.status == "skipped" and "engine not running" in result.message


class NoAccountBroker(PaperBroker):
    def account(self) -> AccountSnapshot:
        raise BrokerError("account 1234 not found at the broker")

    def positions(self) -> Mapping[str, BrokerPosition]:
        raise BrokerError("account 1234 not found at the broker")


def test_missing_account_fails_that_strategy_only(db_engine: Engine) -> None:
    set_engine_state(db_engine, "running")
    ctx, notifier, _ = context(db_engine, Clock(DAY), broker_cls=NoAccountBroker)
    result = run_daily(ctx, [job("sma_crossover")])
    assert result.status == "failed"
    assert "account 1234 not found" in result.outcomes[0].message
    assert any(a.kind == "run_failed" for a in notifier.alerts)


def test_live_mode_needs_confirmation(db_engine: Engine) -> None:
    set_engine_state(db_engine, "running")
    ctx, notifier, _ = context(db_engine, Clock(DAY))
    result = run_daily(ctx, [job("sma_crossover", mode="live"), job("sma_crossover")])
    refused = result.outcomes[0]
    assert refused.status == "refused" and "LIVE_TRADING_CONFIRMED" in refused.message
    assert any("refused" in a.title for a in notifier.alerts)
    assert result.outcomes[1].status == "success"
    assert result.status == "partial"


def test_dry_run_books_at_decision_price_without_costs(db_engine: Engine) -> None:
    ctx, _, _ = context(db_engine, Clock(DAY))
    outcome = run_strategy(ctx, job("sma_crossover", mode="dry_run"), session=DAY, trigger="manual")
    assert outcome.status == "success"
    with db_engine.connect() as conn:
        rows = conn.execute(select(LiveTrade)).all()
    for r in rows:
        assert r.mode == "dry_run" and r.commission == 0 and r.fill_price == r.target_price


def _unused(_: Sequence[str]) -> Mapping[str, Quote]:  # pragma: no cover
    return {}
