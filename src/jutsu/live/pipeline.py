"""The daily live-trading run (platform spec §5.2), one isolated run per active strategy.

Per strategy: guard (mode confirmation, kill switch, once-per-day claim) → fresh quotes →
history + today's in-memory bar → replay the strategy to today (same object and engine as
the backtest) → recover orders of an interrupted attempt → size and send orders one by one
(sells first; kill switch and slippage checked before each; ``intent`` row written before the
broker is called) → wait for fills → reconcile → snapshot, state, journal → events/alerts.

Every collaborator is injected (broker factory, history, notifier, publisher, clock, sync,
crash hook) so tests run the real pipeline against the real paper broker and databases.
A failing strategy never stops the others; the daily status is ``completed``, ``partial``
or ``failed`` (``skipped`` on a market holiday or with the engine not running).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import Connection, Engine

from jutsu.brokers.base import Broker, OrderReport, OrderRequest
from jutsu.core.costs import CostModel
from jutsu.core.market import MarketData
from jutsu.data.calendar import ET, is_session, previous_session
from jutsu.data.repositories.live_engine_state import read_engine_state
from jutsu.data.repositories.live_ledger import (
    Book,
    ensure_book,
    get_trade,
    insert_intent,
    read_book,
    seed_book,
    trades_of_execution,
    update_intent,
)
from jutsu.data.repositories.live_runs import (
    claim_run,
    finish_run,
    last_runs,
    order_counts,
    update_state_after_run,
)
from jutsu.errors import BrokerError, BrokerUnavailable, DataError, JutsuError
from jutsu.events import Event, EventType, Publisher
from jutsu.live.config import ExecutionLimits
from jutsu.live.orders import (
    PlannedOrder,
    SimBook,
    client_order_id,
    execution_id_for,
    order_sequence,
    passes_threshold,
    plan_orders,
    size_order,
)
from jutsu.live.persistence import record_report, write_snapshot
from jutsu.live.reconcile import DRIFT_CRITICAL_PCT, check_run, store_reconciliation
from jutsu.live.replay import ReplayCache
from jutsu.live.safety import (
    KillSwitchActive,
    SlippageExceeded,
    StaleQuoteError,
    check_live_allowed,
    check_quotes,
    kill_switch_reason,
    slippage_level,
)
from jutsu.live.targets import (
    TodayBar,
    TodayDecision,
    decide_today,
    history_start,
    quote_bar,
    regime_of,
    with_today_bar,
)
from jutsu.notify.base import Alert, AlertKind, Notifier, Severity
from jutsu.strategies.base import Strategy

__all__ = [
    "BrokerFactory",
    "CrashHook",
    "DailyRunResult",
    "HistoryProvider",
    "LiveContext",
    "Preview",
    "StrategyJob",
    "StrategyOutcome",
    "preview_strategy",
    "run_daily",
    "run_strategy",
]

logger = logging.getLogger(__name__)

HistoryProvider = Callable[[Sequence[str], dt.date, dt.date], MarketData]
"""``(symbols, first, last) -> MarketData`` of stored bars dated first..last (never today)."""
BrokerFactory = Callable[[str, str], Broker]
"""``(strategy_id, mode) -> Broker`` for that strategy's book."""
CrashHook = Callable[[str, str], None]
"""``(point, client_order_id)``; tests kill the process at ``before_place``/``after_place``."""
SyncStep = Callable[[Sequence[str], dt.date], None]

RunStatus = Literal["success", "skipped", "failed", "aborted", "refused"]
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class StrategyJob:
    """One strategy to run: its object (the backtest's), mode, capital and limits."""

    strategy_id: str
    mode: str
    strategy: Strategy[Any]
    initial_capital: Decimal = Decimal("10000")
    limits: ExecutionLimits = field(default_factory=ExecutionLimits)
    baseline_symbol: str = "QQQ"
    is_primary: bool = False


@dataclass(slots=True)
class LiveContext:
    """Everything the pipeline talks to; built by the CLI, the scheduler or a test."""

    engine: Engine
    broker_for: BrokerFactory
    history: HistoryProvider
    costs: CostModel = field(default_factory=CostModel)
    notifier: Notifier | None = None
    publish: Publisher | None = None
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))
    sync: SyncStep | None = None
    today_bar: TodayBar = quote_bar
    live_confirmed: bool = False
    crash_hook: CrashHook | None = None
    sleep: Callable[[float], None] = time.sleep
    replay: ReplayCache = field(default_factory=ReplayCache)
    """Engine states kept between runs so each day replays only the new bars."""


@dataclass(frozen=True, slots=True)
class StrategyOutcome:
    strategy_id: str
    mode: str
    status: RunStatus
    message: str = ""
    execution_id: str | None = None
    orders_planned: int = 0
    orders_filled: int = 0
    reports: tuple[OrderReport, ...] = ()
    weights: Mapping[str, Decimal] = field(default_factory=dict)
    timings: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DailyRunResult:
    session: dt.date
    status: Literal["completed", "partial", "failed", "skipped"]
    message: str
    outcomes: tuple[StrategyOutcome, ...] = ()
    timings: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Preview:
    """What a run would do now (nothing written)."""

    strategy_id: str
    mode: str
    session: dt.date
    decision: TodayDecision
    prices: Mapping[str, Decimal]
    cash: Decimal
    positions: Mapping[str, int]
    orders: tuple[PlannedOrder, ...]


class _Timer:
    def __init__(self) -> None:
        self.steps: dict[str, float] = {}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.steps[name] = self.steps.get(name, 0.0) + time.perf_counter() - t0


# -- small helpers ------------------------------------------------------------------------------


def _alert(
    ctx: LiveContext,
    kind: AlertKind,
    severity: Severity,
    title: str,
    message: str,
    strategy_id: str | None = None,
    **details: object,
) -> None:
    if ctx.notifier is None:
        return
    try:
        ctx.notifier.send(
            Alert(
                kind,
                severity,
                title,
                message,
                strategy_id=strategy_id,
                details=details,
                timestamp=ctx.clock(),
            )
        )
    except Exception:  # a channel must never fail a trading run
        logger.exception("notifier %s failed", getattr(ctx.notifier, "name", "?"))


def _emit(
    ctx: LiveContext, kind: EventType, data: Mapping[str, object], strategy_id: str | None = None
) -> None:
    if ctx.publish is None:
        return
    try:
        ctx.publish(Event(type=kind, data=dict(data), strategy_id=strategy_id, timestamp=ctx.clock()))
    except Exception:
        logger.exception("event publisher failed for %s", kind)


def session_of(now: dt.datetime) -> dt.date:
    """The ET calendar date of ``now`` (a session or not)."""
    return now.astimezone(ET).date()


def _costs_for(ctx: LiveContext, mode: str) -> CostModel:
    """Dry-run fills carry no costs (DECISIONS 2); paper and live size with the backtest's."""
    return CostModel(commission_per_share=_ZERO, slippage=_ZERO) if mode == "dry_run" else ctx.costs


def _threshold_for(job: StrategyJob) -> Decimal:
    """Paper reproduces the backtest, which has no order-size threshold (DECISIONS 2)."""
    return _ZERO if job.mode == "paper" else job.limits.rebalance_threshold_pct


def _universe(job: StrategyJob) -> list[str]:
    return list(dict.fromkeys([*job.strategy.symbols(), job.baseline_symbol]))


def _load_market(
    ctx: LiveContext, job: StrategyJob, session: dt.date, inception: dt.date, prices: Mapping[str, Decimal]
) -> MarketData:
    symbols = list(job.strategy.symbols())
    first = history_start(job.strategy, inception)
    history = ctx.history(symbols, first, previous_session(session))
    missing = [s for s in symbols if s not in history.series]
    if missing:
        raise DataError(f"no stored history for {', '.join(missing)}")
    return with_today_bar(history.select(symbols), session, prices, ctx.today_bar)


def _book_state(
    broker: Broker, ctx: LiveContext | None = None, strategy_id: str = "", mode: str = ""
) -> tuple[Decimal, dict[str, int]]:
    """Cash and shares the strategy sizes against.

    Simulated brokers *are* the strategy's book. A live account may hold more than one
    strategy's shares (or the owner's own), so live sizing uses the strategy's ledger
    (spec §5.2 step 8.5), which reconciliation keeps aligned with the broker (§5.10).
    """
    if mode == "live" and ctx is not None:
        book = read_book(ctx.engine, strategy_id, mode)
        if book is None:
            raise BrokerError(f"no live book for strategy {strategy_id}")
        return book.cash, book.quantities()
    account = broker.account()
    positions = {s: p.quantity for s, p in broker.positions().items() if p.quantity}
    return account.cash, positions


def _seed_live_book(ctx: LiveContext, job: StrategyJob, broker: Broker, session: dt.date) -> Book:
    """The live ledger; on the first live run seeded from the broker's account (spec §1.3, §5.10).

    Later runs compare the ledger's positions with the broker's before any order and raise a
    CRITICAL alert on any difference (sizing itself uses the ledger, so a drift never doubles an
    order; blocking until an admin acknowledges is not implemented yet).
    """
    sid = job.strategy_id
    book = read_book(ctx.engine, sid, "live")
    account = broker.account()
    held = broker.positions()
    if book is None:
        book = seed_book(
            ctx.engine,
            sid,
            "live",
            cash=account.cash,
            positions={s: (p.quantity, p.avg_cost) for s, p in held.items() if p.quantity},
            initial_capital=account.equity,
            inception_date=session,
            baseline_symbol=job.baseline_symbol,
        )
        logger.info(
            "%s: live book seeded from the broker: cash %s, %d position(s)", sid, account.cash, len(held)
        )
        return book
    drift: dict[str, tuple[int, int]] = {}
    for symbol in sorted(set(book.quantities()) | {s for s, p in held.items() if p.quantity}):
        mine = book.quantities().get(symbol, 0)
        theirs = held[symbol].quantity if symbol in held else 0
        if mine != theirs:
            drift[symbol] = (mine, theirs)
    if drift:
        _alert(
            ctx,
            "reconciliation_drift",
            "critical",
            f"{sid}: live book and broker positions differ before ordering",
            ", ".join(f"{s}: book {m}, broker {t}" for s, (m, t) in drift.items()),
            sid,
        )
    return book


# -- one strategy ------------------------------------------------------------------------------


def run_strategy(
    ctx: LiveContext,
    job: StrategyJob,
    *,
    session: dt.date,
    trigger: Literal["scheduled", "manual"] = "scheduled",
    force: bool = False,
) -> StrategyOutcome:
    """Run ``job`` once for ``session``; never raises for trading problems (see the outcome)."""
    sid, mode = job.strategy_id, job.mode
    timer = _Timer()
    try:
        check_live_allowed(sid, mode, ctx.live_confirmed)
    except JutsuError as exc:
        _alert(ctx, "run_failed", "critical", f"{sid}: live run refused", str(exc), sid)
        return StrategyOutcome(sid, mode, "refused", str(exc))
    blocked = kill_switch_reason(ctx.engine, sid)
    if blocked is not None:
        return StrategyOutcome(sid, mode, "skipped", blocked)

    now = ctx.clock()
    if trigger == "manual" and not force:
        done = [
            r
            for r in last_runs(ctx.engine, limit=50, strategy_id=sid)
            if r.mode == mode and r.trading_date == session and r.status == "success"
        ]
        if done:
            msg = (
                f"{sid} already ran successfully for {session} ({done[0].trigger}); use --force to run again"
            )
            return StrategyOutcome(sid, mode, "skipped", msg, done[0].execution_id)
    execution_id = execution_id_for(sid, mode, session, trigger) if not force else str(uuid.uuid4())
    claim = claim_run(
        ctx.engine,
        execution_id=execution_id,
        strategy_id=sid,
        mode=mode,
        trading_date=session,
        trigger=trigger,
        now=now,
    )
    if claim.outcome == "done":
        msg = f"{sid} ({mode}) already ran for {session}: status {claim.run.status}"
        return StrategyOutcome(sid, mode, "skipped", msg, claim.run.execution_id)
    execution_id = claim.run.execution_id
    state: dict[str, Any] = {
        "planned": 0,
        "filled": 0,
        "reports": [],
        "decision": None,
        "strategy_id": sid,
    }
    try:
        status, message = _execute(ctx, job, session, execution_id, now, timer, state)
    except (KillSwitchActive, SlippageExceeded, StaleQuoteError) as exc:
        status, message = "aborted", str(exc)
        kind: AlertKind = (
            "kill_switch"
            if isinstance(exc, KillSwitchActive)
            else "slippage_abort"
            if isinstance(exc, SlippageExceeded)
            else "run_failed"
        )
        _alert(ctx, kind, "critical", f"{sid}: run aborted", message, sid, execution_id=execution_id)
    except JutsuError as exc:
        status, message = "failed", str(exc)
        _alert(ctx, "run_failed", "critical", f"{sid}: run failed", message, sid, execution_id=execution_id)
    except Exception as exc:  # isolation: one strategy's bug must not stop the others
        logger.exception("strategy %s failed", sid)
        status, message = "failed", f"unexpected error: {type(exc).__name__}: {exc}"
        _alert(ctx, "run_failed", "critical", f"{sid}: run failed", message, sid, execution_id=execution_id)
    decision: TodayDecision | None = state["decision"]
    with timer.step("persist"):
        status, message = _finish(ctx, execution_id, status, message, decision, state)
    if status != "success":
        _emit(ctx, "error", {"strategy_id": sid, "execution_id": execution_id, "message": message}, sid)
    return StrategyOutcome(
        sid,
        mode,
        status,  # type: ignore[arg-type]
        message,
        execution_id,
        state["planned"],
        state["filled"],
        tuple(state["reports"]),
        dict(decision.weights) if decision else {},
        dict(timer.steps),
    )


def _finish(
    ctx: LiveContext,
    execution_id: str,
    status: str,
    message: str,
    decision: TodayDecision | None,
    state: dict[str, Any],
) -> tuple[str, str]:
    """Close the run row — with the snapshot, state and reconciliation of a successful run in
    the same transaction, so a run is never ``success`` without its bookkeeping (and one commit
    instead of four).

    The order counts come from the run's persisted trade rows, not this attempt's counters: after
    a crash and resume they cover the whole session's run, recovered fills included.
    """
    try:
        state["planned"], state["filled"] = order_counts(ctx.engine, execution_id)
    except Exception:  # counting is bookkeeping: a database hiccup must not keep the run open
        logger.exception("counting the orders of %s failed; this attempt's counts are kept", execution_id)
    journal = {
        "signals": dict(decision.journal) if decision else None,
        "target_weights": dict(decision.weights) if decision else None,
        "orders_planned": state["planned"],
        "orders_filled": state["filled"],
    }
    bookkeeping: Callable[[Connection], str] | None = state.get("bookkeeping")
    if status == "success" and bookkeeping is not None:
        try:
            with ctx.engine.begin() as conn:
                message = bookkeeping(conn)
                finish_run(conn, execution_id, status=status, now=ctx.clock(), error=None, **journal)
            return status, message
        except Exception as exc:  # the bookkeeping failed: the run must not stay "running"
            logger.exception("bookkeeping of %s failed", execution_id)
            status, message = "failed", f"recording the run failed: {type(exc).__name__}: {exc}"
            sid = state.get("strategy_id")
            _alert(ctx, "run_failed", "critical", "run bookkeeping failed", message, sid)
    finish_run(
        ctx.engine,
        execution_id,
        status=status,
        now=ctx.clock(),
        error=None if status == "success" else message,
        **journal,
    )
    return status, message


def _execute(
    ctx: LiveContext,
    job: StrategyJob,
    session: dt.date,
    execution_id: str,
    started: dt.datetime,
    timer: _Timer,
    state: dict[str, Any],
) -> tuple[str, str]:
    sid, mode, limits = job.strategy_id, job.mode, job.limits
    costs = _costs_for(ctx, mode)
    with timer.step("book"):
        broker = ctx.broker_for(sid, mode)
        if mode == "live":
            book = _seed_live_book(ctx, job, broker, session)
        else:
            book = ensure_book(
                ctx.engine,
                sid,
                mode,
                initial_capital=job.initial_capital,
                inception_date=session,
                baseline_symbol=job.baseline_symbol,
            )
        cash, positions = _book_state(broker, ctx, sid, mode)
    with timer.step("quotes"):
        symbols = list(dict.fromkeys([*_universe(job), *positions]))
        prices = check_quotes(broker.quotes(symbols), symbols, ctx.clock(), limits)
    with timer.step("history"):
        market = _load_market(ctx, job, session, book.inception_date, prices)
    with timer.step("decide"):
        decision = decide_today(
            job.strategy,
            market,
            inception=book.inception_date,
            session=session,
            initial_capital=book.initial_capital,
            costs=ctx.costs,
            cache=ctx.replay,
            slot=(sid, mode),
        )
    state["decision"] = decision
    regime = regime_of(decision.journal)
    with timer.step("recover"):
        if _recover(ctx, broker, execution_id, prices):
            cash, positions = _book_state(broker, ctx, sid, mode)
    with timer.step("orders"):
        sequence = order_sequence(decision.trade, decision.weights, SimBook(cash, positions), prices, costs)
        for symbol in sequence:
            report = _one_order(
                ctx, job, broker, session, execution_id, symbol, decision, prices, costs, regime, state
            )
            if report is not None:
                state["reports"].append(report)
    with timer.step("reconcile"):
        recon = check_run(ctx.engine, broker, strategy_id=sid, mode=mode, execution_id=execution_id)
        if not recon.is_reconciled:
            severity: Severity = "critical" if recon.worst_drift_pct > DRIFT_CRITICAL_PCT else "warning"
            _alert(
                ctx,
                "reconciliation_drift",
                severity,
                f"{sid}: broker and book differ",
                f"positions drift {dict(recon.position_drift)}, cash drift {recon.cash_drift}",
                sid,
            )
    baseline_price = prices.get(job.baseline_symbol)

    def bookkeeping(conn: Connection) -> str:
        """Reconciliation report, snapshot and state: written with the run row, in one commit."""
        now = ctx.clock()
        store_reconciliation(conn, recon, period_start=started, now=now)
        _, equity = write_snapshot(
            conn,
            strategy_id=sid,
            mode=mode,
            now=now,
            prices=prices,
            regime=regime,
            baseline_price=baseline_price,
        )
        update_state_after_run(
            conn,
            sid,
            mode,
            now=now,
            execution_id=execution_id,
            regime=regime,
            allocation=decision.weights,
            baseline_initial_price=baseline_price if book.baseline_initial_price is None else None,
        )
        return f"{state['filled']} order(s) filled of {state['planned']} planned; equity {equity:.2f}"

    state["bookkeeping"] = bookkeeping
    cell = regime.get("strategy_cell")
    if cell is not None and book.strategy_cell is not None and cell != book.strategy_cell:
        _emit(
            ctx,
            "regime_change",
            {"strategy_id": sid, "from_cell": book.strategy_cell, "to_cell": cell, **regime},
            sid,
        )
    return "success", ""


def _recover(ctx: LiveContext, broker: Broker, execution_id: str, prices: Mapping[str, Decimal]) -> int:
    """Complete the records of an interrupted attempt from what the broker knows; how many."""
    recovered = 0
    for row in trades_of_execution(ctx.engine, execution_id):
        if row.status not in ("intent", "submitted", "partially_filled"):
            continue
        report = broker.get_order(row.client_order_id)
        if report is None:
            continue  # never reached the broker: the re-plan below re-sizes and sends it
        record_report(ctx.engine, report, mark_price=prices.get(row.symbol), now=ctx.clock())
        logger.info("recovered order %s from the broker: %s", row.client_order_id, report.status)
        recovered += 1
    return recovered


def _one_order(
    ctx: LiveContext,
    job: StrategyJob,
    broker: Broker,
    session: dt.date,
    execution_id: str,
    symbol: str,
    decision: TodayDecision,
    prices: Mapping[str, Decimal],
    costs: CostModel,
    regime: Mapping[str, Any],
    state: dict[str, Any],
) -> OrderReport | None:
    sid, mode, limits = job.strategy_id, job.mode, job.limits
    reason = kill_switch_reason(ctx.engine, sid)  # honoured before every order
    if reason is not None:
        raise KillSwitchActive(f"{sid}: orders stopped: {reason}")
    price = prices[symbol]
    target = decision.weights.get(symbol, _ZERO)
    cash, positions = _book_state(broker, ctx, sid, mode)
    equity = cash + sum((q * prices[s] for s, q in positions.items()), _ZERO)
    shares = size_order(target, positions.get(symbol, 0), price, equity, cash, costs)
    if shares == 0:
        return None
    if not passes_threshold(shares, price, equity, _threshold_for(job)):
        logger.info(
            "%s: %s %d %s below the rebalance threshold; not sent",
            sid,
            "BUY" if shares > 0 else "SELL",
            abs(shares),
            symbol,
        )
        return None
    side: Literal["BUY", "SELL"] = "BUY" if shares > 0 else "SELL"
    quantity = abs(shares)
    cid = client_order_id(execution_id, symbol, side)
    existing = get_trade(ctx.engine, cid)
    if existing is not None and existing.status != "intent":
        return None  # this run already sent this order (recovered above): never twice
    if mode != "dry_run":  # pre-trade guard: fresh quote vs the decision quote
        fresh = broker.quotes([symbol]).get(symbol)
        if fresh is not None:
            pct, level = slippage_level(price, fresh.last, limits)
            if level == "abort":
                raise SlippageExceeded(
                    f"{symbol} moved {pct:.2f}% since the decision quote {price} "
                    f"(abort at {limits.slippage_abort_pct}%)"
                )
            if level != "ok":
                logger.warning("%s: %s moved %.2f%% since the decision quote", sid, symbol, pct)
    state["planned"] += 1
    if existing is None:
        insert_intent(
            ctx.engine,
            client_order_id=cid,
            execution_id=execution_id,
            strategy_id=sid,
            mode=mode,
            trading_date=session,
            symbol=symbol,
            action=side,
            quantity=quantity,
            target_price=price,
            timestamp=ctx.clock(),
            regime=regime,
        )
    else:
        update_intent(ctx.engine, cid, quantity=quantity, target_price=price)
    if ctx.crash_hook is not None:
        ctx.crash_hook("before_place", cid)
    request = OrderRequest(
        client_order_id=cid, symbol=symbol, side=side, quantity=quantity, reference_price=price
    )
    try:
        report = broker.place_order(request)
    except BrokerError as exc:
        raise BrokerError(f"{sid}: {side} {quantity} {symbol} failed at the broker: {exc}") from exc
    if ctx.crash_hook is not None:
        ctx.crash_hook("after_place", cid)
    report = _await_terminal(ctx, broker, report, limits)
    record_report(ctx.engine, report, mark_price=price, now=ctx.clock())
    if report.status in ("rejected", "cancelled", "expired"):
        _alert(
            ctx,
            "run_failed",
            "warning",
            f"{sid}: order {report.status}",
            f"{side} {quantity} {symbol}: {report.message or report.status}",
            sid,
            client_order_id=cid,
        )
    if report.filled_quantity > 0:
        state["filled"] += 1
        _emit(
            ctx,
            "trade_executed",
            {
                "strategy_id": sid,
                "mode": mode,
                "symbol": symbol,
                "action": side,
                "quantity": report.filled_quantity,
                "price": str(report.avg_fill_price),
                "client_order_id": cid,
                "status": report.status,
            },
            sid,
        )
        if report.status == "partially_filled":
            _alert(
                ctx,
                "run_failed",
                "critical",
                f"{sid}: partial fill",
                f"{side} {symbol}: {report.filled_quantity}/{quantity}",
                sid,
            )
        if mode != "dry_run" and report.avg_fill_price is not None:
            pct, level = slippage_level(price, report.avg_fill_price, limits)
            if level == "abort":
                raise SlippageExceeded(
                    f"{side} {symbol} filled at {report.avg_fill_price} vs {price}: slippage {pct:.2f}% "
                    f">= {limits.slippage_abort_pct}%; remaining orders stopped"
                )
            if level == "max":
                _alert(
                    ctx,
                    "slippage_abort",
                    "warning",
                    f"{sid}: high slippage",
                    f"{side} {symbol}: {pct:.2f}%",
                    sid,
                )
            elif level == "warning":
                logger.warning("%s: %s %s slippage %.2f%%", sid, side, symbol, pct)
    return report


def _await_terminal(
    ctx: LiveContext, broker: Broker, report: OrderReport, limits: ExecutionLimits
) -> OrderReport:
    """Poll until the order is terminal; at the fill timeout cancel the rest (spec §5.3)."""
    deadline = time.monotonic() + limits.fill_timeout_seconds
    while not report.is_terminal:
        if time.monotonic() >= deadline:
            try:
                return broker.cancel_order(report.client_order_id)
            except BrokerError:
                return report
        ctx.sleep(limits.poll_interval_seconds)
        try:
            fresh = broker.get_order(report.client_order_id)
        except BrokerUnavailable:
            continue  # network trouble while polling: never resubmit, keep polling
        if fresh is not None:
            report = fresh
    return report


# -- the daily job --------------------------------------------------------------------------


def run_daily(
    ctx: LiveContext,
    jobs: Sequence[StrategyJob],
    *,
    trigger: Literal["scheduled", "manual"] = "scheduled",
    force: bool = False,
) -> DailyRunResult:
    """Run every job for today's session, each isolated from the others."""
    timer = _Timer()
    now = ctx.clock()
    session = session_of(now)
    if not is_session(session):
        msg = f"{session} is not an NYSE trading session (market holiday or weekend); nothing to do"
        return DailyRunResult(session, "skipped", msg)
    engine_state = read_engine_state(ctx.engine)
    if engine_state.is_halted:
        msg = f"engine halted by the kill switch ({engine_state.halt_reason}); no trading"
        return DailyRunResult(session, "skipped", msg)
    if trigger == "scheduled" and engine_state.state != "running":
        return DailyRunResult(session, "skipped", f"engine not running (state {engine_state.state})")
    _emit(ctx, "job_status", {"job": "trading", "status": "running", "session": session.isoformat()})
    if ctx.sync is not None:
        with timer.step("sync"):
            symbols = sorted({s for j in jobs for s in _universe(j)})
            try:
                ctx.sync(symbols, session)
            except JutsuError as exc:
                _alert(ctx, "info", "warning", "data sync failed", f"continuing with stored data: {exc}")
    outcomes: list[StrategyOutcome] = []
    for job in jobs:
        with timer.step(f"strategy:{job.strategy_id}"):
            outcomes.append(run_strategy(ctx, job, session=session, trigger=trigger, force=force))
    bad = [o for o in outcomes if o.status in ("failed", "aborted", "refused")]
    if not bad:
        status: Literal["completed", "partial", "failed"] = "completed"
    elif len(bad) == len(outcomes):
        status = "failed"
    else:
        status = "partial"
    message = "; ".join(
        f"{o.strategy_id}: {o.status}" + (f" ({o.message})" if o.message else "") for o in outcomes
    )
    _emit(
        ctx,
        "job_status",
        {"job": "trading", "status": status, "session": session.isoformat(), "message": message},
    )
    if status != "completed":
        _alert(
            ctx,
            "run_failed",
            "critical" if status == "failed" else "warning",
            f"trading run {status}",
            message,
        )
    return DailyRunResult(session, status, message, tuple(outcomes), dict(timer.steps))


def preview_strategy(ctx: LiveContext, job: StrategyJob, *, session: dt.date | None = None) -> Preview:
    """The exact orders a run would send now, writing nothing (``jutsu live preview``)."""
    sid, mode = job.strategy_id, job.mode
    session = session or session_of(ctx.clock())
    if not is_session(session):
        raise DataError(f"{session} is not an NYSE trading session (market holiday or weekend)")
    book = read_book(ctx.engine, sid, mode)
    if book is None:
        cash, positions, inception, capital = job.initial_capital, {}, session, job.initial_capital
    else:
        cash, positions, inception, capital = (
            book.cash,
            book.quantities(),
            book.inception_date,
            book.initial_capital,
        )
    symbols = list(dict.fromkeys([*_universe(job), *positions]))
    broker = ctx.broker_for(sid, mode)
    quotes = broker.quotes(symbols)
    missing = [s for s in symbols if s not in quotes]
    if missing:
        raise StaleQuoteError(f"no quote for {', '.join(missing)} (use --quote SYMBOL=PRICE)")
    prices = {s: quotes[s].last for s in symbols}
    market = _load_market(ctx, job, session, inception, prices)
    decision = decide_today(
        job.strategy,
        market,
        inception=inception,
        session=session,
        initial_capital=capital,
        costs=ctx.costs,
        cache=ctx.replay,
        slot=(sid, mode),
    )
    orders = plan_orders(
        decision.trade,
        decision.weights,
        SimBook(cash, dict(positions)),
        prices,
        _costs_for(ctx, mode),
        _threshold_for(job),
    )
    return Preview(sid, mode, session, decision, prices, cash, positions, tuple(orders))
