"""Daily retention and the scheduler's backup entry point (SQLite file, no server needed)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from jutsu.config import load_settings
from jutsu.errors import ConfigError
from jutsu.ops.backup import prune_daily_backups, run_scheduled_backup


def _touch(directory: Path, name: str) -> Path:
    path = directory / name
    path.write_bytes(b"x")
    return path


def test_prune_keeps_the_newest_days_and_never_touches_other_files(tmp_path: Path) -> None:
    days = [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(10)]
    for day in days:
        _touch(tmp_path, f"jutsu-{day.isoformat()}.dump")
    manual = _touch(tmp_path, "jutsu-20250101-120000.dump")
    other = _touch(tmp_path, "notes.txt")

    removed = prune_daily_backups(tmp_path, keep=3)

    left = sorted(p.name for p in tmp_path.iterdir())
    expected_daily = [f"jutsu-{d.isoformat()}.dump" for d in days[-3:]]
    assert left == sorted([*expected_daily, manual.name, other.name])
    assert sorted(p.name for p in removed) == [f"jutsu-{d.isoformat()}.dump" for d in days[:-3]]
    assert prune_daily_backups(tmp_path, keep=3) == []


def test_prune_counts_days_not_files(tmp_path: Path) -> None:
    # The same day backed up by both engines (a migration from SQLite to PostgreSQL) is one day.
    _touch(tmp_path, "jutsu-2025-03-02.sqlite3")
    _touch(tmp_path, "jutsu-2025-03-02.dump")
    _touch(tmp_path, "jutsu-2025-03-01.dump")
    prune_daily_backups(tmp_path, keep=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jutsu-2025-03-02.dump", "jutsu-2025-03-02.sqlite3"]


def test_prune_rejects_keep_below_one_and_ignores_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="at least 1"):
        prune_daily_backups(tmp_path, keep=0)
    assert prune_daily_backups(tmp_path / "absent", keep=2) == []


def _database(path: Path, rows: int) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)")
        conn.executemany("INSERT INTO t (v) VALUES (?)", [(f"row {i}",) for i in range(rows)])


def test_run_scheduled_backup_writes_one_file_per_day_and_prunes(tmp_path: Path) -> None:
    db = tmp_path / "jutsu.db"
    _database(db, 5)
    settings = load_settings(
        env={"DATABASE_URL": f"sqlite:///{db}"}, yaml_path=None, secrets_dir=tmp_path / "none"
    )
    backups = tmp_path / "backups"
    start = dt.datetime(2025, 6, 1, 6, 0, tzinfo=dt.UTC)

    paths = [
        run_scheduled_backup(settings, start + dt.timedelta(days=i), directory=backups, keep=2)
        for i in range(4)
    ]

    assert [p.name for p in paths] == [f"jutsu-2025-06-0{d}.sqlite3" for d in range(1, 5)]
    assert sorted(p.name for p in backups.iterdir()) == [
        "jutsu-2025-06-03.sqlite3",
        "jutsu-2025-06-04.sqlite3",
    ]
    with sqlite3.connect(paths[-1]) as conn:
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (5,)

    # A second run on the same UTC day replaces that day's file with the newer content.
    _database(db, 2)
    again = run_scheduled_backup(settings, start + dt.timedelta(days=3, hours=10), directory=backups, keep=2)
    assert again == paths[-1]
    with sqlite3.connect(again) as conn:
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (7,)


def test_run_scheduled_backup_needs_an_aware_time(tmp_path: Path) -> None:
    settings = load_settings(env={"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}, yaml_path=None)
    with pytest.raises(ConfigError, match="timezone-aware"):
        run_scheduled_backup(settings, dt.datetime(2025, 1, 1), directory=tmp_path)
