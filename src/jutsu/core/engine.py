"""The backtest event loop (backtest-semantics §3.1): one trading date at a time.

For each date t of the union timeline, ascending:

1. every bar of t is ingested (latest prices move, holdings are marked at t's closes);
2. the strategy decides, seeing bars dated <= t only (read-only views cut at t);
3. the symbols in ``Decision.trade`` are executed in order, immediately, at t's closes
   (market on close, slippage §6, whole shares sized by §5 against ``Decision.weights``);
4. before the start date (warm-up) the trades are discarded and nothing is recorded;
5. from the start date on, one end-of-day snapshot and one decision record per date.

The loop is deliberately lean (pre-indexed lists, no pandas, Decimal only for money): the
research tools run it thousands of times.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Context, Decimal, localcontext
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from jutsu.core.context import FloatArray, IndicatorFn
from jutsu.core.costs import CostModel
from jutsu.core.decision import Decision
from jutsu.core.market import FIELDS, IndicatorCache, MarketData, SymbolSeries
from jutsu.core.portfolio import Portfolio
from jutsu.core.result import BacktestResult, DaySnapshot, DecisionRecord, Fill
from jutsu.core.sizing import order_quantity
from jutsu.errors import BacktestError, DataError, JutsuError, StrategyError

if TYPE_CHECKING:  # typing only: core does not depend on the strategies package at runtime
    from jutsu.strategies.base import Strategy

__all__ = [
    "ENGINE_VERSION",
    "MULTI_SYMBOL_WARMUP_FACTOR",
    "SINGLE_SYMBOL_WARMUP_FACTOR",
    "StrategyWindow",
    "run_backtest",
    "strategy_window",
    "warmup_sessions",
]

ENGINE_VERSION = "1"
"""Bump whenever a change can alter backtest results (stored results carry it)."""

MULTI_SYMBOL_WARMUP_FACTOR = 1.5
SINGLE_SYMBOL_WARMUP_FACTOR = 1.1

_ZERO = Decimal(0)
_ONE = Decimal(1)
_EMPTY = np.empty(0, dtype=np.float64)
_EMPTY.flags.writeable = False
_EMPTY_DATES = np.empty(0, dtype="datetime64[D]")
_EMPTY_DATES.flags.writeable = False


def warmup_sessions(strategy: Strategy[Any]) -> int:
    """Sessions of history the engine feeds before ``start`` (spec §15, current reference).

    ``int(1.5 × warmup_bars)`` for multi-symbol strategies, ``int(1.1 × warmup_bars)`` for
    single-symbol ones; callers simply pass all data up to ``end``.
    """
    factor = MULTI_SYMBOL_WARMUP_FACTOR if len(strategy.symbols()) > 1 else SINGLE_SYMBOL_WARMUP_FACTOR
    return int(factor * max(strategy.warmup_bars(), 0))


@dataclass(frozen=True, slots=True)
class StrategyWindow:
    """The strategy's symbols cut to ``[start − warm-up sessions, end]`` (shared with live replay).

    ``first``/``last`` index ``start`` and one past ``end`` in ``selected.timeline``; ``data`` is
    ``None`` when no trading date falls in ``[start, end]``.
    """

    symbols: tuple[str, ...]
    selected: MarketData
    first: int
    last: int
    data: MarketData | None


def strategy_window(
    strategy: Strategy[Any], market: MarketData, start: dt.date, end: dt.date
) -> StrategyWindow:
    """Select ``strategy``'s symbols and the sessions it needs: warm-up before ``start``, up to ``end``.

    Raises:
        BacktestError: the strategy declares no symbols, or a symbol has no data.
    """
    name = getattr(strategy, "strategy_id", type(strategy).__name__)
    symbols = tuple(strategy.symbols())
    if not symbols:
        raise BacktestError(f"strategy {name} declares no symbols")
    try:
        selected = market.select(symbols)
    except DataError as exc:
        raise BacktestError(f"cannot backtest {name}: {exc}") from None
    timeline = selected.timeline
    first = int(np.searchsorted(timeline, np.datetime64(start, "D"), side="left"))
    last = int(np.searchsorted(timeline, np.datetime64(end, "D"), side="right"))
    if first >= last:
        return StrategyWindow(symbols, selected, first, last, None)
    lo = max(0, first - warmup_sessions(strategy))
    return StrategyWindow(
        symbols, selected, first, last, selected.window(selected.dates[lo], selected.dates[last - 1])
    )


class _History:
    """One symbol's bars dated <= t, as read-only slices of the engine's arrays."""

    __slots__ = ("_n", "_s")

    def __init__(self, series: SymbolSeries | None, n: int) -> None:
        self._s = series
        self._n = n

    @property
    def symbol(self) -> str:
        return "" if self._s is None else self._s.symbol

    @property
    def dates(self) -> np.ndarray[Any, np.dtype[np.datetime64]]:
        return _EMPTY_DATES if self._s is None else self._s.dates[: self._n]

    def _cut(self, name: str) -> FloatArray:
        return _EMPTY if self._s is None else self._s.field(name)[: self._n]

    @property
    def open(self) -> FloatArray:
        return self._cut("open")

    @property
    def high(self) -> FloatArray:
        return self._cut("high")

    @property
    def low(self) -> FloatArray:
        return self._cut("low")

    @property
    def close(self) -> FloatArray:
        return self._cut("close")

    @property
    def volume(self) -> FloatArray:
        return self._cut("volume")

    def __len__(self) -> int:
        return self._n


class _PortfolioView:
    """Read-only holdings at the start of date t's decision (before t's fills)."""

    __slots__ = ("_portfolio", "_positions", "_prices")

    def __init__(self, portfolio: Portfolio, prices: Mapping[str, Decimal]) -> None:
        self._portfolio = portfolio
        self._prices = prices
        self._positions: Mapping[str, int] = MappingProxyType({})

    def refresh(self, positions: dict[str, int]) -> None:
        """Publish the holdings after a date's fills (``positions`` must not be mutated later)."""
        self._positions = MappingProxyType(positions)

    @property
    def cash(self) -> Decimal:
        return self._portfolio.cash

    @property
    def positions(self) -> Mapping[str, int]:
        return self._positions

    @property
    def equity(self) -> Decimal:
        return self._portfolio.equity(self._prices)

    def last_price(self, symbol: str) -> Decimal | None:
        return self._prices.get(symbol)

    def weight(self, symbol: str) -> Decimal:
        qty = self._portfolio.quantity(symbol)
        price = self._prices.get(symbol)
        if qty == 0 or price is None:
            return _ZERO
        equity = self.equity
        return qty * price / equity if equity > 0 else _ZERO


class _Context:
    """The engine's :class:`~jutsu.core.context.BarContext`, moved forward one date at a time."""

    __slots__ = (
        "_cache",
        "_counts",
        "_has_bar",
        "_i",
        "_local",
        "_market",
        "_portfolio_view",
        "date",
        "is_warmup",
    )

    def __init__(
        self, market: MarketData, portfolio_view: _PortfolioView, cache: IndicatorCache | None
    ) -> None:
        self._market = market
        self._counts = market.counts
        self._has_bar = market.has_bar
        self._portfolio_view = portfolio_view
        self._cache = cache
        self._local: dict[tuple[Hashable, ...], FloatArray] = {}
        self._i = 0
        self.date = dt.date.min
        self.is_warmup = True

    @property
    def portfolio(self) -> _PortfolioView:
        return self._portfolio_view

    def has_bar(self, symbol: str) -> bool:
        flags = self._has_bar.get(symbol)
        return bool(flags is not None and flags[self._i])

    def _series(self, symbol: str) -> SymbolSeries:
        series = self._market.series.get(symbol)
        if series is None:
            raise KeyError(f"symbol {symbol!r} is not among the strategy's symbols()")
        return series

    def history(self, symbol: str) -> _History:
        series = self._series(symbol)
        return _History(series, self._counts[symbol][self._i])

    def indicator(
        self, symbol: str, field: str | tuple[str, ...], fn: IndicatorFn, *args: object
    ) -> FloatArray:
        key = (symbol, field, fn, args)
        full = self._local.get(key)
        if full is None:
            full = self._compute(symbol, field, fn, args)
            self._local[key] = full
        return full[: self._counts[symbol][self._i]]

    def _compute(
        self, symbol: str, field: str | tuple[str, ...], fn: IndicatorFn, args: tuple[object, ...]
    ) -> FloatArray:
        names = (field,) if isinstance(field, str) else tuple(field)
        for name in names:
            if name not in FIELDS:
                raise KeyError(f"unknown bar field {name!r}; fields are {', '.join(FIELDS)}")
        if not names:
            raise KeyError("indicator needs at least one bar field")
        series = self._series(symbol)
        shared_key = None
        if self._cache is not None:
            shared_key = IndicatorCache.key(self._market.fingerprint(), symbol, field, fn, args)
            cached = self._cache.get(shared_key)
            if cached is not None:
                return cached
        sources = [series.field(name) for name in names]
        values = np.asarray(fn(*sources, *args), dtype=np.float64)
        n = sources[0].shape[0]
        if values.ndim not in (1, 2) or values.shape[0] != n:  # 2-D: one row of outputs per bar
            raise ValueError(
                f"indicator {getattr(fn, '__qualname__', fn)} returned shape {values.shape}, "
                f"expected ({n},) or ({n}, k)"
            )
        if not values.flags.owndata or any(np.shares_memory(values, src) for src in sources):
            values = values.copy()
        values.flags.writeable = False
        if self._cache is not None and shared_key is not None:
            self._cache.put(shared_key, values)
        return values


def _check_weights(decision: object, symbols: frozenset[str]) -> Decision:
    if not isinstance(decision, Decision):
        raise TypeError(f"decide() must return a Decision, got {type(decision).__name__}")
    for symbol, weight in decision.weights.items():
        if symbol not in symbols:
            raise ValueError(f"weight for {symbol!r}, which is not among the strategy's symbols()")
        if not isinstance(weight, Decimal) or not (_ZERO <= weight <= _ONE):
            raise ValueError(f"weight of {symbol} must be a Decimal in [0, 1], got {weight!r}")
    for symbol in decision.trade:
        if symbol not in symbols:
            raise ValueError(f"trade on {symbol!r}, which is not among the strategy's symbols()")
    return decision


def run_backtest(
    strategy: Strategy[Any],
    market: MarketData,
    *,
    start: dt.date,
    end: dt.date,
    initial_capital: Decimal = Decimal("10000"),
    costs: CostModel = CostModel(),  # noqa: B008 - frozen, immutable default
    indicator_cache: IndicatorCache | None = None,
) -> BacktestResult:
    """Run ``strategy`` over ``market`` from ``start`` to ``end`` (inclusive).

    ``market`` may hold any amount of history before ``start``: the engine feeds the strategy
    :func:`warmup_sessions` sessions before ``start`` (decisions made, trades discarded).

    Raises:
        BacktestError: ``end`` < ``start``, a symbol has no data, or no trading date in range.
        StrategyError: the strategy raised or returned an invalid decision (names the date).
    """
    name = getattr(strategy, "strategy_id", type(strategy).__name__)
    if end < start:
        raise BacktestError(f"end date {end} is before start date {start}")
    if not isinstance(initial_capital, Decimal) or not initial_capital.is_finite() or initial_capital <= 0:
        raise BacktestError(f"initial capital must be a positive Decimal, got {initial_capital!r}")
    window = strategy_window(strategy, market, start, end)
    selected, first, symbols = window.selected, window.first, window.symbols
    if window.data is None:
        timeline = selected.timeline
        if timeline.size == 0:
            raise BacktestError(f"no bars for {', '.join(symbols)}")
        if first >= timeline.size:
            raise BacktestError(
                f"data for {', '.join(symbols)} ends on {selected.dates[-1]}, before the start date {start}"
            )
        raise BacktestError(f"no trading dates between {start} and {end} for {', '.join(symbols)}")
    data = window.data

    strategy.reset()
    with localcontext(Context(prec=60)):
        return _loop(strategy, name, data, start, end, initial_capital, costs, indicator_cache)


def _loop(
    strategy: Strategy[Any],
    name: str,
    data: MarketData,
    start: dt.date,
    end: dt.date,
    initial_capital: Decimal,
    costs: CostModel,
    cache: IndicatorCache | None,
) -> BacktestResult:
    symbols = tuple(sorted(data.series))
    allowed = frozenset(symbols)
    portfolio = Portfolio(initial_capital)
    prices: dict[str, Decimal] = {}
    view = _PortfolioView(portfolio, prices)
    ctx = _Context(data, view, cache)
    positions: dict[str, int] = {}  # shared by consecutive snapshots until a fill changes it
    updates = data.price_updates()
    snapshots: list[DaySnapshot] = []
    decisions: list[DecisionRecord] = []
    fills: list[Fill] = []

    # hot loop: bound methods in locals, records built positionally (field order of result.py)
    decide = strategy.decide
    equity_at = portfolio.equity
    add_snapshot = snapshots.append
    add_decision = decisions.append
    for i, date in enumerate(data.dates):
        prices.update(updates[i])  # the closes of every symbol trading on this date
        warmup = date < start
        ctx._i = i
        ctx.date = date
        ctx.is_warmup = warmup
        try:
            decision = decide(ctx)
            if warmup:
                continue  # decided (state warms up), trades discarded, nothing recorded
            _check_weights(decision, allowed)
        except JutsuError as exc:
            raise StrategyError(f"strategy {name} failed on {date}: {exc}") from exc
        except Exception as exc:
            raise StrategyError(f"strategy {name} failed on {date}: {type(exc).__name__}: {exc}") from exc
        weights = decision.weights
        traded = False
        for symbol in decision.trade:
            price = prices.get(symbol)
            if price is None:
                continue  # never traded yet: nothing to size against
            target = weights.get(symbol, _ZERO)
            shares = order_quantity(
                target,
                portfolio.quantity(symbol),
                price,
                portfolio.equity(prices),
                portfolio.cash,
                costs,
            )
            if shares:
                fill = portfolio.execute(date, symbol, shares, price, costs, reason=f"target {target}")
                if fill is not None:
                    fills.append(fill)
                    traded = True
        if traded:
            positions = dict(portfolio.quantities)
            view.refresh(positions)
        add_snapshot(DaySnapshot(date, portfolio.cash, positions, dict(prices), equity_at(prices)))
        add_decision(DecisionRecord(date, dict(weights), decision.trade, dict(decision.journal)))

    return BacktestResult(
        strategy_id=name,
        params=strategy.params.model_dump(mode="python"),
        start=start,
        end=end,
        initial_capital=initial_capital,
        snapshots=tuple(snapshots),
        fills=tuple(fills),
        decisions=tuple(decisions),
        journal_columns=tuple(strategy.journal_columns),
        symbols=tuple(strategy.symbols()),
    )
