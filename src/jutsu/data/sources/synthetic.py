"""Seeded synthetic market: a regime-switching index, a bond index and their leveraged ETFs.

Why: ``make run``, demos and tests must work on machines without real data, and they need the
flagship strategy's whole universe (QQQ, TQQQ, PSQ, TLT, TMF, TMV) moving *consistently*
(TQQQ really is 3× the index, TMV really is −3× the bond). The bars are fiction and are always
stored with ``data_source = "synthetic"``.

Model (daily, over real NYSE sessions of exchange_calendars XNYS):

* A 3-state Markov chain — bull, sideways, bear — with different drift and volatility drives
  the equity index; the bond index has its own, regime-dependent drift/vol and a
  regime-dependent correlation with equities (flight to safety in bear markets).
* Leveraged/inverse ETFs reset daily: ``r_L = k·r_index − fee/252`` for k = 3 and −1 on the
  equity index (TQQQ-, PSQ-like) and k = ±3 on the bond (TMF-, TMV-like). SPY is a lower-beta
  cousin of the index for baselines.
* Open = previous close × (1 + gap noise); high/low extend beyond open/close by half-normal
  intraday noise; prices are rounded to 6 decimals (the storage scale) *before* the OHLC
  envelope is formed, so every bar satisfies ``low <= open, close <= high``.

Determinism and stable prefixes: every random stream has its own child ``SeedSequence``, and
the whole path is generated once from :data:`ORIGIN` to the calendar horizon for a seed. So the
same seed gives identical frames, and the bars of a date never depend on the requested window
(an incremental sync of synthetic data never "conflicts" with what it stored before). Each
series is scaled by a power of ten so that its lowest close over the horizon is at least 1,
the way real leveraged ETFs reverse-split; returns are unaffected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import pandas as pd

from jutsu.data.calendar import CALENDAR_LAST_DATE, last_completed_session, sessions_between
from jutsu.data.sources.base import make_bar_frame, slice_frame
from jutsu.errors import DataError

__all__ = ["ORIGIN", "SYNTHETIC_SYMBOLS", "SyntheticSource", "generate_universe"]

ORIGIN = date(2000, 1, 3)
"""First synthetic session; every path starts here whatever window is requested."""

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class _Regime:
    name: str
    drift: float  # mean daily simple return of the equity index
    vol: float  # daily volatility of the equity index
    bond_drift: float
    bond_vol: float
    bond_corr: float  # correlation of bond and equity shocks


_REGIMES: tuple[_Regime, ...] = (
    _Regime("bull", 0.0008, 0.010, 0.0001, 0.007, -0.10),
    _Regime("sideways", 0.0000, 0.012, 0.0002, 0.006, 0.00),
    _Regime("bear", -0.0012, 0.024, 0.0004, 0.010, -0.40),
)
# Rows: from-state; columns: to-state. Expected stays: bull ~1 y, sideways ~3 m, bear ~2.5 m.
_TRANSITIONS = np.array(
    [
        [0.996, 0.003, 0.001],
        [0.010, 0.984, 0.006],
        [0.006, 0.010, 0.984],
    ]
)


@dataclass(frozen=True, slots=True)
class _Product:
    underlying: str  # "equity" or "bond"
    leverage: float
    annual_fee: float
    start_price: float
    base_volume: float


SYNTHETIC_PRODUCTS: dict[str, _Product] = {
    "QQQ": _Product("equity", 1.0, 0.0020, 100.0, 40_000_000),
    "TQQQ": _Product("equity", 3.0, 0.0095, 50.0, 60_000_000),
    "PSQ": _Product("equity", -1.0, 0.0095, 50.0, 5_000_000),
    "SPY": _Product("equity", 0.8, 0.0009, 140.0, 70_000_000),
    "TLT": _Product("bond", 1.0, 0.0015, 90.0, 10_000_000),
    "TMF": _Product("bond", 3.0, 0.0100, 60.0, 3_000_000),
    "TMV": _Product("bond", -3.0, 0.0100, 60.0, 2_000_000),
}
SYNTHETIC_SYMBOLS: tuple[str, ...] = tuple(SYNTHETIC_PRODUCTS)

_STREAMS = ("regime", "equity", "bond", "gap", "range", "volume")
_SCALE = Decimal("0.000001")


def _regime_path(rng: np.random.Generator, n: int) -> npt.NDArray[np.int64]:
    """Markov chain states (start in bull) from one uniform draw per day."""
    uniforms = rng.random(n)
    cumulative = np.cumsum(_TRANSITIONS, axis=1)
    states = np.empty(n, dtype=np.int64)
    state = 0
    for i in range(n):
        state = int(np.searchsorted(cumulative[state], uniforms[i], side="right"))
        state = min(state, len(_REGIMES) - 1)
        states[i] = state
    return states


def _bars_for(
    returns: FloatArray,
    product: _Product,
    gap_z: FloatArray,
    range_z: FloatArray,
    vol_z: FloatArray,
    day_vol: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, npt.NDArray[np.int64]]:
    """Rounded OHLC and volume of one product from its daily close-to-close returns."""
    lev = abs(product.leverage)
    growth = np.maximum(1.0 + returns, 0.02)  # a one-day loss cannot exceed 98 %
    closes = product.start_price * np.cumprod(growth)
    lowest = float(closes.min())
    if lowest < 1.0:  # back-adjust like a reverse split so 6-decimal storage keeps precision
        closes = closes * 10.0 ** np.ceil(-np.log10(lowest))
    prev = np.concatenate(([closes[0] / growth[0]], closes[:-1]))
    opens = prev * (1.0 + np.clip(gap_z * 0.25 * day_vol * lev, -0.5, 0.5))
    closes_r = np.round(closes, 6)
    opens_r = np.round(np.maximum(opens, 1e-6), 6)
    spread = np.clip(np.abs(range_z) * 0.5 * (day_vol * lev)[:, None], 0.0, 0.5)
    highs = np.round(np.maximum(opens_r, closes_r) * (1.0 + spread[:, 0]), 6)
    lows = np.round(np.minimum(opens_r, closes_r) * (1.0 - spread[:, 1]), 6)
    highs = np.maximum(highs, np.maximum(opens_r, closes_r))
    lows = np.maximum(np.minimum(lows, np.minimum(opens_r, closes_r)), 1e-6)
    volumes = np.rint(product.base_volume * np.exp(0.35 * vol_z + 20.0 * np.abs(returns))).astype(np.int64)
    return (
        np.asarray(opens_r, dtype=np.float64),
        np.asarray(highs, dtype=np.float64),
        np.asarray(lows, dtype=np.float64),
        np.asarray(closes_r, dtype=np.float64),
        volumes,
    )


def _to_decimals(values: FloatArray) -> list[Decimal]:
    return [Decimal(f"{v:.6f}") for v in values.tolist()]


@lru_cache(maxsize=4)
def _universe(seed: int) -> dict[str, pd.DataFrame]:
    sessions = sessions_between(ORIGIN, CALENDAR_LAST_DATE)
    n = len(sessions)
    children = np.random.SeedSequence(seed).spawn(len(_STREAMS))
    rngs = {name: np.random.default_rng(child) for name, child in zip(_STREAMS, children, strict=True)}
    states = _regime_path(rngs["regime"], n)
    drift = np.array([r.drift for r in _REGIMES])[states]
    vol = np.array([r.vol for r in _REGIMES])[states]
    b_drift = np.array([r.bond_drift for r in _REGIMES])[states]
    b_vol = np.array([r.bond_vol for r in _REGIMES])[states]
    rho = np.array([r.bond_corr for r in _REGIMES])[states]
    z_eq = rngs["equity"].standard_normal(n)
    z_bond = rho * z_eq + np.sqrt(1.0 - rho**2) * rngs["bond"].standard_normal(n)
    index_r = {
        "equity": np.clip(drift + vol * z_eq, -0.30, 0.30),
        "bond": np.clip(b_drift + b_vol * z_bond, -0.20, 0.20),
    }
    index_vol = {"equity": vol, "bond": b_vol}
    gap_z = rngs["gap"].standard_normal((len(SYNTHETIC_PRODUCTS), n))
    range_z = rngs["range"].standard_normal((len(SYNTHETIC_PRODUCTS), n, 2))
    vol_z = rngs["volume"].standard_normal((len(SYNTHETIC_PRODUCTS), n))
    frames: dict[str, pd.DataFrame] = {}
    for i, (symbol, product) in enumerate(SYNTHETIC_PRODUCTS.items()):
        returns = product.leverage * index_r[product.underlying] - product.annual_fee / 252.0
        o, h, lo, c, v = _bars_for(
            returns, product, gap_z[i], range_z[i], vol_z[i], index_vol[product.underlying]
        )
        frames[symbol] = make_bar_frame(
            sessions, _to_decimals(o), _to_decimals(h), _to_decimals(lo), _to_decimals(c), v
        )
    return frames


def generate_universe(seed: int, start: date, end: date) -> dict[str, pd.DataFrame]:
    """All synthetic symbols' bar frames for sessions ``start <= d <= end`` (copies)."""
    return {symbol: slice_frame(frame, start, end) for symbol, frame in _universe(seed).items()}


class SyntheticSource:
    """A ``MarketDataSource`` of seeded synthetic bars (``data_source = "synthetic"``).

    ``fetch(..., end=None)`` stops at the last session completed at ``now`` (default: the
    current clock), never at a future or in-progress session.
    """

    name = "synthetic"

    def __init__(self, seed: int = 42, now: datetime | None = None) -> None:
        self.seed = seed
        self._now = now

    def fetch(self, symbol: str, start: date, end: date | None = None) -> pd.DataFrame:
        """Synthetic bars of ``symbol`` with ``start <= date <= end``."""
        if symbol not in SYNTHETIC_PRODUCTS:
            raise DataError(
                f"synthetic data has no symbol {symbol!r} (available: {', '.join(SYNTHETIC_SYMBOLS)})"
            )
        if end is None:
            end = last_completed_session(self._now or datetime.now(UTC))
        if start < ORIGIN:
            start = ORIGIN
        return slice_frame(_universe(self.seed)[symbol], start, end)
