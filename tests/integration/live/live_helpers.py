"""Shared wiring for the live pipeline tests: real price files, paper brokers, a clock.

Prices are read in place from the shared data directory (never copied); quotes are the
session's closes, stamped five minutes before the close (the trading time, DECISIONS 3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from jutsu.backtest.loaders import csv_dir_loader
from jutsu.brokers.base import Broker, Quote
from jutsu.brokers.dry_run import DryRunBroker
from jutsu.brokers.paper import PaperBroker
from jutsu.core.costs import CostModel
from jutsu.core.market import MarketData
from jutsu.data.calendar import session_close
from jutsu.live.config import ExecutionLimits
from jutsu.live.pipeline import LiveContext, StrategyJob
from jutsu.live.targets import BarValues
from jutsu.notify.base import Alert
from jutsu.strategies.registry import build_strategy

ROOT = Path(__file__).resolve().parents[3]
REGISTRY = ROOT / "config" / "strategies_registry.yaml"
PRICES = ROOT.parent / "shared" / "data" / "prices"
SYMBOLS = ("QQQ", "TQQQ", "PSQ", "TLT", "TMF", "TMV")


@lru_cache(maxsize=1)
def full_market() -> MarketData:
    frames = csv_dir_loader(PRICES)(SYMBOLS, dt.date(2018, 1, 1), dt.date(2024, 12, 31))
    return MarketData.from_frames(frames)


def history(symbols: Sequence[str], first: dt.date, last: dt.date) -> MarketData:
    return full_market().select(symbols).window(first, last)


def bar_of(symbol: str, day: dt.date) -> tuple[int, Any]:
    s = full_market().series[symbol]
    import numpy as np

    i = int(np.searchsorted(s.dates, np.datetime64(day, "D")))
    assert s.dates[i] == np.datetime64(day, "D"), f"no {symbol} bar on {day}"
    return i, s


def close_of(symbol: str, day: dt.date) -> Decimal:
    i, s = bar_of(symbol, day)
    return s.close_dec[i]


def full_bar(symbol: str, day: dt.date, quote: Decimal) -> BarValues:
    """The session's real bar (close = quote): lets parity cover volume-driven indicators."""
    i, s = bar_of(symbol, day)
    return Decimal(str(s.open[i])), Decimal(str(s.high[i])), Decimal(str(s.low[i])), quote, float(s.volume[i])


class Clock:
    def __init__(self, day: dt.date) -> None:
        self.now = trading_time(day)

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, day: dt.date) -> None:
        self.now = trading_time(day)


def trading_time(day: dt.date) -> dt.datetime:
    try:
        return session_close(day) - dt.timedelta(minutes=5)
    except Exception:  # not a session: 15:55 ET by the clock
        from jutsu.data.calendar import ET

        return dt.datetime.combine(day, dt.time(15, 55), tzinfo=ET).astimezone(dt.UTC)


class CloseQuotes:
    """Quote source: the closes of the clock's session, stamped at the clock's time."""

    def __init__(self, clock: Clock, overrides: Mapping[str, Decimal] | None = None) -> None:
        self.clock = clock
        self.overrides = dict(overrides or {})
        self.stamp: dt.datetime | None = None

    def __call__(self, symbols: Sequence[str]) -> Mapping[str, Quote]:
        from jutsu.data.calendar import ET

        day = self.clock().astimezone(ET).date()
        out: dict[str, Quote] = {}
        for s in symbols:
            price = self.overrides.get(s) or close_of(s, day)
            out[s] = Quote(s, price, None, None, self.stamp or self.clock())
        return out


class RecordingNotifier:
    name = "recording"

    def __init__(self) -> None:
        self.alerts: list[Alert] = []

    def send(self, alert: Alert) -> bool:
        self.alerts.append(alert)
        return True


def job(strategy_id: str, mode: str = "paper", **kw: Any) -> StrategyJob:
    strategy = build_strategy(strategy_id, registry_path=REGISTRY)
    return StrategyJob(strategy_id=strategy_id, mode=mode, strategy=strategy, **kw)


def context(
    engine: Engine,
    clock: Clock,
    *,
    quotes: CloseQuotes | None = None,
    broker_cls: type[PaperBroker] | None = None,
    **kw: Any,
) -> tuple[LiveContext, RecordingNotifier, list[Any]]:
    quotes = quotes or CloseQuotes(clock)
    costs = CostModel()

    def broker_for(strategy_id: str, mode: str) -> Broker:
        if mode == "dry_run":
            return DryRunBroker(engine, strategy_id, quotes, clock=clock)
        cls = broker_cls or PaperBroker
        return cls(engine, strategy_id, quotes, costs=costs, clock=clock)

    notifier = RecordingNotifier()
    events: list[Any] = []
    ctx = LiveContext(
        engine=engine,
        broker_for=broker_for,
        history=history,
        costs=costs,
        notifier=notifier,
        publish=events.append,
        clock=clock,
        sleep=lambda _s: None,
        **kw,
    )
    return ctx, notifier, events


def crash_child(url: str, day: dt.date, point: str, strategy_id: str) -> None:
    """Child process body: run one strategy and die with SIGKILL-like os._exit at ``point``."""
    import os

    from jutsu.data.database import create_db_engine
    from jutsu.live.pipeline import run_strategy

    engine = create_db_engine(url)
    clock = Clock(day)

    def hook(where: str, cid: str) -> None:
        if where == point:
            os._exit(137)

    ctx, _, _ = context(engine, clock, crash_hook=hook, today_bar=full_bar)
    run_strategy(ctx, job(strategy_id), session=day)
    os._exit(0)  # pragma: no cover - the hook exits first


DEFAULT_LIMITS = ExecutionLimits()
