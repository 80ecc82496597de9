"""``jutsu live``: preview the orders of a run, run one strategy by hand, show the status.

Thin shell over :mod:`jutsu.live.pipeline`: parse, build the context (database, registry,
simulated brokers, quotes), call, print. Every JutsuError becomes one red line and exit 1.
Live-mode strategies trade through the Schwab broker of :func:`jutsu.live.brokers.default_broker_factory`
(``SCHWAB_*`` settings, stored token) and only with ``LIVE_TRADING_CONFIRMED=true``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from jutsu.brokers.base import Quote
from jutsu.core.market import MarketData
from jutsu.errors import ConfigError, JutsuError
from jutsu.live.brokers import default_broker_factory, live_confirmed
from jutsu.live.config import ExecutionLimits
from jutsu.live.pipeline import LiveContext, StrategyJob, preview_strategy, run_strategy, session_of

__all__ = ["app", "build_jobs", "parse_quotes"]

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)
_REGISTRY = Path("config/strategies_registry.yaml")


def parse_quotes(pairs: Sequence[str]) -> dict[str, Decimal]:
    """``["QQQ=400.5", ...]`` → ``{"QQQ": Decimal("400.5")}``.

    Raises:
        ConfigError: malformed pair or a non-positive price.
    """
    out: dict[str, Decimal] = {}
    for item in pairs:
        symbol, sep, raw = item.partition("=")
        symbol = symbol.strip().upper()
        try:
            price = Decimal(raw.strip())
        except InvalidOperation:
            price = Decimal(0)
        if not sep or not symbol or not price.is_finite() or price <= 0:
            raise ConfigError(f"--quote {item!r}: expected SYMBOL=PRICE with a positive price")
        out[symbol] = price
    return out


def build_jobs(registry_path: Path, strategy_ids: Sequence[str] | None = None) -> list[StrategyJob]:
    """Active strategies of the registry (or the named ones), ready for the pipeline."""
    from jutsu.backtest.models import DEFAULT_CAPITAL
    from jutsu.strategies.registry import build_strategy, load_registry, load_strategy_file

    registry = load_registry(registry_path)
    ids = list(strategy_ids) if strategy_ids else registry.active_ids()
    jobs: list[StrategyJob] = []
    for sid in ids:
        entry = registry.strategies.get(sid)
        if entry is None:
            known = ", ".join(registry.strategies)
            raise ConfigError(f"unknown strategy {sid!r}; the registry lists: {known}")
        path = registry.config_path(sid)
        file = load_strategy_file(path) if path.is_file() else None
        capital = Decimal(str(file.portfolio.initial_capital)) if file else DEFAULT_CAPITAL
        jobs.append(
            StrategyJob(
                strategy_id=sid,
                mode=entry.mode,
                strategy=build_strategy(sid, registry_path=registry_path),
                initial_capital=capital,
                limits=ExecutionLimits.from_section(file.execution if file else None),
                baseline_symbol=entry.baseline_symbol,
                is_primary=entry.is_primary,
            )
        )
    return jobs


def _engine() -> Engine:
    from jutsu.config import load_settings
    from jutsu.data.database import create_db_engine

    return create_db_engine(load_settings().database_url)


def _db_history(engine: Engine) -> Any:
    from jutsu.backtest.loaders import database_loader

    load = database_loader(engine)

    def history(symbols: Sequence[str], first: dt.date, last: dt.date) -> MarketData:
        return MarketData.from_frames(load(symbols, first, last))

    return history


def _quote_source(engine: Engine, overrides: Mapping[str, Decimal], now: dt.datetime) -> Any:
    """``--quote`` overrides first, else the newest stored close (stamped at its close)."""
    from jutsu.data.calendar import session_close
    from jutsu.data.repositories.market_data import last_bar_date, load_bars

    def quotes(symbols: Sequence[str]) -> Mapping[str, Quote]:
        out: dict[str, Quote] = {}
        for s in symbols:
            if s in overrides:
                out[s] = Quote(s, overrides[s], None, None, now)
                continue
            last = last_bar_date(engine, s)
            if last is None:
                continue
            bars = load_bars(engine, s, start=last, end=last)
            if len(bars):
                out[s] = Quote(s, Decimal(str(bars["close"].iloc[-1])), None, None, session_close(last))
        return out

    return quotes


def _context(engine: Engine, quote_pairs: Sequence[str], console: Console) -> LiveContext:
    now = dt.datetime.now(dt.UTC)
    source = _quote_source(engine, parse_quotes(quote_pairs), now)

    broker_for = default_broker_factory(engine, quotes=source)
    confirmed = live_confirmed()
    return LiveContext(
        engine=engine, broker_for=broker_for, history=_db_history(engine), live_confirmed=confirmed
    )


def _fail(err: Console, exc: JutsuError) -> None:
    err.print(f"[red]error:[/red] {exc}", highlight=False)
    raise typer.Exit(1)


RegistryOpt = Annotated[Path, typer.Option("--registry", help="Strategy registry YAML.")]
QuoteOpt = Annotated[
    list[str] | None, typer.Option("--quote", help="SYMBOL=PRICE quote override (repeatable, offline use).")
]


@app.command("preview")
def preview_command(
    strategy: Annotated[
        str | None, typer.Option("--strategy", help="Strategy id (default: all active).")
    ] = None,
    quote: QuoteOpt = None,
    registry: RegistryOpt = _REGISTRY,
) -> None:
    """Print the exact orders a run would send now; writes nothing."""
    console, err = Console(), Console(stderr=True)
    try:
        engine = _engine()
        ctx = _context(engine, quote or [], console)
        for job in build_jobs(registry, [strategy] if strategy else None):
            p = preview_strategy(ctx, job)
            console.print(
                f"[bold]{p.strategy_id}[/bold] ({p.mode}) session {p.session} — cash {p.cash:.2f}, "
                f"positions {dict(p.positions) or 'none'}"
            )
            weights = ", ".join(f"{s} {w:.3f}" for s, w in sorted(p.decision.weights.items()) if w)
            console.print(f"  targets: {weights or 'all cash'}")
            if not p.orders:
                console.print("  no orders")
                continue
            table = Table("side", "symbol", "shares", "price", "value", "note")
            for o in p.orders:
                note = "below rebalance threshold (not sent)" if o.below_threshold else ""
                table.add_row(
                    o.side,
                    o.symbol,
                    str(o.quantity),
                    f"{o.reference_price:.4f}",
                    f"{o.quantity * o.reference_price:.2f}",
                    note,
                )
            console.print(table)
    except JutsuError as exc:
        _fail(err, exc)


@app.command("run")
def run_command(
    strategy: Annotated[str, typer.Option("--strategy", help="Strategy id to run once now.")],
    quote: QuoteOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Run again even if it succeeded today.")] = False,
    registry: RegistryOpt = _REGISTRY,
) -> None:
    """Run one strategy once by hand (trigger ``manual``)."""
    console, err = Console(), Console(stderr=True)
    try:
        engine = _engine()
        ctx = _context(engine, quote or [], console)
        (job,) = build_jobs(registry, [strategy])
        session = session_of(ctx.clock())
        from jutsu.data.calendar import is_session

        if not is_session(session):
            raise ConfigError(f"{session} is not an NYSE trading session (market holiday or weekend)")
        outcome = run_strategy(ctx, job, session=session, trigger="manual", force=force)
    except JutsuError as exc:
        _fail(err, exc)
        return
    color = "green" if outcome.status == "success" else "yellow" if outcome.status == "skipped" else "red"
    console.print(
        f"[{color}]{outcome.strategy_id} ({outcome.mode}): {outcome.status}[/{color}] {outcome.message}"
    )
    for r in outcome.reports:
        console.print(
            f"  {r.side} {r.filled_quantity}/{r.quantity} {r.symbol} @ {r.avg_fill_price} [{r.status}]"
        )
    if outcome.status not in ("success", "skipped"):
        raise typer.Exit(1)


@app.command("status")
def status_command(registry: RegistryOpt = _REGISTRY) -> None:
    """Modes, kill switch, last runs, positions and cash."""
    from jutsu.data.repositories.live_engine_state import read_engine_state
    from jutsu.data.repositories.live_ledger import read_book
    from jutsu.data.repositories.live_runs import last_runs
    from jutsu.strategies.registry import load_registry

    console, err = Console(), Console(stderr=True)
    try:
        engine = _engine()
        state = read_engine_state(engine)
        reg = load_registry(registry)
    except JutsuError as exc:
        _fail(err, exc)
        return
    console.print(
        f"engine: [bold]{state.state}[/bold]" + (f" — {state.halt_reason}" if state.halt_reason else "")
    )
    for sid, reason in state.halted_strategies.items():
        console.print(f"  kill switch on for {sid}: {reason}")
    table = Table("strategy", "mode", "active", "cash", "positions", "last run")
    for sid, entry in reg.strategies.items():
        book = read_book(engine, sid, entry.mode)
        runs = last_runs(engine, limit=1, strategy_id=sid)
        last = f"{runs[0].trading_date} {runs[0].status}" if runs else "never"
        table.add_row(
            sid,
            entry.mode,
            "yes" if entry.is_active else "no",
            f"{book.cash:.2f}" if book else "-",
            ", ".join(f"{s} {q}" for s, q in sorted(book.quantities().items())) if book else "-",
            last,
        )
    console.print(table)


@app.command("kill-switch")
def kill_switch_command(
    state: Annotated[str, typer.Argument(help="on or off.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (recorded with the switch).")] = "",
    strategy: Annotated[
        str | None, typer.Option("--strategy", help="Only this strategy (default: the global switch).")
    ] = None,
    flatten: Annotated[
        bool, typer.Option("--flatten", help="With on: cancel open orders and sell every position.")
    ] = False,
    quote: QuoteOpt = None,
    registry: RegistryOpt = _REGISTRY,
) -> None:
    """Turn the global (or one strategy's) kill switch on or off; optionally flatten positions."""
    from jutsu.data.repositories.live_engine_state import set_kill_switch, set_strategy_halt
    from jutsu.live.flatten import flatten as flatten_books

    console, err = Console(), Console(stderr=True)
    try:
        switch = state.strip().lower()
        if switch not in ("on", "off"):
            raise ConfigError(f"kill-switch: expected 'on' or 'off', got {state!r}")
        active = switch == "on"
        if active and not reason.strip():
            raise ConfigError('kill-switch on needs --reason "..."')
        if flatten and not active:
            raise ConfigError("--flatten only goes with 'on'")
        engine = _engine()
        if strategy is not None:
            build_jobs(registry, [strategy])  # unknown ids fail before anything changes
            set_strategy_halt(engine, strategy, active=active, reason=reason.strip())
            where = f"strategy {strategy}"
        else:
            set_kill_switch(engine, active=active, reason=reason.strip())
            where = "all trading (engine halted)" if active else "engine (now stopped; start it to trade)"
        console.print(
            f"kill switch {'ON' if active else 'OFF'} for {where}" + (f": {reason}" if active else "")
        )
        if flatten:
            ctx = _context(engine, quote or [], console)
            jobs = [
                j
                for j in build_jobs(registry, [strategy] if strategy else None)
                if j.mode in ("paper", "live")
            ]
            results = flatten_books(ctx, jobs, session=session_of(ctx.clock()))
            failed = False
            for r in results:
                sold = ", ".join(f"{o.symbol} {o.filled_quantity}/{o.quantity} [{o.status}]" for o in r.sold)
                console.print(
                    f"  {r.strategy_id} ({r.mode}): sold {sold or 'nothing'}; "
                    f"cancelled {len(r.cancelled)} open order(s)"
                    + (f" — [red]{r.error}[/red]" if r.error else "")
                )
                failed = failed or r.error is not None
            if failed:
                raise typer.Exit(1)
    except JutsuError as exc:
        _fail(err, exc)
