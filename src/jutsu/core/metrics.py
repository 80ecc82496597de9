"""Performance metrics of a daily equity curve, with empyrical's definitions (DECISIONS 1).

One set of definitions everywhere (backtest summary, daily performance, API, dashboard):
252 periods a year, a configurable risk-free rate (default 0), fractions not percents.
The first daily return is measured against the initial capital (DECISIONS 4), so a first
day's commission shows up in the metrics.

Undefined values (too little data, zero dispersion, no losses, ...) are ``None`` rather than
NaN or infinity, so a metrics dict can be written to JSON or a database as is.

``empyrical`` itself is a test dependency only: the tests compare every metric it has with
this module to 1e-9.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pandas as pd

from jutsu.core.result import Fill

__all__ = [
    "ANNUALIZATION",
    "METRIC_KEYS",
    "RoundTrip",
    "compute_metrics",
    "daily_returns",
    "drawdown_series",
    "json_safe",
    "monthly_returns_table",
    "rolling_sharpe",
    "round_trips",
]

ANNUALIZATION = 252

FloatArray = npt.NDArray[np.float64]
MetricValue = float | None

METRIC_KEYS: tuple[str, ...] = (
    "final_value",
    "total_return",
    "cagr",
    "volatility",
    "sharpe",
    "sortino",
    "max_drawdown",
    "max_drawdown_duration",
    "calmar",
    "omega",
    "tail_ratio",
    "stability",
    "var_95",
    "cvar_95",
    "skew",
    "kurtosis",
    "beta",
    "alpha",
    "win_rate",
    "profit_factor",
    "avg_win",
    "avg_loss",
    "closed_trades",
    "fills",
    "exposure",
    "turnover",
)


def json_safe(value: float | int | Decimal | None) -> MetricValue:
    """``float(value)``, or ``None`` when it is missing, NaN or infinite."""
    if value is None:
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def _as_float_array(values: Sequence[Decimal | float]) -> FloatArray:
    return np.array([float(v) for v in values], dtype=np.float64)


def daily_returns(equity: Sequence[Decimal | float], initial_capital: Decimal | float) -> FloatArray:
    """``r_0 = V_0/K − 1``, ``r_i = V_i/V_{i−1} − 1``: one return per equity point."""
    values = np.concatenate(([float(initial_capital)], _as_float_array(equity)))
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = values[1:] / values[:-1] - 1.0
    return out


def drawdown_series(equity: Sequence[Decimal | float], initial_capital: Decimal | float) -> FloatArray:
    """``V_t / max(K, max_{u<=t} V_u) − 1`` for each date (0 at a new high, negative below)."""
    values = np.concatenate(([float(initial_capital)], _as_float_array(equity)))
    peaks = np.fmax.accumulate(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        dd: FloatArray = (values / peaks - 1.0)[1:]
    return dd


def rolling_sharpe(returns: Sequence[float] | FloatArray, window: int = ANNUALIZATION) -> FloatArray:
    """Sharpe over a trailing ``window`` of returns (``mean/std·√252``, no risk-free rate).

    NaN until ``window`` returns exist, and where the window has zero dispersion.
    """
    r = np.asarray(returns, dtype=np.float64)
    out = np.full(r.shape[0], np.nan)
    if window < 2 or r.shape[0] < window:
        return out
    windows = np.lib.stride_tricks.sliding_window_view(r, window)
    mean = windows.mean(axis=1)
    std = windows.std(axis=1, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(std > 0, mean / std * math.sqrt(ANNUALIZATION), np.nan)
    out[window - 1 :] = ratio
    return out


def monthly_returns_table(returns: Sequence[float] | FloatArray, dates: Sequence[dt.date]) -> pd.DataFrame:
    """Compounded returns by calendar month: rows = years, columns = months 1..12 (NaN = none)."""
    index = pd.DatetimeIndex(list(dates))
    series = pd.Series(np.asarray(returns, dtype=np.float64), index=index)
    grouped = (1.0 + series).groupby([index.year, index.month]).prod() - 1.0
    table = grouped.unstack()
    table.index.name = "year"
    table.columns.name = "month"
    return table.reindex(columns=range(1, 13))


# --------------------------------------------------------------------------- round trips
class RoundTrip:
    """One closed (part of a) position: a SELL against the average entry of the shares held."""

    __slots__ = ("date", "pnl", "quantity", "symbol")

    def __init__(self, date: dt.date, symbol: str, quantity: int, pnl: Decimal) -> None:
        self.date = date
        self.symbol = symbol
        self.quantity = quantity
        self.pnl = pnl

    def __repr__(self) -> str:
        return f"RoundTrip({self.date}, {self.symbol}, {self.quantity}, {self.pnl})"


def round_trips(fills: Sequence[Fill]) -> list[RoundTrip]:
    """Closed trades from an average-cost ledger (backtest-semantics §9, Recommended).

    Per symbol, in fill order: a BUY adds shares at its fill price and adds its commission to
    the open commission pool; each SELL closes ``qty`` shares with
    ``PnL = (exit fill − average entry fill) × qty − entry commission share − exit commission``,
    where the entry commission share is the pool pro rata to the shares closed.
    """
    qty: dict[str, int] = {}
    avg: dict[str, Decimal] = {}
    pool: dict[str, Decimal] = {}
    trips: list[RoundTrip] = []
    for f in fills:
        held = qty.get(f.symbol, 0)
        if f.side == "BUY":
            total = held + f.quantity
            avg[f.symbol] = (avg.get(f.symbol, Decimal(0)) * held + f.price * f.quantity) / total
            qty[f.symbol] = total
            pool[f.symbol] = pool.get(f.symbol, Decimal(0)) + f.commission
            continue
        if held <= 0:
            continue  # a sell without a long position is not a round trip (shorts unsupported)
        closed = min(f.quantity, held)
        entry_share = pool[f.symbol] * closed / held
        pnl = (f.price - avg[f.symbol]) * closed - entry_share - f.commission
        trips.append(RoundTrip(f.date, f.symbol, closed, pnl))
        pool[f.symbol] -= entry_share
        qty[f.symbol] = held - closed
        if qty[f.symbol] == 0:
            avg[f.symbol] = Decimal(0)
            pool[f.symbol] = Decimal(0)
    return trips


# --------------------------------------------------------------------------- helpers
def _std(r: FloatArray) -> float:
    if r.shape[0] < 2 or float(np.max(r)) == float(np.min(r)):
        return 0.0  # zero dispersion: exactly 0, not a 1e-18 rounding residue
    return float(np.std(r, ddof=1))


def _max_drawdown_duration(equity: FloatArray, initial_capital: float) -> int:
    """Longest span, in trading days, from a peak to the first day back at or above it.

    The initial capital is the first peak; a drawdown still open counts to the last day.
    """
    values = [initial_capital, *equity.tolist()]
    peak, peak_i, longest = values[0], 0, 0
    for i in range(1, len(values)):
        if values[i] >= peak:
            if i - peak_i > 1:  # at least one day below the peak in between
                longest = max(longest, i - peak_i)
            peak, peak_i = values[i], i
    if peak_i < len(values) - 1:  # open drawdown
        longest = max(longest, len(values) - 1 - peak_i)
    return longest


def _moments(r: FloatArray) -> tuple[MetricValue, MetricValue]:
    if r.shape[0] < 3:
        return None, None
    centered = r - r.mean()
    m2 = float(np.mean(centered**2))
    if m2 == 0:
        return None, None
    skew = float(np.mean(centered**3)) / m2**1.5
    kurt = float(np.mean(centered**4)) / m2**2 - 3.0
    return skew, kurt


def _stability(r: FloatArray) -> MetricValue:
    if r.shape[0] < 2:
        return None
    cum = np.cumsum(np.log1p(r))
    x = np.arange(cum.shape[0], dtype=np.float64)
    xc, yc = x - x.mean(), cum - cum.mean()
    sxx, syy = float(np.dot(xc, xc)), float(np.dot(yc, yc))
    if sxx == 0 or syy == 0:
        return None
    rho = float(np.dot(xc, yc)) / math.sqrt(sxx * syy)
    return rho * rho


def _exposure(fills: Sequence[Fill], dates: Sequence[dt.date]) -> MetricValue:
    """Share of dates ending with at least one open position (reconstructed from fills)."""
    if not dates:
        return None
    by_date: dict[dt.date, list[Fill]] = {}
    for f in fills:
        by_date.setdefault(f.date, []).append(f)
    held: dict[str, int] = {}
    invested = 0
    for d in dates:
        for f in by_date.get(d, ()):
            held[f.symbol] = held.get(f.symbol, 0) + (f.quantity if f.side == "BUY" else -f.quantity)
        if any(q != 0 for q in held.values()):
            invested += 1
    return invested / len(dates)


# --------------------------------------------------------------------------- main entry
def compute_metrics(
    equity: Sequence[Decimal | float],
    dates: Sequence[dt.date],
    initial_capital: Decimal | float,
    fills: Sequence[Fill] = (),
    benchmark_equity: Sequence[Decimal | float] | None = None,
    risk_free: float = 0.0,
) -> dict[str, MetricValue]:
    """All summary metrics of one daily equity curve (keys: :data:`METRIC_KEYS`).

    Args:
        equity: end-of-day total value, one per date of ``dates``.
        dates: the trading dates, ascending.
        initial_capital: K; the first return is ``V_0/K − 1``.
        fills: the run's fills (trade statistics, exposure, turnover).
        benchmark_equity: a benchmark value series on the same dates, starting from the same
            capital (e.g. :func:`jutsu.core.baseline.buy_and_hold_equity`); its first return is
            also measured against ``initial_capital``. Gives ``beta`` and ``alpha``.
        risk_free: annual risk-free rate; ``risk_free/252`` is subtracted from each daily
            return for Sharpe, Sortino (as the required return), Omega and alpha.

    Definitions (empyrical, 252 days): cagr = (Π(1+r))^(252/N) − 1; volatility = std(r)·√252
    (ddof 1); sharpe = mean(r−rf)/std(r−rf)·√252; sortino = 252·mean(r−rf) / (√mean(min(r−rf,0)²)·√252);
    max_drawdown = min(V/peak − 1) with K as the first peak; calmar = cagr/|mdd|;
    omega = Σ(r−rf)⁺/Σ(r−rf)⁻; tail_ratio = |q95|/|q5|; var_95 = q5; cvar_95 = mean of the
    worst ⌊(N−1)·0.05⌋+1 returns; beta = cov/var (population); alpha = (1 + mean(r−rf −
    β(b−rf)))^252 − 1; stability = R² of cumulative log returns against time. skew and kurtosis
    (excess) are population moments. exposure = share of dates ending invested; turnover =
    annualised one-way turnover, Σ|notional|/2 / mean(equity) / (N/252).

    Raises:
        ValueError: ``equity`` and ``dates`` (or ``benchmark_equity``) differ in length.
    """
    if len(equity) != len(dates):
        raise ValueError(f"equity has {len(equity)} points but dates has {len(dates)}")
    n = len(equity)
    capital = float(initial_capital)
    values = _as_float_array(equity)
    r = daily_returns(values.tolist(), capital)
    rf = risk_free / ANNUALIZATION
    adj = r - rf
    sqrt_ann = math.sqrt(ANNUALIZATION)
    out: dict[str, MetricValue] = dict.fromkeys(METRIC_KEYS)
    out["fills"] = float(len(fills))
    trips = round_trips(fills)
    wins = [float(t.pnl) for t in trips if t.pnl > 0]
    losses = [float(t.pnl) for t in trips if t.pnl <= 0]
    out["closed_trades"] = float(len(trips))
    if trips:
        out["win_rate"] = len(wins) / len(trips)
    out["avg_win"] = float(np.mean(wins)) if wins else None
    out["avg_loss"] = float(np.mean(losses)) if losses else None
    loss_sum = -sum(losses)
    out["profit_factor"] = json_safe(sum(wins) / loss_sum) if loss_sum > 0 else None
    if n == 0:
        return out

    final = float(equity[-1])
    growth = float(np.prod(1.0 + r))
    out["final_value"] = final
    out["total_return"] = final / capital - 1.0
    out["cagr"] = json_safe(growth ** (ANNUALIZATION / n) - 1.0) if growth >= 0 else None
    std = _std(r)
    if n >= 2:
        out["volatility"] = std * sqrt_ann
        std_adj = _std(adj)
        out["sharpe"] = float(np.mean(adj)) / std_adj * sqrt_ann if std_adj > 0 else None
        downside = math.sqrt(float(np.mean(np.square(np.minimum(adj, 0.0))))) * sqrt_ann
        out["sortino"] = float(np.mean(adj)) * ANNUALIZATION / downside if downside > 0 else None
        gains = float(np.sum(adj[adj > 0.0]))
        pains = -float(np.sum(adj[adj < 0.0]))
        out["omega"] = gains / pains if pains > 0 else None
        out["stability"] = _stability(r)
    mdd = float(np.min(drawdown_series(values.tolist(), capital)))
    out["max_drawdown"] = mdd
    out["max_drawdown_duration"] = float(_max_drawdown_duration(values, capital))
    cagr = out["cagr"]
    out["calmar"] = json_safe(cagr / abs(mdd)) if (mdd < 0 and cagr is not None) else None
    q5, q95 = np.percentile(r, [5, 95])
    out["tail_ratio"] = json_safe(abs(q95) / abs(q5)) if q5 != 0 else None
    out["var_95"] = float(q5)
    cut = int((n - 1) * 0.05)
    out["cvar_95"] = float(np.mean(np.partition(r, cut)[: cut + 1]))
    out["skew"], out["kurtosis"] = _moments(r)
    out["exposure"] = _exposure(fills, dates)
    mean_equity = float(np.mean(values))
    if mean_equity > 0:
        notional = sum(float(f.price) * f.quantity for f in fills)
        out["turnover"] = notional / 2.0 / mean_equity / (n / ANNUALIZATION)

    if benchmark_equity is not None:
        if len(benchmark_equity) != n:
            raise ValueError(f"benchmark has {len(benchmark_equity)} points but equity has {n}")
        b = daily_returns(benchmark_equity, capital)
        if n >= 2 and np.all(np.isfinite(b)):
            b_res = b - b.mean()
            var = float(np.mean(b_res * b_res))
            if var >= 1e-30:
                beta = float(np.mean(b_res * r)) / var
                out["beta"] = beta
                alpha_series = adj - beta * (b - rf)
                out["alpha"] = json_safe((1.0 + float(np.mean(alpha_series))) ** ANNUALIZATION - 1.0)
    return {k: json_safe(v) for k, v in out.items()}
