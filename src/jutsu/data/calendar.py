"""The one NYSE calendar of the code base (platform spec §6.3), backed by exchange_calendars XNYS.

Why one module: daily bars are stored at the *official close instant* of their session
(§2.2 rule 3: 16:00 ET, 13:00 ET on early-close days), gap detection compares stored dates to
the real session list, and schedulers need the same answers. Doing that in one place keeps the
DST and half-day handling in the timezone database and the exchange calendar, never in fixed
offsets.

Building an ``ExchangeCalendar`` takes a noticeable fraction of a second, so the object is
cached with ``lru_cache``; there is no other module state.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import exchange_calendars as xcals
import pandas as pd

from jutsu.errors import DataError

__all__ = [
    "CALENDAR_FIRST_DATE",
    "CALENDAR_LAST_DATE",
    "ET",
    "close_instants",
    "is_half_day",
    "is_session",
    "last_completed_session",
    "missing_sessions",
    "next_session",
    "nyse_calendar",
    "previous_session",
    "session_close",
    "session_date_of",
    "sessions_between",
    "to_session_date",
]

ET = ZoneInfo("America/New_York")
CALENDAR_FIRST_DATE = date(1990, 1, 2)
"""Oldest session the calendar knows (SPY starts 1993, QQQ 1999: plenty of margin)."""
CALENDAR_LAST_DATE = date(2035, 12, 31)
"""Fixed horizon (sessions beyond the published schedule follow the holiday rules), so answers
never depend on the day the process started."""


@lru_cache(maxsize=1)
def nyse_calendar() -> Any:
    """The XNYS calendar from 1990 to :data:`CALENDAR_LAST_DATE`."""
    with warnings.catch_warnings():
        # exchange_calendars 4.13 reads ``Series.values`` on tz-aware data; pandas 3.1 warns.
        warnings.filterwarnings("ignore", message="Series.values returning")
        return xcals.get_calendar(
            "XNYS", start=CALENDAR_FIRST_DATE.isoformat(), end=CALENDAR_LAST_DATE.isoformat()
        )


def _check_range(day: date) -> None:
    cal = nyse_calendar()
    if not (CALENDAR_FIRST_DATE <= day <= cal.last_session.date()):
        raise DataError(
            f"date {day.isoformat()} is outside the NYSE calendar "
            f"({CALENDAR_FIRST_DATE.isoformat()} .. {cal.last_session.date().isoformat()})"
        )


def sessions_between(start: date, end: date) -> list[date]:
    """NYSE sessions ``start <= d <= end`` (inclusive; empty if end < start)."""
    if end < start:
        return []
    cal = nyse_calendar()
    lo = max(start, CALENDAR_FIRST_DATE)
    hi = min(end, cal.last_session.date())
    if hi < lo:
        return []
    return [ts.date() for ts in cal.sessions_in_range(pd.Timestamp(lo), pd.Timestamp(hi))]


def is_session(day: date) -> bool:
    """True if NYSE holds a regular session on ``day``."""
    if not (CALENDAR_FIRST_DATE <= day <= nyse_calendar().last_session.date()):
        return False
    return bool(nyse_calendar().is_session(pd.Timestamp(day)))


def session_close(day: date) -> datetime:
    """The official close instant (aware UTC) of session ``day``: the stored ``1D`` bar timestamp."""
    _check_range(day)
    if not is_session(day):
        raise DataError(f"{day.isoformat()} is not an NYSE session")
    ts = nyse_calendar().session_close(pd.Timestamp(day))
    return datetime.fromtimestamp(ts.timestamp(), tz=UTC)


def close_instants(dates: pd.Series | pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Vectorised :func:`session_close` for a column of tz-naive session dates.

    Raises ``DataError`` naming the first date that is not a session, because storing a bar on a
    non-session would break gap detection and grouping by trading date.
    """
    idx = pd.DatetimeIndex(dates).normalize()
    closes = nyse_calendar().closes
    out = closes.reindex(idx)
    bad = out.isna()
    if bool(bad.any()):
        first_bad = idx[bad.to_numpy().nonzero()[0][0]]
        raise DataError(f"{first_bad.date().isoformat()} is not an NYSE session")
    return pd.DatetimeIndex(out)


def session_date_of(instant: datetime) -> date:
    """The ET calendar date of an aware instant (grouping bars by trading date, §2.2 rule 3)."""
    if instant.tzinfo is None:
        raise DataError(f"naive datetime {instant.isoformat()} has no timezone")
    return instant.astimezone(ET).date()


def to_session_date(instant: datetime) -> date:
    """Map a vendor's daily stamp to the NYSE session it belongs to.

    Rule (tested): convert the instant to America/New_York and take the calendar date. It holds
    for every stamp a vendor uses for a daily bar — Yahoo's session-open (09:30 ET), a close
    stamp (16:00/13:00 ET) and midnight ET. The date must be a session, otherwise ``DataError``.
    """
    day = session_date_of(instant)
    if not is_session(day):
        raise DataError(
            f"stamp {instant.isoformat()} falls on {day.isoformat()}, which is not an NYSE session"
        )
    return day


def is_half_day(day: date) -> bool:
    """True on early-close sessions (close before 16:00 ET)."""
    close = session_close(day).astimezone(ET)
    return (close.hour, close.minute) < (16, 0)


def previous_session(day: date) -> date:
    """The last session strictly before ``day``."""
    probe = day - timedelta(days=1)
    while not is_session(probe):
        if probe < CALENDAR_FIRST_DATE:
            raise DataError(f"no NYSE session before {day.isoformat()} in the calendar")
        probe -= timedelta(days=1)
    return probe


def next_session(day: date) -> date:
    """The first session strictly after ``day``."""
    last = nyse_calendar().last_session.date()
    probe = day + timedelta(days=1)
    while not is_session(probe):
        if probe > last:
            raise DataError(f"no NYSE session after {day.isoformat()} in the calendar")
        probe += timedelta(days=1)
    return probe


def last_completed_session(now: datetime) -> date:
    """The newest session whose close is at or before ``now`` (an aware instant).

    Today's session counts only once the bell has rung (16:00 ET, 13:00 on half days); the
    in-progress bar is never stored (§2.2 rule 4, §5.5 step 2).
    """
    if now.tzinfo is None:
        raise DataError(f"naive datetime {now.isoformat()} has no timezone")
    today = now.astimezone(ET).date()
    if is_session(today) and session_close(today) <= now:
        return today
    return previous_session(today)


def missing_sessions(dates: Iterable[date], start: date | None = None, end: date | None = None) -> list[date]:
    """Sessions in ``[start, end]`` that ``dates`` lacks (gap detection).

    ``start``/``end`` default to the first and last of ``dates``; an empty ``dates`` with no
    bounds has no gaps.
    """
    present = set(dates)
    if start is None or end is None:
        if not present:
            return []
        start = start if start is not None else min(present)
        end = end if end is not None else max(present)
    return [d for d in sessions_between(start, end) if d not in present]
