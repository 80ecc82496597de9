"""The kill switch's flatten run (platform spec §1.4): cancel open orders, sell every position.

Separate from the daily run on purpose: it must work *while* the kill switch is on (the daily
run refuses to trade then), it follows no strategy decision, and it only ever sells. Orders
carry deterministic client ids (``execution_id_for(..., trigger="kill_switch")``), so running
the flatten twice on the same day never sells twice; each order is journaled as an ``intent``
with reason ``Kill switch`` before the broker is called.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from jutsu.brokers.base import OrderReport, OrderRequest
from jutsu.data.repositories.live_ledger import get_trade, insert_intent, list_trades
from jutsu.errors import BrokerError
from jutsu.live.orders import client_order_id, execution_id_for
from jutsu.live.persistence import record_report
from jutsu.live.pipeline import LiveContext, StrategyJob, _alert, _await_terminal, _book_state

__all__ = ["FlattenResult", "flatten"]

logger = logging.getLogger(__name__)

OPEN_STATUSES = frozenset({"submitted", "partially_filled"})


@dataclass(frozen=True, slots=True)
class FlattenResult:
    strategy_id: str
    mode: str
    cancelled: tuple[str, ...]
    sold: tuple[OrderReport, ...]
    error: str | None = None


def flatten(
    ctx: LiveContext, jobs: Sequence[StrategyJob], *, session: dt.date, reason: str = "Kill switch"
) -> list[FlattenResult]:
    """Cancel open orders and sell all positions of each job's book; never raises per strategy."""
    results: list[FlattenResult] = []
    for job in jobs:
        try:
            results.append(_flatten_one(ctx, job, session, reason))
        except BrokerError as exc:
            logger.error("flatten of %s failed: %s", job.strategy_id, exc)
            results.append(FlattenResult(job.strategy_id, job.mode, (), (), str(exc)))
    failed = [r for r in results if r.error]
    summary = "; ".join(
        f"{r.strategy_id}: sold {len(r.sold)}, cancelled {len(r.cancelled)}"
        + (f" ({r.error})" if r.error else "")
        for r in results
    )
    _alert(
        ctx, "kill_switch", "critical", "kill switch: positions flattened", summary or "nothing to flatten"
    )
    if failed:
        logger.error("flatten incomplete: %s", summary)
    return results


def _flatten_one(ctx: LiveContext, job: StrategyJob, session: dt.date, reason: str) -> FlattenResult:
    sid, mode = job.strategy_id, job.mode
    broker = ctx.broker_for(sid, mode)
    cancelled: list[str] = []
    for row in list_trades(ctx.engine, sid, mode):
        if row.status in OPEN_STATUSES:
            report = broker.cancel_order(row.client_order_id)
            record_report(ctx.engine, report, mark_price=None, now=ctx.clock())
            cancelled.append(row.client_order_id)
    _, positions = _book_state(broker, ctx, sid, mode)
    if not positions:
        return FlattenResult(sid, mode, tuple(cancelled), ())
    execution_id = execution_id_for(sid, mode, session, "kill_switch")
    symbols = sorted(positions)
    quotes = broker.quotes(symbols)
    sold: list[OrderReport] = []
    for symbol in symbols:
        quantity = positions[symbol]
        if quantity <= 0:
            continue
        cid = client_order_id(execution_id, symbol, "SELL")
        existing = get_trade(ctx.engine, cid)
        if existing is not None and existing.status != "intent":
            continue  # already flattened today
        quote = quotes.get(symbol)
        if quote is None:
            raise BrokerError(f"{sid}: no quote for {symbol}; cannot flatten it")
        insert_intent(
            ctx.engine,
            client_order_id=cid,
            execution_id=None,
            strategy_id=sid,
            mode=mode,
            trading_date=session,
            symbol=symbol,
            action="SELL",
            quantity=quantity,
            target_price=quote.last,
            timestamp=ctx.clock(),
            reason=reason,
        )
        request = OrderRequest(cid, symbol, "SELL", quantity, quote.last)
        report = _await_terminal(ctx, broker, broker.place_order(request), job.limits)
        record_report(ctx.engine, report, mark_price=quote.last, now=ctx.clock())
        sold.append(report)
    return FlattenResult(sid, mode, tuple(cancelled), tuple(sold))
