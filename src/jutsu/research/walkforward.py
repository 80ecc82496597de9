"""Walk-forward optimisation: grid in-sample, best parameters out-of-sample, stitched.

Per window: every combination is backtested over the in-sample period (own warm-up before
it), the best by the objective is selected (ties: first in grid order), and that parameter
set is backtested over the out-of-sample period starting again from the initial capital.
The same capital and costs are used in- and out-of-sample (§6 Recommended).

Stitching (§12.4 Recommended): the out-of-sample *daily returns* of the windows are chained
(each window's first return is measured from its own starting capital), giving one curve
``K·Π(1 + r)``; the §9 metrics are computed on it. It is compared with buy-and-hold of the
baseline symbol over the same span (first OOS session to last OOS session).

Walk-forward efficiency = OOS annualised return / IS annualised return (``cagr``), per
window and overall (stitched OOS cagr / mean of the selected in-sample cagrs); undefined
(None) when the in-sample figure is not positive.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Engine

from jutsu.backtest.loaders import FrameLoader
from jutsu.core.baseline import buy_and_hold_equity, forward_fill
from jutsu.core.engine import ENGINE_VERSION
from jutsu.core.metrics import compute_metrics
from jutsu.errors import BacktestError, ConfigError, JutsuError
from jutsu.research.combos import Combo, expand_grid
from jutsu.research.config import ResearchConfig
from jutsu.research.executors import Executor
from jutsu.research.grid import GridRow, build_tasks, cost_context, rank_rows
from jutsu.research.jobs import (
    Progress,
    ResearchData,
    ResearchInterrupted,
    execute,
    load_research_data,
    run_hash,
    session_dates,
    worker_setup,
)
from jutsu.research.store import ResearchStore, StoredResult
from jutsu.research.windows import Window, make_windows
from jutsu.research.worker import ComboTask
from jutsu.strategies.catalog import get_strategy_class

__all__ = [
    "ParamStability",
    "WalkForwardResult",
    "WindowResult",
    "efficiency",
    "parameter_stability",
    "run_walk_forward",
    "stitch_returns",
]


@dataclass(frozen=True, slots=True)
class WindowResult:
    """One window: the parameters chosen in-sample and how they did out-of-sample."""

    window: Window
    params: Mapping[str, Any] | None
    is_metrics: Mapping[str, float | None] | None
    oos_metrics: Mapping[str, float | None] | None
    oos_dates: tuple[dt.date, ...]
    oos_returns: tuple[float, ...]
    efficiency: float | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ParamStability:
    """A varied parameter's chosen value per window and its coefficient of variation."""

    name: str
    values: tuple[Any, ...]
    mean: float | None
    std: float | None
    cv: float | None
    """Population std / |mean|; None for non-numeric values or a zero mean."""


@dataclass(frozen=True, slots=True)
class WalkForwardResult:
    run_id: str
    config: ResearchConfig
    windows: tuple[WindowResult, ...]
    dates: tuple[dt.date, ...]
    equity: tuple[float, ...]
    """Stitched out-of-sample equity, one point per date."""
    metrics: Mapping[str, float | None]
    baseline_symbol: str
    baseline_equity: tuple[float | None, ...]
    """Buy-and-hold value on ``dates`` (same capital, same span)."""
    baseline_metrics: Mapping[str, float | None] | None
    efficiency: float | None
    stability: tuple[ParamStability, ...]
    evaluated: int


def stitch_returns(
    parts: Sequence[tuple[Sequence[dt.date], Sequence[float]]], capital: float
) -> tuple[list[dt.date], list[float]]:
    """Chain per-window daily returns into one equity curve ``K·Π(1 + r)``.

    Raises:
        BacktestError: the windows' dates overlap or are out of order.
    """
    dates: list[dt.date] = []
    returns: list[float] = []
    for window_dates, window_returns in parts:
        if len(window_dates) != len(window_returns):
            raise BacktestError(f"{len(window_dates)} dates but {len(window_returns)} returns in a window")
        if dates and window_dates and window_dates[0] <= dates[-1]:
            raise BacktestError(f"out-of-sample windows overlap at {window_dates[0]}")
        dates.extend(window_dates)
        returns.extend(window_returns)
    equity = (capital * np.cumprod(1.0 + np.asarray(returns, dtype=np.float64))).tolist()
    return dates, equity


def efficiency(oos_cagr: float | None, is_cagr: float | None) -> float | None:
    """OOS annualised return / IS annualised return; None unless the IS figure is > 0."""
    if oos_cagr is None or is_cagr is None or not math.isfinite(is_cagr) or is_cagr <= 0:
        return None
    return oos_cagr / is_cagr


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def parameter_stability(names: Sequence[str], chosen: Sequence[Mapping[str, Any]]) -> list[ParamStability]:
    """Per parameter: the chosen value per window, mean, population std and CV."""
    out: list[ParamStability] = []
    for name in names:
        values = tuple(p.get(name) for p in chosen)
        nums = [_number(v) for v in values]
        if not nums or any(n is None for n in nums):
            out.append(ParamStability(name, values, None, None, None))
            continue
        arr = np.asarray(nums, dtype=np.float64)
        mean, std = float(arr.mean()), float(arr.std())
        out.append(ParamStability(name, values, mean, std, std / abs(mean) if mean != 0 else None))
    return out


def _best(rows: Sequence[GridRow], config: ResearchConfig) -> GridRow | None:
    ranked = rank_rows([r for r in rows if r.status == "completed"], config.objective)
    return ranked[0] if ranked else None


def run_walk_forward(
    config: ResearchConfig,
    *,
    loader: FrameLoader,
    executor: Executor,
    engine: Engine,
    progress: Progress | None = None,
    stop_after: int | None = None,
    use_cache: bool = True,
) -> WalkForwardResult:
    """Run (or resume) the walk-forward of ``config`` (requires its ``walk_forward`` section).

    Raises:
        ConfigError: no walk_forward section, bad grid, windows that do not fit the data.
        DataError, BacktestError: bars missing, or every window failed.
        ResearchInterrupted: Ctrl-C or ``stop_after``; re-running resumes.
    """
    spec = config.walk_forward
    if spec is None:
        raise ConfigError(f"{config.path or 'research config'}: a walk_forward section is required for wfo")
    grid = expand_grid(config)
    data = load_research_data(config, grid, loader)
    cls = grid.strategy_class
    first = cls(cls.Params.model_validate(dict(grid.combos[0].params)))
    sessions = session_dates(data.market, first.symbols(), config.start, config.end)
    windows = make_windows(sessions, spec, config.start, config.end)  # before any work

    store = ResearchStore(engine)
    run_id, done = store.open_run(run_hash("wfo", config, data.fingerprint), "wfo", config.canonical())
    setup = worker_setup(config, data, use_cache=use_cache)
    costs = cost_context(config)
    total = len(windows) * (len(grid.combos) + 1)

    is_tasks: list[list[ComboTask]] = []
    labels: dict[str, dict[str, Any]] = {}
    for w in windows:
        tasks = build_tasks(
            config.strategy, grid.combos, data.fingerprint, w.is_start, w.is_end, {**costs, "phase": "is"}
        )
        is_tasks.append(tasks)
        for t, c in zip(tasks, grid.combos, strict=True):
            labels[t.key] = {**c.varied, "_window": w.index, "_phase": "is"}
    flat = [t for ts in is_tasks for t in ts]
    ran = execute(
        executor, setup, flat, store=store, run_id=run_id, labels=labels, done_keys=done,
        total=total, progress=progress, stop_after=stop_after,
    )  # fmt: skip
    stored = store.results(run_id)
    chosen: list[tuple[Window, Combo | None, GridRow | None, ComboTask | None]] = []
    oos_tasks: list[ComboTask] = []
    for w, tasks in zip(windows, is_tasks, strict=True):
        rows = [
            GridRow(
                c.index,
                t.key,
                dict(c.varied),
                stored[t.key].metrics,
                stored[t.key].status,
                stored[t.key].error,
            )
            for t, c in zip(tasks, grid.combos, strict=True)
            if t.key in stored
        ]
        best = _best(rows, config)
        if best is None:
            chosen.append((w, None, None, None))
            continue
        combo = grid.combos[best.index]
        task = build_tasks(
            config.strategy, [combo], data.fingerprint, w.oos_start, w.oos_end, {**costs, "phase": "oos"}
        )[0]
        labels[task.key] = {**combo.varied, "_window": w.index, "_phase": "oos"}
        oos_tasks.append(task)
        chosen.append((w, combo, best, task))
    budget = None if stop_after is None else max(stop_after - ran, 0)
    if budget == 0 and any(t.key not in done for t in oos_tasks):
        store.finish(run_id, "cancelled")
        raise ResearchInterrupted(run_id, len(done), total)
    ran += execute(
        executor, setup, oos_tasks, store=store, run_id=run_id, labels=labels, done_keys=done,
        total=total, progress=progress, stop_after=budget,
    )  # fmt: skip
    stored = store.results(run_id)
    result = _assemble(config, data, run_id, chosen, stored, grid.varied_names, ran)
    store.finish(run_id, "completed", summary=_summary(result))
    return result


def _assemble(
    config: ResearchConfig,
    data: ResearchData,
    run_id: str,
    chosen: Sequence[tuple[Window, Combo | None, GridRow | None, ComboTask | None]],
    stored: Mapping[str, StoredResult],
    names: Sequence[str],
    ran: int,
) -> WalkForwardResult:
    cls = get_strategy_class(config.strategy)
    results: list[WindowResult] = []
    for w, combo, best, task in chosen:
        if combo is None or best is None or task is None:
            results.append(
                WindowResult(w, None, None, None, (), (), None, "no in-sample run produced the objective")
            )
            continue
        row = stored.get(task.key)
        if row is None or row.status != "completed" or row.returns is None:
            err = "out-of-sample run missing" if row is None else (row.error or "no returns")
            results.append(WindowResult(w, dict(combo.varied), best.metrics, None, (), (), None, err))
            continue
        symbols = cls(cls.Params.model_validate(dict(combo.params))).symbols()
        dates = session_dates(data.market, symbols, w.oos_start, w.oos_end)
        oos = row.metrics or {}
        results.append(
            WindowResult(
                window=w,
                params=dict(combo.varied),
                is_metrics=best.metrics,
                oos_metrics=row.metrics,
                oos_dates=tuple(dates),
                oos_returns=tuple(row.returns),
                efficiency=efficiency(oos.get("cagr"), (best.metrics or {}).get("cagr")),
            )
        )
    good = [r for r in results if r.error is None]
    if not good:
        reasons = "; ".join(f"window {r.window.index + 1}: {r.error}" for r in results)
        raise BacktestError(f"walk-forward: every window failed ({reasons})")
    capital = float(config.initial_capital)
    dates, equity = stitch_returns([(r.oos_dates, r.oos_returns) for r in good], capital)
    metrics = dict(compute_metrics(equity, dates, capital))
    base_equity: list[float | None] = [None] * len(dates)
    base_metrics: dict[str, float | None] | None = None
    series = data.market.series.get(data.baseline_symbol)
    if series is not None:
        try:
            bd, bv = buy_and_hold_equity(
                list(series.dates.tolist()), series.close_dec, config.initial_capital, dates[0], dates[-1]
            )
            base_metrics = dict(compute_metrics(bv, bd, config.initial_capital))
            base_equity = [None if v is None else float(v) for v in forward_fill(bd, bv, dates)]
        except JutsuError:
            pass
    is_cagrs = [(r.is_metrics or {}).get("cagr") for r in good]
    is_known = [c for c in is_cagrs if c is not None]
    overall = efficiency(metrics.get("cagr"), sum(is_known) / len(is_known) if is_known else None)
    stability = parameter_stability(names, [r.params or {} for r in good])
    return WalkForwardResult(
        run_id=run_id,
        config=config,
        windows=tuple(results),
        dates=tuple(dates),
        equity=tuple(equity),
        metrics=metrics,
        baseline_symbol=data.baseline_symbol,
        baseline_equity=tuple(base_equity),
        baseline_metrics=base_metrics,
        efficiency=overall,
        stability=tuple(stability),
        evaluated=ran,
    )


def _summary(result: WalkForwardResult) -> dict[str, Any]:
    return {
        "windows": [
            {
                "window": r.window.index + 1,
                "is_start": r.window.is_start.isoformat(),
                "is_end": r.window.is_end.isoformat(),
                "oos_start": r.window.oos_start.isoformat(),
                "oos_end": r.window.oos_end.isoformat(),
                "params": r.params,
                "is_cagr": (r.is_metrics or {}).get("cagr"),
                "oos_cagr": (r.oos_metrics or {}).get("cagr"),
                "efficiency": r.efficiency,
                "error": r.error,
            }
            for r in result.windows
        ],
        "metrics": dict(result.metrics),
        "baseline_symbol": result.baseline_symbol,
        "baseline_metrics": result.baseline_metrics,
        "efficiency": result.efficiency,
        "engine_version": ENGINE_VERSION,
        "oos_dates": [d.isoformat() for d in result.dates],
        "oos_returns": [x for r in result.windows if r.error is None for x in r.oos_returns],
    }
