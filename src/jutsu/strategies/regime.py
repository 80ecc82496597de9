"""Regime classification of the Hierarchical Adaptive strategies (spec §4.4, §4.5, §5, §6, §13).

Pure functions and one tiny state machine: the trend state from ``T_norm`` and the SMA
structure, the volatility state with hysteresis, the (trend, vol) → cell map, and v3.5d's
Cell 1 exit confirmation. Float indicators are compared with the Decimal thresholds through
their shortest decimal string (backtest-semantics §2), so exact ties behave like the spec.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "Cell1ExitConfirmation",
    "Trend",
    "Vol",
    "cell_of",
    "classify_trend",
    "compare",
    "next_vol_state",
    "to_decimal",
    "vol_crush_triggered",
]


class Trend(StrEnum):
    """Trend state vocabulary shared with the platform (platform spec §1.5)."""

    BULL_STRONG = "BullStrong"
    SIDEWAYS = "Sideways"
    BEAR_STRONG = "BearStrong"


class Vol(StrEnum):
    """Volatility state vocabulary."""

    LOW = "Low"
    HIGH = "High"


_CELL_BASE = {Trend.BULL_STRONG: 1, Trend.SIDEWAYS: 3, Trend.BEAR_STRONG: 5}


def to_decimal(value: float) -> Decimal:
    """A float indicator as the Decimal of its shortest repr (``0.1`` → ``Decimal("0.1")``)."""
    return Decimal(repr(float(value)))


def compare(value: float, threshold: Decimal) -> int:
    """Sign of ``to_decimal(value) − threshold`` (−1, 0, 1), without Decimal work off ties.

    Rounding to the nearest float is monotonic, so if ``value`` differs from
    ``float(threshold)`` the float order already is the decimal order; only an exact float
    tie needs the decimal string comparison.
    """
    f = float(threshold)
    if value != f:
        return 1 if value > f else -1
    d = to_decimal(value)
    return (d > threshold) - (d < threshold)


def next_vol_state(previous: Vol, z: float, upper: Decimal, lower: Decimal) -> Vol:
    """Hysteresis (§4.4): above ``upper`` → High, below ``lower`` → Low, else unchanged."""
    if compare(z, upper) > 0:
        return Vol.HIGH
    if compare(z, lower) < 0:
        return Vol.LOW
    return previous


def vol_crush_triggered(change: float, threshold: Decimal) -> bool:
    """Vol-crush (§4.5): the relative vol change is strictly below ``threshold``.

    An undefined change (NaN: the earlier vol was 0 or missing) is never a crush.
    """
    return not math.isnan(change) and compare(change, threshold) < 0


def classify_trend(t_norm: float, sma_fast: float, sma_slow: float, bull: Decimal, bear: Decimal) -> Trend:
    """§5: BullStrong needs momentum *and* structure; BearStrong momentum *and* no structure."""
    struct_bull = sma_fast > sma_slow
    if struct_bull and compare(t_norm, bull) > 0:
        return Trend.BULL_STRONG
    if not struct_bull and compare(t_norm, bear) < 0:
        return Trend.BEAR_STRONG
    return Trend.SIDEWAYS


def cell_of(trend: Trend, vol: Vol) -> int:
    """Cells 1–6: Bull/Sideways/Bear × Low/High (§6)."""
    return _CELL_BASE[trend] + (1 if vol is Vol.HIGH else 0)


@dataclass(slots=True)
class Cell1ExitConfirmation:
    """v3.5d (§13): leave cell 1 on a raw Sideways only after ``days`` consecutive signals.

    ``pending`` counts evaluated bars on which the exit was requested while coming from
    cell 1 with ``T_norm`` below the bull threshold; a raw BearStrong exits at once.
    """

    enabled: bool
    days: int
    pending: int = 0

    def apply(self, raw: Trend, prev_cell: int | None, t_norm: float, bull: Decimal) -> Trend:
        """The trend to use today given the raw trend and the previous evaluated bar's final cell."""
        if not self.enabled:
            return raw
        below_bull = compare(t_norm, bull) < 0
        if prev_cell == 1 and below_bull:
            if raw is Trend.SIDEWAYS:
                self.pending += 1
                if self.pending >= self.days:
                    self.pending = 0
                    return Trend.SIDEWAYS
                return Trend.BULL_STRONG
            if raw is Trend.BEAR_STRONG:
                self.pending = 0
                return Trend.BEAR_STRONG
            return raw  # raw BullStrong is impossible below the bull threshold
        self.pending = 0
        return raw
