"""Hierarchical Adaptive v3.5b and v3.5d: regime-switching between QQQ, TQQQ, PSQ and 3× bonds.

Implements strategy-hierarchical-adaptive.md exactly, per signal bar (§3):

* trend: a volume-adjusted Kalman trend strength ``T_norm`` (§4.1) confirmed by the SMA
  structure (§4.2) → BullStrong / Sideways / BearStrong (§5);
* volatility: z-score of realised vol against its own baseline with hysteresis (§4.3–4.4),
  forced Low by a vol-crush (§4.5);
* the (trend, vol) cell picks base weights (§6), cells 4–6 get the treasury overlay (§7),
  the leverage scalar tilts equity sleeves (§8), and orders are issued only when the targets
  moved by more than ``rebalance_threshold`` (§9), reductions before increases.

Recommended variants (DECISIONS 11): the Kalman filter starts on the first signal bar of the
data window (§11.3); the legacy one-shot vol initialisation keyed on a bar count of all
symbols (§4.4) is not emulated; ``cur`` is reset on the first bar on/after the start date.
Only ``execution_time: close`` semantics exist here (the engine fills at the close).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import ClassVar, Literal, Self

import numpy as np
from pydantic import Field, model_validator

from jutsu.core.context import BarContext, FloatArray
from jutsu.core.decision import Decision, JournalValue
from jutsu.indicators.kalman import kalman_strength_series, normalise_strength
from jutsu.indicators.moving import sma
from jutsu.indicators.volatility import realized_volatility_change, volatility_zscore
from jutsu.strategies.allocation import (
    Allocation,
    apply_leverage,
    base_weights,
    deviation,
    order_plan,
    treasury_overlay,
    validate_targets,
)
from jutsu.strategies.base import Strategy, StrategyParams
from jutsu.strategies.regime import (
    Cell1ExitConfirmation,
    Trend,
    Vol,
    cell_of,
    classify_trend,
    next_vol_state,
    vol_crush_triggered,
)

__all__ = [
    "HierarchicalAdaptiveV35b",
    "HierarchicalAdaptiveV35bParams",
    "HierarchicalAdaptiveV35d",
    "HierarchicalAdaptiveV35dParams",
]

ExecutionTime = Literal["open", "15min_after_open", "15min_before_close", "close"]
_D = Decimal


class HierarchicalAdaptiveV35bParams(StrategyParams):
    """Every parameter of spec §2 with the constructor defaults; ranges bound research grids."""

    measurement_noise: Decimal = Field(_D("2000.0"), gt=0, le=_D("1e9"), description="Kalman R0")
    process_noise_1: Decimal = Field(_D("0.01"), gt=0, le=1000, description="Kalman Q level")
    process_noise_2: Decimal = Field(_D("0.01"), gt=0, le=1000, description="Kalman Q velocity")
    osc_smoothness: int = Field(15, ge=1, le=1000, description="oscillator WMA length (capped at 20)")
    strength_smoothness: int = Field(15, ge=1, le=5000, description="innovations needed (capped at 500)")
    T_max: Decimal = Field(_D("50.0"), gt=0, le=1000, description="strength that saturates T_norm")
    symmetric_volume_adjustment: bool = False
    double_smoothing: bool = False
    sma_fast: int = Field(40, ge=1, le=2000)
    sma_slow: int = Field(140, ge=2, le=5000)
    t_norm_bull_thresh: Decimal = Field(_D("0.2"), gt=0, le=1)
    t_norm_bear_thresh: Decimal = Field(_D("-0.3"), ge=-1, lt=0)
    realized_vol_window: int = Field(21, ge=2, le=2520)
    vol_baseline_window: int = Field(126, ge=2, le=5000)
    upper_thresh_z: Decimal = Field(_D("1.0"), ge=-10, le=10)
    lower_thresh_z: Decimal = Field(_D("0.2"), ge=-10, le=10)
    vol_crush_threshold: Decimal = Field(_D("-0.15"), ge=-1, lt=0)
    vol_crush_lookback: int = Field(5, ge=1, le=252)
    leverage_scalar: Decimal = Field(_D("1.0"), ge=_D("0.5"), le=_D("1.5"))
    use_inverse_hedge: bool = False
    w_PSQ_max: Decimal = Field(_D("0.5"), gt=0, le=1)
    allow_treasury: bool = True
    bond_sma_fast: int = Field(20, ge=1, le=2000)
    bond_sma_slow: int = Field(60, ge=2, le=5000)
    max_bond_weight: Decimal = Field(_D("0.4"), ge=0, le=1)
    rebalance_threshold: Decimal = Field(_D("0.025"), gt=0, le=2)
    execution_time: ExecutionTime = "close"
    signal_symbol: str = Field("QQQ", min_length=1)
    core_long_symbol: str = Field("QQQ", min_length=1)
    leveraged_long_symbol: str = Field("TQQQ", min_length=1)
    inverse_hedge_symbol: str = Field("PSQ", min_length=1)
    treasury_trend_symbol: str = Field("TLT", min_length=1)
    bull_bond_symbol: str = Field("TMF", min_length=1)
    bear_bond_symbol: str = Field("TMV", min_length=1)
    name: str = "Hierarchical_Adaptive_v3_5b"

    @model_validator(mode="after")
    def _check_relations(self) -> Self:
        pairs = (
            ("sma_fast", "sma_slow"),
            ("bond_sma_fast", "bond_sma_slow"),
            ("lower_thresh_z", "upper_thresh_z"),
        )
        for low, high in pairs:
            if getattr(self, low) >= getattr(self, high):
                raise ValueError(
                    f"{low} ({getattr(self, low)}) must be smaller than {high} ({getattr(self, high)})"
                )
        traded = self.traded_symbols()
        if len(set(traded)) != len(traded):
            raise ValueError(f"the five traded symbol roles must be distinct, got {', '.join(traded)}")
        return self

    def traded_symbols(self) -> tuple[str, str, str, str, str]:
        """Traded symbols in role order (leveraged, core, inverse, bull bond, bear bond)."""
        return (
            self.leveraged_long_symbol,
            self.core_long_symbol,
            self.inverse_hedge_symbol,
            self.bull_bond_symbol,
            self.bear_bond_symbol,
        )


class HierarchicalAdaptiveV35dParams(HierarchicalAdaptiveV35bParams):
    """v3.5b plus the Cell 1 exit confirmation (§13)."""

    name: str = "Hierarchical_Adaptive_v3_5d"
    cell1_exit_confirmation_enabled: bool = False
    cell1_exit_confirmation_days: int = Field(2, ge=1, le=10)


_BASE_COLUMNS = (
    "cell",
    "trend_state",
    "vol_state",
    "t_norm",
    "sma_fast",
    "sma_slow",
    "z_score",
    "vol_crush",
    "bond_trend",
    "bond_sma_fast",
    "bond_sma_slow",
    "strategy_state",
)


_KALMAN_FIELDS = ("close", "volume")


def _signal_table(
    close: FloatArray, fast: int, slow: int, window: int, baseline: int, lookback: int
) -> FloatArray:
    """Per signal bar: SMA(fast), SMA(slow), vol z-score, vol change — one causal indicator,
    so the per-bar pipeline reads its four inputs with a single context call."""
    return np.column_stack(
        (
            sma(close, fast),
            sma(close, slow),
            volatility_zscore(close, window, baseline),
            realized_volatility_change(close, window, lookback),
        )
    )


def _bond_table(close: FloatArray, fast: int, slow: int) -> FloatArray:
    """Per treasury-trend bar: SMA(fast), SMA(slow)."""
    return np.column_stack((sma(close, fast), sma(close, slow)))


def _opt(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value


class HierarchicalAdaptiveV35b(Strategy[HierarchicalAdaptiveV35bParams]):
    """Hierarchical Adaptive v3.5b (strategy spec §1–§12)."""

    strategy_id: ClassVar[str] = "v3_5b"
    display_name: ClassVar[str] = "Hierarchical Adaptive v3.5b"
    class_name: ClassVar[str] = "Hierarchical_Adaptive_v3_5b"
    version_label: ClassVar[str] = "v3.5b"
    Params = HierarchicalAdaptiveV35bParams
    journal_columns: ClassVar[tuple[str, ...]] = _BASE_COLUMNS

    def reset(self) -> None:
        p = self.params
        # The Kalman trend strength depends only on the signal bars of the data window and the
        # filter parameters, never on the thresholds a grid usually varies: it is an indicator
        # computed once per window (and shared across runs through the engine's cache).
        self._kalman_args = (
            float(p.measurement_noise),
            float(p.process_noise_1),
            float(p.process_noise_2),
            p.osc_smoothness,
            p.strength_smoothness,
            p.symmetric_volume_adjustment,
            p.double_smoothing,
        )
        self._t_max = float(p.T_max)
        self._signal_args = (
            p.sma_fast,
            p.sma_slow,
            p.realized_vol_window,
            p.vol_baseline_window,
            p.vol_crush_lookback,
        )
        self._vol = Vol.LOW
        self._cur = Allocation()
        self._live = False
        self._prev_cell: int | None = None
        # what reports show: the last stored regime and indicators (§3 step 10, §12)
        self._trend = Trend.SIDEWAYS
        self._cell = 3
        self._state_text = self._describe()
        self._t_norm: float | None = None
        self._sma_fast: float | None = None
        self._sma_slow: float | None = None
        self._z_score: float | None = None
        self._vol_crush = 0.0
        self._bond_sma_fast: float | None = None
        self._bond_sma_slow: float | None = None
        self._bond_trend: str | None = None
        self._confirm = self._make_confirmation()
        # memos: targets per (cell, bond trend); "move?" for the last (current, target) pair
        self._targets: dict[tuple[int, bool | None], Allocation] = {}
        self._moved: tuple[Allocation, Allocation, bool] | None = None

    def _make_confirmation(self) -> Cell1ExitConfirmation:
        return Cell1ExitConfirmation(enabled=False, days=1)

    def symbols(self) -> tuple[str, ...]:
        p = self.params
        roles = (
            p.signal_symbol,
            p.core_long_symbol,
            p.leveraged_long_symbol,
            p.inverse_hedge_symbol,
            p.treasury_trend_symbol,
            p.bull_bond_symbol,
            p.bear_bond_symbol,
        )
        return tuple(dict.fromkeys(roles))

    def warmup_bars(self) -> int:
        """§11.1: ``max(sma_slow + 10, B + W, bond_sma_slow if allow_treasury else 0)``."""
        p = self.params
        bond = p.bond_sma_slow if p.allow_treasury else 0
        return max(p.sma_slow + 10, p.vol_baseline_window + p.realized_vol_window, bond)

    # -- the per-bar pipeline (§3) ----------------------------------------------------------

    def decide(self, ctx: BarContext) -> Decision:
        p = self.params
        sig = p.signal_symbol
        if not ctx.has_bar(sig):
            return self._hold()  # step 1: only signal bars do anything
        if not ctx.is_warmup and not self._live:
            self._live = True  # §9.1 warm-up reset: warm-up targets were never executed
            self._cur = Allocation()
            self._moved = None
        strength = ctx.indicator(sig, _KALMAN_FIELDS, kalman_strength_series, *self._kalman_args)
        n = strength.shape[0]  # signal bars so far; the filter saw all of them (step 3)
        if n < p.sma_slow:  # step 5
            return self._hold()
        W, B = p.realized_vol_window, p.vol_baseline_window
        if n < B + W:  # step 6
            return self._hold()
        t_norm = normalise_strength(float(strength[-1]), self._t_max)
        row = ctx.indicator(sig, "close", _signal_table, *self._signal_args)[-1]
        values: list[float] = row.tolist()  # Python floats, exactly the array's values
        close_fast, close_slow, z, change = values
        self._vol = next_vol_state(self._vol, z, p.upper_thresh_z, p.lower_thresh_z)  # step 7
        crush = vol_crush_triggered(change, p.vol_crush_threshold)  # step 8
        if crush:
            self._vol = Vol.LOW
        trend = classify_trend(t_norm, close_fast, close_slow, p.t_norm_bull_thresh, p.t_norm_bear_thresh)
        if crush and trend is Trend.BEAR_STRONG:
            trend = Trend.SIDEWAYS
        trend = self._confirm.apply(trend, self._prev_cell, t_norm, p.t_norm_bull_thresh)  # step 9
        cell = cell_of(trend, self._vol)  # step 10
        if cell != self._cell:  # a cell names its trend and vol state: the text follows it
            self._trend, self._cell = trend, cell
            self._state_text = self._describe()
        self._prev_cell = cell
        self._t_norm = _opt(t_norm)
        self._sma_fast = _opt(close_fast)
        self._sma_slow = _opt(close_slow)
        self._z_score = _opt(z)
        self._vol_crush = 1.0 if crush else 0.0
        bond_bull = self._bond_signal(ctx) if p.allow_treasury else None  # step 11
        key = (cell, bond_bull)
        target = self._targets.get(key)
        if target is None:
            target = self._targets[key] = self._target(cell, bond_bull)
        return self._rebalance(ctx, target)  # step 14

    def _target(self, cell: int, bond_bull: bool | None) -> Allocation:
        """Steps 11–13 for one (cell, bond trend): a pure function of the parameters, memoised."""
        p = self.params
        target = base_weights(cell, p.use_inverse_hedge, p.w_PSQ_max)
        if p.allow_treasury:  # step 12
            target = treasury_overlay(target, cell, p.use_inverse_hedge, bond_bull, p.max_bond_weight)
        return apply_leverage(target, p.leverage_scalar)  # step 13

    def _bond_signal(self, ctx: BarContext) -> bool | None:
        """§7.2/§7.3: TLT fast SMA strictly above slow → bull (TMF); None if too little history."""
        p = self.params
        sym = p.treasury_trend_symbol
        table = ctx.indicator(sym, "close", _bond_table, p.bond_sma_fast, p.bond_sma_slow)  # per TLT close
        if table.shape[0] < p.bond_sma_slow:
            self._bond_sma_fast = self._bond_sma_slow = None
            self._bond_trend = None
            return None
        pair: list[float] = table[-1].tolist()  # Python floats, exactly the array's values
        fast, slow = pair
        if math.isnan(fast) or math.isnan(slow):
            self._bond_sma_fast = self._bond_sma_slow = None
            self._bond_trend = None
            return None
        bull = fast > slow
        self._bond_sma_fast, self._bond_sma_slow = fast, slow
        self._bond_trend = "Bull" if bull else "Bear"
        return bull

    def _rebalance(self, ctx: BarContext, target: Allocation) -> Decision:
        """§9: rebalance only when the targets moved by more than the threshold."""
        p = self.params
        cur = self._cur
        memo = self._moved
        if memo is not None and memo[0] is cur and memo[1] is target:
            moved = memo[2]  # same immutable pair as last bar: same answer
        else:
            moved = target != cur and deviation(cur, target) > p.rebalance_threshold
            self._moved = (cur, target, moved)
        if not moved:
            return self._hold()
        symbols = p.traded_symbols()
        portfolio = ctx.portfolio
        validated = validate_targets(target, portfolio.equity, [portfolio.last_price(s) for s in symbols])
        plan = order_plan(cur, validated)
        self._cur = validated
        self._moved = None
        return Decision(
            weights=self._weights(), trade=tuple(symbols[i] for i in plan), journal=self._journal()
        )

    # -- reporting ------------------------------------------------------------------------

    def _weights(self) -> dict[str, Decimal]:
        return dict(zip(self.params.traded_symbols(), self._cur, strict=True))

    def _hold(self) -> Decision:
        return Decision(weights=self._weights(), trade=(), journal=self._journal())

    def _describe(self) -> str:
        return f"{self.version_label} Cell {self._cell}: {self._trend.value}/{self._vol.value}"

    def _journal(self) -> dict[str, JournalValue]:
        """The journal row; values were made report-ready (NaN → None) when stored."""
        return {
            "cell": self._cell,
            "trend_state": self._trend.value,
            "vol_state": self._vol.value,
            "t_norm": self._t_norm,
            "sma_fast": self._sma_fast,
            "sma_slow": self._sma_slow,
            "z_score": self._z_score,
            "vol_crush": self._vol_crush,
            "bond_trend": self._bond_trend,
            "bond_sma_fast": self._bond_sma_fast,
            "bond_sma_slow": self._bond_sma_slow,
            "strategy_state": self._state_text,
        }


class HierarchicalAdaptiveV35d(HierarchicalAdaptiveV35b):
    """v3.5d: v3.5b plus the Cell 1 exit confirmation (§13)."""

    strategy_id: ClassVar[str] = "v3_5d"
    display_name: ClassVar[str] = "Hierarchical Adaptive v3.5d"
    class_name: ClassVar[str] = "Hierarchical_Adaptive_v3_5d"
    version_label: ClassVar[str] = "v3.5d"
    Params = HierarchicalAdaptiveV35dParams
    journal_columns: ClassVar[tuple[str, ...]] = (*_BASE_COLUMNS, "cell1_exit_pending_days")
    params: HierarchicalAdaptiveV35dParams

    def __init__(self, params: HierarchicalAdaptiveV35dParams) -> None:
        super().__init__(params)

    def _make_confirmation(self) -> Cell1ExitConfirmation:
        p = self.params
        return Cell1ExitConfirmation(
            enabled=p.cell1_exit_confirmation_enabled, days=p.cell1_exit_confirmation_days
        )

    def _journal(self) -> dict[str, JournalValue]:
        journal = super()._journal()
        journal["cell1_exit_pending_days"] = self._confirm.pending
        return journal
