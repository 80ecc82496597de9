"""Daily price CSV files: the shared layout and Yahoo's download layout.

Accepted headers (exactly, after trimming blanks and a UTF-8 BOM):

    date,open,high,low,close,adj_close,volume          (the platform's shared layout)
    Date,Open,High,Low,Close,Adj Close,Volume          (Yahoo Finance CSV download)

Prices are parsed from the text as ``Decimal`` so vendor values survive exactly (float parsing
would turn ``89.83999633789062`` into a different number after a round trip through storage).
Volume is parsed as a decimal and rounded to the nearest integer, because split-adjusted
vendors write float noise such as ``38353184.00000001``.

Numbers are plain ASCII decimals (``100``, ``100.5``, ``1e3``): ``Decimal`` itself would read
Arabic-Indic or full-width digits (``١٠٠`` as 100), which no price vendor writes, so such a cell
is far likelier a corrupted or hostile file than a price. Dates must fall inside the NYSE
calendar the platform knows (``CALENDAR_FIRST_DATE`` .. ``CALENDAR_LAST_DATE``): a bar outside it
can be neither stored at its session close nor held in a nanosecond date column.

Every problem raises ``DataError`` with one line: ``<file>: row <n>, field '<name>': <problem>``,
where ``row`` is the 1-based line number in the file (the header is row 1), so the message
points at the line an editor shows. ``adj_close`` is checked (a positive number) but not
returned: the platform trades and signals on split-adjusted, not dividend-adjusted, prices
(backtest-semantics.md).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from jutsu.data.calendar import CALENDAR_FIRST_DATE, CALENDAR_LAST_DATE
from jutsu.data.sources.base import make_bar_frame, slice_frame
from jutsu.data.validation import check_bar, check_price, is_valid_symbol, validate_symbol
from jutsu.errors import DataError

__all__ = ["CsvDirectorySource", "PriceFile", "read_price_csv", "symbol_from_path"]

_LAYOUTS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("date", "open", "high", "low", "close", "adj_close", "volume"): (
        "date",
        "open",
        "high",
        "low",
        "close",
        "adj_close",
        "volume",
    ),
    ("Date", "Open", "High", "Low", "Close", "Adj Close", "Volume"): (
        "Date",
        "Open",
        "High",
        "Low",
        "Close",
        "Adj Close",
        "Volume",
    ),
}
_FIELD_INDEX = {"open": 1, "high": 2, "low": 3, "close": 4, "volume": 6}
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_NUMBER_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,4})?$", re.ASCII)
_MAX_NUMBER_CHARS = 64
"""Longer than any price or volume storage can hold: refused before it is parsed or echoed."""
_SNIFF_BYTES = 4096


@dataclass(frozen=True, slots=True)
class PriceFile:
    """A parsed price file: the symbol it holds and its bar frame."""

    symbol: str
    frame: pd.DataFrame


def symbol_from_path(path: Path) -> str:
    """``QQQ.csv`` → ``QQQ``; ``PSQ_vintage2019.csv`` → ``PSQ`` (the stem up to the first ``_``).

    The stem is upper-cased. Raises ``DataError`` if the result is not a ticker.
    """
    stem = path.name.split(".csv")[0] if path.name.lower().endswith(".csv") else path.stem
    candidate = stem.upper()
    if not is_valid_symbol(candidate) and "_" in stem:
        candidate = stem.split("_", 1)[0].upper()
    return validate_symbol(candidate, where=f"{path} (symbol taken from the file name; pass a symbol)")


def _read_text(path: Path) -> str:
    """The file's text, refusing what is clearly not a CSV (missing, binary, JSON, empty)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a directory, not a CSV file") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read file ({exc.strerror})") from None
    if not raw.strip():
        raise DataError(f"{path}: file is empty")
    if b"\x00" in raw[:_SNIFF_BYTES]:
        raise DataError(f"{path}: not a CSV text file (binary content)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not a CSV text file (not UTF-8 at byte {exc.start})") from None
    if text.lstrip()[:1] in ("{", "["):
        raise DataError(f"{path}: not a CSV file (looks like JSON)")
    return text


def _decimal(text: str, where: str, field: str) -> Decimal:
    """Parse one number cell: plain ASCII decimal notation only, never NaN or infinity."""
    stripped = text.strip()
    if not stripped:
        raise DataError(f"{where}, field '{field}': empty value")
    if len(stripped) > _MAX_NUMBER_CHARS:
        raise DataError(
            f"{where}, field '{field}': number too long ({len(stripped)} characters, "
            f"at most {_MAX_NUMBER_CHARS})"
        )
    if not stripped.isascii():
        raise DataError(
            f"{where}, field '{field}': not a number ({stripped!r}); only ASCII digits 0-9 are accepted"
        )
    if not _NUMBER_RE.match(stripped):
        raise DataError(f"{where}, field '{field}': not a number ({stripped!r})")
    try:
        value = Decimal(stripped)
    except InvalidOperation:  # pragma: no cover - the pattern only lets valid literals through
        raise DataError(f"{where}, field '{field}': not a number ({stripped!r})") from None
    return value


def _day(text: str, where: str, field: str) -> date:
    """Parse one ``YYYY-MM-DD`` cell that the NYSE calendar covers."""
    if not _DATE_RE.match(text):
        raise DataError(f"{where}, field '{field}': unparseable date {text!r} (want YYYY-MM-DD)")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise DataError(f"{where}, field '{field}': unparseable date {text!r}") from None
    if not CALENDAR_FIRST_DATE <= day <= CALENDAR_LAST_DATE:
        raise DataError(
            f"{where}, field '{field}': date {day.isoformat()} is outside the NYSE calendar "
            f"({CALENDAR_FIRST_DATE.isoformat()} .. {CALENDAR_LAST_DATE.isoformat()})"
        )
    return day


def read_price_csv(path: Path, symbol: str | None = None) -> tuple[str, pd.DataFrame]:
    """Parse one daily price file into ``(symbol, bar frame)``; raise ``DataError`` on bad input.

    ``symbol`` defaults to the file name (see :func:`symbol_from_path`); an explicit one must be
    a ticker as given.
    """
    path = Path(path)
    sym = validate_symbol(symbol, where=str(path)) if symbol is not None else symbol_from_path(path)
    text = _read_text(path)
    reader = csv.reader(text.splitlines())
    try:
        header = tuple(cell.strip() for cell in next(reader))
    except csv.Error as exc:
        raise DataError(f"{path}: row 1: not a CSV file ({exc})") from None
    if header not in _LAYOUTS:
        raise DataError(
            f"{path}: row 1, field 'header': unknown column layout {','.join(header)!r}; expected "
            "'date,open,high,low,close,adj_close,volume' or 'Date,Open,High,Low,Close,Adj Close,Volume'"
        )
    names = _LAYOUTS[header]
    width = len(names)
    dates: list[date] = []
    opens: list[Decimal] = []
    highs: list[Decimal] = []
    lows: list[Decimal] = []
    closes: list[Decimal] = []
    volumes: list[int] = []
    previous: date | None = None
    line = 1
    try:
        for line, cells in enumerate(reader, start=2):
            if not cells or all(not c.strip() for c in cells):
                continue  # blank lines (e.g. a trailing newline) carry no data
            where = f"{path}: row {line}"
            if len(cells) != width:
                raise DataError(f"{where}, field 'row': expected {width} values, got {len(cells)}")
            day = _day(cells[0].strip(), where, names[0])
            if previous is not None and day <= previous:
                problem = "duplicated date" if day == previous else "date out of order"
                raise DataError(
                    f"{where}, field '{names[0]}': {problem} {day.isoformat()} "
                    f"(previous row is {previous.isoformat()})"
                )
            previous = day
            o, h, lo, c, adj = (_decimal(cells[i], where, names[i]) for i in range(1, 6))
            adj_problem = check_price(adj)
            if adj_problem is not None:
                raise DataError(f"{where}, field '{names[5]}': {adj_problem}")
            vol_dec = _decimal(cells[6], where, names[6])
            vol = int(vol_dec.to_integral_value(rounding=ROUND_HALF_EVEN))
            bad = check_bar(o, h, lo, c, vol)
            if bad is not None:
                raise DataError(f"{where}, field '{names[_FIELD_INDEX[bad[0]]]}': {bad[1]}")
            dates.append(day)
            opens.append(o)
            highs.append(h)
            lows.append(lo)
            closes.append(c)
            volumes.append(vol)
    except csv.Error as exc:
        raise DataError(f"{path}: row {line + 1}: not a valid CSV line ({exc})") from None
    if not dates:
        raise DataError(f"{path}: file is empty (a header but no data rows)")
    return sym, make_bar_frame(dates, opens, highs, lows, closes, volumes)


class CsvDirectorySource:
    """A ``MarketDataSource`` over a directory of ``<SYMBOL>.csv`` files.

    Used by the backtest runner's ``--data-dir`` and by tests. Files are parsed on each fetch
    (a parse of a 25-year file takes tens of milliseconds); callers that loop should keep the
    frame.
    """

    name = "csv"

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def path_for(self, symbol: str) -> Path:
        """The file holding ``symbol`` (``<dir>/<SYMBOL>.csv``)."""
        validate_symbol(symbol)
        return self.directory / f"{symbol}.csv"

    def symbols(self) -> list[str]:
        """Tickers for which the directory holds a ``<SYMBOL>.csv`` file, sorted."""
        found = (p.name[: -len(".csv")] for p in self.directory.glob("*.csv"))
        return sorted(s for s in found if is_valid_symbol(s))

    def fetch(self, symbol: str, start: date, end: date | None = None) -> pd.DataFrame:
        """Bars of ``symbol`` with ``start <= date <= end`` from its file."""
        path = self.path_for(symbol)
        if not path.is_file():
            raise DataError(f"no data for {symbol}: {path} does not exist")
        _, frame = read_price_csv(path, symbol)
        return slice_frame(frame, start, end)
