"""The backtest runner service: one request in, one outcome out.

It glues the pieces in the order a user would do by hand: resolve the strategy and its
parameters, load exactly the bars it needs (its symbols plus the baseline symbol, from the
warm-up start to ``end``), run the engine, build the buy-and-hold baseline and compute both
metric sets. It prints nothing and writes nothing, so the CLI, the API and research jobs all
call it the same way and decide themselves what to show or store.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from jutsu.backtest.loaders import FrameLoader
from jutsu.backtest.models import (
    DEFAULT_BASELINE_SYMBOL,
    BacktestOutcome,
    BacktestRequest,
    MetricValue,
)
from jutsu.core.baseline import buy_and_hold_equity, forward_fill
from jutsu.core.costs import CostModel
from jutsu.core.engine import ENGINE_VERSION, run_backtest, warmup_sessions
from jutsu.core.market import MarketData
from jutsu.core.metrics import compute_metrics
from jutsu.core.result import BacktestResult
from jutsu.errors import BacktestError, ConfigError
from jutsu.strategies.base import Strategy

__all__ = ["BacktestOutcome", "BacktestRequest", "load_window_start", "run_backtest_job"]

# Calendar days per NYSE session, with room for holiday clusters: 252 sessions ≈ 365 days.
_CALENDAR_PER_SESSION = 1.5
_CALENDAR_SLACK_DAYS = 10

# Metrics of trades or of a comparison: meaningless for the baseline itself (no fills, it is
# its own benchmark), so the baseline's dict leaves them out instead of showing zeros.
_TRADE_METRICS = frozenset(
    {"win_rate", "profit_factor", "avg_win", "avg_loss", "closed_trades", "fills", "exposure", "turnover"}
    | {"beta", "alpha"}
)


def load_window_start(start: dt.date, sessions: int) -> dt.date:
    """First calendar date to load so that ``sessions`` trading days precede ``start``.

    Loading a little more is harmless (the engine cuts the warm-up itself); loading less
    would silently shorten the warm-up, so the estimate errs on the generous side.
    """
    if sessions <= 0:
        return start
    return start - dt.timedelta(days=math.ceil(sessions * _CALENDAR_PER_SESSION) + _CALENDAR_SLACK_DAYS)


def _validate(request: BacktestRequest) -> None:
    if request.end < request.start:
        raise BacktestError(f"end date {request.end} is before start date {request.start}")
    capital = request.initial_capital
    if not capital.is_finite() or capital <= 0:
        raise ConfigError(f"--capital must be a positive amount, got {capital}")


def _baseline_symbol(request: BacktestRequest, strategy: object, registry_path: Path | None) -> str:
    """The request's baseline, else the registry entry's, else the strategy's own, else QQQ."""
    if request.baseline_symbol:
        return request.baseline_symbol
    from jutsu.strategies.registry import DEFAULT_REGISTRY_PATH, load_registry

    path = registry_path or DEFAULT_REGISTRY_PATH
    if path.is_file():
        entry = load_registry(path).strategies.get(request.strategy_id)
        if entry is not None and entry.baseline_symbol:
            return str(entry.baseline_symbol)
    for owner in (strategy, getattr(strategy, "params", None)):
        value = getattr(owner, "baseline_symbol", None)
        if isinstance(value, str) and value:
            return value
    return DEFAULT_BASELINE_SYMBOL


def _require_bars_in_range(frames: Mapping[str, pd.DataFrame], start: dt.date, end: dt.date) -> None:
    """Fail with the requested dates in the message when the period holds no bar at all."""
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    for frame in frames.values():
        dates = pd.to_datetime(frame["date"])
        if bool(((dates >= lo) & (dates <= hi)).any()):
            return
    raise BacktestError(f"no bars for {', '.join(frames)} between {start} and {end}")


def _build_strategy(request: BacktestRequest, registry_path: Path | None) -> Strategy[Any]:
    from jutsu.strategies.registry import DEFAULT_REGISTRY_PATH, build_strategy

    return build_strategy(
        request.strategy_id,
        config_file=request.config_file,
        overrides=dict(request.overrides),
        registry_path=registry_path or DEFAULT_REGISTRY_PATH,
    )


def run_backtest_job(
    request: BacktestRequest,
    *,
    load_frames: FrameLoader,
    registry_path: Path | None = None,
) -> BacktestOutcome:
    """Run one backtest end to end and return everything the reports and the database need.

    Args:
        request: what to run.
        load_frames: where bars come from (:func:`~jutsu.backtest.loaders.csv_dir_loader`,
            :func:`~jutsu.backtest.loaders.database_loader`, or any callable of that shape).
        registry_path: strategy registry YAML (default: the registry's own default).

    Raises:
        ConfigError: unknown strategy or parameter, parameter out of range, bad capital/costs.
        DataError: a symbol's data cannot be found or is malformed.
        BacktestError: end before start, or no data in the requested range.
        StrategyError: the strategy failed during the run.
    """
    _validate(request)
    costs = CostModel(commission_per_share=request.commission_per_share, slippage=request.slippage)
    strategy = _build_strategy(request, registry_path)
    baseline_symbol = _baseline_symbol(request, strategy, registry_path)
    symbols = tuple(dict.fromkeys([*strategy.symbols(), baseline_symbol]))
    first = load_window_start(request.start, warmup_sessions(strategy))
    frames = load_frames(symbols, first, request.end)
    _require_bars_in_range(frames, request.start, request.end)
    market = MarketData.from_frames(frames)
    result = run_backtest(
        strategy,
        market,
        start=request.start,
        end=request.end,
        initial_capital=request.initial_capital,
        costs=costs,
    )
    try:
        baseline = _baseline_curve(frames[baseline_symbol], request)
    except BacktestError as exc:
        raise BacktestError(f"baseline {baseline_symbol}: {exc}") from None
    strategy_metrics, baseline_metrics = _metrics(result, baseline, request.initial_capital)
    return BacktestOutcome(
        request=request,
        result=result,
        baseline_symbol=baseline_symbol,
        baseline_equity=baseline,
        strategy_metrics=strategy_metrics,
        baseline_metrics=baseline_metrics,
        data_fingerprint=market.fingerprint(),
        engine_version=ENGINE_VERSION,
    )


def _baseline_curve(frame: pd.DataFrame, request: BacktestRequest) -> dict[dt.date, Decimal]:
    """Buy-and-hold value per baseline trading date in ``start..end`` (§10)."""
    dates = [ts.date() for ts in pd.to_datetime(frame["date"])]
    dates_out, values = buy_and_hold_equity(
        dates, list(frame["close"]), request.initial_capital, request.start, request.end
    )
    return dict(zip(dates_out, values, strict=True))


def _metrics(
    result: BacktestResult, baseline: Mapping[dt.date, Decimal], capital: Decimal
) -> tuple[dict[str, MetricValue], dict[str, MetricValue]]:
    """Strategy metrics (with beta/alpha against the baseline aligned by date) and the
    baseline's own metrics on its own dates.

    A strategy date before the baseline's first bar counts the baseline as still in cash
    (value = capital), which keeps the two return series aligned by date, never by position.
    """
    base_dates = list(baseline)
    base_values = list(baseline.values())
    dates = [s.date for s in result.snapshots]
    equity = [s.equity for s in result.snapshots]
    aligned = [capital if v is None else v for v in forward_fill(base_dates, base_values, dates)]
    strategy_metrics = compute_metrics(equity, dates, capital, fills=result.fills, benchmark_equity=aligned)
    baseline_metrics = compute_metrics(base_values, base_dates, capital)
    curve_only = {k: v for k, v in baseline_metrics.items() if k not in _TRADE_METRICS}
    return dict(strategy_metrics), curve_only
