"""Incremental replay of a strategy: yesterday's engine state, advanced by the new bars only.

Why: the live decision is the backtest engine run from the strategy's inception through
today (see :mod:`jutsu.live.targets`). Replaying from scratch every day costs O(days since
inception) per run, O(n²) over a paper book's life (and over the two-year parity test). This
module keeps, per (strategy, mode), the engine state after the last *stored* bar — strategy
object, simulated portfolio, last prices — and on the next run steps it over the bars added
since, then steps a *copy* over today's in-memory bar. Today's bar is never folded into the
kept state, because tomorrow the stored bar replaces the quote bar.

Exactness: the loop body is :func:`jutsu.core.engine.run_backtest`'s, step for step, on the
same window (warm-up start computed the same way) and the same Decimal context. The kept state
is reused only when the window starts on the same date and every bar it consumed is still
identical in the new history (compared array by array); anything else — a corrected bar, other
parameters, another inception — rebuilds from scratch. Indicators are recomputed over the whole
window each day; they are causal, so their prefix equals what the earlier steps saw (the
backtest relies on the same property). The parity test checks the result day by day.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
from collections.abc import Hashable
from dataclasses import dataclass
from decimal import Context, Decimal, localcontext
from typing import TYPE_CHECKING, Any

import numpy as np

from jutsu.core.costs import CostModel
from jutsu.core.decision import Decision
from jutsu.core.engine import _check_weights, _Context, _PortfolioView, strategy_window
from jutsu.core.market import MarketData, SymbolSeries
from jutsu.core.portfolio import Portfolio
from jutsu.core.sizing import order_quantity
from jutsu.errors import DataError, JutsuError, StrategyError

if TYPE_CHECKING:
    from jutsu.strategies.base import Strategy

__all__ = ["ReplayCache"]

_ZERO = Decimal(0)
_FLOAT_FIELDS = ("open", "high", "low", "close", "volume")


@dataclass(slots=True)
class _EngineState:
    """What the engine loop carries from one date to the next."""

    strategy: Strategy[Any]
    portfolio: Portfolio
    prices: dict[str, Decimal]
    positions: dict[str, int]


@dataclass(slots=True)
class _Entry:
    key: tuple[Hashable, ...]
    window_start: dt.date
    consumed: dict[str, SymbolSeries]
    """Per symbol, the bars the kept state has consumed (views of the history arrays)."""
    steps: int
    """Timeline dates of the window already stepped."""
    state: _EngineState


def _same_prefix(old: SymbolSeries, new: SymbolSeries) -> bool:
    n = old.dates.shape[0]
    if new.dates.shape[0] < n or not np.array_equal(old.dates, new.dates[:n]):
        return False
    for name in _FLOAT_FIELDS:
        if not np.array_equal(old.field(name), new.field(name)[:n], equal_nan=True):
            return False
    return tuple(old.close_dec) == tuple(new.close_dec[:n])


def _prefix(series: SymbolSeries, n: int) -> SymbolSeries:
    return SymbolSeries(
        symbol=series.symbol,
        dates=series.dates[:n],
        open=series.open[:n],
        high=series.high[:n],
        low=series.low[:n],
        close=series.close[:n],
        volume=series.volume[:n],
        close_dec=series.close_dec[:n],
    )


class ReplayCache:
    """Kept engine states, one per (strategy id, mode); safe to share between threads."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], _Entry] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def decide(
        self,
        slot: tuple[str, str],
        strategy: Strategy[Any],
        market: MarketData,
        *,
        start: dt.date,
        end: dt.date,
        initial_capital: Decimal,
        costs: CostModel,
    ) -> Decision:
        """The engine's decision on the last date of ``market`` (which must be ``end``).

        Same inputs and errors as ``run_backtest(strategy, market, start=..., end=...)``
        followed by taking its last decision; ``strategy`` itself is never mutated (the cache
        works on its own copy).

        Raises:
            BacktestError: no data / no dates in range (as the engine).
            StrategyError: the strategy raised or returned an invalid decision (names the date).
            DataError: ``market`` does not end on ``end``.
        """
        name = str(getattr(strategy, "strategy_id", type(strategy).__name__))
        window = strategy_window(strategy, market, start, end)
        selected, last, data = window.selected, window.last, window.data
        if data is None or selected.dates[last - 1] != end or last != selected.timeline.size:
            raise DataError(f"no bar for {end} in the strategy's data; cannot decide today")
        key = (
            type(strategy).__module__,
            type(strategy).__qualname__,
            repr(strategy.params.model_dump(mode="python")),
            start,
            initial_capital,
            costs,
        )
        with self._lock:
            entry = self._entries.pop(slot, None)
        if entry is not None and not self._reusable(entry, key, data):
            entry = None
        if entry is None:
            fresh = copy.deepcopy(strategy)
            fresh.reset()
            entry = _Entry(
                key=key,
                window_start=data.dates[0],
                consumed={},
                steps=0,
                state=_EngineState(fresh, Portfolio(initial_capital), {}, {}),
            )
        n = len(data.dates)
        with localcontext(Context(prec=60)):
            # stored bars: advance the kept state (dropped from the cache if a step fails)
            self._run(entry.state, data, range(entry.steps, n - 1), start, costs, name)
            entry.steps = n - 1
            entry.consumed = {
                s: _prefix(series, data.counts[s][n - 2] if n >= 2 else 0)
                for s, series in data.series.items()
            }
            with self._lock:
                self._entries[slot] = entry
            # today's in-memory bar: on a copy, never kept
            today = copy.deepcopy(entry.state)
            decision = self._run(today, data, range(n - 1, n), start, costs, name)
        assert decision is not None
        return decision

    @staticmethod
    def _reusable(entry: _Entry, key: tuple[Hashable, ...], data: MarketData) -> bool:
        if entry.key != key or entry.window_start != data.dates[0]:
            return False
        if set(entry.consumed) != set(data.series):
            return False
        return all(_same_prefix(old, data.series[s]) for s, old in entry.consumed.items())

    @staticmethod
    def _run(
        state: _EngineState,
        data: MarketData,
        indices: range,
        start: dt.date,
        costs: CostModel,
        name: str,
    ) -> Decision | None:
        """:func:`jutsu.core.engine._loop`'s body over ``indices`` (no records kept)."""
        if not indices:
            return None
        symbols = tuple(sorted(data.series))
        allowed = frozenset(symbols)
        portfolio, prices = state.portfolio, state.prices
        view = _PortfolioView(portfolio, prices)
        view.refresh(state.positions)
        ctx = _Context(data, view, None)
        ingest = [(s, data.has_bar[s], data.counts[s], data.series[s].close_dec) for s in symbols]
        strategy = state.strategy
        decision: Decision | None = None
        for i in indices:
            date = data.dates[i]
            for symbol, has_bar, counts, closes in ingest:
                if has_bar[i]:
                    prices[symbol] = closes[counts[i] - 1]
            warmup = date < start
            ctx._i = i
            ctx.date = date
            ctx.is_warmup = warmup
            try:
                decision = strategy.decide(ctx)
                if warmup:
                    continue
                decision = _check_weights(decision, allowed)
            except JutsuError as exc:
                raise StrategyError(f"strategy {name} failed on {date}: {exc}") from exc
            except Exception as exc:
                raise StrategyError(f"strategy {name} failed on {date}: {type(exc).__name__}: {exc}") from exc
            weights = decision.weights
            traded = False
            for symbol in decision.trade:
                price = prices.get(symbol)
                if price is None:
                    continue
                target = weights.get(symbol, _ZERO)
                shares = order_quantity(
                    target,
                    portfolio.quantity(symbol),
                    price,
                    portfolio.equity(prices),
                    portfolio.cash,
                    costs,
                )
                if not shares:
                    continue
                fill = portfolio.execute(date, symbol, shares, price, costs, reason=f"target {target}")
                if fill is not None:
                    traded = True
            if traded:
                state.positions = dict(portfolio.quantities)
                view.refresh(state.positions)
        return decision
