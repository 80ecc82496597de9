from __future__ import annotations

from decimal import Decimal

from jutsu.eod.trades import FillRow, fifo_round_trips


def test_sell_consumes_oldest_lots_first_net_of_commissions() -> None:
    fills = [
        FillRow("QQQ", "BUY", 10, Decimal("100"), Decimal("1")),
        FillRow("QQQ", "BUY", 10, Decimal("120"), Decimal("0")),
        FillRow("QQQ", "SELL", 15, Decimal("110"), Decimal("1.5")),
    ]
    stats = fifo_round_trips(fills)
    # lot 1: (110-100)*10 - 1 (buy) - 1.0 (10/15 of the sell commission) = 98
    # lot 2: (110-120)*5 - 0 - 0.5 = -50.5
    assert stats.pnls == (Decimal("98.0"), Decimal("-50.5"))
    assert (stats.total, stats.winning, stats.losing) == (2, 1, 1)
    assert stats.win_rate == Decimal("0.5")


def test_sell_without_lots_is_not_a_round_trip() -> None:
    assert fifo_round_trips([FillRow("TQQQ", "SELL", 3, Decimal("50"))]).total == 0
