"""Where a backtest's bars come from: a directory of CSV files or the database.

A loader is a plain callable ``(symbols, first, last) -> {symbol: bar frame}`` so the runner
does not care about the source, the API can pass its own, and tests can pass real files.
Loaders read only the symbols they are asked for, and only the dates ``first..last``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from jutsu.errors import ConfigError, DataError

__all__ = ["FrameLoader", "csv_dir_loader", "database_loader"]

FrameLoader = Callable[[Sequence[str], dt.date, dt.date], dict[str, pd.DataFrame]]
"""``(symbols, first, last) -> {symbol: bar frame with first <= date <= last}``.

Raises :class:`~jutsu.errors.DataError` when a symbol cannot be found at all."""


def csv_dir_loader(directory: Path) -> FrameLoader:
    """Bars straight from ``directory/<SYMBOL>.csv`` (no database involved).

    Raises:
        ConfigError: ``directory`` does not exist or is not a directory (checked at once).
    """
    from jutsu.data.sources.csv_source import CsvDirectorySource

    if not directory.is_dir():
        raise ConfigError(f"--data-dir {directory} is not a directory")
    source = CsvDirectorySource(directory)

    def load(symbols: Sequence[str], first: dt.date, last: dt.date) -> dict[str, pd.DataFrame]:
        frames: dict[str, pd.DataFrame] = {}
        for symbol in symbols:
            path = source.path_for(symbol)
            if not path.is_file():
                raise DataError(f"no price file for {symbol}: {path} does not exist")
            frames[symbol] = source.fetch(symbol, first, last)
        return frames

    return load


def database_loader(engine: Engine) -> FrameLoader:
    """Bars from the ``market_data`` table of the database behind ``engine``.

    Raises (when called):
        DataError: a symbol has no stored bars at all (suggests ``jutsu data import``).
    """
    from jutsu.data.repositories.market_data import first_bar_date, load_bars

    def load(symbols: Sequence[str], first: dt.date, last: dt.date) -> dict[str, pd.DataFrame]:
        frames: dict[str, pd.DataFrame] = {}
        for symbol in symbols:
            frame = load_bars(engine, symbol, start=first, end=last)
            if frame.empty and first_bar_date(engine, symbol) is None:
                raise DataError(
                    f"no bars for {symbol} in the database; import them first "
                    f"(jutsu data import FILE / jutsu data sync --symbols {symbol})"
                )
            frames[symbol] = frame
        return frames

    return load
