"""UTCDateTime and the database helpers that need no server (SQLite in memory)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import StatementError

from jutsu.data.database import create_db_engine, mask_url, normalize_url
from jutsu.data.types import UTCDateTime
from jutsu.errors import ConfigError

ET = ZoneInfo("America/New_York")


def test_bind_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2024, 1, 2, 16, 0), postgresql.dialect())


@pytest.mark.parametrize("value", [date(2024, 1, 2), "2024-01-02T16:00:00+00:00", 1704211200])
def test_bind_rejects_non_datetimes(value: object) -> None:
    with pytest.raises(ValueError, match="expects a datetime"):
        UTCDateTime().process_bind_param(value, sqlite.dialect())


def test_bind_converts_to_utc_per_dialect() -> None:
    close_et = datetime(2024, 7, 3, 13, 0, tzinfo=ET)  # half-day close, EDT
    pg = UTCDateTime().process_bind_param(close_et, postgresql.dialect())
    lite = UTCDateTime().process_bind_param(close_et, sqlite.dialect())
    assert pg == datetime(2024, 7, 3, 17, 0, tzinfo=UTC)
    assert pg is not None and pg.tzinfo is UTC
    assert lite == datetime(2024, 7, 3, 17, 0)  # naive UTC text on SQLite, sortable
    assert UTCDateTime().process_bind_param(None, sqlite.dialect()) is None


def test_result_is_always_aware_utc() -> None:
    t = UTCDateTime()
    naive = t.process_result_value(datetime(2024, 1, 2, 21, 0), sqlite.dialect())
    shifted = t.process_result_value(datetime(2024, 1, 3, 6, 0, tzinfo=timezone(timedelta(hours=9))), None)  # type: ignore[arg-type]
    assert naive == datetime(2024, 1, 2, 21, 0, tzinfo=UTC) and naive is not None and naive.tzinfo is UTC
    assert (
        shifted == datetime(2024, 1, 2, 21, 0, tzinfo=UTC) and shifted is not None and shifted.tzinfo is UTC
    )


def test_round_trip_on_sqlite_memory_keeps_order_across_zones() -> None:
    md = MetaData()
    table = Table("t", md, Column("id", Integer, primary_key=True), Column("ts", UTCDateTime()))
    engine = create_db_engine("sqlite:///:memory:")
    try:
        md.create_all(engine)
        stamps = [
            datetime(2024, 3, 10, 1, 30, tzinfo=ET),  # DST change night
            datetime(2024, 3, 10, 3, 30, tzinfo=ET),
            datetime(2024, 3, 10, 7, 0, tzinfo=UTC),
        ]
        with engine.begin() as conn:
            conn.execute(insert(table), [{"ts": s} for s in stamps])
            with pytest.raises(StatementError):
                conn.execute(insert(table).values(ts=datetime(2024, 3, 10, 1, 30)))
        with engine.connect() as conn:
            got = conn.execute(select(table.c.ts).order_by(table.c.ts)).scalars().all()
        assert got == sorted(stamps)
        assert all(g.tzinfo is UTC for g in got)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        (
            "postgresql+psycopg://jutsu:s3cret@db:5432/jutsu_labs",
            "postgresql+psycopg://jutsu:****@db:5432/jutsu_labs",
        ),
        ("postgresql://u:p%40ss@h/d?sslmode=require", "postgresql://u:****@h/d?sslmode=require"),
        ("postgresql://u:pa@ss@h/d", "postgresql://u:****@h/d"),
        ("postgresql://u@h/d", "postgresql://u@h/d"),
        ("sqlite:///data/jutsu.db", "sqlite:///data/jutsu.db"),
    ],
)
def test_mask_url_hides_the_password(url: str, masked: str) -> None:
    assert mask_url(url) == masked


def test_mask_url_accepts_url_objects() -> None:
    assert mask_url(normalize_url("postgresql://u:s3cret@h/d")) == "postgresql+psycopg://u:****@h/d"


def test_normalize_url_pins_psycopg3() -> None:
    assert normalize_url("postgresql://u@h/d").drivername == "postgresql+psycopg"
    assert normalize_url("postgres://u@h/d").drivername == "postgresql+psycopg"
    assert normalize_url("postgresql+psycopg2://u@h/d").drivername == "postgresql+psycopg"
    assert normalize_url("sqlite:///x.db").drivername == "sqlite"


@pytest.mark.parametrize("url", ["mysql://u:secret@h/d", "not a url"])
def test_unsupported_urls_are_config_errors_without_the_password(url: str) -> None:
    with pytest.raises(ConfigError) as info:
        create_db_engine(url)
    assert "secret" not in str(info.value)
