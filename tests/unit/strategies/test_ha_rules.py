"""Regime and allocation rules of Hierarchical Adaptive v3.5b/v3.5d, one rule per test (spec §4–§9, §13)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from jutsu.strategies.allocation import (
    Allocation,
    apply_leverage,
    base_weights,
    deviation,
    order_plan,
    treasury_overlay,
    validate_targets,
)
from jutsu.strategies.regime import (
    Cell1ExitConfirmation,
    Trend,
    Vol,
    cell_of,
    classify_trend,
    next_vol_state,
    vol_crush_triggered,
)

UP, LO = D("1.0"), D("0.2")
BULL, BEAR = D("0.05"), D("-0.3")


@pytest.mark.parametrize(
    ("prev", "z", "expected"),
    [
        (Vol.LOW, 1.0000001, Vol.HIGH),
        (Vol.HIGH, 0.1999999, Vol.LOW),
        (Vol.LOW, 1.0, Vol.LOW),  # upper bound is inside the deadband
        (Vol.HIGH, 1.0, Vol.HIGH),
        (Vol.HIGH, 0.2, Vol.HIGH),  # lower bound too
        (Vol.LOW, 0.2, Vol.LOW),
        (Vol.HIGH, 0.5, Vol.HIGH),
        (Vol.LOW, 0.5, Vol.LOW),
    ],
)
def test_vol_hysteresis(prev: Vol, z: float, expected: Vol) -> None:
    assert next_vol_state(prev, z, UP, LO) is expected


def test_decimal_comparison_uses_shortest_repr() -> None:
    # 0.1 + 0.2 = 0.30000000000000004 > 0.3 as a decimal string, and 0.2 is exactly the bound
    assert next_vol_state(Vol.LOW, 0.1 + 0.2, D("0.3"), D("0.0")) is Vol.HIGH
    assert next_vol_state(Vol.HIGH, 0.2, D("1.0"), D("0.2")) is Vol.HIGH


def test_vol_crush_is_strict_and_nan_safe() -> None:
    assert vol_crush_triggered(-0.1566, D("-0.15"))
    assert not vol_crush_triggered(-0.15, D("-0.15"))
    assert not vol_crush_triggered(-0.031, D("-0.15"))
    assert not vol_crush_triggered(float("nan"), D("-0.15"))


@pytest.mark.parametrize(
    ("t", "fast", "slow", "expected"),
    [
        (1.0, 44.7, 41.4, Trend.BULL_STRONG),
        (0.05, 44.7, 41.4, Trend.SIDEWAYS),  # not strictly above bull
        (1.0, 41.4, 41.4, Trend.SIDEWAYS),  # structure needs strict >
        (-1.0, 44.9, 42.7, Trend.SIDEWAYS),  # 2010-02-11: momentum bear, structure bull
        (-1.0, 42.0, 42.0, Trend.BEAR_STRONG),  # tie counts as not structurally bull
        (-0.3, 40.0, 42.0, Trend.SIDEWAYS),
    ],
)
def test_trend_classification(t: float, fast: float, slow: float, expected: Trend) -> None:
    assert classify_trend(t, fast, slow, BULL, BEAR) is expected


def test_cells() -> None:
    cells = {(t, v): cell_of(t, v) for t in Trend for v in Vol}
    assert cells == {
        (Trend.BULL_STRONG, Vol.LOW): 1,
        (Trend.BULL_STRONG, Vol.HIGH): 2,
        (Trend.SIDEWAYS, Vol.LOW): 3,
        (Trend.SIDEWAYS, Vol.HIGH): 4,
        (Trend.BEAR_STRONG, Vol.LOW): 5,
        (Trend.BEAR_STRONG, Vol.HIGH): 6,
    }


def test_base_weights_table() -> None:
    half, psq_cap = D("0.5"), D("0.5")
    assert base_weights(1, False, psq_cap) == Allocation(D("0.6"), D("0.4"))
    assert base_weights(2, False, psq_cap) == Allocation(core=D(1))
    assert base_weights(3, False, psq_cap) == Allocation(D("0.2"), D("0.8"))
    assert base_weights(4, False, psq_cap).cash == 1
    assert base_weights(5, False, psq_cap) == Allocation(core=half)
    assert base_weights(6, False, psq_cap).cash == 1
    assert base_weights(6, True, D("0.3")) == Allocation(inverse=D("0.3"))
    assert base_weights(6, True, D("0.9")) == Allocation(inverse=half)  # w_PSQ_max > 0.5: no effect


@pytest.mark.parametrize(
    ("cell", "bull", "expected"),
    [
        (4, True, Allocation(bull_bond=D("0.4"))),
        (4, False, Allocation(bear_bond=D("0.4"))),
        (5, True, Allocation(core=D("0.5"), bull_bond=D("0.2"))),
        (6, False, Allocation(bear_bond=D("0.4"))),
        (4, None, Allocation()),  # too little TLT history: all cash
    ],
)
def test_treasury_overlay(cell: int, bull: bool | None, expected: Allocation) -> None:
    got = treasury_overlay(base_weights(cell, False, D("0.5")), cell, False, bull, D("0.4"))
    assert got == expected
    if cell == 5 and bull:
        assert got.cash == D("0.3")


def test_treasury_overlay_cells_without_bonds() -> None:
    for cell in (1, 2, 3):
        w = base_weights(cell, False, D("0.5"))
        assert treasury_overlay(w, cell, False, True, D("0.4")) == w
    hedged = base_weights(6, True, D("0.5"))
    assert treasury_overlay(hedged, 6, True, True, D("0.4")) == hedged  # PSQ takes precedence
    # max_bond_weight caps the 0.4 * D bond weight; the 0.4 factor itself is fixed
    assert treasury_overlay(Allocation(), 4, False, True, D("0.25")).bull_bond == D("0.25")
    assert treasury_overlay(Allocation(), 4, False, True, D("1.0")).bull_bond == D("0.4")


def test_leverage_scalar_only_tilts_cells_with_cash_or_bonds_beside_equity() -> None:
    s = D("1.5")
    for cell in (1, 2, 3):
        w = base_weights(cell, False, D("0.5"))
        assert apply_leverage(w, s) == w
    c4 = Allocation(bear_bond=D("0.4"))
    assert apply_leverage(c4, s) == c4
    c5 = apply_leverage(Allocation(core=D("0.5"), bull_bond=D("0.2")), s)
    assert c5.core == pytest.approx(D("1.5") / D("2.5"))
    assert c5.bull_bond == pytest.approx(D("0.2") / D("1.25"))
    assert sum(c5) + c5.cash == pytest.approx(D(1))
    c6 = apply_leverage(Allocation(inverse=D("0.5")), D("0.5"))
    assert c6.inverse == pytest.approx(D("0.25") / D("0.75"))


def test_deviation_excludes_cash() -> None:
    assert deviation(Allocation(), Allocation(D("0.6"), D("0.4"))) == D("1.0")
    assert deviation(Allocation(core=D("0.8")), Allocation(bear_bond=D("0.4"))) == D("1.2")


def test_validation_drops_unpriced_and_unaffordable_targets() -> None:
    target = Allocation(D("0.6"), D("0.4"), D(0), D("0.3"), D("0.1"))
    prices = [None, D("46.36"), D("495"), D("0"), D("834.125")]
    got = validate_targets(target, D("10000"), prices)
    # TQQQ: no price yet; PSQ: target 0; TMF: price 0; TMV: 0.1 * 10000 = 1000 >= 834.125
    assert got == Allocation(D(0), D("0.4"), D(0), D(0), D("0.1"))
    assert validate_targets(Allocation(bear_bond=D("0.05")), D("10000"), [None] * 4 + [D("834.125")]) == (
        Allocation()
    )


def test_order_plan_reductions_first_in_role_order() -> None:
    cur = Allocation(D(0), D("0.8"), D(0), D(0), D(0))
    # 2010-02-23: close TMV (not held here), buy TQQQ to 20 %, QQQ to 80 % — QQQ unchanged: no order
    assert order_plan(Allocation(bear_bond=D("0.4")), Allocation(D("0.2"), D("0.8"))) == (4, 0, 1)
    # 2010-02-25: QQQ 80 % -> 40 % (reduction) before TQQQ 20 % -> 60 %
    assert order_plan(Allocation(D("0.2"), D("0.8")), Allocation(D("0.6"), D("0.4"))) == (1, 0)
    assert order_plan(cur, cur) == ()
    assert order_plan(cur, Allocation(bull_bond=D("0.4"))) == (1, 3)


def _run(seq: list[tuple[Trend, float]], days: int, enabled: bool = True) -> list[Trend]:
    rule = Cell1ExitConfirmation(enabled=enabled, days=days)
    prev: int | None = None
    out = []
    for raw, t in seq:
        trend = rule.apply(raw, prev, t, BULL)
        prev = cell_of(trend, Vol.LOW)
        out.append(trend)
    return out


def test_cell1_exit_confirmation_spec_illustration() -> None:
    b, s = Trend.BULL_STRONG, Trend.SIDEWAYS
    assert _run([(b, 0.5), (s, 0.03), (s, 0.01)], 2) == [b, b, s]
    assert _run([(b, 0.5), (s, 0.03), (b, 0.08), (s, 0.03), (s, 0.02)], 2) == [b, b, b, b, s]


def test_cell1_exit_confirmation_edges() -> None:
    b, s, r = Trend.BULL_STRONG, Trend.SIDEWAYS, Trend.BEAR_STRONG
    assert _run([(b, 0.5), (r, -0.5)], 3) == [b, r]  # BearStrong exits at once
    assert _run([(b, 0.5), (s, 0.05)], 3) == [b, s]  # T_norm == bull: not below, exits at once
    assert _run([(b, 0.5), (s, 0.5)], 3) == [b, s]  # structure broke with strong momentum
    seq = [(b, 0.5), (s, 0.01), (s, 0.0), (s, -0.1)]
    assert _run(seq, 1) == [b, s, s, s]  # N = 1 behaves like v3.5b
    assert _run(seq, 2, enabled=False) == [b, s, s, s]
    assert _run(seq, 3) == [b, b, b, s]


def test_cell1_confirmation_counter_resets_when_vol_turns_high() -> None:
    rule = Cell1ExitConfirmation(enabled=True, days=3)
    assert rule.apply(Trend.SIDEWAYS, 1, 0.01, BULL) is Trend.BULL_STRONG
    assert rule.pending == 1
    # held BullStrong but vol High -> cell 2; next bar prev_cell = 2: counter resets, raw applies
    assert rule.apply(Trend.SIDEWAYS, 2, 0.01, BULL) is Trend.SIDEWAYS
    assert rule.pending == 0


def test_compare_matches_decimal_string_comparison() -> None:
    from jutsu.strategies.regime import compare, to_decimal

    cases = [(0.2, D("0.2")), (0.1 + 0.2, D("0.3")), (0.2, D("0.20000000000000000001")), (-0.15, D("-0.15"))]
    cases += [(x / 7, D("0.05")) for x in range(-10, 10)]
    for value, threshold in cases:
        d = to_decimal(value)
        assert compare(value, threshold) == (d > threshold) - (d < threshold), (value, threshold)
