"""``ctx.indicator`` with several bar fields: one full series per field, cut at t, cached."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from jutsu.core.context import BarContext, FloatArray
from jutsu.core.decision import Decision
from jutsu.core.engine import run_backtest
from jutsu.core.market import IndicatorCache, MarketData
from jutsu.errors import StrategyError
from jutsu.strategies.base import Strategy, StrategyParams

CALLS: list[tuple[int, int]] = []


def _frame(n: int) -> pd.DataFrame:
    dates = pd.bdate_range("2020-01-01", periods=n)
    close = [Decimal(100 + i) for i in range(n)]
    return pd.DataFrame(
        {
            "date": dates,
            "open": close,
            "high": close,
            "low": close,
            "close": close,
            "volume": [1000 * (i + 1) for i in range(n)],
        }
    )


def _close_times_volume(close: FloatArray, volume: FloatArray, scale: float) -> FloatArray:
    CALLS.append((close.shape[0], volume.shape[0]))
    out: FloatArray = close * volume * scale
    return out


class _Params(StrategyParams):
    fields: tuple[str, ...] = ("close", "volume")


class _Reader(Strategy[_Params]):
    strategy_id = "reader"
    display_name = "reader"
    Params = _Params

    def reset(self) -> None:
        self.seen: list[tuple[int, float]] = []

    def symbols(self) -> tuple[str, ...]:
        return ("AAA",)

    def warmup_bars(self) -> int:
        return 0

    def decide(self, ctx: BarContext) -> Decision:
        values = ctx.indicator("AAA", self.params.fields, _close_times_volume, 2.0)
        self.seen.append((values.shape[0], float(values[-1])))
        return Decision.hold({}, {})


def test_tuple_of_fields_gets_one_series_each_cut_at_t_and_cached() -> None:
    market = MarketData.from_frames({"AAA": _frame(12)})
    cache = IndicatorCache()
    CALLS.clear()
    strategy = _Reader(_Params())
    first, last = market.dates[0], market.dates[-1]
    run_backtest(strategy, market, start=first, end=last, indicator_cache=cache)
    expected = [(i + 1, (100 + i) * 1000 * (i + 1) * 2.0) for i in range(12)]
    assert strategy.seen == expected
    assert CALLS == [(12, 12)]
    again = _Reader(_Params())
    run_backtest(again, market, start=first, end=last, indicator_cache=cache)
    assert CALLS == [(12, 12)] and again.seen == expected
    # a single field with the same function is a different indicator (different key)
    single = _Reader(_Params(fields=("close",)))
    with pytest.raises(StrategyError, match="positional argument"):
        run_backtest(single, market, start=first, end=last, indicator_cache=cache)


def test_unknown_field_in_tuple_is_named() -> None:
    market = MarketData.from_frames({"AAA": _frame(3)})
    strategy = _Reader(_Params(fields=("close", "vwap")))
    with pytest.raises(StrategyError, match="vwap"):
        run_backtest(strategy, market, start=market.dates[0], end=market.dates[-1])


def test_cache_key_distinguishes_field_tuples() -> None:
    a = IndicatorCache.key("fp", "AAA", ("close", "volume"), np.add, ())
    b = IndicatorCache.key("fp", "AAA", ("volume", "close"), np.add, ())
    c = IndicatorCache.key("fp", "AAA", "close", np.add, ())
    assert len({a, b, c}) == 3
