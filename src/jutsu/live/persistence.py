"""Writing what a run did: broker reports onto the ledger, the scheduler snapshot, the state.

Thin glue over the repositories (``data/repositories/live_*``) that turns the pipeline's
objects into rows; every money value is Decimal and every instant aware UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine

from jutsu.brokers.base import OrderReport
from jutsu.data.repositories.live_ledger import Book, apply_fill, mark_trade, q6, read_book
from jutsu.data.repositories.live_runs import insert_snapshot, previous_equity

__all__ = ["record_report", "write_snapshot"]


def record_report(
    engine: Engine, report: OrderReport, *, mark_price: Decimal | None, now: dt.datetime
) -> None:
    """Bring the order's ledger row (and, for fills, position and cash) up to ``report``.

    Idempotent: a report already recorded (e.g. by a simulated broker, or before a crash)
    changes nothing.
    """
    if report.filled_quantity > 0:
        with engine.begin() as conn:
            apply_fill(
                conn,
                report.client_order_id,
                status=report.status if report.status != "submitted" else "partially_filled",
                filled_quantity=report.filled_quantity,
                avg_fill_price=report.avg_fill_price,
                commission=report.commission,
                filled_at=report.updated_at or now,
                broker_order_id=report.broker_order_id,
                mark_price=mark_price,
            )
        return
    status = "submitted" if report.status in ("accepted", "partially_filled") else report.status
    mark_trade(engine, report.client_order_id, status, broker_order_id=report.broker_order_id)


def write_snapshot(
    engine: Engine | Connection,
    *,
    strategy_id: str,
    mode: str,
    now: dt.datetime,
    prices: Mapping[str, Decimal],
    regime: Mapping[str, Any],
    baseline_price: Decimal | None,
) -> tuple[Book, Decimal]:
    """The ``snapshot_source='scheduler'`` row after the run (spec §5.2 step 8.14).

    Returns (book, equity). Returns are fractions: daily vs the previous scheduler snapshot,
    cumulative vs the initial capital (DECISIONS 4), drawdown ≤ 0 vs the high-water mark.
    """
    book = read_book(engine, strategy_id, mode)
    assert book is not None
    held = book.quantities()
    positions_value = sum((q * prices[s] for s, q in held.items()), Decimal(0))
    equity = book.cash + positions_value
    before, peak = previous_equity(engine, strategy_id, mode, now)
    base = before if before is not None else book.initial_capital
    high = max(x for x in (peak, book.initial_capital, equity) if x is not None)
    baseline_value = baseline_return = None
    initial_price = book.baseline_initial_price or baseline_price
    if baseline_price is not None and initial_price:
        baseline_value = q6(book.initial_capital * baseline_price / Decimal(initial_price))
        baseline_return = _ratio(baseline_value / book.initial_capital - 1)
    insert_snapshot(
        engine,
        {
            "timestamp": now,
            "total_equity": q6(equity),
            "cash": q6(book.cash),
            "positions_value": q6(positions_value),
            "daily_return": _ratio(equity / base - 1) if base else None,
            "cumulative_return": _ratio(equity / book.initial_capital - 1),
            "drawdown": _ratio(equity / high - 1) if high else None,
            "strategy_cell": regime.get("strategy_cell"),
            "trend_state": regime.get("trend_state"),
            "vol_state": regime.get("vol_state"),
            "t_norm": _ratio(regime.get("t_norm")),
            "z_score": _ratio(regime.get("z_score")),
            "sma_fast": _money(regime.get("sma_fast")),
            "sma_slow": _money(regime.get("sma_slow")),
            "snapshot_source": "scheduler",
            "positions_json": [
                {"symbol": s, "quantity": q, "value": str(q6(q * prices[s]))} for s, q in sorted(held.items())
            ],
            "baseline_value": baseline_value,
            "baseline_return": baseline_return,
            "mode": mode,
            "strategy_id": strategy_id,
            "created_at": now,
        },
    )
    return book, equity


def _ratio(value: object) -> Decimal | None:
    if value is None:
        return None
    d = Decimal(str(value))
    if not d.is_finite() or abs(d) >= 10_000:
        return None
    return q6(d)


def _money(value: object) -> Decimal | None:
    if value is None:
        return None
    d = Decimal(str(value))
    return q6(d) if d.is_finite() else None
