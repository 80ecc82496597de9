"""Grid search: every combination of the config's parameter lists, ranked by the objective.

Flow: expand and validate the grid (before any work), load the bars once, open (or reopen)
the run in the database, evaluate only the combinations not stored yet, then read the whole
table back from the database — so an interrupted-then-resumed run and an uninterrupted one
produce the same table by construction.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from jutsu.backtest.loaders import FrameLoader
from jutsu.core.baseline import buy_and_hold_equity
from jutsu.core.engine import ENGINE_VERSION
from jutsu.core.metrics import compute_metrics
from jutsu.errors import JutsuError
from jutsu.research.combos import Combo, Grid, combo_key, expand_grid
from jutsu.research.config import Objective, ResearchConfig
from jutsu.research.executors import Executor
from jutsu.research.jobs import (
    Progress,
    ResearchData,
    execute,
    load_research_data,
    run_hash,
    session_dates,
    worker_setup,
)
from jutsu.research.store import ResearchStore
from jutsu.research.worker import ComboTask

__all__ = ["GridResult", "GridRow", "objective_value", "rank_rows", "run_grid"]


@dataclass(frozen=True, slots=True)
class GridRow:
    """One combination of the results table."""

    index: int
    key: str
    params: Mapping[str, Any]
    metrics: Mapping[str, float | None] | None
    status: str
    error: str | None

    def value(self, metric: str) -> float | None:
        if self.metrics is None:
            return None
        v = self.metrics.get(metric)
        return None if v is None or not math.isfinite(v) else float(v)


@dataclass(frozen=True, slots=True)
class GridResult:
    """A finished grid search: the table in expansion order plus what it was run on."""

    run_id: str
    config: ResearchConfig
    grid: Grid
    rows: tuple[GridRow, ...]
    data_fingerprint: str
    return_dates: tuple[dt.date, ...]
    evaluated: int
    """Combinations evaluated by this call (the rest came from the database)."""
    baseline_symbol: str
    baseline_metrics: Mapping[str, float | None] | None

    def top(self, n: int | None = None) -> list[GridRow]:
        """The best ``n`` (default: config ``top_n``) completed rows by the objective."""
        return rank_rows(self.rows, self.config.objective)[: n or self.config.top_n]


def objective_value(row: GridRow, objective: Objective) -> float | None:
    return row.value(objective.metric)


def rank_rows(rows: Sequence[GridRow], objective: Objective) -> list[GridRow]:
    """Rows with a value, best first (ties: lower index first)."""
    sign = -1.0 if objective.direction == "maximize" else 1.0
    scored = [(r, objective_value(r, objective)) for r in rows]
    ranked = sorted(((r, v) for r, v in scored if v is not None), key=lambda rv: (sign * rv[1], rv[0].index))
    return [r for r, _ in ranked]


def build_tasks(
    strategy_id: str,
    combos: Sequence[Combo],
    fingerprint: str,
    start: dt.date,
    end: dt.date,
    context: Mapping[str, Any],
) -> list[ComboTask]:
    ctx = {**context, "start": start.isoformat(), "end": end.isoformat()}
    return [
        ComboTask(
            key=combo_key(strategy_id, c.params, fingerprint, ENGINE_VERSION, context=ctx),
            params=c.params,
            start=start,
            end=end,
        )
        for c in combos
    ]


def cost_context(config: ResearchConfig) -> dict[str, str]:
    """Capital and costs: part of every combination key (they change the result)."""
    return {
        "capital": str(config.initial_capital),
        "commission_per_share": str(config.commission_per_share),
        "slippage": str(config.slippage),
    }


def _baseline_metrics(config: ResearchConfig, data: ResearchData) -> dict[str, float | None] | None:
    series = data.market.series.get(data.baseline_symbol)
    if series is None:
        return None
    try:
        dates, values = buy_and_hold_equity(
            list(series.dates.tolist()), series.close_dec, config.initial_capital, config.start, config.end
        )
    except JutsuError:
        return None
    return dict(compute_metrics(values, dates, config.initial_capital))


def run_grid(
    config: ResearchConfig,
    *,
    loader: FrameLoader,
    executor: Executor,
    engine: Engine,
    progress: Progress | None = None,
    stop_after: int | None = None,
    use_cache: bool = True,
) -> GridResult:
    """Run (or resume) the grid search of ``config``; results are committed as they arrive.

    Raises:
        ConfigError: unknown strategy/parameter, bad values, zero combinations.
        DataError, BacktestError: the bars cannot be loaded for the period.
        ResearchInterrupted: Ctrl-C or ``stop_after``; re-running resumes.
    """
    grid = expand_grid(config)  # every config error before any data or work
    data = load_research_data(config, grid, loader)
    tasks = build_tasks(
        config.strategy, grid.combos, data.fingerprint, config.start, config.end, cost_context(config)
    )
    store = ResearchStore(engine)
    run_id, done = store.open_run(run_hash("grid", config, data.fingerprint), "grid", config.canonical())
    labels = {t.key: dict(c.varied) for t, c in zip(tasks, grid.combos, strict=True)}
    done &= set(labels)
    first = grid.strategy_class(grid.strategy_class.Params.model_validate(dict(grid.combos[0].params)))
    return_dates = session_dates(data.market, first.symbols(), config.start, config.end)
    ran = execute(
        executor,
        worker_setup(config, data, use_cache=use_cache),
        tasks,
        store=store,
        run_id=run_id,
        labels=labels,
        done_keys=done,
        total=len(tasks),
        progress=progress,
        stop_after=stop_after,
    )
    stored = store.results(run_id, set(labels))
    rows = []
    for task, combo in zip(tasks, grid.combos, strict=True):
        r = stored.get(task.key)
        if r is None:
            continue
        rows.append(
            GridRow(
                index=combo.index,
                key=task.key,
                params=dict(combo.varied),
                metrics=r.metrics,
                status=r.status,
                error=r.error,
            )
        )
    baseline = _baseline_metrics(config, data)
    result = GridResult(
        run_id=run_id,
        config=config,
        grid=grid,
        rows=tuple(rows),
        data_fingerprint=data.fingerprint,
        return_dates=tuple(return_dates),
        evaluated=ran,
        baseline_symbol=data.baseline_symbol,
        baseline_metrics=baseline,
    )
    best = result.top(1)
    store.finish(
        run_id,
        "completed",
        summary={
            "combinations": len(tasks),
            "skipped_invalid": grid.skipped,
            "completed": sum(1 for r in rows if r.status == "completed"),
            "failed": sum(1 for r in rows if r.status == "failed"),
            "objective": config.objective.model_dump(),
            "best": None if not best else {"params": dict(best[0].params), "metrics": best[0].metrics},
            "data_fingerprint": data.fingerprint,
            "engine_version": ENGINE_VERSION,
            "return_dates": [d.isoformat() for d in return_dates],
        },
    )
    return result
