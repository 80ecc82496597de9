"""Row-shaped views of an outcome, shared by the CSV writers and the HTML report.

Each function turns the engine's records into plain rows (dates, exact Decimals, float
fractions) once, so ``equity.csv`` and the report's charts can never disagree.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from jutsu.core.metrics import daily_returns, drawdown_series, monthly_returns_table
from jutsu.core.result import BacktestResult

__all__ = [
    "EquityRow",
    "MonthlyReturns",
    "equity_rows",
    "monthly_returns",
    "weight_symbols",
]


@dataclass(frozen=True, slots=True)
class EquityRow:
    """One trading date of ``equity.csv``."""

    date: dt.date
    equity: Decimal
    cash: Decimal
    baseline_equity: Decimal | None
    drawdown: float


def equity_rows(result: BacktestResult, baseline: Mapping[dt.date, Decimal]) -> list[EquityRow]:
    """One row per snapshot; the baseline value of a date it lacks repeats the previous one."""
    dd = drawdown_series([s.equity for s in result.snapshots], result.initial_capital).tolist()
    rows: list[EquityRow] = []
    last_base: Decimal | None = None
    for snap, d in zip(result.snapshots, dd, strict=True):
        last_base = baseline.get(snap.date, last_base)
        rows.append(EquityRow(snap.date, snap.equity, snap.cash, last_base, d))
    return rows


@dataclass(frozen=True, slots=True)
class MonthlyReturns:
    """Calendar-month returns by year: ``by_year[year][month-1]`` (None = no data)."""

    by_year: Mapping[int, tuple[float | None, ...]]
    year_total: Mapping[int, float]


def monthly_returns(
    dates: Sequence[dt.date], values: Sequence[Decimal | float], initial: Decimal | float
) -> MonthlyReturns:
    """Compounded calendar-month and calendar-year returns of an equity curve.

    Built on :func:`jutsu.core.metrics.daily_returns` (first return against ``initial``,
    DECISIONS.md §4) and :func:`~jutsu.core.metrics.monthly_returns_table`, so the heat map
    uses the same definitions as every other metric.
    """
    if not dates:
        return MonthlyReturns({}, {})
    returns = daily_returns(values, initial)
    table = monthly_returns_table(returns, dates)
    by_year: dict[int, tuple[float | None, ...]] = {}
    year_total: dict[int, float] = {}
    for year, row in table.iterrows():
        cells = tuple(None if math.isnan(float(v)) else float(v) for v in row.tolist())
        y = int(str(year))
        by_year[y] = cells
        year_total[y] = math.prod(1.0 + c for c in cells if c is not None) - 1.0
    return MonthlyReturns(by_year, year_total)


def weight_symbols(result: BacktestResult) -> tuple[str, ...]:
    """Symbols that get a ``w_<SYMBOL>`` column: the strategy's symbols in its order, then any
    other symbol that ever received a weight (sorted), so no target is silently dropped."""
    seen = list(result.symbols)
    extra = sorted({s for rec in result.decisions for s in rec.weights} - set(seen))
    return (*seen, *extra)
