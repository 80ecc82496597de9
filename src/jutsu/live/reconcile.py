"""Broker vs book after a run (platform spec §5.10): orders, positions and cash.

For the simulated brokers the book *is* the broker, so a clean report is expected and any
difference is a bug worth an alert; for the live broker this is the daily safety net.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine

from jutsu.brokers.base import Broker
from jutsu.data.repositories.live_ledger import read_book, trades_of_execution
from jutsu.data.repositories.live_runs import insert_reconciliation

__all__ = [
    "DRIFT_CRITICAL_PCT",
    "DRIFT_WARNING_PCT",
    "Reconciliation",
    "check_run",
    "reconcile_run",
    "store_reconciliation",
]

DRIFT_WARNING_PCT = Decimal("2")
DRIFT_CRITICAL_PCT = Decimal("10")
_PRICE_TOLERANCE = Decimal("0.0001")  # 0.01 %


@dataclass(frozen=True, slots=True)
class Reconciliation:
    is_reconciled: bool
    counts: Mapping[str, int]
    position_drift: Mapping[str, Mapping[str, Any]]
    cash_drift: Decimal
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def worst_drift_pct(self) -> Decimal:
        return max((Decimal(str(d["drift_pct"])) for d in self.position_drift.values()), default=Decimal(0))


def reconcile_run(
    engine: Engine,
    broker: Broker,
    *,
    strategy_id: str,
    mode: str,
    execution_id: str,
    period_start: dt.datetime,
    now: dt.datetime,
) -> Reconciliation:
    """Compare this run's orders and the strategy's positions/cash with the broker; store it."""
    recon = check_run(engine, broker, strategy_id=strategy_id, mode=mode, execution_id=execution_id)
    store_reconciliation(engine, recon, period_start=period_start, now=now)
    return recon


def store_reconciliation(
    bind: Engine | Connection, recon: Reconciliation, *, period_start: dt.datetime, now: dt.datetime
) -> None:
    """The ``reconciliation_reports`` row of ``recon`` (in the caller's transaction if given one)."""
    insert_reconciliation(
        bind,
        run_at=now,
        period_start=period_start,
        period_end=now,
        counts=recon.counts,
        position_drift=recon.position_drift,
        is_reconciled=recon.is_reconciled,
        details=recon.details,
    )


def check_run(
    engine: Engine, broker: Broker, *, strategy_id: str, mode: str, execution_id: str
) -> Reconciliation:
    """Compare this run's orders and the strategy's positions/cash with the broker (reads only)."""
    local = trades_of_execution(engine, execution_id)
    matched = missing_broker = price_diff = qty_diff = total_broker = 0
    issues: list[str] = []
    for row in local:
        if row.status == "intent":
            continue
        report = broker.get_order(row.client_order_id)
        if report is None:
            if row.filled_quantity:
                missing_broker += 1
                issues.append(f"{row.client_order_id}: filled locally, unknown to the broker")
            continue
        total_broker += 1
        if report.filled_quantity != row.filled_quantity:
            qty_diff += 1
            issues.append(
                f"{row.client_order_id}: filled {row.filled_quantity} locally, "
                f"{report.filled_quantity} at broker"
            )
        elif (
            row.fill_price is not None
            and report.avg_fill_price is not None
            and abs(report.avg_fill_price - row.fill_price) > row.fill_price * _PRICE_TOLERANCE
        ):
            price_diff += 1
            issues.append(
                f"{row.client_order_id}: price {row.fill_price} locally, {report.avg_fill_price} at broker"
            )
        else:
            matched += 1
    book = read_book(engine, strategy_id, mode)
    local_pos = book.quantities() if book is not None else {}
    broker_pos = {s: p.quantity for s, p in broker.positions().items() if p.quantity}
    drift: dict[str, dict[str, Any]] = {}
    for symbol in sorted(set(local_pos) | set(broker_pos)):
        mine, theirs = local_pos.get(symbol, 0), broker_pos.get(symbol, 0)
        if mine == theirs:
            continue
        pct = Decimal(100) if mine == 0 else Decimal(abs(theirs - mine)) / mine * 100
        drift[symbol] = {"local": mine, "broker": theirs, "diff": theirs - mine, "drift_pct": float(pct)}
    cash_drift = Decimal(0)
    if book is not None:
        cash_drift = broker.account().cash - book.cash
    cash_bad = abs(cash_drift) > max(Decimal(1), abs(book.cash if book else Decimal(0)) * Decimal("0.001"))
    counts = {
        "total_local": sum(1 for r in local if r.status != "intent"),
        "total_broker": total_broker,
        "matched": matched,
        "missing_local": 0,
        "missing_broker": missing_broker,
        "price_discrepancies": price_diff,
        "quantity_discrepancies": qty_diff,
    }
    worst = max((Decimal(str(d["drift_pct"])) for d in drift.values()), default=Decimal(0))
    ok = missing_broker == price_diff == qty_diff == 0 and worst <= DRIFT_WARNING_PCT and not cash_bad
    details = {"issues": issues, "cash_drift": str(cash_drift), "strategy_id": strategy_id, "mode": mode}
    return Reconciliation(ok, counts, drift, cash_drift, details)
