"""Flag parsing of `jutsu backtest` and the warm-up load window (pure functions)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jutsu.backtest.runner import load_window_start
from jutsu.cli.backtest import parse_date, parse_decimal, parse_params
from jutsu.errors import ConfigError


def test_parse_params() -> None:
    assert parse_params(["a=1", "b = x=y ", "a=2"]) == {"a": "2", "b": "x=y"}
    assert parse_params([]) == {}


@pytest.mark.parametrize("bad", ["a", "=1", " =1", ""])
def test_parse_params_rejects_pairs_without_key_or_equals(bad: str) -> None:
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        parse_params([bad])


def test_parse_date() -> None:
    assert parse_date("--start", "2020-02-29") == dt.date(2020, 2, 29)
    for bad in ("2021-02-29", "2020/01/01", "yesterday", ""):
        with pytest.raises(ConfigError, match="--start"):
            parse_date("--start", bad)


def test_parse_decimal() -> None:
    assert parse_decimal("--capital", " 10000.50 ") == Decimal("10000.50")
    for bad in ("ten", "nan", "inf", ""):
        with pytest.raises(ConfigError, match="--capital"):
            parse_decimal("--capital", bad)


@pytest.mark.parametrize("start", [dt.date(2020, 3, 2), dt.date(2013, 1, 10), dt.date(2019, 1, 2)])
def test_load_window_covers_the_warmup_sessions(start: dt.date) -> None:
    import exchange_calendars as xcals

    nyse = xcals.get_calendar("XNYS", start="2000-01-01")
    assert load_window_start(start, 0) == start
    for sessions in (1, 5, 10, 60, 252, 400):
        first = load_window_start(start, sessions)
        held = nyse.sessions_in_range(first, start - dt.timedelta(days=1))
        assert len(held) >= sessions, (start, sessions, first)
