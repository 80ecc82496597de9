"""``jutsu data ...``: import, sync, list, delete and synthesise market data.

A thin shell: parse flags, call the sources / ``jutsu.data.sync`` / the market-data repository
(the only code that writes SQL), print with Rich. Every ``JutsuError`` (and a database that is
unreachable or not migrated) becomes one ``error: <message>`` line on stderr and exit code 1 —
never a stack trace.

``--symbols`` takes several tickers after one flag (``--symbols QQQ TQQQ``), repeated flags
(``--symbols QQQ --symbols TQQQ``) or a comma list (``--symbols QQQ,TQQQ``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from jutsu.errors import ConfigError, JutsuError

__all__ = ["app", "database_url"]

app = typer.Typer(no_args_is_help=True)
_out = Console(highlight=False, soft_wrap=True)
_MULTI = {"allow_extra_args": True, "ignore_unknown_options": True}
SOURCES = ("yahoo", "synthetic")


def database_url() -> str:
    """The configured database URL (``jutsu.config.load_settings().database_url``)."""
    from jutsu.config import load_settings

    return load_settings().database_url


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)


@contextmanager
def _boundary() -> Iterator[None]:
    """Turn platform and database errors into one stderr line and exit code 1."""
    try:
        yield
    except JutsuError as exc:
        _fail(str(exc))
        raise typer.Exit(1) from None
    except SQLAlchemyError as exc:
        orig = getattr(exc, "orig", None)
        detail = (str(orig) if orig is not None else str(exc)).splitlines()[0]
        _fail(f"database error: {detail} (is the database migrated? run `jutsu db upgrade`)")
        raise typer.Exit(1) from None


def _engine() -> Engine:
    from jutsu.data.database import create_db_engine

    return create_db_engine(database_url())


def _parse_date(flag: str, text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(f"{flag} {text!r} is not a valid date (expected YYYY-MM-DD)") from None


def _symbols(given: Sequence[str] | None, extra: Sequence[str]) -> list[str]:
    """Tickers from ``--symbols`` values, trailing words after it and comma lists."""
    from jutsu.data.validation import validate_symbol

    out: list[str] = []
    for token in [*(given or []), *extra]:
        if token.startswith("-"):
            raise ConfigError(f"unknown option {token!r}")
        for part in token.split(","):
            if part.strip():
                symbol = validate_symbol(part.strip().upper())
                if symbol not in out:
                    out.append(symbol)
    return out


@app.command("import")
def import_command(
    files: Annotated[list[Path], typer.Argument(help="CSV files (shared or Yahoo layout).")],
    symbol: Annotated[
        str | None, typer.Option("--symbol", help="Ticker for a single file (default: from the file name).")
    ] = None,
    correct: Annotated[
        bool, typer.Option("--correct", help="Overwrite stored bars that differ (audited as `correct`).")
    ] = False,
) -> None:
    """Import daily bars from CSV files; each file is one transaction (all or nothing)."""
    from jutsu.data.repositories.market_data import import_bars
    from jutsu.data.sources.csv_source import read_price_csv

    failed = 0
    with _boundary():
        if symbol is not None and len(files) > 1:
            raise ConfigError("--symbol applies to one file; import several files without it")
        engine = _engine()
        try:
            for path in files:
                try:
                    sym, frame = read_price_csv(path, symbol)
                    report = import_bars(engine, sym, frame, "csv", correct=correct)
                except JutsuError as exc:
                    _fail(str(exc))
                    failed += 1
                    continue
                _out.print(
                    f"{sym}: {report.inserted} inserted, {report.unchanged} unchanged, "
                    f"{report.corrected} corrected ({path})"
                )
        finally:
            engine.dispose()
    if failed:
        raise typer.Exit(1)


@app.command("sync", context_settings=_MULTI)
def sync_command(
    ctx: typer.Context,
    symbols: Annotated[list[str] | None, typer.Option("--symbols", help="Tickers to sync.")] = None,
    start: Annotated[str, typer.Option("--start", help="First session wanted (YYYY-MM-DD).")] = "2010-01-01",
    end: Annotated[
        str | None, typer.Option("--end", help="Last session wanted (default: last completed).")
    ] = None,
    source: Annotated[str, typer.Option("--source", help="yahoo or synthetic.")] = "yahoo",
    seed: Annotated[int, typer.Option("--seed", help="Seed of the synthetic source.")] = 42,
) -> None:
    """Fetch only the bars missing after (or before) what is stored, from Yahoo or synthetic."""
    from jutsu.data.sources.base import MarketDataSource
    from jutsu.data.sources.synthetic import SyntheticSource
    from jutsu.data.sources.yahoo import YahooSource
    from jutsu.data.sync import sync_symbol

    with _boundary():
        tickers = _symbols(symbols, ctx.args)
        if not tickers:
            raise ConfigError("give at least one ticker with --symbols")
        if source not in SOURCES:
            raise ConfigError(f"--source {source!r} is not one of {', '.join(SOURCES)}")
        start_date = _parse_date("--start", start)
        assert start_date is not None
        end_date = _parse_date("--end", end)
        src: MarketDataSource = SyntheticSource(seed=seed) if source == "synthetic" else YahooSource()
        engine = _engine()
        try:
            for ticker in tickers:
                result = sync_symbol(engine, src, ticker, start_date, end_date)
                _out.print(
                    f"{ticker}: fetched {result.bars_fetched}, stored {result.bars_stored}, "
                    f"skipped {result.bars_skipped}, conflicting {result.bars_conflicting} "
                    f"(through {result.end_date.isoformat()}, {source})"
                )
        finally:
            engine.dispose()


@app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Stored symbols with first/last session, row count and missing NYSE sessions."""
    from jutsu.data.repositories.market_data import list_symbols

    with _boundary():
        engine = _engine()
        try:
            summaries = list_symbols(engine)
        finally:
            engine.dispose()
    if as_json:
        rows = [
            {
                "symbol": s.symbol,
                "first": s.first.isoformat(),
                "last": s.last.isoformat(),
                "rows": s.rows,
                "missing_sessions": s.missing_sessions,
                "source": s.source,
            }
            for s in summaries
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    if not summaries:
        _out.print("no market data stored (try `jutsu data import FILE...`)")
        return
    table = Table(title="Market data (1D)")
    for column in ("symbol", "first", "last", "rows", "missing sessions", "source"):
        table.add_column(column, justify="right" if column in ("rows", "missing sessions") else "left")
    for s in summaries:
        table.add_row(
            s.symbol, s.first.isoformat(), s.last.isoformat(), str(s.rows), str(s.missing_sessions), s.source
        )
    _out.print(table)


@app.command("delete")
def delete_command(
    symbol: Annotated[str, typer.Option("--symbol", help="Ticker whose bars are deleted.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete every stored bar of a symbol (audited as `delete`)."""
    from jutsu.data.repositories.market_data import delete_symbol
    from jutsu.data.validation import validate_symbol

    with _boundary():
        validate_symbol(symbol)
        if not yes and not typer.confirm(f"Delete all stored bars of {symbol}?", default=False):
            _out.print("aborted; nothing deleted")
            raise typer.Exit(1)
        engine = _engine()
        try:
            deleted = delete_symbol(engine, symbol)
        finally:
            engine.dispose()
        _out.print(f"{symbol}: deleted {deleted} bar(s)")


@app.command("synth", context_settings=_MULTI)
def synth_command(
    ctx: typer.Context,
    symbols: Annotated[
        list[str] | None, typer.Option("--symbols", help="Tickers (default: all synthetic ones).")
    ] = None,
    start: Annotated[str, typer.Option("--start", help="First session (YYYY-MM-DD).")] = "2010-01-04",
    end: Annotated[str | None, typer.Option("--end", help="Last session (default: last completed).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed, same bars.")] = 42,
) -> None:
    """Store seeded synthetic bars (labelled `synthetic`) for machines without real data."""
    from jutsu.data.repositories.market_data import import_bars
    from jutsu.data.sources.synthetic import SYNTHETIC_SYMBOLS, SyntheticSource

    with _boundary():
        tickers = _symbols(symbols, ctx.args) or list(SYNTHETIC_SYMBOLS)
        start_date = _parse_date("--start", start)
        assert start_date is not None
        end_date = _parse_date("--end", end)
        if end_date is not None and end_date < start_date:
            raise ConfigError(f"--end {end_date} is before --start {start_date}")
        source = SyntheticSource(seed=seed)
        frames = {t: source.fetch(t, start_date, end_date) for t in tickers}
        engine = _engine()
        try:
            for ticker, frame in frames.items():
                report = import_bars(engine, ticker, frame, source.name)
                _out.print(
                    f"{ticker}: {report.inserted} synthetic bars inserted, {report.unchanged} unchanged "
                    f"(seed {seed})"
                )
        finally:
            engine.dispose()
