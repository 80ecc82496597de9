"""Bar validation shared by every source and by storage (platform spec §2.2 rule 4).

Sources validate before they hand out a bar frame (see ``jutsu.core.bars``), so the engine can
trust it; storage validates again because a frame may come from anywhere. The checks are the
same everywhere, so they live here once, and every failure names *where* (file/row or
symbol/date) and *which field* in one line.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from jutsu.core.bars import BAR_COLUMNS
from jutsu.errors import DataError

__all__ = [
    "MAX_PRICE",
    "MAX_VOLUME",
    "SYMBOL_PATTERN",
    "check_bar",
    "check_price",
    "is_valid_symbol",
    "validate_bar_frame",
    "validate_symbol",
]

SYMBOL_PATTERN = re.compile(r"^(?:[A-Z][A-Z0-9.\-]{0,9}|\$[A-Z][A-Z0-9.\-]{0,8})$")
"""An upper-case ticker (``QQQ``, ``BRK.B``) or a ``$``-prefixed index (``$VIX``), ≤ 10 chars."""


MAX_PRICE = Decimal("999999999999.999999")
"""Largest price storage holds (``NUMERIC(18, 6)``): a larger one is a typo or garbage, and
refusing it here names the field instead of failing deep inside the database driver."""

MAX_VOLUME = 2**63 - 1
"""Largest volume storage holds (``BIGINT``)."""

_SHOW_DIGITS = 24


def _show(value: Decimal | int) -> str:
    """A number for a one-line message, abbreviated when it is absurdly long."""
    text = str(value)
    return text if len(text) <= _SHOW_DIGITS else f"{text[:_SHOW_DIGITS]}… ({len(text)} characters)"


def is_valid_symbol(symbol: str) -> bool:
    """True if ``symbol`` is a ticker the platform can store."""
    return bool(SYMBOL_PATTERN.match(symbol))


def validate_symbol(symbol: str, where: str = "") -> str:
    """Return ``symbol`` unchanged or raise ``DataError`` saying why it is not a ticker."""
    if not is_valid_symbol(symbol):
        prefix = f"{where}: " if where else ""
        raise DataError(
            f"{prefix}symbol {symbol!r} is not a ticker (upper-case letters, digits, '.' or '-', "
            "at most 10 characters; indexes start with '$')"
        )
    return symbol


def check_bar(
    open_: Decimal, high: Decimal, low: Decimal, close: Decimal, volume: int
) -> tuple[str, str] | None:
    """Return ``(field, problem)`` for the first rule a bar breaks, or ``None`` if it is valid.

    Prices must be finite, positive and at most :data:`MAX_PRICE`; ``low <= open, close <=
    high``; ``0 <= volume <=`` :data:`MAX_VOLUME`.
    """
    for field, value in (("open", open_), ("high", high), ("low", low), ("close", close)):
        problem = check_price(value)
        if problem is not None:
            return field, problem
    if high < low:
        return "high", f"high {high} is below low {low}"
    if not low <= close <= high:
        return "close", f"close {close} is outside [low {low}, high {high}]"
    if not low <= open_ <= high:
        return "open", f"open {open_} is outside [low {low}, high {high}]"
    if volume < 0:
        return "volume", f"volume must not be negative, got {_show(volume)}"
    if volume > MAX_VOLUME:
        return "volume", f"volume {_show(volume)} is too large (at most {MAX_VOLUME})"
    return None


def check_price(value: Decimal) -> str | None:
    """The problem with one price (not finite, not positive, too large), or ``None``."""
    if not value.is_finite():
        return f"price is not a number ({value})"
    if value <= 0:
        return f"price must be positive, got {_show(value)}"
    if value > MAX_PRICE:
        return f"price {_show(value)} is too large (at most {MAX_PRICE})"
    return None


def _as_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    raise TypeError(type(value).__name__)


def _day(value: np.datetime64) -> date:
    return date.fromisoformat(str(value))


def validate_bar_frame(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    """Check that ``frame`` follows the bar-frame convention; return it unchanged.

    ``label`` names the origin in messages (e.g. ``"QQQ (yahoo)"``). Raises ``DataError`` on the
    first problem: missing columns, a date column that is not tz-naive datetime64, dates not
    ascending/unique, non-Decimal prices or an invalid bar.
    """
    missing = [c for c in BAR_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"{label}: bar frame lacks column(s) {', '.join(missing)}")
    dates = frame["date"]
    if not pd.api.types.is_datetime64_dtype(dates) or getattr(dates.dt, "tz", None) is not None:
        raise DataError(f"{label}: column 'date' must be tz-naive datetime64, got {dates.dtype}")
    if not pd.api.types.is_integer_dtype(frame["volume"]):
        raise DataError(f"{label}: column 'volume' must be integer, got {frame['volume'].dtype}")
    if frame.empty:
        return frame
    days = dates.to_numpy().astype("datetime64[D]")
    steps = days[1:] - days[:-1]
    bad_steps = (steps <= np.timedelta64(0, "D")).nonzero()[0]
    if bad_steps.size:
        i = int(bad_steps[0]) + 1
        day, previous = _day(days[i]), _day(days[i - 1])
        problem = "duplicated" if day == previous else f"out of order (after {previous.isoformat()})"
        raise DataError(f"{label} {day.isoformat()}, field 'date': date {problem}")
    columns = [frame[c].tolist() for c in ("open", "high", "low", "close", "volume")]
    for i, (o, h, lo, c, v) in enumerate(zip(*columns, strict=True)):
        try:
            prices = [_as_decimal(x) for x in (o, h, lo, c)]
        except TypeError as exc:
            raise DataError(
                f"{label} {_day(days[i]).isoformat()}: prices must be decimal.Decimal, got {exc.args[0]}"
            ) from None
        bad = check_bar(prices[0], prices[1], prices[2], prices[3], int(v))
        if bad is not None:
            raise DataError(f"{label} {_day(days[i]).isoformat()}, field '{bad[0]}': {bad[1]}")
    return frame
