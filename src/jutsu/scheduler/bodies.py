"""What each scheduled job does: synchronous bodies the scheduler runs in a worker thread.

Every body takes a :class:`JobContext` and returns a :class:`JobOutcome`; none raises for an
expected problem (the outcome says ``failed`` with a message). They are plain functions of
their inputs so tests can swap one (e.g. a trading body with a crash hook) without touching
the scheduler.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine

from jutsu.data.calendar import ET, is_session, session_close
from jutsu.errors import ConfigError, JutsuError
from jutsu.events import Event, Publisher

__all__ = [
    "Body",
    "JobContext",
    "JobOutcome",
    "default_bodies",
    "eod_body",
    "eod_recovery_body",
    "maintenance_body",
    "make_trading_body",
    "refresh_body",
    "token_check_body",
]

log = logging.getLogger(__name__)

OutcomeStatus = Literal["completed", "partial", "failed", "skipped"]


@dataclass(frozen=True, slots=True)
class JobContext:
    engine: Engine
    registry_path: Path
    now: dt.datetime
    trigger: Literal["scheduled", "manual"] = "scheduled"
    strategy_id: str | None = None
    force: bool = False
    target_date: dt.date | None = None
    publish: Publisher | None = None
    settings: Any = None


@dataclass(frozen=True, slots=True)
class JobOutcome:
    status: OutcomeStatus
    message: str = ""
    errors: Mapping[str, str] = field(default_factory=dict)
    result: Mapping[str, Any] = field(default_factory=dict)


Body = Callable[[JobContext], JobOutcome]


def _emit(ctx: JobContext, kind: Any, data: Mapping[str, object]) -> None:
    if ctx.publish is not None:
        try:
            ctx.publish(Event(type=kind, data=dict(data), timestamp=ctx.now))
        except Exception:
            log.exception("event publish failed")


# -- trading ----------------------------------------------------------------------------------


def _stored_close_quotes(engine: Engine, fixed: Mapping[str, Decimal] | None) -> Any:
    """Quotes for simulated books: fixed prices (tests) else the newest stored close."""
    from jutsu.brokers.base import Quote
    from jutsu.data.repositories.market_data import last_bar_date, load_bars

    def quotes(symbols: Sequence[str]) -> Mapping[str, Quote]:
        out: dict[str, Quote] = {}
        for s in symbols:
            if fixed is not None and s in fixed:
                out[s] = Quote(s, fixed[s], None, None, dt.datetime.now(dt.UTC))
                continue
            last = last_bar_date(engine, s)
            if last is None:
                continue
            bars = load_bars(engine, s, start=last, end=last)
            if len(bars):
                out[s] = Quote(s, Decimal(str(bars["close"].iloc[-1])), None, None, session_close(last))
        return out

    return quotes


def _schwab_configured() -> bool:
    """True when Schwab credentials are set (environment or Docker secret): the scheduler then
    prices dry-run and paper books at Schwab's live quotes instead of the last stored close."""
    return (
        bool(os.environ.get("SCHWAB_API_KEY") or os.environ.get("SCHWAB_APP_KEY"))
        or Path("/run/secrets/schwab_api_key").is_file()
    )


def make_trading_body(
    *,
    clock: Callable[[], dt.datetime] | None = None,
    crash_hook: Callable[[str, str], None] | None = None,
    quotes: Mapping[str, Decimal] | None = None,
    live_broker: Callable[[str], Any] | None = None,
) -> Body:
    """The §5.2 daily run over H2's pipeline (``run_daily``), with simulated books for
    ``dry_run``/``paper`` and ``live_broker(strategy_id)`` (when given) for ``live``."""

    def body(ctx: JobContext) -> JobOutcome:
        from jutsu.brokers.dry_run import DryRunBroker
        from jutsu.brokers.paper import PaperBroker
        from jutsu.cli.live import _db_history, build_jobs
        from jutsu.live.pipeline import LiveContext, run_daily

        engine = ctx.engine
        source = _stored_close_quotes(engine, quotes)
        confirmed = live_broker is not None

        def simulated_broker_for(strategy_id: str, mode: str) -> Any:
            if mode == "dry_run":
                return DryRunBroker(engine, strategy_id, source)
            if mode == "paper":
                return PaperBroker(engine, strategy_id, source)
            if live_broker is None:
                raise ConfigError(f"strategy {strategy_id} is live but no live broker is configured")
            return live_broker(strategy_id)

        broker_for: Callable[[str, str], Any] = simulated_broker_for
        if live_broker is None and quotes is None and _schwab_configured():
            # A configured broker: live quotes for the simulated books, Schwab for live strategies
            # (refused with a clear message unless live trading is explicitly confirmed).
            from jutsu.live.brokers import default_broker_factory, live_confirmed

            broker_for = default_broker_factory(engine)
            confirmed = live_confirmed()

        try:
            jobs = build_jobs(ctx.registry_path, [ctx.strategy_id] if ctx.strategy_id else None)
        except JutsuError as exc:
            return JobOutcome("failed", str(exc), {"_registry": str(exc)})
        live = LiveContext(
            engine=engine,
            broker_for=broker_for,
            history=_db_history(engine),
            publish=ctx.publish,
            crash_hook=crash_hook,
            live_confirmed=confirmed,
        )
        if clock is not None:
            live.clock = clock
        result = run_daily(live, jobs, trigger=ctx.trigger, force=ctx.force)
        errors = {
            o.strategy_id: o.message for o in result.outcomes if o.status in ("failed", "aborted", "refused")
        }
        return JobOutcome(
            result.status,
            result.message,
            errors,
            {
                "session": result.session.isoformat(),
                "execution_ids": [o.execution_id for o in result.outcomes if o.execution_id],
            },
        )

    return body


# -- refresh ----------------------------------------------------------------------------------


SYNC_LOOKBACK_DAYS = 30


def _sync_recent(engine: Engine, symbols: Sequence[str], now: dt.datetime) -> dict[str, str]:
    """Fetch the last 30 days of ``1D`` bars (§5.5) for ``symbols``, each from the source it was
    loaded from: ``synthetic`` data keeps growing in demo installs, ``yahoo`` (also for symbols
    never stored) syncs from Yahoo, and user-managed ``csv`` imports are left alone. Returns
    ``{"sync:<symbol>": message}`` for failures; stored bars are never rewritten."""
    from jutsu.data.repositories.market_data import list_symbols
    from jutsu.data.sources.synthetic import SyntheticSource
    from jutsu.data.sources.yahoo import YahooSource
    from jutsu.data.sync import sync_symbol

    stored = {row.symbol: row.source for row in list_symbols(engine)}
    start = now.astimezone(ET).date() - dt.timedelta(days=SYNC_LOOKBACK_DAYS)
    errors: dict[str, str] = {}
    for symbol in symbols:
        kind = stored.get(symbol, "yahoo")
        if kind not in ("synthetic", "yahoo"):
            continue
        source = SyntheticSource(now=now) if kind == "synthetic" else YahooSource(now=now)
        try:
            sync_symbol(engine, source, symbol, start, now=now)
        except JutsuError as exc:
            errors[f"sync:{symbol}"] = str(exc)
    return errors


def refresh_body(kind: str) -> Body:
    """§5.5 refresh: sync the last 30 days of daily bars for the strategies' symbols, then mark
    every active book to the newest stored closes, one ``refresh`` snapshot each.

    Indicators are not recomputed; a failing sync or strategy does not stop the others.
    """

    def body(ctx: JobContext) -> JobOutcome:
        from jutsu.cli.live import build_jobs
        from jutsu.data.repositories.live_ledger import q6, read_book
        from jutsu.data.repositories.live_runs import insert_snapshot

        if not is_session(ctx.now.astimezone(ET).date()):
            return JobOutcome("skipped", "not an NYSE session")
        errors: dict[str, str] = {}
        done: list[str] = []
        try:
            jobs = build_jobs(ctx.registry_path)
        except JutsuError as exc:
            return JobOutcome("failed", str(exc), {"_registry": str(exc)})
        symbols = sorted({s for job in jobs for s in (*job.strategy.symbols(), job.baseline_symbol)})
        errors.update(_sync_recent(ctx.engine, symbols, ctx.now))
        quotes = _stored_close_quotes(ctx.engine, None)
        for job in jobs:
            try:
                book = read_book(ctx.engine, job.strategy_id, job.mode)
                if book is None:
                    continue
                held = book.quantities()
                prices = {s: q.last for s, q in quotes(list(held)).items()}
                missing = [s for s in held if s not in prices]
                if missing:
                    raise ConfigError(f"no price for {', '.join(missing)}")
                value = sum((q * prices[s] for s, q in held.items()), Decimal(0))
                insert_snapshot(
                    ctx.engine,
                    {
                        "timestamp": ctx.now,
                        "total_equity": q6(book.cash + value),
                        "cash": q6(book.cash),
                        "positions_value": q6(value),
                        "snapshot_source": "refresh",
                        "positions_json": [
                            {"symbol": s, "quantity": q, "value": str(q6(q * prices[s]))}
                            for s, q in sorted(held.items())
                        ],
                        "mode": job.mode,
                        "strategy_id": job.strategy_id,
                        "created_at": ctx.now,
                    },
                )
                done.append(job.strategy_id)
            except Exception as exc:
                errors[job.strategy_id] = str(exc)
        _emit(ctx, "data_refresh", {"refresh_type": kind, "strategies": done})
        status: OutcomeStatus = "completed" if not errors else ("partial" if done else "failed")
        return JobOutcome(status, f"{len(done)} strategy snapshot(s)", errors)

    return body


# -- EOD --------------------------------------------------------------------------------------


def _eod_outcome(results: Sequence[Any]) -> JobOutcome:
    errors = {r.day.isoformat(): "; ".join(r.errors) for r in results if r.errors}
    statuses = {r.status for r in results}
    if not results or statuses <= {"skipped"}:
        return JobOutcome("skipped", "nothing to finalize", {}, {"days": [r.as_dict() for r in results]})
    status: OutcomeStatus = (
        "failed" if statuses == {"failed"} else "partial" if statuses & {"failed", "partial"} else "completed"
    )
    return JobOutcome(
        status, f"{len(results)} day(s) finalized", errors, {"days": [r.as_dict() for r in results]}
    )


def eod_body(half_day: bool | None) -> Body:
    """§5.4 for one date (default today ET) and every later already-finalized date.

    ``half_day`` = True/False restricts the run to early-close/normal days (the two cron
    variants); ``None`` (manual) runs on any session.
    """

    def body(ctx: JobContext) -> JobOutcome:
        from jutsu.data.calendar import is_half_day
        from jutsu.eod.finalize import finalize_day, later_finalized_dates, load_entities, run_recovery

        day = ctx.target_date or ctx.now.astimezone(ET).date()
        if not is_session(day):
            return JobOutcome("skipped", f"{day.isoformat()} is not an NYSE session")
        if half_day is not None and is_half_day(day) != half_day:
            return JobOutcome("skipped", "the other EOD variant runs today")
        try:
            entities = load_entities(ctx.registry_path)
        except JutsuError as exc:
            return JobOutcome("failed", str(exc), {"_registry": str(exc)})
        results = []
        if ctx.target_date is None:
            results += run_recovery(ctx.engine, day, entities, now=ctx.now)
        results.append(finalize_day(ctx.engine, day, entities, now=ctx.now))
        for later in later_finalized_dates(ctx.engine, day):
            results.append(finalize_day(ctx.engine, later, entities, now=ctx.now))
        kind = "eod_finalization_halfday" if is_half_day(day) else "eod_finalization"
        _emit(ctx, "data_refresh", {"refresh_type": kind, "date": day.isoformat()})
        return _eod_outcome(results)

    return body


def eod_recovery_body(ctx: JobContext) -> JobOutcome:
    """The recovery pass alone (startup catch-up and ``trigger-recovery``)."""
    from jutsu.eod.finalize import load_entities, run_recovery

    today = ctx.now.astimezone(ET).date()
    try:
        entities = load_entities(ctx.registry_path)
    except JutsuError as exc:
        return JobOutcome("failed", str(exc), {"_registry": str(exc)})
    return _eod_outcome(run_recovery(ctx.engine, today, entities, now=ctx.now))


# -- token check and maintenance ------------------------------------------------------------------


def token_check_body(ctx: JobContext) -> JobOutcome:
    """§5.9: the broker token expiry warnings (notifier from the environment)."""
    from jutsu.brokers.schwab_tokens import check_token_expiry
    from jutsu.notify.fanout import NotificationSettings, build_notifiers

    notifier: Any = build_notifiers(NotificationSettings.from_env())
    alert = check_token_expiry(ctx.engine, notifier, now=ctx.now)
    return JobOutcome("completed", alert.title if alert is not None else "no alert due")


def maintenance_body(ctx: JobContext) -> JobOutcome:
    """02:00: the daily database backup (I's ``run_scheduled_backup``)."""
    if ctx.settings is None:
        return JobOutcome("skipped", "no settings: backup not configured")
    from jutsu.ops.backup import run_scheduled_backup

    path = run_scheduled_backup(ctx.settings, ctx.now)
    return JobOutcome("completed", f"backup written to {path.name}")


def default_bodies() -> dict[str, Body]:
    return {
        "daily_trading_job": make_trading_body(),
        "market_close_refresh_job": refresh_body("market_close"),
        "hourly_refresh_job": refresh_body("hourly"),
        "manual_refresh": refresh_body("manual"),
        "eod_finalization_job": eod_body(False),
        "eod_finalization_job_halfday": eod_body(True),
        "eod_manual": eod_body(None),
        "eod_startup_recovery": eod_recovery_body,
        "token_expiration_check_job": token_check_body,
        "maintenance_job": maintenance_body,
    }
