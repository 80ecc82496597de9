"""The event loop: ledger invariant, warm-up, market-on-close fills, bad input, wrapping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest

from jutsu.core.context import BarContext, FloatArray
from jutsu.core.costs import CostModel
from jutsu.core.decision import Decision
from jutsu.core.engine import ENGINE_VERSION, run_backtest, warmup_sessions
from jutsu.core.market import IndicatorCache, MarketData
from jutsu.core.rebalance import plan_rebalance
from jutsu.errors import BacktestError, StrategyError
from jutsu.strategies.base import Strategy, StrategyParams
from jutsu.strategies.buy_and_hold import BuyAndHold, BuyAndHoldParams
from jutsu.strategies.sma_crossover import SmaCrossover, SmaCrossoverParams

D = Decimal


def frame(dates: list[str], closes: list[float]) -> pd.DataFrame:
    c = [D(str(x)) for x in closes]
    return pd.DataFrame(
        {"date": pd.to_datetime(dates), "open": c, "high": c, "low": c, "close": c, "volume": [100] * len(c)}
    )


def walk(n: int, seed: int, start: str = "2020-01-01") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dates = [d.strftime("%Y-%m-%d") for d in pd.bdate_range(start, periods=n)]
    closes = np.round(40 * np.exp(np.cumsum(rng.normal(0.0005, 0.02, n))), 2)
    return frame(dates, closes.tolist())


class RotateParams(StrategyParams):
    warmup: int = 10


class Rotate(Strategy[RotateParams]):
    """Rotates between three symbols every few days with the standard rebalance order."""

    strategy_id = "rotate"
    display_name = "Rotate"
    Params = RotateParams
    journal_columns = ("k",)
    syms: ClassVar[tuple[str, ...]] = ("AAA", "BBB", "CCC")

    def reset(self) -> None:
        self.k = 0
        self.seen: list[tuple[dt.date, bool, int]] = []

    def symbols(self) -> tuple[str, ...]:
        return self.syms

    def warmup_bars(self) -> int:
        return self.params.warmup

    def decide(self, ctx: BarContext) -> Decision:
        self.k += 1
        self.seen.append((ctx.date, ctx.is_warmup, len(ctx.history("AAA"))))
        a, b = self.syms[self.k % 3], self.syms[(self.k + 1) % 3]
        weights = {a: D("0.6"), b: D("0.35")}
        current = {s: ctx.portfolio.weight(s) for s in self.syms}
        return Decision(weights=weights, trade=plan_rebalance(weights, current), journal={"k": self.k})


def market3() -> MarketData:
    return MarketData.from_frames({"AAA": walk(80, 1), "BBB": walk(80, 2), "CCC": walk(80, 3)})


def test_ledger_invariant_every_date_multi_symbol() -> None:
    market = market3()
    start = market.dates[30]
    result = run_backtest(Rotate(RotateParams()), market, start=start, end=market.dates[-1])
    assert len(result.snapshots) == 50 and len(result.fills) > 20
    cash = D("10000")
    qty: dict[str, int] = {}
    fills_by_date: dict[dt.date, list[Any]] = {}
    for f in result.fills:
        fills_by_date.setdefault(f.date, []).append(f)
    for snap in result.snapshots:
        for f in fills_by_date.get(snap.date, []):
            sign = 1 if f.side == "BUY" else -1
            cash -= sign * f.quantity * f.price + f.commission
            qty[f.symbol] = qty.get(f.symbol, 0) + sign * f.quantity
        assert snap.cash == cash  # cash changes only through fills, exactly
        assert snap.positions == {s: q for s, q in qty.items() if q}
        assert snap.equity == snap.cash + sum(q * snap.prices[s] for s, q in snap.positions.items())
        assert snap.cash >= 0
        for s in ("AAA", "BBB", "CCC"):  # prices are the closes of that date
            assert snap.prices[s] == market.series[s].close_dec[market.dates.index(snap.date)]


def test_fills_are_market_on_close_with_slippage_and_commission() -> None:
    market = market3()
    costs = CostModel(commission_per_share=D("0.02"), slippage=D("0.005"))
    result = run_backtest(
        Rotate(RotateParams()), market, start=market.dates[30], end=market.dates[-1], costs=costs
    )
    for f in result.fills:
        close = market.series[f.symbol].close_dec[market.dates.index(f.date)]
        expected = close * D("1.005") if f.side == "BUY" else close * D("0.995")
        assert f.price == expected
        assert f.commission == D("0.02") * f.quantity


def test_warmup_window_and_discarded_trades() -> None:
    market = market3()
    strategy = Rotate(RotateParams(warmup=10))
    start = market.dates[40]
    result = run_backtest(strategy, market, start=start, end=market.dates[-1])
    # multi-symbol: int(1.5 × 10) = 15 warm-up sessions before start, decide() called on each
    assert warmup_sessions(strategy) == 15
    warm = [s for s in strategy.seen if s[1]]
    assert len(warm) == 15 and warm[0][0] == market.dates[25]
    assert all(d < start for d, _, _ in warm) and all(d >= start for d, w, _ in strategy.seen if not w)
    # history starts at the warm-up window, so the first call sees one bar
    assert strategy.seen[0][2] == 1
    assert result.snapshots[0].date == start and result.decisions[0].date == start
    assert all(f.date >= start for f in result.fills)
    # single-symbol: × 1.1
    assert warmup_sessions(SmaCrossover(SmaCrossoverParams(fast=5, slow=20))) == 22


def test_warmup_truncated_at_data_start_and_reset_between_runs() -> None:
    market = market3()
    strategy = Rotate(RotateParams(warmup=100))
    r1 = run_backtest(strategy, market, start=market.dates[5], end=market.dates[-1])
    r2 = run_backtest(strategy, market, start=market.dates[5], end=market.dates[-1])
    assert r1 == r2  # reset() before every run: same object, same result
    assert strategy.seen[0][0] == market.dates[0]


def test_buy_and_hold_buys_once_on_start() -> None:
    market = MarketData.from_frames(
        {"QQQ": frame(["2020-01-02", "2020-01-03", "2020-01-06"], [100, 110, 90])}
    )
    r = run_backtest(
        BuyAndHold(BuyAndHoldParams()), market, start=dt.date(2020, 1, 1), end=dt.date(2020, 1, 6)
    )
    assert [(f.date, f.side, f.quantity) for f in r.fills] == [(dt.date(2020, 1, 2), "BUY", 99)]
    # ⌊10 000 / (100·1.001 + 0.01)⌋ = 99
    assert r.snapshots[-1].equity == D("10000") - 99 * D("100.100") - D("0.99") + 99 * D("90")
    assert r.params == {"symbol": "QQQ", "weight": D("1.0")}
    assert ENGINE_VERSION == "1"


def test_symbol_gap_keeps_previous_price() -> None:
    market = MarketData.from_frames(
        {
            "AAA": frame(["2020-01-02", "2020-01-03", "2020-01-06"], [10, 11, 12]),
            "BBB": frame(["2020-01-02", "2020-01-06"], [20, 22]),
            "CCC": frame(["2020-01-02", "2020-01-03", "2020-01-06"], [5, 5, 5]),
        }
    )
    r = run_backtest(
        Rotate(RotateParams(warmup=0)), market, start=dt.date(2020, 1, 2), end=dt.date(2020, 1, 6)
    )
    assert r.snapshots[1].prices["BBB"] == D("20")
    assert r.snapshots[2].prices["BBB"] == D("22")


def test_bad_ranges_and_data() -> None:
    market = market3()
    strategy = Rotate(RotateParams())
    with pytest.raises(BacktestError, match="before start"):
        run_backtest(strategy, market, start=dt.date(2020, 3, 1), end=dt.date(2020, 2, 1))
    with pytest.raises(BacktestError, match="ends on"):
        run_backtest(strategy, market, start=dt.date(2030, 1, 1), end=dt.date(2030, 2, 1))
    with pytest.raises(BacktestError, match="no trading dates"):
        run_backtest(strategy, market, start=dt.date(2020, 1, 4), end=dt.date(2020, 1, 5))  # a weekend
    with pytest.raises(BacktestError, match="QQQ"):
        run_backtest(
            BuyAndHold(BuyAndHoldParams()), market, start=dt.date(2020, 1, 1), end=dt.date(2020, 3, 1)
        )
    with pytest.raises(BacktestError, match="initial capital"):
        run_backtest(
            strategy, market, start=dt.date(2020, 1, 1), end=dt.date(2020, 3, 1), initial_capital=D(0)
        )


class Broken(Rotate):
    strategy_id = "broken"
    mode: ClassVar[str] = "raise"

    def decide(self, ctx: BarContext) -> Decision:
        if ctx.date >= dt.date(2020, 1, 10):
            if self.mode == "raise":
                raise ZeroDivisionError("boom")
            if self.mode == "weight":
                return Decision(weights={"AAA": D("1.5")}, trade=("AAA",))
            if self.mode == "symbol":
                return Decision(weights={"ZZZ": D("0.5")}, trade=("ZZZ",))
            ctx.history("ZZZ")
        return super().decide(ctx)


@pytest.mark.parametrize(
    ("mode", "message"), [("raise", "boom"), ("weight", r"\[0, 1\]"), ("symbol", "ZZZ"), ("history", "ZZZ")]
)
def test_strategy_errors_are_wrapped_with_name_and_date(mode: str, message: str) -> None:
    class B(Broken):
        pass

    B.mode = mode
    market = market3()
    with pytest.raises(StrategyError, match=rf"broken failed on 2020-01-10.*{message}"):
        run_backtest(B(RotateParams(warmup=0)), market, start=market.dates[0], end=market.dates[-1])


class Peek(Strategy[RotateParams]):
    """Records what the context exposes, and tries to write to it."""

    strategy_id = "peek"
    display_name = "Peek"
    Params = RotateParams

    def reset(self) -> None:
        self.calls = 0
        self.lengths: list[tuple[int, int]] = []

    def symbols(self) -> tuple[str, ...]:
        return ("AAA",)

    def warmup_bars(self) -> int:
        return 0

    def decide(self, ctx: BarContext) -> Decision:
        h = ctx.history("AAA")
        sma = ctx.indicator("AAA", "close", _calls, 3)
        self.lengths.append((len(h), sma.shape[0]))
        assert h.close[-1] == float(ctx.portfolio.last_price("AAA") or 0)
        assert h.dates[-1] == np.datetime64(ctx.date, "D")
        with pytest.raises(ValueError, match="read-only"):
            h.close[0] = 1.0
        with pytest.raises(ValueError, match="read-only"):
            sma[-1] = 1.0
        return Decision.hold({}, {})


CALLS: list[int] = []


def _calls(x: FloatArray, n: int) -> FloatArray:
    CALLS.append(n)
    return np.asarray(pd.Series(x).rolling(n).mean().to_numpy(), dtype=np.float64)


def test_context_views_are_cut_read_only_and_indicators_cached() -> None:
    market = MarketData.from_frames({"AAA": walk(30, 7)})
    cache = IndicatorCache()
    CALLS.clear()
    s = Peek(RotateParams())
    run_backtest(s, market, start=market.dates[0], end=market.dates[-1], indicator_cache=cache)
    assert s.lengths == [(i, i) for i in range(1, 31)]
    assert CALLS == [3]  # computed once per run...
    run_backtest(
        Peek(RotateParams()), market, start=market.dates[0], end=market.dates[-1], indicator_cache=cache
    )
    assert CALLS == [3] and cache.hits >= 1  # ...and reused by the next run on the same data
