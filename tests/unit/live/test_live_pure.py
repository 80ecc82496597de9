"""Pure parts of the live pipeline: sizing, threshold, sells before buys, slippage levels, ids,
today's in-memory bar and the incremental replay (against the backtest engine itself)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from jutsu.core.costs import CostModel
from jutsu.core.market import MarketData, SymbolSeries
from jutsu.errors import DataError
from jutsu.live.config import ExecutionLimits
from jutsu.live.orders import (
    SimBook,
    client_order_id,
    execution_id_for,
    order_sequence,
    passes_threshold,
    plan_orders,
    size_order,
)
from jutsu.live.safety import slippage_level, slippage_pct
from jutsu.live.targets import quote_bar, with_today_bar

D = Decimal
NO_COSTS = CostModel(commission_per_share=D(0), slippage=D(0))


def test_size_order_floors_whole_shares_toward_target() -> None:
    # 50 % of 10 000 at 30 → 166.67 → 166 shares, never rounded up
    assert size_order(D("0.5"), 0, D(30), D(10000), D(10000), NO_COSTS) == 166
    # already above the target: sell down
    assert size_order(D("0.1"), 100, D(30), D(10000), D(7000), NO_COSTS) == -66
    assert size_order(D(0), 40, D(30), D(10000), D(8800), NO_COSTS) == -40


def test_threshold_keeps_only_orders_worth_the_percentage() -> None:
    assert passes_threshold(10, D(50), D(10000), D(5)) is True  # 500 >= 500
    assert passes_threshold(9, D(50), D(10000), D(5)) is False
    assert passes_threshold(-9, D(50), D(10000), D(5)) is False
    assert passes_threshold(1, D(1), D(10000), D(0)) is True  # paper: no threshold


def test_sells_come_before_buys_and_plan_simulates_fills() -> None:
    prices = {"AAA": D(100), "BBB": D(50)}
    book = SimBook(D(0), {"AAA": 100})
    weights = {"AAA": D(0), "BBB": D("0.9")}
    assert order_sequence(("BBB", "AAA"), weights, book, prices, NO_COSTS) == ["AAA", "BBB"]
    planned = plan_orders(("BBB", "AAA"), weights, book, prices, NO_COSTS, D(5))
    assert [(p.side, p.symbol, p.quantity) for p in planned] == [("SELL", "AAA", 100), ("BUY", "BBB", 180)]
    assert book.positions == {"AAA": 100}  # the caller's book is not moved
    small = plan_orders(("AAA",), {"AAA": D("0.98")}, book, prices, NO_COSTS, D(5))
    assert small == [] or all(p.below_threshold for p in small)


@pytest.mark.parametrize(
    ("fill", "level"),
    [("100.29", "ok"), ("100.30", "warning"), ("99.70", "warning"), ("100.50", "max"), ("101.00", "abort"),
     ("98.99", "abort")],
)  # fmt: skip
def test_slippage_levels_warn_at_0_3_and_abort_at_1_percent(fill: str, level: str) -> None:
    pct, got = slippage_level(D(100), D(fill), ExecutionLimits())
    assert got == level
    assert pct == abs(D(fill) - 100)


def test_slippage_pct_of_zero_reference_is_zero() -> None:
    assert slippage_pct(D(0), D(5)) == 0


def test_ids_are_deterministic_per_strategy_mode_session_trigger() -> None:
    day = dt.date(2024, 3, 1)
    a = execution_id_for("v3_5b", "paper", day)
    assert a == execution_id_for("v3_5b", "paper", day)
    assert (
        len({a, execution_id_for("v3_5b", "live", day), execution_id_for("v3_5b", "paper", day, "manual")})
        == 3
    )
    assert (
        client_order_id(a, "QQQ", "BUY") == f"{a}:QQQ:BUY" and len(client_order_id(a, "TQQQ", "SELL")) <= 64
    )


def _series(symbol: str, closes: list[float]) -> SymbolSeries:
    dates = np.array([np.datetime64("2024-01-02") + i for i in range(len(closes))], dtype="datetime64[D]")
    arr = np.array(closes, dtype=np.float64)
    return SymbolSeries(
        symbol, dates, arr, arr, arr, arr, np.ones_like(arr), tuple(D(str(c)) for c in closes)
    )


def test_today_bar_is_the_quote_with_zero_volume() -> None:
    market = MarketData(series={"QQQ": _series("QQQ", [1.0, 2.0])})
    today = dt.date(2024, 1, 10)
    out = with_today_bar(market, today, {"QQQ": D("3.5")}, quote_bar)
    s = out.series["QQQ"]
    assert s.dates[-1] == np.datetime64(today) and s.close_dec[-1] == D("3.5")
    assert (s.open[-1], s.high[-1], s.low[-1], s.close[-1], s.volume[-1]) == (3.5, 3.5, 3.5, 3.5, 0.0)
    with pytest.raises(DataError, match="no quote for QQQ"):
        with_today_bar(market, today, {}, quote_bar)
    with pytest.raises(DataError, match="already has a bar"):
        with_today_bar(market, dt.date(2024, 1, 3), {"QQQ": D(1)}, quote_bar)
