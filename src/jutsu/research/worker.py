"""What runs inside a worker: one backtest per task on data loaded once per worker.

The bars travel to a worker once (process-pool initializer, or one Dask scatter) inside a
:class:`WorkerSetup`; tasks carry only parameters and a period. Each worker keeps, per data
fingerprint, the :class:`~jutsu.core.market.MarketData` built from those bars and one
:class:`~jutsu.core.market.IndicatorCache` shared by every task it runs — so an indicator
whose inputs are identical across combinations (same symbol, field, function, args) is
computed once per worker, however many combinations ask for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from jutsu.core.baseline import buy_and_hold_equity, forward_fill
from jutsu.core.costs import CostModel
from jutsu.core.engine import run_backtest
from jutsu.core.market import IndicatorCache, MarketData
from jutsu.core.metrics import compute_metrics, daily_returns
from jutsu.errors import JutsuError
from jutsu.strategies.catalog import get_strategy_class

__all__ = ["ComboOutcome", "ComboTask", "WorkerSetup", "evaluate", "evaluate_batch", "worker_state"]

RETURN_DIGITS = 12
"""Significant digits kept for stored daily returns (plenty for Sharpe/PBO, ~half the bytes)."""


@dataclass(frozen=True, slots=True)
class WorkerSetup:
    """Everything shared by the tasks of one run; sent to each worker once."""

    strategy_id: str
    frames: Mapping[str, pd.DataFrame]
    fingerprint: str
    initial_capital: Decimal
    commission_per_share: Decimal
    slippage: Decimal
    baseline_symbol: str | None = None
    use_cache: bool = True


@dataclass(frozen=True, slots=True)
class ComboTask:
    """One backtest to run: full parameter set (JSON mode) over ``start..end``."""

    key: str
    params: Mapping[str, Any]
    start: dt.date
    end: dt.date


@dataclass(frozen=True, slots=True)
class ComboOutcome:
    """A finished task: metrics and daily returns, or the error that stopped it."""

    key: str
    metrics: dict[str, float | None] | None
    returns: list[float] | None
    error: str | None = None


class _State:
    __slots__ = ("baselines", "cache", "market")

    def __init__(self, market: MarketData, cache: IndicatorCache | None) -> None:
        self.market = market
        self.cache = cache
        self.baselines: dict[tuple[dt.date, dt.date], tuple[list[dt.date], list[Decimal]] | None] = {}


_STATES: dict[tuple[str, bool], _State] = {}


def worker_state(setup: WorkerSetup) -> _State:
    """This process's market data and indicator cache for ``setup`` (built on first use)."""
    key = (setup.fingerprint, setup.use_cache)
    state = _STATES.get(key)
    if state is None:
        if len(_STATES) >= 4:
            _STATES.clear()  # a long-lived Dask worker serving many runs: keep memory bounded
        market = MarketData.from_frames(setup.frames)
        state = _STATES[key] = _State(market, IndicatorCache() if setup.use_cache else None)
    return state


def _baseline(
    state: _State, setup: WorkerSetup, start: dt.date, end: dt.date
) -> tuple[list[dt.date], list[Decimal]] | None:
    symbol = setup.baseline_symbol
    if symbol is None or symbol not in state.market.series:
        return None
    if (start, end) not in state.baselines:
        series = state.market.series[symbol]
        try:
            state.baselines[(start, end)] = buy_and_hold_equity(
                list(series.dates.tolist()), series.close_dec, setup.initial_capital, start, end
            )
        except JutsuError:
            state.baselines[(start, end)] = None
    return state.baselines[(start, end)]


def evaluate(setup: WorkerSetup, task: ComboTask) -> ComboOutcome:
    """Run one combination; a failure becomes the outcome's ``error`` (the search goes on)."""
    state = worker_state(setup)
    try:
        cls = get_strategy_class(setup.strategy_id)
        strategy = cls(cls.Params.model_validate(dict(task.params)))
        costs = CostModel(commission_per_share=setup.commission_per_share, slippage=setup.slippage)
        result = run_backtest(
            strategy,
            state.market,
            start=task.start,
            end=task.end,
            initial_capital=setup.initial_capital,
            costs=costs,
            indicator_cache=state.cache,
        )
        dates = [s.date for s in result.snapshots]
        equity = [s.equity for s in result.snapshots]
        bench = _baseline(state, setup, task.start, task.end)
        aligned = None
        if bench is not None:
            filled = forward_fill(bench[0], bench[1], dates)
            aligned = [setup.initial_capital if v is None else v for v in filled]
        metrics = compute_metrics(
            equity, dates, setup.initial_capital, fills=result.fills, benchmark_equity=aligned
        )
        returns = [float(f"{r:.{RETURN_DIGITS}g}") for r in daily_returns(equity, setup.initial_capital)]
        return ComboOutcome(key=task.key, metrics=dict(metrics), returns=returns)
    except JutsuError as exc:
        return ComboOutcome(key=task.key, metrics=None, returns=None, error=str(exc))
    except Exception as exc:  # a worker must report, not die: the run records the failure
        return ComboOutcome(key=task.key, metrics=None, returns=None, error=f"{type(exc).__name__}: {exc}")


def evaluate_batch(setup: WorkerSetup, tasks: Sequence[ComboTask]) -> list[ComboOutcome]:
    """Several combinations in one task: one round trip to the worker instead of one each."""
    return [evaluate(setup, task) for task in tasks]
