"""What a backtest produces: daily snapshots, fills and the decision journal.

Plain frozen records with exact money (Decimal), so the same objects feed the metrics, the
report writers, the database and the parity checks against the live pipeline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from jutsu.core.decision import JournalValue

__all__ = ["BacktestResult", "DaySnapshot", "DecisionRecord", "Fill", "Side"]

Side = Literal["BUY", "SELL"]


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution: whole shares at a price that already includes slippage."""

    date: dt.date
    symbol: str
    side: Side
    quantity: int
    price: Decimal
    commission: Decimal
    reason: str = ""


@dataclass(frozen=True, slots=True)
class DaySnapshot:
    """End of trading date ``date``, after all fills: equity == cash + Σ qty × close."""

    date: dt.date
    cash: Decimal
    positions: Mapping[str, int]
    prices: Mapping[str, Decimal]
    equity: Decimal


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """The strategy's decision on ``date``: target weights, what it traded, and why."""

    date: dt.date
    weights: Mapping[str, Decimal]
    traded: tuple[str, ...]
    journal: Mapping[str, JournalValue]


@dataclass(frozen=True, slots=True)
class BacktestResult:
    """A finished run. Snapshots and decisions hold one record per trading date >= start."""

    strategy_id: str
    params: Mapping[str, object]
    start: dt.date
    end: dt.date
    initial_capital: Decimal
    snapshots: tuple[DaySnapshot, ...]
    fills: tuple[Fill, ...]
    decisions: tuple[DecisionRecord, ...]
    journal_columns: tuple[str, ...] = ()
    symbols: tuple[str, ...] = field(default=())
