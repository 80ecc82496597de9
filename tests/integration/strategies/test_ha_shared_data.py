"""Hierarchical Adaptive v3.5b/v3.5d on the shared real prices (spec §14, §15, ledger invariant)."""

from __future__ import annotations

import datetime as dt
import functools
import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from ha_data import SIX, bar_frame, six_symbols

from jutsu.core.engine import run_backtest
from jutsu.core.market import MarketData
from jutsu.core.result import BacktestResult
from jutsu.strategies.hierarchical_adaptive import (
    HierarchicalAdaptiveV35b,
    HierarchicalAdaptiveV35bParams,
    HierarchicalAdaptiveV35d,
    HierarchicalAdaptiveV35dParams,
)

REFERENCE = {
    "measurement_noise": 3000.0,
    "osc_smoothness": 10,
    "symmetric_volume_adjustment": True,
    "t_norm_bull_thresh": 0.05,
    "vol_baseline_window": 200,
}
START, END = dt.date(2010, 1, 1), dt.date(2025, 6, 27)


@functools.cache
def reference_window_market() -> MarketData:
    """Data from 2009-02-26, the reference run's first data day (spec §11.2, 1.4 × rule)."""
    frames = {s: bar_frame(s) for s in SIX}
    cut = pd.Timestamp("2009-02-26")
    return MarketData.from_frames({s: f[f["date"] >= cut].reset_index(drop=True) for s, f in frames.items()})


@functools.cache
def reference_window_run() -> BacktestResult:
    strat = HierarchicalAdaptiveV35b(HierarchicalAdaptiveV35bParams(**REFERENCE))  # type: ignore[arg-type]
    return run_backtest(strat, reference_window_market(), start=START, end=END)


@functools.cache
def full_run(cls: type = HierarchicalAdaptiveV35b, **extra: object) -> BacktestResult:
    strat = cls(cls.Params(**REFERENCE, **extra))
    return run_backtest(strat, six_symbols(), start=START, end=END)


def _day(result: BacktestResult, date: str) -> object:
    d = dt.date.fromisoformat(date)
    return next(x for x in result.decisions if x.date == d)


def test_worked_example_first_evaluated_day() -> None:
    r = reference_window_run()
    for date in ("2010-01-04", "2010-01-08"):
        j = _day(r, date).journal  # type: ignore[attr-defined]
        assert (j["cell"], j["trend_state"], j["vol_state"]) == (3, "Sideways", "Low")
        assert j["sma_fast"] is None and j["z_score"] is None
    d = _day(r, "2010-01-11")
    j = d.journal  # type: ignore[attr-defined]
    assert j["cell"] == 1 and j["trend_state"] == "BullStrong" and j["vol_state"] == "Low"
    assert j["sma_fast"] == pytest.approx(44.728875, abs=1e-6)
    assert j["sma_slow"] == pytest.approx(41.460250, abs=1e-6)  # shared QQQ file value (§14)
    assert j["z_score"] == pytest.approx(-1.250976, abs=1e-6)
    assert j["vol_crush"] == 0.0
    assert d.traded == ("QQQ",) and d.weights["TQQQ"] == 0  # type: ignore[attr-defined]
    fill = r.fills[0]
    assert (fill.date, fill.symbol, fill.side, fill.quantity) == (dt.date(2010, 1, 11), "QQQ", "BUY", 86)
    assert fill.price == Decimal("46.40636") and fill.commission == Decimal("0.86")
    snap = next(s for s in r.snapshots if s.date == dt.date(2010, 1, 11))
    assert snap.cash == Decimal("6008.19304")


def test_worked_example_february_2010() -> None:
    r = reference_window_run()
    spike = _day(r, "2010-02-11")
    j = spike.journal  # type: ignore[attr-defined]
    assert (
        j["vol_state"] == "High" and j["z_score"] > 1.0 and j["trend_state"] == "Sideways" and j["cell"] == 4
    )
    assert j["bond_trend"] is None  # the shared TLT file starts 2010-01-04: < 60 closes -> cash
    assert spike.traded == ("QQQ",) and spike.weights["QQQ"] == 0  # type: ignore[attr-defined]
    crush = _day(r, "2010-02-23")
    j = crush.journal  # type: ignore[attr-defined]
    assert j["vol_crush"] == 1.0 and j["vol_state"] == "Low" and j["cell"] == 3
    assert 0.2 <= j["z_score"] <= 1.0  # deadband: only the crush forced Low
    assert crush.traded == ("TQQQ", "QQQ")  # type: ignore[attr-defined]
    # with the shared QQQ file the cell-1 re-entry comes on 2010-03-02 (spec §14)
    assert _day(r, "2010-03-01").journal["cell"] == 3  # type: ignore[attr-defined]
    reentry = _day(r, "2010-03-02")
    assert reentry.journal["cell"] == 1  # type: ignore[attr-defined]
    assert reentry.traded == ("QQQ", "TQQQ")  # type: ignore[attr-defined]
    sides = [(f.symbol, f.side) for f in r.fills if f.date == dt.date(2010, 3, 2)]
    assert sides == [("QQQ", "SELL"), ("TQQQ", "BUY")]


def test_indicators_match_independent_computation_every_day() -> None:
    """§15 first check: SMAs, z-score, vol-crush flag and vol state on every evaluated day."""
    r = reference_window_run()
    qqq = bar_frame("QQQ")
    qqq = qqq[qqq["date"] >= pd.Timestamp("2009-02-26")]
    close = pd.Series([float(c) for c in qqq["close"]], index=[d.date() for d in qqq["date"]])
    sma40, sma140 = close.rolling(40).mean(), close.rolling(140).mean()
    sigma = np.log(close).diff().rolling(21).std() * math.sqrt(252)
    z = (sigma - sigma.rolling(200).mean()) / sigma.rolling(200).std()
    crush = (sigma - sigma.shift(5)) / sigma.shift(5) < -0.15
    vol = "Low"
    checked = 0
    evaluated = [d for d in r.decisions if d.journal["z_score"] is not None]
    assert evaluated[0].date == dt.date(2010, 1, 11)
    for d in evaluated:
        j = d.journal
        assert j["sma_fast"] == pytest.approx(sma40[d.date], rel=1e-12)
        assert j["sma_slow"] == pytest.approx(sma140[d.date], rel=1e-12)
        assert j["z_score"] == pytest.approx(z[d.date], rel=1e-7, abs=1e-9)
        assert j["vol_crush"] == (1.0 if crush[d.date] else 0.0)
        if z[d.date] > 1.0:
            vol = "High"
        elif z[d.date] < 0.2:
            vol = "Low"
        if crush[d.date]:
            vol = "Low"
        assert j["vol_state"] == vol, d.date
        checked += 1
    assert checked > 3800


def test_rebalances_and_bond_choice_follow_the_rules() -> None:
    """§15: trades only on target changes; TMF/TMV choice follows the reported bond SMAs."""
    r = reference_window_run()
    by_date = {d.date: d for d in r.decisions}
    for fill in r.fills:
        decision = by_date[fill.date]
        assert fill.symbol in decision.traded
        if fill.side == "BUY" and fill.symbol in ("TMF", "TMV"):
            j = decision.journal
            assert j["bond_trend"] == ("Bull" if fill.symbol == "TMF" else "Bear")
            assert (j["bond_sma_fast"] > j["bond_sma_slow"]) == (fill.symbol == "TMF")  # type: ignore[operator]
    assert not any(f.symbol == "PSQ" for f in r.fills)  # no inverse hedge in the reference config
    assert any(f.symbol == "TMF" for f in r.fills) and any(f.symbol == "TMV" for f in r.fills)


def _check_ledger(result: BacktestResult) -> None:
    for snap in result.snapshots:
        held = sum((q * snap.prices[s] for s, q in snap.positions.items()), Decimal(0))
        assert snap.equity == snap.cash + held, snap.date
        assert snap.cash >= 0, snap.date
        assert all(q > 0 for q in snap.positions.values()), snap.date


def test_full_run_2010_2025_ledger_invariant_every_date() -> None:
    r = full_run()
    assert r.snapshots[0].date == dt.date(2010, 1, 4) and r.snapshots[-1].date == END
    qqq_days = [d for d in bar_frame("QQQ")["date"] if START <= d.date() <= END]
    assert len(r.snapshots) == len(r.decisions) == len(qqq_days)
    _check_ledger(r)
    assert {d.journal["cell"] for d in r.decisions} <= {1, 2, 3, 4, 5, 6}
    tqqq_first = min(f.date for f in r.fills if f.symbol == "TQQQ")
    assert tqqq_first >= dt.date(2010, 2, 11)  # degraded to 0 while TQQQ had no history
    for d in r.decisions:
        assert sum(d.weights.values(), Decimal(0)) <= 1


def test_truncated_data_gives_identical_decisions() -> None:
    cut = dt.date(2013, 6, 28)
    strat = HierarchicalAdaptiveV35b(HierarchicalAdaptiveV35bParams(**REFERENCE))  # type: ignore[arg-type]
    market = six_symbols()
    truncated = market.window(market.dates[0], cut)
    short = run_backtest(strat, truncated, start=START, end=cut)
    full = full_run()
    n = len(short.decisions)
    assert short.decisions == full.decisions[:n]
    assert short.fills == tuple(f for f in full.fills if f.date <= cut)


def test_v3_5d_holds_cell_1_and_otherwise_matches_v3_5b() -> None:
    b = full_run()
    d = full_run(HierarchicalAdaptiveV35d, cell1_exit_confirmation_enabled=True)
    _check_ledger(d)
    held = 0
    for x, y in zip(b.decisions, d.decisions, strict=True):
        assert x.journal["vol_state"] == y.journal["vol_state"]  # the rule never touches vol
        if x.journal["cell"] != y.journal["cell"]:
            held += 1
            assert y.journal["trend_state"] == "BullStrong" and x.journal["trend_state"] == "Sideways"
    assert held > 0
    one = full_run(
        HierarchicalAdaptiveV35d, cell1_exit_confirmation_enabled=True, cell1_exit_confirmation_days=1
    )
    assert [x.journal["cell"] for x in one.decisions] == [x.journal["cell"] for x in b.decisions]
    assert one.fills == b.fills
    assert isinstance(HierarchicalAdaptiveV35dParams().cell1_exit_confirmation_days, int)
