"""The live run journal: ``execution_runs``, scheduler ``performance_snapshots``,
``reconciliation_reports`` and the run memory columns of ``strategy_state``.

The once-per-day guarantee is the partial unique index on scheduled runs (platform spec
§2.3): :func:`claim_run` inserts the row and, when it exists already, tells the caller
whether the earlier attempt finished (skip) or died half way (resume with the same id, so
every client order id is the same and nothing is sent twice).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from jutsu.data.models import (
    ExecutionRun,
    LiveTrade,
    PerformanceSnapshot,
    ReconciliationReport,
    StrategyState,
)
from jutsu.data.repositories.live_ledger import q6

__all__ = [
    "Bind",
    "RunClaim",
    "RunRow",
    "claim_run",
    "finish_run",
    "insert_reconciliation",
    "insert_snapshot",
    "last_runs",
    "order_counts",
    "previous_equity",
    "update_state_after_run",
]

Bind = Engine | Connection
"""An engine (each call commits on its own) or a connection inside the caller's transaction."""


@contextmanager
def _writing(bind: Bind) -> Iterator[Connection]:
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            yield conn
    else:
        yield bind


@contextmanager
def _reading(bind: Bind) -> Iterator[Connection]:
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            yield conn
    else:
        yield bind


FINISHED = frozenset({"success", "skipped", "aborted"})
"""A run in one of these states is not resumed; ``running`` (crashed) and ``failed`` are."""


@dataclass(frozen=True, slots=True)
class RunRow:
    execution_id: str
    strategy_id: str
    mode: str
    trading_date: dt.date
    trigger: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    error: str | None
    orders_planned: int | None
    orders_filled: int | None


@dataclass(frozen=True, slots=True)
class RunClaim:
    """Outcome of :func:`claim_run`: ``new``, ``resume`` (same id again) or ``done`` (skip)."""

    outcome: Literal["new", "resume", "done"]
    run: RunRow


def _row(r: Any) -> RunRow:
    return RunRow(
        execution_id=r.execution_id,
        strategy_id=r.strategy_id,
        mode=r.mode,
        trading_date=r.trading_date,
        trigger=r.trigger,
        status=r.status,
        started_at=r.started_at,
        finished_at=r.finished_at,
        error=r.error,
        orders_planned=r.orders_planned,
        orders_filled=r.orders_filled,
    )


def _get(engine: Engine, execution_id: str) -> RunRow | None:
    with engine.connect() as conn:
        r = conn.execute(select(ExecutionRun).where(ExecutionRun.execution_id == execution_id)).first()
    return None if r is None else _row(r)


def claim_run(
    engine: Engine,
    *,
    execution_id: str,
    strategy_id: str,
    mode: str,
    trading_date: dt.date,
    trigger: str,
    now: dt.datetime,
) -> RunClaim:
    """Insert the run row (status ``running``), or find the earlier attempt with this id.

    A scheduled run that already exists for (strategy, mode, date) under another id (the
    unique index) is reported as ``done``.
    """
    existing = _get(engine, execution_id)
    if existing is None:
        try:
            with engine.begin() as conn:
                conn.execute(
                    insert(ExecutionRun).values(
                        execution_id=execution_id,
                        strategy_id=strategy_id,
                        mode=mode,
                        trading_date=trading_date,
                        trigger=trigger,
                        status="running",
                        started_at=now,
                    )
                )
            run = RunRow(
                execution_id, strategy_id, mode, trading_date, trigger, "running", now, None, None, None, None
            )
            return RunClaim("new", run)
        except IntegrityError:
            existing = _get(engine, execution_id)
            if existing is None:  # another id holds today's scheduled slot
                with engine.connect() as conn:
                    other = conn.execute(
                        select(ExecutionRun).where(
                            ExecutionRun.strategy_id == strategy_id,
                            ExecutionRun.mode == mode,
                            ExecutionRun.trading_date == trading_date,
                            ExecutionRun.trigger == "scheduled",
                        )
                    ).first()
                assert other is not None
                return RunClaim("done", _row(other))
    if existing.status in FINISHED:
        return RunClaim("done", existing)
    with engine.begin() as conn:
        conn.execute(
            update(ExecutionRun)
            .where(ExecutionRun.execution_id == execution_id)
            .values(status="running", finished_at=None)
        )
    resumed = _get(engine, execution_id)
    assert resumed is not None
    return RunClaim("resume", resumed)


def finish_run(
    engine: Bind,
    execution_id: str,
    *,
    status: str,
    now: dt.datetime,
    error: str | None = None,
    signals: Mapping[str, Any] | None = None,
    target_weights: Mapping[str, Any] | None = None,
    orders_planned: int | None = None,
    orders_filled: int | None = None,
) -> None:
    """Close the run row with its outcome and its decision journal."""
    values: dict[str, Any] = {"status": status, "finished_at": now, "error": error}
    if signals is not None:
        values["signals_json"] = _jsonable(signals)
    if target_weights is not None:
        values["target_weights_json"] = _jsonable(target_weights)
    if orders_planned is not None:
        values["orders_planned"] = orders_planned
    if orders_filled is not None:
        values["orders_filled"] = orders_filled
    with _writing(engine) as conn:
        conn.execute(update(ExecutionRun).where(ExecutionRun.execution_id == execution_id).values(**values))


def order_counts(bind: Bind, execution_id: str) -> tuple[int, int]:
    """``(planned, filled)`` orders of a run, counted from its persisted ``live_trades`` rows.

    A run that crashed and resumed spans several attempts under one execution id; only the
    rows hold all of them (an attempt's own counters miss the fills it recovered from the
    killed one). Every planned order has a row (its intent is written before it is sent), and
    a row counts as filled once any quantity filled.
    """
    filled = func.count().filter(func.coalesce(LiveTrade.filled_quantity, 0) > 0)
    query = select(func.count(), filled).where(LiveTrade.execution_id == execution_id)
    with _reading(bind) as conn:
        planned, n_filled = conn.execute(query).one()
    return int(planned), int(n_filled or 0)


def _jsonable(data: Mapping[str, Any]) -> dict[str, Any]:
    """Decimals → strings, floats kept (NaN → None): JSON columns need plain values."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Decimal):
            out[key] = str(value)
        elif isinstance(value, float) and value != value:
            out[key] = None
        elif isinstance(value, Mapping):
            out[key] = _jsonable(value)
        else:
            out[key] = value
    return out


def last_runs(engine: Engine, *, limit: int = 10, strategy_id: str | None = None) -> list[RunRow]:
    """The newest runs first."""
    query = select(ExecutionRun).order_by(ExecutionRun.started_at.desc()).limit(limit)
    if strategy_id is not None:
        query = query.where(ExecutionRun.strategy_id == strategy_id)
    with engine.connect() as conn:
        return [_row(r) for r in conn.execute(query).all()]


def previous_equity(
    engine: Bind, strategy_id: str, mode: str, before: dt.datetime
) -> tuple[Decimal | None, Decimal | None]:
    """(equity of the last scheduler snapshot before ``before``, highest snapshot equity)."""
    where = (
        PerformanceSnapshot.strategy_id == strategy_id,
        PerformanceSnapshot.mode == mode,
        PerformanceSnapshot.snapshot_source == "scheduler",
    )
    with _reading(engine) as conn:
        last = conn.execute(
            select(PerformanceSnapshot.total_equity)
            .where(*where, PerformanceSnapshot.timestamp < before)
            .order_by(PerformanceSnapshot.timestamp.desc())
            .limit(1)
        ).scalar_one_or_none()
        peak = conn.execute(select(func.max(PerformanceSnapshot.total_equity)).where(*where)).scalar()
    return (
        None if last is None else Decimal(last),
        None if peak is None else Decimal(peak),
    )


def insert_snapshot(engine: Bind, values: Mapping[str, Any]) -> None:
    """One ``performance_snapshots`` row (the caller fills every column it knows)."""
    row = dict(values)
    if isinstance(row.get("positions_json"), list | dict):
        row["positions_json"] = json.dumps(row["positions_json"])
    with _writing(engine) as conn:
        conn.execute(insert(PerformanceSnapshot).values(**row))


def insert_reconciliation(
    engine: Bind,
    *,
    run_at: dt.datetime,
    period_start: dt.datetime,
    period_end: dt.datetime,
    counts: Mapping[str, int],
    position_drift: Mapping[str, Any],
    is_reconciled: bool,
    details: Mapping[str, Any],
) -> None:
    """Insert-only reconciliation record (§5.10)."""
    with _writing(engine) as conn:
        conn.execute(
            insert(ReconciliationReport).values(
                run_at=run_at,
                period_start=period_start,
                period_end=period_end,
                total_local=counts.get("total_local", 0),
                total_broker=counts.get("total_broker", 0),
                matched=counts.get("matched", 0),
                missing_local=counts.get("missing_local", 0),
                missing_broker=counts.get("missing_broker", 0),
                price_discrepancies=counts.get("price_discrepancies", 0),
                quantity_discrepancies=counts.get("quantity_discrepancies", 0),
                position_drift_json=_jsonable(position_drift),
                is_reconciled=is_reconciled,
                details_json=_jsonable(details),
            )
        )


def update_state_after_run(
    engine: Bind,
    strategy_id: str,
    mode: str,
    *,
    now: dt.datetime,
    execution_id: str,
    regime: Mapping[str, Any],
    allocation: Mapping[str, Decimal],
    baseline_initial_price: Decimal | None,
) -> None:
    """Remember the run on ``strategy_state`` (last run, regime, allocation, baseline price)."""
    values: dict[str, Any] = {
        "last_run_at": now,
        "last_execution_id": execution_id,
        "strategy_cell": regime.get("strategy_cell"),
        "trend_state": regime.get("trend_state"),
        "vol_state": regime.get("vol_state"),
        "last_allocation_json": {k: str(v) for k, v in allocation.items()},
        "updated_at": now,
    }
    if baseline_initial_price is not None:
        values["baseline_initial_price"] = q6(baseline_initial_price)
    with _writing(engine) as conn:
        conn.execute(
            update(StrategyState)
            .where(StrategyState.strategy_id == strategy_id, StrategyState.mode == mode)
            .values(**values)
        )
