"""Hierarchical Adaptive v3.5b/v3.5d on tiny synthetic frames through the real engine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

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
TINY = {
    "sma_fast": 2,
    "sma_slow": 4,
    "realized_vol_window": 2,
    "vol_baseline_window": 3,
    "osc_smoothness": 2,
    "strength_smoothness": 2,
    "bond_sma_fast": 2,
    "bond_sma_slow": 3,
    "t_norm_bull_thresh": 0.05,
    # rounding noise makes the vol z-score of a smooth tiny series meaningless: keep vol Low
    "upper_thresh_z": 9.9,
    "lower_thresh_z": 9.8,
}
JOURNAL_HEAD = (
    "cell",
    "trend_state",
    "vol_state",
    "t_norm",
    "sma_fast",
    "sma_slow",
    "z_score",
    "vol_crush",
    "bond_trend",
)


def test_defaults_are_the_constructor_defaults_of_the_spec() -> None:
    p = HierarchicalAdaptiveV35bParams()
    assert (p.measurement_noise, p.osc_smoothness, p.vol_baseline_window) == (D("2000.0"), 15, 126)
    assert (p.t_norm_bull_thresh, p.t_norm_bear_thresh, p.leverage_scalar) == (D("0.2"), D("-0.3"), D("1.0"))
    assert p.symmetric_volume_adjustment is False and p.allow_treasury is True
    assert p.execution_time == "close" and p.name == "Hierarchical_Adaptive_v3_5b"
    d = HierarchicalAdaptiveV35dParams()
    assert d.cell1_exit_confirmation_enabled is False and d.cell1_exit_confirmation_days == 2
    assert HierarchicalAdaptiveV35bParams(t_norm_bull_thresh=0.05).t_norm_bull_thresh == D("0.05")


@pytest.mark.parametrize(
    "bad",
    [
        {"sma_fast": 140, "sma_slow": 140},
        {"bond_sma_fast": 60},
        {"upper_thresh_z": 0.2},
        {"t_norm_bull_thresh": 0},
        {"t_norm_bear_thresh": 0.1},
        {"leverage_scalar": 1.6},
        {"leverage_scalar": 0.4},
        {"w_PSQ_max": 0},
        {"max_bond_weight": 1.1},
        {"vol_crush_threshold": 0},
        {"rebalance_threshold": 0},
        {"measurement_noise": 0},
        {"execution_time": "noon"},
        {"bear_bond_symbol": "TMF"},
        {"unknown_knob": 1},
    ],
)
def test_invalid_parameters_are_rejected(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        HierarchicalAdaptiveV35bParams(**bad)


def test_confirmation_days_range() -> None:
    for bad in (0, 11):
        with pytest.raises(ValidationError):
            HierarchicalAdaptiveV35dParams(cell1_exit_confirmation_days=bad)


def test_symbols_and_warmup() -> None:
    s = HierarchicalAdaptiveV35b(HierarchicalAdaptiveV35bParams(**REFERENCE))  # type: ignore[arg-type]
    assert s.symbols() == ("QQQ", "TQQQ", "PSQ", "TLT", "TMF", "TMV")
    assert s.warmup_bars() == 221
    assert HierarchicalAdaptiveV35b(HierarchicalAdaptiveV35bParams()).warmup_bars() == 150
    assert (
        HierarchicalAdaptiveV35b(HierarchicalAdaptiveV35bParams(sma_slow=300, sma_fast=40)).warmup_bars()
        == 310
    )
    assert s.journal_columns[: len(JOURNAL_HEAD)] == JOURNAL_HEAD
    d = HierarchicalAdaptiveV35d(HierarchicalAdaptiveV35dParams())
    assert d.journal_columns[: len(JOURNAL_HEAD)] == JOURNAL_HEAD
    assert d.strategy_id == "v3_5d" and s.strategy_id == "v3_5b"


# -- tiny frames ------------------------------------------------------------------------------

DATES = pd.bdate_range("2021-01-04", periods=40)


def _frame(closes: list[float], start: int = 0) -> pd.DataFrame:
    dates = DATES[start : start + len(closes)]
    px = [D(repr(round(c, 6))) for c in closes]
    return pd.DataFrame(
        {
            "date": dates,
            "open": px,
            "high": [p * D("1.01") for p in px],
            "low": [p * D("0.99") for p in px],
            "close": px,
            "volume": [1_000_000] * len(px),
        }
    )


def _market(qqq: list[float], tqqq_start: int = 0, tlt: list[float] | None = None) -> MarketData:
    n = len(qqq)
    return MarketData.from_frames(
        {
            "QQQ": _frame(qqq),
            "TQQQ": _frame([10.0 * 1.02**i for i in range(n - tqqq_start)], tqqq_start),
            "PSQ": _frame([20.0] * n),
            "TLT": _frame(tlt if tlt is not None else [100.0] * n),
            "TMF": _frame([8.0] * n),
            "TMV": _frame([30.0] * n),
        }
    )


def _run(
    market: MarketData, start_index: int, cls: type = HierarchicalAdaptiveV35b, **params: Any
) -> BacktestResult:
    strat = cls(cls.Params(**{**TINY, **params}))
    return run_backtest(
        strat, market, start=DATES[start_index].date(), end=DATES[-1].date(), initial_capital=D("100000")
    )


RISING = [100.0 * 1.01**i for i in range(40)]


def test_steady_uptrend_is_cell_1_and_buys_qqq_and_tqqq_in_order() -> None:
    result = _run(_market(RISING), 10)
    first = result.decisions[0]
    assert first.journal["cell"] == 1 and first.journal["trend_state"] == "BullStrong"
    assert first.journal["vol_state"] == "Low"
    assert first.traded == ("TQQQ", "QQQ")
    assert first.weights["TQQQ"] == D("0.6") and first.weights["QQQ"] == D("0.4")
    assert {f.symbol for f in result.fills if f.date == first.date} == {"TQQQ", "QQQ"}
    # targets never change again: market drift alone never rebalances
    assert all(d.traded == () for d in result.decisions[1:])


def test_missing_symbol_degrades_target_and_rebalance_repeats_until_it_trades() -> None:
    result = _run(_market(RISING, tqqq_start=15), 10)
    by_date = {d.date: d for d in result.decisions}
    first = result.decisions[0]
    assert first.traded == ("QQQ",) and first.weights["TQQQ"] == 0  # §9.2: no TQQQ history yet
    tqqq_day = DATES[15].date()
    assert all(by_date[d].traded == () for d in by_date if first.date < d < tqqq_day)
    assert by_date[tqqq_day].traded == ("TQQQ",)
    assert by_date[tqqq_day].weights["TQQQ"] == D("0.6")
    assert [f.symbol for f in result.fills] == ["QQQ", "TQQQ"]


def test_warmup_targets_do_not_suppress_the_first_real_allocation() -> None:
    # evaluated from bar 5 on, in cell 1 all along: the first bar on/after start must trade
    result = _run(_market(RISING), 25)
    assert result.decisions[0].traded == ("TQQQ", "QQQ")
    assert result.fills and result.fills[0].date == DATES[25].date()


def test_default_regime_until_the_first_evaluated_bar() -> None:
    result = _run(_market(RISING), 0)
    first = result.decisions[0].journal
    assert (first["cell"], first["trend_state"], first["vol_state"]) == (3, "Sideways", "Low")
    assert first["t_norm"] is None and first["z_score"] is None and first["vol_crush"] == 0.0
    assert result.decisions[0].traded == ()
    evaluated = [d for d in result.decisions if d.journal["z_score"] is not None]
    assert evaluated[0].date == DATES[4].date()  # B + W = 5 closes


def test_crash_goes_defensive_with_bond_overlay() -> None:
    qqq = RISING[:20] + [RISING[19] * 0.9**k for k in range(1, 21)]
    tlt = [100.0 + i for i in range(40)]  # rising TLT: bond bull -> TMF
    result = _run(_market(qqq, tlt=tlt), 10)
    cells = [d.journal["cell"] for d in result.decisions]
    assert cells[0] == 1
    defensive = [d for d in result.decisions if d.journal["cell"] in (4, 5, 6)]
    assert defensive, cells
    day = defensive[0]
    assert day.journal["bond_trend"] == "Bull"
    assert day.weights["TMF"] > 0 and day.weights["TMV"] == 0
    assert day.traded[0] in ("TQQQ", "QQQ")  # reductions come first
    assert day.traded[-1] == "TMF"


def test_signal_symbol_missing_today_means_hold() -> None:
    market = MarketData.from_frames(
        {
            "QQQ": _frame(RISING[:20]).drop(index=12).reset_index(drop=True),
            "TQQQ": _frame([10.0] * 20),
            "PSQ": _frame([20.0] * 20),
            "TLT": _frame([100.0] * 20),
            "TMF": _frame([8.0] * 20),
            "TMV": _frame([30.0] * 20),
        }
    )
    strat = HierarchicalAdaptiveV35b(HierarchicalAdaptiveV35bParams(**TINY))  # type: ignore[arg-type]
    result = run_backtest(strat, market, start=DATES[10].date(), end=DATES[19].date())
    gap = next(d for d in result.decisions if d.date == DATES[12].date())
    assert gap.traded == ()


def test_v3_5d_with_one_day_equals_v3_5b() -> None:
    qqq = RISING[:15] + [RISING[14] * (1 + 0.03 * (-1) ** k) for k in range(25)]
    market = _market(qqq)
    b = _run(market, 8)
    d = _run(
        market,
        8,
        HierarchicalAdaptiveV35d,
        cell1_exit_confirmation_enabled=True,
        cell1_exit_confirmation_days=1,
    )
    assert [x.journal["cell"] for x in b.decisions] == [x.journal["cell"] for x in d.decisions]
    assert b.fills == d.fills


def test_rerun_is_identical() -> None:
    market = _market(RISING)
    strat = HierarchicalAdaptiveV35b(HierarchicalAdaptiveV35bParams(**TINY))  # type: ignore[arg-type]
    one = run_backtest(strat, market, start=DATES[10].date(), end=DATES[-1].date())
    two = run_backtest(strat, market, start=DATES[10].date(), end=DATES[-1].date())
    assert one.decisions == two.decisions and one.fills == two.fills
    assert np.isfinite([d.journal["t_norm"] for d in one.decisions]).all()
    assert isinstance(one.decisions[0].date, dt.date)
