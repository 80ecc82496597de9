"""Daily bars from Yahoo Finance through ``yfinance`` (fallback and long-history source, §5.5).

Price basis: we keep Yahoo's ``Open/High/Low/Close`` with ``auto_adjust=False``. Yahoo's chart
API returns those *split-adjusted but not dividend-adjusted* — the same basis as the shared CSV
files and the one backtest-semantics.md trades on. ``Adj Close`` (dividend-adjusted) is dropped.

Session dates (tested rule): Yahoo stamps a daily bar at the session *open* (09:30 ET, e.g.
``1577975400`` = 2020-01-02 14:30Z) and yfinance turns that into midnight in the exchange time
zone. Either way the bar's NYSE session is the ``America/New_York`` calendar date of the stamp
(:func:`jutsu.data.calendar.to_session_date`); rows on non-sessions are dropped (§5.5 step 3)
and the in-progress session of today is never returned.

Errors (unknown symbol, 404, 400 "Data doesn't exist", rate limit, network) become one-line
``DataError`` messages. Floats are converted with ``repr`` so ``213.97999572753906`` stays that
exact decimal text.
"""

from __future__ import annotations

import math
import warnings
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from jutsu.data.calendar import ET, is_session, last_completed_session
from jutsu.data.sources.base import make_bar_frame, slice_frame
from jutsu.data.validation import validate_bar_frame, validate_symbol
from jutsu.errors import DataError

__all__ = ["YahooSource", "yahoo_frame_to_bars", "yahoo_stamp_to_session"]

_COLUMNS = ("Open", "High", "Low", "Close", "Volume")


def yahoo_stamp_to_session(stamp: int | float | datetime | pd.Timestamp) -> date:
    """The NYSE session date a Yahoo daily stamp belongs to: its ``America/New_York`` date.

    Accepts raw epoch seconds (Yahoo's ``timestamp[]``) or an aware datetime (yfinance's index).
    Naive datetimes are refused: they would be ambiguous by up to a day.
    """
    if isinstance(stamp, int | float):
        instant = datetime.fromtimestamp(float(stamp), tz=UTC)
    else:
        instant = pd.Timestamp(stamp).to_pydatetime()
    if instant.tzinfo is None:
        raise DataError(f"Yahoo stamp {instant.isoformat()} has no timezone")
    return instant.astimezone(ET).date()


def _decimal(value: Any, symbol: str, day: date, field: str) -> Decimal:
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise DataError(
            f"{symbol} (yahoo) {day.isoformat()}, field '{field.lower()}': price is missing (NaN)"
        )
    return Decimal(repr(number))


def yahoo_frame_to_bars(history: pd.DataFrame, symbol: str, last_session: date | None = None) -> pd.DataFrame:
    """Turn a ``yfinance`` daily history frame into a validated bar frame.

    Rows whose OHLC are all missing (Yahoo emits them around dividends/holidays) and rows on
    non-sessions are dropped; rows after ``last_session`` (the in-progress day) too.
    """
    missing = [c for c in _COLUMNS if c not in history.columns]
    if missing:
        raise DataError(f"{symbol} (yahoo): response lacks column(s) {', '.join(missing)}")
    dates: list[date] = []
    rows: list[tuple[Decimal, Decimal, Decimal, Decimal, int]] = []
    for stamp, o, h, lo, c, v in history[list(_COLUMNS)].itertuples(index=True, name=None):
        day = yahoo_stamp_to_session(stamp)
        if last_session is not None and day > last_session:
            continue
        if all(pd.isna(x) for x in (o, h, lo, c)) or not is_session(day):
            continue
        if dates and dates[-1] == day:
            continue  # Yahoo repeats the live bar in some responses; keep the first
        volume = 0 if pd.isna(v) else round(float(v))
        rows.append(
            (
                _decimal(o, symbol, day, "Open"),
                _decimal(h, symbol, day, "High"),
                _decimal(lo, symbol, day, "Low"),
                _decimal(c, symbol, day, "Close"),
                volume,
            )
        )
        dates.append(day)
    frame = make_bar_frame(
        dates,
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        [r[3] for r in rows],
        [r[4] for r in rows],
    )
    return validate_bar_frame(frame, f"{symbol} (yahoo)")


class YahooSource:
    """A ``MarketDataSource`` backed by ``yfinance``'s ``Ticker.history``.

    ``session``: a ``requests``/``curl_cffi`` session handed to yfinance (tests pass one that
    routes to a local fake server). ``cache_dir``: where yfinance keeps its timezone/cookie
    cache. ``now``: the clock used to drop today's in-progress session (default: real time).
    """

    name = "yahoo"

    def __init__(
        self,
        session: Any | None = None,
        cache_dir: Path | None = None,
        now: datetime | None = None,
        timeout: float = 30.0,
    ) -> None:
        self._session = session
        self._cache_dir = cache_dir
        self._now = now
        self._timeout = timeout

    def _history(self, symbol: str, start: date, end: date) -> pd.DataFrame:
        import yfinance as yf  # imported lazily: yfinance is slow to import and rarely needed
        from yfinance import exceptions as yf_errors

        if self._cache_dir is not None:
            yf.set_tz_cache_location(str(self._cache_dir))
        ticker = yf.Ticker(symbol, session=self._session) if self._session is not None else yf.Ticker(symbol)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter(
                    "ignore", DeprecationWarning
                )  # raise_errors is the only per-call switch
                history: pd.DataFrame = ticker.history(
                    start=start.isoformat(),
                    end=(end + timedelta(days=1)).isoformat(),  # yfinance's end is exclusive
                    interval="1d",
                    auto_adjust=False,
                    back_adjust=False,
                    actions=False,
                    repair=False,
                    timeout=self._timeout,
                    raise_errors=True,
                )
        except yf_errors.YFRateLimitError:
            raise DataError(f"Yahoo rate-limited the request for {symbol}; try again later") from None
        except yf_errors.YFTzMissingError:
            raise DataError(
                f"Yahoo does not know symbol {symbol} (no data found, symbol may be delisted)"
            ) from None
        except yf_errors.YFPricesMissingError as exc:
            reason = str(exc).split(": ", 1)[-1]
            raise DataError(f"Yahoo has no data for {symbol} {start}..{end}: {reason}") from None
        except Exception as exc:  # third-party boundary: anything else is a failed download
            status = getattr(getattr(exc, "response", None), "status_code", None)
            if status == 404:
                raise DataError(f"Yahoo does not know symbol {symbol} (HTTP 404)") from None
            detail = f"HTTP {status}" if status is not None else f"{type(exc).__name__}: {exc}"
            raise DataError(f"Yahoo request for {symbol} failed ({detail})") from None
        return history

    def fetch(self, symbol: str, start: date, end: date | None = None) -> pd.DataFrame:
        """Completed daily sessions of ``symbol`` with ``start <= date <= end``."""
        validate_symbol(symbol)
        last = last_completed_session(self._now or datetime.now(UTC))
        end = last if end is None else min(end, last)
        if end < start:
            return make_bar_frame([], [], [], [], [], [])
        history = self._history(symbol, start, end)
        if history.empty:
            raise DataError(f"Yahoo has no data for {symbol} {start}..{end}")
        return slice_frame(yahoo_frame_to_bars(history, symbol, last_session=end), start, end)
