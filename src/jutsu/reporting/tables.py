"""Row-shaped views of an outcome, shared by the CSV writers and the HTML report.

Each function turns the engine's records into plain rows (dates, exact Decimals, float
fractions) once, so ``equity.csv`` and the report's charts can never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from jutsu.core.result import BacktestResult

__all__ = [
    "EquityRow",
    "MonthlyReturns",
    "drawdowns",
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


def drawdowns(values: Sequence[float]) -> list[float]:
    """``v_t / max_{u<=t} v_u − 1`` per point: 0 at a new high, negative below it."""
    out: list[float] = []
    peak = float("-inf")
    for v in values:
        peak = max(peak, v)
        out.append(v / peak - 1.0 if peak > 0 else 0.0)
    return out


def equity_rows(result: BacktestResult, baseline: Mapping[dt.date, Decimal]) -> list[EquityRow]:
    """One row per snapshot; the baseline value of a date it lacks repeats the previous one."""
    dd = drawdowns([float(s.equity) for s in result.snapshots])
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


def monthly_returns(dates: Sequence[dt.date], values: Sequence[float], initial: float) -> MonthlyReturns:
    """Month-end over previous month-end; the first month is measured from ``initial``.

    Using the starting capital for the first period follows DECISIONS.md §4 (the first day's
    P&L counts against the configured capital).
    """
    by_year: dict[int, list[float | None]] = {}
    year_total: dict[int, float] = {}
    prev_month_end = initial
    year_start = initial
    for i, (d, v) in enumerate(zip(dates, values, strict=True)):
        last_of_month = i + 1 == len(dates) or (dates[i + 1].year, dates[i + 1].month) != (d.year, d.month)
        if not last_of_month:
            continue
        row = by_year.setdefault(d.year, [None] * 12)
        row[d.month - 1] = v / prev_month_end - 1.0 if prev_month_end else None
        prev_month_end = v
        last_of_year = i + 1 == len(dates) or dates[i + 1].year != d.year
        if last_of_year:
            year_total[d.year] = v / year_start - 1.0 if year_start else 0.0
            year_start = v
    return MonthlyReturns({y: tuple(r) for y, r in by_year.items()}, year_total)


def weight_symbols(result: BacktestResult) -> tuple[str, ...]:
    """Symbols that get a ``w_<SYMBOL>`` column: the strategy's symbols in its order, then any
    other symbol that ever received a weight (sorted), so no target is silently dropped."""
    seen = list(result.symbols)
    extra = sorted({s for rec in result.decisions for s in rec.weights} - set(seen))
    return (*seen, *extra)
