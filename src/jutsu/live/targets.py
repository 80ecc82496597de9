"""Today's target weights: the backtest engine run up to today's bar (ARCHITECTURE.md).

The strategy is replayed with :func:`jutsu.core.engine.run_backtest` from its inception date
in this mode through today, where today's bar is built in memory from the live quote (never
stored in ``market_data``, spec §2.2 rule 4). Replaying instead of keeping a strategy object
alive means the strategy's internal state — v3.5b's remembered weights, the Kalman filter,
the hysteresis of the volatility state — is by construction exactly the backtest's, after a
restart as much as on any ordinary day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np

from jutsu.core.costs import CostModel
from jutsu.core.decision import JournalValue
from jutsu.core.engine import run_backtest, warmup_sessions
from jutsu.core.market import MarketData, SymbolSeries
from jutsu.errors import DataError

if TYPE_CHECKING:
    from jutsu.live.replay import ReplayCache
    from jutsu.strategies.base import Strategy

__all__ = [
    "BarValues",
    "TodayBar",
    "TodayDecision",
    "decide_today",
    "history_start",
    "quote_bar",
    "regime_of",
    "with_today_bar",
]

BarValues = tuple[Decimal, Decimal, Decimal, Decimal, float]
"""(open, high, low, close, volume) of today's in-memory bar."""

TodayBar = Callable[[str, dt.date, Decimal], BarValues]
"""``(symbol, session, quote) -> today's bar``; the default is :func:`quote_bar`."""


def quote_bar(symbol: str, session: dt.date, quote: Decimal) -> BarValues:
    """Spec §5.2 step 8.3: open = high = low = close = quote, volume 0.

    Volume 0 is the choice knowable at 15:55 (the day's volume is not): the volume-adjusted
    Kalman filter of v3.5b then uses its base measurement noise for today's update.
    """
    return quote, quote, quote, quote, 0.0


def history_start(strategy: Strategy[Any], inception: dt.date) -> dt.date:
    """First calendar date of history to load so the warm-up before ``inception`` is complete."""
    sessions = warmup_sessions(strategy) + 5
    return inception - dt.timedelta(days=int(sessions * 1.5) + 14)


def with_today_bar(
    history: MarketData,
    session: dt.date,
    quotes: Mapping[str, Decimal],
    today_bar: TodayBar = quote_bar,
) -> MarketData:
    """``history`` (bars before ``session``) plus one in-memory bar per quoted symbol.

    Raises:
        DataError: history already holds a bar on or after ``session``, or a symbol of the
            history has no quote.
    """
    day = np.datetime64(session, "D")
    series: dict[str, SymbolSeries] = {}
    for symbol, s in history.series.items():
        if s.dates.size and s.dates[-1] >= day:
            raise DataError(f"history of {symbol} already has a bar dated {s.dates[-1]} (today is {session})")
        quote = quotes.get(symbol)
        if quote is None:
            raise DataError(f"no quote for {symbol} to build today's bar")
        o, h, lo, c, v = today_bar(symbol, session, quote)

        def grow(arr: np.ndarray[Any, Any], value: float) -> np.ndarray[Any, Any]:
            out = np.append(arr, np.float64(value))
            out.flags.writeable = False
            return out

        dates = np.append(s.dates, day)
        dates.flags.writeable = False
        series[symbol] = SymbolSeries(
            symbol=symbol,
            dates=dates,
            open=grow(s.open, float(o)),
            high=grow(s.high, float(h)),
            low=grow(s.low, float(lo)),
            close=grow(s.close, float(c)),
            volume=grow(s.volume, v),
            close_dec=(*s.close_dec, c),
        )
    return MarketData(series=series)


@dataclass(frozen=True, slots=True)
class TodayDecision:
    """The strategy's decision for ``session`` and the simulated book it was made against."""

    session: dt.date
    weights: Mapping[str, Decimal]
    trade: tuple[str, ...]
    journal: Mapping[str, JournalValue]


def decide_today(
    strategy: Strategy[Any],
    market: MarketData,
    *,
    inception: dt.date,
    session: dt.date,
    initial_capital: Decimal,
    costs: CostModel,
    cache: ReplayCache | None = None,
    slot: tuple[str, str] | None = None,
) -> TodayDecision:
    """Replay ``strategy`` from ``inception`` through ``session`` and return today's decision.

    ``market`` must end with today's bar (see :func:`with_today_bar`). With a ``cache`` and a
    ``slot`` (strategy id, mode) the replay resumes from the state kept after the previous
    run's stored bars instead of starting over (same result, see :mod:`jutsu.live.replay`).

    Raises:
        BacktestError / StrategyError: as :func:`run_backtest`.
        DataError: the replay has no decision dated ``session`` (no bar today).
    """
    if cache is not None and slot is not None:
        decision = cache.decide(
            slot,
            strategy,
            market,
            start=min(inception, session),
            end=session,
            initial_capital=initial_capital,
            costs=costs,
        )
        return TodayDecision(
            session=session,
            weights=dict(decision.weights),
            trade=decision.trade,
            journal=dict(decision.journal),
        )
    result = run_backtest(
        strategy,
        market,
        start=min(inception, session),
        end=session,
        initial_capital=initial_capital,
        costs=costs,
    )
    if not result.decisions or result.decisions[-1].date != session:
        raise DataError(f"no bar for {session} in the strategy's data; cannot decide today")
    last = result.decisions[-1]
    return TodayDecision(
        session=session, weights=dict(last.weights), trade=last.traded, journal=dict(last.journal)
    )


_REGIME_KEYS = {
    "cell": "strategy_cell",
    "trend_state": "trend_state",
    "vol_state": "vol_state",
    "t_norm": "t_norm",
    "z_score": "z_score",
    "sma_fast": "sma_fast",
    "sma_slow": "sma_slow",
}


def regime_of(journal: Mapping[str, JournalValue]) -> dict[str, Any]:
    """Regime columns (``strategy_cell``, ``trend_state`` ...) found in a decision journal."""
    out: dict[str, Any] = {}
    for key, column in _REGIME_KEYS.items():
        value = journal.get(key)
        if value is None:
            continue
        if column == "strategy_cell":
            try:
                out[column] = int(value)
            except (TypeError, ValueError):
                continue
        else:
            out[column] = value
    return out
