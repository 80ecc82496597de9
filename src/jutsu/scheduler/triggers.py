"""APScheduler triggers that fire on NYSE sessions only (platform spec §5.1, §6.1–6.3).

Why custom triggers instead of cron: a cron expression cannot know holidays or early closes,
and the reference's "15:55 cron + skip inside the job" ran the trading job *after* the bell on
half days. These triggers walk the XNYS session list of :mod:`jutsu.data.calendar` and return
the exact instant (close − 5 min, close + 15 min, ...) of the next matching session, so a
holiday simply has no fire time and a half day fires at its own close-relative time.

The triggers are plain picklable objects (class path + a few primitive attributes): the
SQLAlchemy job store pickles them into ``apscheduler_jobs.job_state`` (spec §6.4).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import pandas as pd
from apscheduler.triggers.base import BaseTrigger

from jutsu.data.calendar import CALENDAR_LAST_DATE, ET, is_half_day, is_session, nyse_calendar
from jutsu.errors import ConfigError

__all__ = [
    "EXECUTION_TIMES",
    "Anchor",
    "DayFilter",
    "HourlySessionTrigger",
    "SessionTrigger",
    "execution_time_label",
    "execution_trigger",
    "session_instant",
]

Anchor = Literal["open", "close"]
DayFilter = Literal["all", "full", "half"]

EXECUTION_TIMES: dict[str, tuple[Anchor, int]] = {
    "open": ("open", 0),
    "15min_after_open": ("open", 15),
    "15min_before_close": ("close", -15),
    "5min_before_close": ("close", -5),
    "close": ("close", 0),
}
"""The five execution-time keys (spec §6.2) as (anchor, minutes from the anchor)."""

_MAX_SCAN_DAYS = 30  # the longest NYSE closure since 1990 was 4 days; 30 is ample


def session_instant(day: dt.date, anchor: Anchor, offset_minutes: int) -> dt.datetime:
    """The aware ET instant ``anchor(day) + offset`` of session ``day`` (open or official close)."""
    cal = nyse_calendar()
    ts = pd.Timestamp(day)
    base = cal.session_open(ts) if anchor == "open" else cal.session_close(ts)
    instant = dt.datetime.fromtimestamp(base.timestamp(), tz=dt.UTC).astimezone(ET)
    return instant + dt.timedelta(minutes=offset_minutes)


def _matches(day: dt.date, days: DayFilter) -> bool:
    if not is_session(day):
        return False
    if days == "all":
        return True
    return is_half_day(day) == (days == "half")


def _start_of(previous_fire_time: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """APScheduler's contract: strictly after the previous fire, else at/after ``now``."""
    if previous_fire_time is not None:
        return previous_fire_time + dt.timedelta(microseconds=1)
    return now


class SessionTrigger(BaseTrigger):  # type: ignore[misc]
    """Fire once per matching NYSE session at ``anchor + offset_minutes``.

    ``days``: ``all`` sessions, only ``full`` (16:00 close) or only ``half`` (early close) days —
    the spec's two EOD job ids use ``full``/``half`` so each runs on its own kind of day.
    """

    def __init__(self, anchor: Anchor, offset_minutes: int, days: DayFilter = "all") -> None:
        if anchor not in ("open", "close"):
            raise ConfigError(f"session trigger anchor must be 'open' or 'close', got {anchor!r}")
        if days not in ("all", "full", "half"):
            raise ConfigError(f"session trigger days must be all, full or half, got {days!r}")
        self.anchor: Anchor = anchor
        self.offset_minutes = int(offset_minutes)
        self.days: DayFilter = days

    def get_next_fire_time(
        self, previous_fire_time: dt.datetime | None, now: dt.datetime
    ) -> dt.datetime | None:
        start = _start_of(previous_fire_time, now)
        day = start.astimezone(ET).date() - dt.timedelta(days=1)  # offsets may cross midnight
        for _ in range(_MAX_SCAN_DAYS + 2):
            if day > CALENDAR_LAST_DATE:
                return None
            if _matches(day, self.days):
                instant = session_instant(day, self.anchor, self.offset_minutes)
                if instant >= start:
                    return instant
            day += dt.timedelta(days=1)
        return self._scan_far(day, start)

    def _scan_far(self, day: dt.date, start: dt.datetime) -> dt.datetime | None:
        """Slow path for a long gap (e.g. a ``half`` filter between two early closes)."""
        while day <= CALENDAR_LAST_DATE:
            if _matches(day, self.days):
                instant = session_instant(day, self.anchor, self.offset_minutes)
                if instant >= start:
                    return instant
            day += dt.timedelta(days=1)
        return None

    def __getstate__(self) -> dict[str, Any]:
        return {"version": 1, "anchor": self.anchor, "offset_minutes": self.offset_minutes, "days": self.days}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.anchor = state["anchor"]
        self.offset_minutes = state["offset_minutes"]
        self.days = state["days"]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SessionTrigger) and self.__getstate__() == other.__getstate__()

    def __hash__(self) -> int:
        return hash((self.anchor, self.offset_minutes, self.days))

    def __str__(self) -> str:
        sign = "+" if self.offset_minutes >= 0 else "-"
        return f"session[{self.days}] {self.anchor} {sign} {abs(self.offset_minutes)} min"

    def __repr__(self) -> str:
        return f"SessionTrigger({self.anchor!r}, {self.offset_minutes}, {self.days!r})"


class HourlySessionTrigger(BaseTrigger):  # type: ignore[misc]
    """Every hour on the hour from ``first_hour`` ET while the session is open (spec §5.5).

    Normal days 10:00..15:00, early-close days 10:00..12:00 (never at or after the bell).
    """

    def __init__(self, first_hour: int = 10) -> None:
        self.first_hour = int(first_hour)

    def _fires(self, day: dt.date) -> list[dt.datetime]:
        close = session_instant(day, "close", 0)
        out: list[dt.datetime] = []
        hour = self.first_hour
        while True:
            t = dt.datetime(day.year, day.month, day.day, hour, tzinfo=ET)
            if t >= close:
                return out
            out.append(t)
            hour += 1

    def get_next_fire_time(
        self, previous_fire_time: dt.datetime | None, now: dt.datetime
    ) -> dt.datetime | None:
        start = _start_of(previous_fire_time, now)
        day = start.astimezone(ET).date()
        while day <= CALENDAR_LAST_DATE:
            if is_session(day):
                for t in self._fires(day):
                    if t >= start:
                        return t
            day += dt.timedelta(days=1)
        return None

    def __getstate__(self) -> dict[str, Any]:
        return {"version": 1, "first_hour": self.first_hour}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.first_hour = state["first_hour"]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, HourlySessionTrigger) and other.first_hour == self.first_hour

    def __hash__(self) -> int:
        return hash(("hourly", self.first_hour))

    def __str__(self) -> str:
        return f"session hourly from {self.first_hour}:00 ET until the close"

    def __repr__(self) -> str:
        return f"HourlySessionTrigger({self.first_hour})"


def execution_trigger(key: str) -> SessionTrigger:
    """The trading job's trigger for an execution-time key (spec §6.2).

    Raises:
        ConfigError: unknown key (one-line message listing the valid ones).
    """
    try:
        anchor, offset = EXECUTION_TIMES[key]
    except KeyError:
        valid = ", ".join(EXECUTION_TIMES)
        raise ConfigError(f"invalid execution_time {key!r}; valid keys: {valid}") from None
    return SessionTrigger(anchor, offset)


def execution_time_label(key: str) -> str:
    """Human label of a key on a normal day, e.g. ``03:55 PM ET`` (never "EST" year-round)."""
    anchor, offset = EXECUTION_TIMES[key]
    base = dt.datetime(2000, 1, 3, 9, 30) if anchor == "open" else dt.datetime(2000, 1, 3, 16, 0)
    return (base + dt.timedelta(minutes=offset)).strftime("%I:%M %p ET")
