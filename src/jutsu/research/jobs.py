"""Plumbing shared by grid search and walk-forward: load the bars once, run tasks, store.

``execute`` is the only loop that talks to an executor: it skips tasks whose key is already
stored, commits each finished batch of outcomes as it arrives (one transaction per batch),
reports progress and honours ``stop_after`` (how the tests simulate an interruption). Ctrl-C
surfaces as :class:`ResearchInterrupted` after the run is marked cancelled — everything
finished so far is already committed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from jutsu.backtest.loaders import FrameLoader
from jutsu.backtest.models import DEFAULT_BASELINE_SYMBOL
from jutsu.backtest.runner import load_window_start
from jutsu.core.engine import ENGINE_VERSION, warmup_sessions
from jutsu.core.market import MarketData
from jutsu.errors import BacktestError, JutsuError
from jutsu.research.combos import Grid, stable_hash
from jutsu.research.config import ResearchConfig
from jutsu.research.executors import Executor
from jutsu.research.store import ResearchStore
from jutsu.research.worker import ComboTask, WorkerSetup

__all__ = [
    "PRESENTATION_KEYS",
    "Progress",
    "ResearchData",
    "ResearchInterrupted",
    "execute",
    "load_research_data",
    "run_hash",
    "session_dates",
]

Progress = Callable[[int, int], None]
"""``progress(done, total)``: called after every stored result (and once at the start)."""

PRESENTATION_KEYS = frozenset({"top_n", "heatmaps", "objective"})
"""Config keys that change only how results are shown, not which results exist."""


class ResearchInterrupted(JutsuError):
    """The run stopped early (Ctrl-C or ``stop_after``); finished results are stored."""

    def __init__(self, run_id: str, done: int, total: int) -> None:
        super().__init__(f"interrupted: {done} of {total} results stored in run {run_id}; re-run to resume")
        self.run_id = run_id
        self.done = done
        self.total = total


@dataclass(frozen=True, slots=True)
class ResearchData:
    """The bars of a run, loaded once, and their identity."""

    frames: Mapping[str, pd.DataFrame]
    market: MarketData
    fingerprint: str
    baseline_symbol: str


def load_research_data(config: ResearchConfig, grid: Grid, loader: FrameLoader) -> ResearchData:
    """Load every symbol any combination reads (plus the baseline) with the longest warm-up.

    Raises:
        DataError: a symbol cannot be found.
        BacktestError: no bars at all in the configured period.
    """
    cls = grid.strategy_class
    symbols: dict[str, None] = {}
    warmup = 0
    for combo in grid.combos:
        strategy = cls(cls.Params.model_validate(dict(combo.params)))
        symbols.update(dict.fromkeys(strategy.symbols()))
        warmup = max(warmup, warmup_sessions(strategy))
    baseline = config.baseline_symbol or DEFAULT_BASELINE_SYMBOL
    symbols[baseline] = None
    frames = loader(tuple(symbols), load_window_start(config.start, warmup), config.end)
    market = MarketData.from_frames(frames)
    inside = [d for d in market.dates if config.start <= d <= config.end]
    if not inside:
        raise BacktestError(f"no bars for {', '.join(symbols)} between {config.start} and {config.end}")
    return ResearchData(
        frames=frames, market=market, fingerprint=market.fingerprint(), baseline_symbol=baseline
    )


def session_dates(market: MarketData, symbols: Sequence[str], start: dt.date, end: dt.date) -> list[dt.date]:
    """The trading dates a backtest of ``symbols`` over ``start..end`` records (one per return)."""
    return [d for d in market.select(symbols).dates if start <= d <= end]


def run_hash(kind: str, config: ResearchConfig, fingerprint: str) -> str:
    """Identity of a run: same kind, result-relevant config, data and engine → same run."""
    data = {k: v for k, v in config.canonical().items() if k not in PRESENTATION_KEYS}
    return stable_hash({"kind": kind, "config": data, "data": fingerprint, "engine": ENGINE_VERSION})


def worker_setup(config: ResearchConfig, data: ResearchData, *, use_cache: bool = True) -> WorkerSetup:
    return WorkerSetup(
        strategy_id=config.strategy,
        frames=data.frames,
        fingerprint=data.fingerprint,
        initial_capital=config.initial_capital,
        commission_per_share=config.commission_per_share,
        slippage=config.slippage,
        baseline_symbol=data.baseline_symbol,
        use_cache=use_cache,
    )


def execute(
    executor: Executor,
    setup: WorkerSetup,
    tasks: Sequence[ComboTask],
    *,
    store: ResearchStore,
    run_id: str,
    labels: Mapping[str, Mapping[str, Any]],
    done_keys: set[str],
    total: int,
    progress: Progress | None = None,
    stop_after: int | None = None,
) -> int:
    """Run the tasks not in ``done_keys``; store each outcome. Returns how many ran now.

    ``labels[key]`` is what gets stored as the result's ``params`` (the varied values, plus
    window information for walk-forward). ``total`` is the size of the whole job (progress).

    Raises:
        ResearchInterrupted: Ctrl-C, or ``stop_after`` results were stored.
    """
    todo = [t for t in tasks if t.key not in done_keys]
    done = len(done_keys)
    if progress is not None:
        progress(done, total)
    ran = 0
    if not todo:
        return 0
    outcomes = executor.run_batches(setup, todo)
    try:
        for batch in outcomes:
            if stop_after is not None:
                batch = batch[: max(stop_after - ran, 0)]
            # one transaction per finished batch: a result is durable as soon as its batch is
            store.save_many(run_id, [(labels[o.key], o) for o in batch], (done + len(batch)) / max(total, 1))
            for outcome in batch:
                done_keys.add(outcome.key)
                done += 1
                ran += 1
                if progress is not None:
                    progress(done, total)
            if stop_after is not None and ran >= stop_after and ran < len(todo):
                raise ResearchInterrupted(run_id, done, total)
    except KeyboardInterrupt:
        store.finish(run_id, "cancelled")
        raise ResearchInterrupted(run_id, done, total) from None
    except ResearchInterrupted:
        store.finish(run_id, "cancelled")
        raise
    finally:
        close = getattr(outcomes, "close", None)
        if close is not None:
            close()
    return ran
