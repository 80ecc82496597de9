"""Walk whole months with a simulated clock: every job fires at the right instant and only then.

Expected instants are written out by hand from the NYSE holiday rules (Thanksgiving
2025-11-27 closed, 2025-11-28 early close at 13:00; 2025-07-03 early close, 2025-07-04 closed)
and DST (EDT until 2025-11-02), independently of the trigger code.
"""

from __future__ import annotations

import datetime as dt
import pickle
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.base import BaseTrigger

from jutsu.errors import ConfigError
from jutsu.scheduler.jobs import job_specs
from jutsu.scheduler.triggers import (
    HourlySessionTrigger,
    SessionTrigger,
    execution_time_label,
    execution_trigger,
)

ET = ZoneInfo("America/New_York")
UTC = dt.UTC


def walk(trigger: BaseTrigger, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """Drive ``get_next_fire_time`` like APScheduler does: the clock jumps to each fire time."""
    out: list[dt.datetime] = []
    previous = None
    now = start
    while True:
        nxt = trigger.get_next_fire_time(previous, now)
        if nxt is None or nxt >= end:
            return out
        assert nxt >= now
        out.append(nxt.astimezone(UTC))
        previous, now = nxt, nxt


def weekdays(year: int, month: int) -> list[dt.date]:
    d = dt.date(year, month, 1)
    out = []
    while d.month == month:
        if d.weekday() < 5:
            out.append(d)
        d += dt.timedelta(days=1)
    return out


NOV_START = dt.datetime(2025, 11, 1, tzinfo=ET)
NOV_END = dt.datetime(2025, 12, 1, tzinfo=ET)
NOV_HOLIDAYS = {dt.date(2025, 11, 27)}
NOV_HALF = {dt.date(2025, 11, 28)}
JUL_START = dt.datetime(2025, 7, 1, tzinfo=ET)
JUL_END = dt.datetime(2025, 8, 1, tzinfo=ET)
JUL_HOLIDAYS = {dt.date(2025, 7, 4)}
JUL_HALF = {dt.date(2025, 7, 3)}


def at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ET).astimezone(UTC)


def expected(
    year: int,
    month: int,
    holidays: set[dt.date],
    half: set[dt.date],
    full_time: tuple[int, int] | None,
    half_time: tuple[int, int] | None,
) -> list[dt.datetime]:
    out = []
    for d in weekdays(year, month):
        if d in holidays:
            continue
        t = half_time if d in half else full_time
        if t is not None:
            out.append(at(d, *t))
    return out


@pytest.mark.parametrize(
    ("start", "end", "year", "month", "holidays", "half"),
    [
        (NOV_START, NOV_END, 2025, 11, NOV_HOLIDAYS, NOV_HALF),
        (JUL_START, JUL_END, 2025, 7, JUL_HOLIDAYS, JUL_HALF),
    ],
)
def test_every_job_fires_exactly_at_its_instants_for_a_month(
    start: dt.datetime,
    end: dt.datetime,
    year: int,
    month: int,
    holidays: set[dt.date],
    half: set[dt.date],
) -> None:
    specs = {s.job_id: s for s in job_specs("5min_before_close")}
    cases = {
        "daily_trading_job": ((15, 55), (12, 55)),
        "market_close_refresh_job": ((16, 5), (13, 5)),
        "eod_finalization_job": ((16, 15), None),
        "eod_finalization_job_halfday": (None, (13, 15)),
    }
    for job_id, (full_t, half_t) in cases.items():
        got = walk(specs[job_id].trigger, start, end)
        assert got == expected(year, month, holidays, half, full_t, half_t), job_id

    hourly = walk(specs["hourly_refresh_job"].trigger, start, end)
    want = []
    for d in weekdays(year, month):
        if d in holidays:
            continue
        last = 12 if d in half else 15
        want += [at(d, h, 0) for h in range(10, last + 1)]
    assert hourly == want

    tokens = walk(specs["token_expiration_check_job"].trigger, start, end)
    days = [start.date() + dt.timedelta(days=i) for i in range((end.date() - start.date()).days)]
    assert tokens == [at(d, h, 0) for d in days for h in (8, 20)]

    backups = walk(specs["maintenance_job"].trigger, start, end)
    assert backups == [at(d, 2, 0) for d in days]


def test_nothing_fires_on_the_holiday_or_weekend() -> None:
    trigger = execution_trigger("5min_before_close")
    # From Thanksgiving morning the next fire is the half day at 12:55, not the holiday.
    nxt = trigger.get_next_fire_time(None, dt.datetime(2025, 11, 27, 9, 0, tzinfo=ET))
    assert nxt == dt.datetime(2025, 11, 28, 12, 55, tzinfo=ET)
    # From Friday after the close, the next fire is Monday.
    nxt = trigger.get_next_fire_time(None, dt.datetime(2025, 11, 21, 16, 0, tzinfo=ET))
    assert nxt == dt.datetime(2025, 11, 24, 15, 55, tzinfo=ET)


def test_dst_switch_keeps_wall_clock_time() -> None:
    trigger = execution_trigger("5min_before_close")
    fri = trigger.get_next_fire_time(None, dt.datetime(2025, 10, 31, 9, 0, tzinfo=ET))
    mon = trigger.get_next_fire_time(fri, fri)
    assert fri is not None and mon is not None
    assert fri.astimezone(UTC).hour == 19 and mon.astimezone(UTC).hour == 20  # EDT → EST


def test_execution_time_keys_move_with_the_half_day_close() -> None:
    day_before = dt.datetime(2025, 11, 28, 0, 0, tzinfo=ET)
    wants = {
        "open": (9, 30),
        "15min_after_open": (9, 45),
        "15min_before_close": (12, 45),
        "5min_before_close": (12, 55),
        "close": (13, 0),
    }
    for key, (h, m) in wants.items():
        got = execution_trigger(key).get_next_fire_time(None, day_before)
        assert got == dt.datetime(2025, 11, 28, h, m, tzinfo=ET), key
    assert execution_time_label("5min_before_close") == "03:55 PM ET"
    with pytest.raises(ConfigError, match="invalid execution_time 'noon'"):
        execution_trigger("noon")


def test_triggers_survive_pickling() -> None:
    for trigger in (SessionTrigger("close", 15, "half"), HourlySessionTrigger(10)):
        clone = pickle.loads(pickle.dumps(trigger))
        assert clone == trigger
        now = dt.datetime(2025, 7, 1, tzinfo=ET)
        assert clone.get_next_fire_time(None, now) == trigger.get_next_fire_time(None, now)


def test_previous_fire_time_is_strictly_exceeded() -> None:
    trigger = execution_trigger("close")
    first = trigger.get_next_fire_time(None, dt.datetime(2025, 7, 1, tzinfo=ET))
    assert first is not None
    second = trigger.get_next_fire_time(first, first)
    assert second is not None and second > first
    assert second.date() == dt.date(2025, 7, 2)
