"""§5 sizing examples from the reference run, §6 costs, §7 ledger rejections."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jutsu.core.costs import CostModel
from jutsu.core.portfolio import DuplicateFillError, Portfolio
from jutsu.core.rebalance import plan_rebalance
from jutsu.core.result import Fill
from jutsu.core.sizing import order_quantity
from jutsu.errors import BacktestError, ConfigError

D = Decimal
COSTS = CostModel()
DAY = dt.date(2020, 1, 2)


def test_new_position_86_qqq() -> None:
    # 86 QQQ = ⌊4000 / 46.41636⌋: 40 % of 10 000 at P = 46.36 → P·1.001 + 0.01 = 46.41636
    assert D("46.36") * D("1.001") + D("0.01") == D("46.41636")
    assert order_quantity(D("0.4"), 0, D("46.36"), D("10000"), D("10000"), COSTS) == 86


def test_increase_capped_by_cash_16271_tqqq() -> None:
    # TQQQ to 60 % of 9 698.05 with 3 910.52 cash at 0.230104 → ⌊3 910.52 / 0.240334⌋ = 16 271
    price, equity, cash = D("0.230104"), D("9698.05"), D("3910.52")
    held = 1000  # a small existing position: the rebalance path (q ≠ 0)
    assert price * D("1.001") + D("0.01") == D("0.240334104")
    n = order_quantity(D("0.6"), held, price, equity, cash, COSTS)
    assert n == int(cash / (price * D("1.001") + D("0.01"))) == 16271


def test_reduction_minus_16894_tqqq() -> None:
    # from 63.9 % to 20 % of 11 903.66 at 0.3098959 → trunc(−5 230.3 / 0.309586) = −16 894
    price, equity = D("0.3098959"), D("11903.66")
    held = 24560  # 24 560 × 0.3098959 / 11 903.66 = 63.94 %
    assert (held * price / equity).quantize(D("0.001")) == D("0.639")
    amount = equity * (D("0.2") - held * price / equity)
    assert amount.quantize(D("0.1")) == D("-5230.3")
    assert (price * D("0.999")).quantize(D("0.000001")) == D("0.309586")
    n = order_quantity(D("0.2"), held, price, equity, D("4000"), COSTS)
    assert n == -16894


def test_close_and_noop() -> None:
    assert order_quantity(D(0), 120, D("10"), D("2000"), D("800"), COSTS) == -120
    assert order_quantity(D(0), 0, D("10"), D("2000"), D("800"), COSTS) == 0
    # already at target: |n| < 1 → nothing
    assert order_quantity(D("0.5"), 100, D("10"), D("2000"), D("1000"), COSTS) == 0
    # no cash for a new position
    assert order_quantity(D("1"), 0, D("10"), D("1000"), D("0"), COSTS) == 0


def test_sizing_rejects_shorts() -> None:
    with pytest.raises(BacktestError, match="short"):
        order_quantity(D("0.5"), -10, D("10"), D("1000"), D("1000"), COSTS)


def test_cost_model_prices_and_validation() -> None:
    c = CostModel(commission_per_share=D("0.01"), slippage=D("0.001"))
    assert c.buy_price(D("100")) == D("100.100")
    assert c.sell_price(D("100")) == D("99.900")
    assert c.commission(-250) == D("2.50")
    with pytest.raises(ConfigError, match="commission_per_share"):
        CostModel(commission_per_share=D("-0.01"))
    with pytest.raises(ConfigError, match="slippage"):
        CostModel(slippage=D("-0.1"))
    with pytest.raises(ConfigError, match="slippage"):
        CostModel(slippage=D("1"))
    with pytest.raises(ConfigError):
        CostModel(slippage=D("NaN"))


def test_ledger_cash_moves_only_through_fills() -> None:
    p = Portfolio(D("10000"))
    buy = p.execute(DAY, "QQQ", 86, D("46.36"), COSTS)
    assert buy is not None and buy.price == D("46.40636") and buy.commission == D("0.86")
    assert p.cash == D("10000") - 86 * D("46.40636") - D("0.86")
    sell = p.execute(DAY, "QQQ", -36, D("50"), COSTS)
    assert sell is not None and sell.side == "SELL" and sell.price == D("49.950")
    assert p.cash == D("10000") - 86 * D("46.40636") - D("0.86") + 36 * D("49.950") - D("0.36")
    assert p.quantity("QQQ") == 50
    pos = p.position("QQQ")
    assert pos is not None and pos.avg_price == D("46.40636")
    assert p.equity({"QQQ": D("51")}) == p.cash + 50 * D("51")
    p.execute(DAY, "QQQ", -50, D("50"), COSTS)
    assert p.quantities == {} and p.position("QQQ") is None


def test_ledger_rejections() -> None:
    p = Portfolio(D("1000"))
    # buy costing more than the cash: rejected, nothing changes
    assert p.execute(DAY, "QQQ", 100, D("10"), COSTS) is None
    assert p.cash == D("1000") and p.quantities == {}
    assert p.execute(DAY, "QQQ", 50, D("10"), COSTS) is not None
    cash = p.cash
    # selling more than held would flip to short: rejected
    assert p.execute(DAY, "QQQ", -51, D("10"), COSTS) is None
    assert p.cash == cash and p.quantity("QQQ") == 50
    # selling while flat would open a short: not supported, loud
    with pytest.raises(BacktestError, match="short"):
        p.execute(DAY, "SPY", -1, D("10"), COSTS)


def test_fill_ids_are_applied_once() -> None:
    p = Portfolio(D("1000"))
    fill = Fill(DAY, "QQQ", "BUY", 10, D("10"), D("0.1"))
    p.apply_fill("broker-1", fill)
    with pytest.raises(DuplicateFillError):
        p.apply_fill("broker-1", fill)
    assert p.quantity("QQQ") == 10 and p.cash == D("899.9")


def test_average_cost_on_buys() -> None:
    p = Portfolio(D("10000"))
    p.apply_fill("a", Fill(DAY, "X", "BUY", 10, D("10"), D(0)))
    p.apply_fill("b", Fill(DAY, "X", "BUY", 30, D("14"), D(0)))
    pos = p.position("X")
    assert pos is not None and pos.avg_price == D("13") and pos.quantity == 40


def test_plan_rebalance_order() -> None:
    current = {"TQQQ": D("0.6"), "QQQ": D("0.2"), "TMF": D("0.1")}
    target = {"QQQ": D("0.5"), "PSQ": D("0.1"), "TMF": D("0.1")}
    assert plan_rebalance(target, current, D("0.02")) == ("TQQQ", "PSQ", "QQQ")
    assert plan_rebalance(target, current, D("0.4")) == ("TQQQ",)
    assert plan_rebalance({}, {}) == ()
