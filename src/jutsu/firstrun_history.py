"""First run, part two: a recent dry-run history replayed from the stored bars.

The Dashboard and Performance pages read the trading books (runs, positions, trades,
snapshots, ``daily_performance``), which only the daily pipeline and the EOD job fill. A fresh
install has none, so its pages would be empty for weeks. Here the *real* pipeline
(:func:`jutsu.live.pipeline.run_strategy`, same broker, same ledger) and the *real* EOD service
are replayed over the last sessions of the stored data, one session at a time, exactly as the
scheduler would have run them: quotes are that session's close, the clock is 15:55 ET and one
:class:`LiveContext` is kept across days so its replay cache is used.

A strategy that already has runs or daily rows in its mode is left alone (idempotent), and
live-mode strategies are never replayed (their book mirrors a real account).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, func, select

from jutsu.backtest.loaders import database_loader
from jutsu.brokers.base import Broker, Quote
from jutsu.brokers.dry_run import DryRunBroker
from jutsu.brokers.paper import PaperBroker
from jutsu.cli.live import build_jobs
from jutsu.core.market import MarketData
from jutsu.data.calendar import ET, sessions_between
from jutsu.data.models.performance import DailyPerformance
from jutsu.data.models.trading import ExecutionRun
from jutsu.eod.finalize import finalize_day, load_entities
from jutsu.errors import DataError
from jutsu.live.pipeline import LiveContext, StrategyJob, run_strategy

__all__ = ["REPLAY_SESSIONS", "ReplayReport", "seed_recent_history"]

REPLAY_SESSIONS = 60
"""About three months: enough for an equity curve, a few trades and a regime change."""

_TRADING_TIME = dt.time(15, 55)
_EOD_TIME = dt.time(16, 30)


@dataclass
class ReplayReport:
    """Which strategies got a replayed history, over which sessions, and how long it took."""

    strategies: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    first: dt.date | None = None
    last: dt.date | None = None
    sessions: int = 0
    seconds: float = 0.0


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=ET).astimezone(dt.UTC)


def _has_history(engine: Engine, strategy_id: str, mode: str) -> bool:
    with engine.connect() as conn:
        runs = conn.scalar(
            select(func.count())
            .select_from(ExecutionRun)
            .where(ExecutionRun.strategy_id == strategy_id, ExecutionRun.mode == mode)
        )
        rows = conn.scalar(
            select(func.count())
            .select_from(DailyPerformance)
            .where(
                DailyPerformance.entity_type == "strategy",
                DailyPerformance.entity_id == strategy_id,
                DailyPerformance.mode == mode,
            )
        )
    return bool(runs) or bool(rows)


class _Replay:
    """Clock, quotes and history of the replay: all read from one in-memory copy of the bars.

    The bars are loaded once (one query per symbol instead of one per strategy and day), and
    the history handed to the pipeline is the same window the database provider would return.
    """

    def __init__(self, engine: Engine, symbols: Sequence[str], first: dt.date, last: dt.date) -> None:
        self.market = MarketData.from_frames(database_loader(engine)(symbols, first, last))
        self.now = _at(last, _TRADING_TIME)

    def clock(self) -> dt.datetime:
        return self.now

    def history(self, symbols: Sequence[str], first: dt.date, last: dt.date) -> MarketData:
        return self.market.select(symbols).window(first, last)

    def quotes(self, symbols: Sequence[str]) -> Mapping[str, Quote]:
        day = np.datetime64(self.now.astimezone(ET).date(), "D")
        out: dict[str, Quote] = {}
        for symbol in symbols:
            series = self.market.series.get(symbol)
            if series is None:
                continue
            i = int(np.searchsorted(series.dates, day))
            if i < len(series.dates) and series.dates[i] == day:
                out[symbol] = Quote(symbol, series.close_dec[i], None, None, self.now)
        return out


def seed_recent_history(
    engine: Engine,
    *,
    registry_path: Path,
    first_stored: dt.date,
    last_stored: dt.date,
    sessions: int = REPLAY_SESSIONS,
    data_label: str = "stored",
    say: Callable[[str], None] = lambda _msg: None,
) -> ReplayReport:
    """Replay the daily run + EOD over the last ``sessions`` sessions up to ``last_stored``.

    ``first_stored`` is the first date every needed symbol has a bar (history for warm-up).
    Raises :class:`DataError` when the stored data holds no session to replay.
    """
    import time

    t0 = time.perf_counter()
    report = ReplayReport()
    jobs: list[StrategyJob] = []
    for job in build_jobs(registry_path):
        if job.mode == "live" or _has_history(engine, job.strategy_id, job.mode):
            report.skipped.append(job.strategy_id)
        else:
            jobs.append(job)
    if not jobs:
        return report
    days = sessions_between(first_stored, last_stored)[-sessions:]
    if not days:
        raise DataError(f"no NYSE session between {first_stored} and {last_stored} to replay")
    symbols = sorted({s for j in jobs for s in (*j.strategy.symbols(), j.baseline_symbol)})
    replay = _Replay(engine, symbols, first_stored, last_stored)

    def broker_for(strategy_id: str, mode: str) -> Broker:
        if mode == "paper":
            return PaperBroker(engine, strategy_id, replay.quotes, clock=replay.clock)
        return DryRunBroker(engine, strategy_id, replay.quotes, clock=replay.clock)

    ctx = LiveContext(engine=engine, broker_for=broker_for, history=replay.history, clock=replay.clock)
    ids = {j.strategy_id for j in jobs}
    entities = [e for e in load_entities(registry_path) if e.strategy_id in ids]
    failures: list[str] = []
    for day in days:
        replay.now = _at(day, _TRADING_TIME)
        for job in jobs:
            outcome = run_strategy(ctx, job, session=day)
            if outcome.status not in ("success", "skipped"):
                failures.append(f"{job.strategy_id} {day}: {outcome.status} {outcome.message}")
        result = finalize_day(engine, day, entities, now=_at(day, _EOD_TIME))
        failures.extend(f"EOD {day}: {err}" for err in result.errors)
    if failures:
        raise DataError(f"replaying the recent history failed: {failures[0]}")
    report.strategies = [j.strategy_id for j in jobs]
    report.first, report.last, report.sessions = days[0], days[-1], len(days)
    report.seconds = time.perf_counter() - t0
    say(
        f"replayed the daily dry-run pipeline + EOD over {len(days)} sessions {days[0]} → {days[-1]} "
        f"of the {data_label} data for {', '.join(report.strategies)} ({report.seconds:.1f} s): "
        f"a replay of stored {data_label} prices, not real trading"
    )
    return report
