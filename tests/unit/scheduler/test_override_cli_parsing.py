from __future__ import annotations

import datetime as dt

import pytest

from jutsu.cli.config import parse_duration
from jutsu.errors import ConfigError
from jutsu.scheduler.overrides import validate_execution_time


def test_expiry_durations() -> None:
    assert parse_duration("2h") == dt.timedelta(hours=2)
    assert parse_duration("30m") == dt.timedelta(minutes=30)
    assert parse_duration(" 7d ") == dt.timedelta(days=7)
    for bad in ("", "0h", "2", "h2", "-1d", "2w"):
        with pytest.raises(ConfigError, match="--expires-in"):
            parse_duration(bad)


def test_execution_time_keys() -> None:
    assert validate_execution_time("close") == "close"
    with pytest.raises(ConfigError, match="valid keys: open, 15min_after_open"):
        validate_execution_time("noon")
