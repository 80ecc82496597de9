"""Market data as the engine consumes it: per-symbol arrays on one union timeline.

Bars arrive as bar frames (:mod:`jutsu.core.bars`). They are converted once into float64
arrays (for indicators, which are float64 by spec) and exact ``Decimal`` closes (for money),
and placed on the union timeline of the symbols' trading dates. Everything the per-date loop
needs — "how many bars of X are dated <= t", "does X trade on t" — is precomputed here as
plain lists, so the loop does no searching and no pandas.

All arrays are read-only: slicing one (``arr[:n]``) gives a read-only view for free, which is
how strategies get their look-ahead-proof history without any copy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from jutsu.core.bars import BAR_COLUMNS, PRICE_COLUMNS
from jutsu.core.context import FloatArray
from jutsu.errors import DataError

__all__ = ["FIELDS", "IndicatorCache", "MarketData", "SymbolSeries"]

DateArray = npt.NDArray[np.datetime64]

FIELDS: tuple[str, ...] = ("open", "high", "low", "close", "volume")


def _readonly(arr: npt.NDArray[Any]) -> npt.NDArray[Any]:
    arr.flags.writeable = False
    return arr


def _to_decimal(value: object) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float | str | np.floating | np.integer):
        return Decimal(str(value))  # shortest repr of a float: what the vendor wrote
    raise DataError(f"price {value!r} is not a number")


@dataclass(frozen=True, slots=True, eq=False)
class SymbolSeries:
    """One symbol's bars, oldest first. Float arrays are read-only."""

    symbol: str
    dates: DateArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray
    close_dec: tuple[Decimal, ...]
    """Exact closes, used for marking to market and fills."""
    exact_rows: tuple[tuple[Decimal, Decimal, Decimal, Decimal], ...] | None = None
    """Exact OHLC (fingerprinting only); ``None`` on derived slices."""
    volume_raw: tuple[object, ...] | None = None

    def field(self, name: str) -> FloatArray:
        """The float64 array of ``name`` (open, high, low, close or volume)."""
        if name not in FIELDS:
            raise KeyError(f"unknown bar field {name!r}; fields are {', '.join(FIELDS)}")
        arr: FloatArray = getattr(self, name)
        return arr

    def digest(self) -> str:
        """sha256 of the exact bars (date, OHLC as exact decimal text, volume)."""
        if self.exact_rows is None or self.volume_raw is None:
            raise ValueError("digest() is only available on series built from frames")
        h = hashlib.sha256(self.symbol.encode())
        for d, row, vol in zip(self.dates.tolist(), self.exact_rows, self.volume_raw, strict=True):
            h.update(f"\n{d.isoformat()},{row[0]},{row[1]},{row[2]},{row[3]},{vol}".encode())
        return h.hexdigest()


@dataclass(eq=False)
class MarketData:
    """Bars of several symbols on their union timeline of trading dates.

    Build with :meth:`from_frames`; derive sub-views with :meth:`select` (fewer symbols) and
    :meth:`window` (a date range). Derived views share the arrays (no copies).
    """

    series: Mapping[str, SymbolSeries]
    _fingerprint: str | None = field(default=None, repr=False)
    _derived_from: tuple[MarketData, tuple[str, ...]] | None = field(default=None, repr=False)
    """(parent, derivation) of a derived view; its fingerprint is computed only when asked."""
    _digests: dict[str, str] = field(default_factory=dict, repr=False)
    """Per-symbol digests, shared with views made by :meth:`select` (computed once)."""
    _views: dict[tuple[str, ...], MarketData] = field(default_factory=dict, repr=False)
    """Memo of derived views (:meth:`select`, :meth:`window`): the arrays are read-only, so a
    view of the same symbols/dates is the same view — a grid's thousands of runs on one
    ``MarketData`` then share one window (its timeline maps, fingerprint, price updates)."""
    _updates: list[tuple[tuple[str, Decimal], ...]] | None = field(default=None, repr=False)
    timeline: DateArray = field(init=False, repr=False)
    dates: tuple[dt.date, ...] = field(init=False, repr=False)
    counts: Mapping[str, list[int]] = field(init=False, repr=False)
    """counts[s][i] = number of bars of ``s`` dated <= timeline[i]."""
    has_bar: Mapping[str, list[bool]] = field(init=False, repr=False)
    """has_bar[s][i] = ``s`` has a bar dated exactly timeline[i]."""

    def __post_init__(self) -> None:
        parts = [s.dates for s in self.series.values()]
        if len(parts) == 1:
            timeline = parts[0]  # already ascending and unique
        elif parts:
            merged = np.sort(np.concatenate(parts))
            keep = np.ones(merged.shape[0], dtype=bool)
            keep[1:] = merged[1:] != merged[:-1]
            timeline = merged[keep]
        else:
            timeline = np.array([], dtype="datetime64[D]")
        self.timeline = _readonly(timeline.astype("datetime64[D]"))
        self.dates = tuple(self.timeline.tolist())
        counts: dict[str, list[int]] = {}
        has_bar: dict[str, list[bool]] = {}
        for sym, s in self.series.items():
            c = np.searchsorted(s.dates, self.timeline, side="right")
            prev = s.dates[np.maximum(c - 1, 0)] if s.dates.size else self.timeline
            hb = (c > 0) & (prev == self.timeline)
            counts[sym] = c.tolist()
            has_bar[sym] = hb.tolist()
        self.counts = counts
        self.has_bar = has_bar

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_frames(cls, frames: Mapping[str, pd.DataFrame]) -> MarketData:
        """Build from bar frames keyed by symbol (see :mod:`jutsu.core.bars`).

        Raises:
            DataError: a frame lacks a column, or its dates are not ascending and unique.
        """
        series: dict[str, SymbolSeries] = {}
        for symbol, frame in frames.items():
            missing = [c for c in BAR_COLUMNS if c not in frame.columns]
            if missing:
                raise DataError(f"bars of {symbol}: missing column(s) {', '.join(missing)}")
            dates = pd.to_datetime(frame["date"]).to_numpy().astype("datetime64[D]")
            if dates.size > 1 and not bool(np.all(dates[1:] > dates[:-1])):
                raise DataError(f"bars of {symbol}: dates are not ascending and unique")
            exact = [[_to_decimal(v) for v in frame[c].tolist()] for c in PRICE_COLUMNS]
            floats = [_readonly(np.array([float(v) for v in col], dtype=np.float64)) for col in exact]
            volume_raw = tuple(frame["volume"].tolist())
            volume = _readonly(np.asarray(frame["volume"].to_numpy(), dtype=np.float64))
            series[symbol] = SymbolSeries(
                symbol=symbol,
                dates=_readonly(dates),
                open=floats[0],
                high=floats[1],
                low=floats[2],
                close=floats[3],
                volume=volume,
                close_dec=tuple(exact[3]),
                exact_rows=tuple(zip(*exact, strict=True)),
                volume_raw=volume_raw,
            )
        return cls(series=series)

    # ------------------------------------------------------------------ identity
    @property
    def symbols(self) -> tuple[str, ...]:
        """Symbols held, ascending."""
        return tuple(sorted(self.series))

    def fingerprint(self) -> str:
        """sha256 identifying the exact bars held; independent of symbol order."""
        if self._fingerprint is None and self._derived_from is not None:
            parent, parts = self._derived_from
            self._fingerprint = _derive(parent.fingerprint(), *parts)
        if self._fingerprint is None:
            h = hashlib.sha256(b"jutsu-market-v1")
            for sym in self.symbols:
                digest = self._digests.get(sym)
                if digest is None:
                    digest = self._digests[sym] = self.series[sym].digest()
                h.update(f"\n{sym}:{digest}".encode())
            self._fingerprint = h.hexdigest()
        return self._fingerprint

    # ------------------------------------------------------------------ derived views
    def select(self, symbols: Iterable[str]) -> MarketData:
        """The same bars restricted to ``symbols`` (timeline = their union).

        Raises:
            DataError: a symbol has no data here.
        """
        wanted = tuple(dict.fromkeys(symbols))
        memo_key = ("select", *wanted)
        view = self._views.get(memo_key)
        if view is None:
            view = self._remember(memo_key, self._select(wanted))
        return view

    def _remember(self, key: tuple[str, ...], view: MarketData) -> MarketData:
        if len(self._views) >= _MAX_VIEWS:
            self._views.pop(next(iter(self._views)))  # oldest first: a walk-forward moves on
        self._views[key] = view
        return view

    def _select(self, wanted: tuple[str, ...]) -> MarketData:
        missing = [s for s in wanted if s not in self.series]
        if missing:
            have = ", ".join(self.symbols) or "none"
            raise DataError(f"no market data for {', '.join(missing)} (loaded: {have})")
        sub = MarketData(series={s: self.series[s] for s in wanted}, _digests=self._digests)
        if all(self.series[s].exact_rows is not None for s in wanted):
            return sub
        sub._derived_from = (self, ("select", *sorted(wanted)))
        return sub

    def window(self, first: dt.date, last: dt.date) -> MarketData:
        """Bars dated ``first`` <= date <= ``last`` (array views, no copies)."""
        memo_key = ("window", first.isoformat(), last.isoformat())
        view = self._views.get(memo_key)
        if view is None:
            view = self._remember(memo_key, self._window(first, last))
        return view

    def _window(self, first: dt.date, last: dt.date) -> MarketData:
        lo64, hi64 = np.datetime64(first, "D"), np.datetime64(last, "D")
        out: dict[str, SymbolSeries] = {}
        for sym, s in self.series.items():
            lo = int(np.searchsorted(s.dates, lo64, side="left"))
            hi = int(np.searchsorted(s.dates, hi64, side="right"))
            out[sym] = SymbolSeries(
                symbol=sym,
                dates=s.dates[lo:hi],
                open=s.open[lo:hi],
                high=s.high[lo:hi],
                low=s.low[lo:hi],
                close=s.close[lo:hi],
                volume=s.volume[lo:hi],
                close_dec=s.close_dec[lo:hi],
            )
        sub = MarketData(series=out)
        sub._derived_from = (self, ("window", first.isoformat(), last.isoformat()))
        return sub

    def price_updates(self) -> list[tuple[tuple[str, Decimal], ...]]:
        """Per timeline date, the ``(symbol, exact close)`` of every symbol with a bar that day.

        Symbols in ascending order, so folding them into a dict in date order reproduces the
        engine's "latest price" dict including its key order. Computed once per view.
        """
        if self._updates is None:
            per_date: list[list[tuple[str, Decimal]]] = [[] for _ in self.dates]
            for sym in sorted(self.series):
                closes = self.series[sym].close_dec
                counts = self.counts[sym]
                for i, flag in enumerate(self.has_bar[sym]):
                    if flag:
                        per_date[i].append((sym, closes[counts[i] - 1]))
            self._updates = [tuple(u) for u in per_date]
        return self._updates


_MAX_VIEWS = 16


def _derive(parent: str, *parts: str) -> str:
    return hashlib.sha256("|".join((parent, *parts)).encode()).hexdigest()


def _fn_name(fn: Callable[..., Any]) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


class IndicatorCache:
    """Indicator results keyed by (data fingerprint, symbol, field, function, args).

    Share one instance across runs on the same data (grid search, walk-forward): an SMA(200)
    of QQQ is then computed once for every parameter combination that asks for it. Results
    are read-only arrays, so sharing them is safe.
    """

    def __init__(self, max_entries: int = 4096) -> None:
        self._data: dict[tuple[Hashable, ...], FloatArray] = {}
        self._max = max_entries
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(
        fingerprint: str,
        symbol: str,
        field_name: str | tuple[str, ...],
        fn: Callable[..., Any],
        args: tuple[object, ...],
    ) -> tuple[Hashable, ...]:
        """The cache key; ``args`` must be hashable (numbers, strings, tuples)."""
        return (fingerprint, symbol, field_name, _fn_name(fn), args)

    def get(self, key: tuple[Hashable, ...]) -> FloatArray | None:
        value = self._data.get(key)
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def put(self, key: tuple[Hashable, ...], value: FloatArray) -> None:
        if len(self._data) >= self._max:
            self._data.pop(next(iter(self._data)))  # evict the oldest entry
        self._data[key] = value

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        self._data.clear()
