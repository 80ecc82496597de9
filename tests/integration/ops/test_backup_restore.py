"""Backup → restore into an empty database → identical rows, on SQLite and PostgreSQL.

The comparison is per table: the row count and a SHA-256 over every row (ordered by primary key)
must match between the seeded source and the restored copy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from ops_pg_helpers import fresh_database
from sqlalchemy import Engine, MetaData, insert, select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from jutsu.cli.main import app
from jutsu.data.database import create_db_engine
from jutsu.data.migrate import current_revision, head_revision, upgrade
from jutsu.data.models import Base
from jutsu.ops.backup import BackupError, backup_database, backup_kind, restore_database

runner = CliRunner()
UTC = dt.UTC


def _seed(engine: Engine) -> None:
    t = Base.metadata.tables
    start = dt.datetime(2024, 1, 2, 21, 0, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(t["market_data"]),
            [
                {
                    "symbol": symbol,
                    "timeframe": "1D",
                    "timestamp": start + dt.timedelta(days=i),
                    "open": Decimal("100.5") + i,
                    "high": Decimal("102.25") + i,
                    "low": Decimal("99.125") + i,
                    "close": Decimal("101.000001") + i,
                    "volume": 1_000_000 + i,
                    "data_source": "test",
                }
                for symbol in ("QQQ", "TLT")
                for i in range(25)
            ],
        )
        conn.execute(
            insert(t["data_metadata"]),
            [
                {"symbol": s, "timeframe": "1D", "last_bar_timestamp": start, "total_bars": 25}
                for s in ("QQQ", "TLT")
            ],
        )
        for user in (
            {"username": "admin", "password_hash": "$2b$12$x", "role": "admin", "backup_codes": ["a", "b"]},
            {"username": "viewer", "password_hash": "$2b$12$y", "email": "v@example.org"},
        ):
            conn.execute(insert(t["users"]), user)
        conn.execute(
            insert(t["system_state"]),
            [{"key": "scheduler", "value": '{"enabled": true}', "value_type": "json"}],
        )
        conn.execute(
            insert(t["data_audit_log"]),
            [{"symbol": "QQQ", "operation": "sync", "status": "success", "message": "ünïcode ✓"}],
        )


def _fingerprint(engine: Engine) -> dict[str, tuple[int, str]]:
    """Per table (every table the migrations create, plus alembic_version): (row count, checksum)."""
    meta = MetaData()
    meta.reflect(engine)
    result: dict[str, tuple[int, str]] = {}
    with engine.connect() as conn:
        for name, table in sorted(meta.tables.items()):
            order = list(table.primary_key.columns) or list(table.columns)
            rows = conn.execute(select(table).order_by(*order)).all()
            digest = hashlib.sha256()
            for row in rows:
                digest.update(repr(tuple(row)).encode())
            result[name] = (len(rows), digest.hexdigest())
    return result


@pytest.fixture
def empty_target(db_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind: a new SQLite file, or a new PostgreSQL database."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'jutsu.db'}"
        return
    source = make_url(db_url)
    with fresh_database(source, prefix="jutsu_restore") as url:
        # Same search_path option: the source is one schema of the test database, and its dump
        # recreates that schema in the new database.
        yield url.set(query=source.query).render_as_string(hide_password=False)


def test_restore_into_empty_database_matches_row_counts_and_checksums(
    db_engine: Engine, db_url: str, empty_target: str, tmp_path: Path
) -> None:
    _seed(db_engine)
    before = _fingerprint(db_engine)
    assert before["market_data"][0] == 50
    assert before["users"][0] == 2
    assert before["alembic_version"][0] == 1

    out = backup_database(db_url, tmp_path / "backups" / "jutsu.bak")
    assert out.is_file()
    assert not list(out.parent.glob("*.partial"))
    assert backup_kind(out) == ("sqlite" if db_url.startswith("sqlite") else "postgresql")

    # The source changes after the backup; the restored copy must not see the change.
    with db_engine.begin() as conn:
        conn.execute(text("DELETE FROM data_audit_log"))

    restore_database(empty_target, out)
    target = create_db_engine(empty_target)
    try:
        assert _fingerprint(target) == before
        assert current_revision(target) == head_revision()
        # Sequences / autoincrement continue after the restored ids (pg_restore restores setval).
        with target.begin() as conn:
            conn.execute(insert(Base.metadata.tables["users"]), [{"username": "new", "password_hash": "h"}])
            ids = conn.execute(text("SELECT id FROM users ORDER BY id")).scalars().all()
        assert ids == [1, 2, 3]
    finally:
        target.dispose()


def test_restore_refuses_a_backup_of_the_other_engine(db_url: str, tmp_path: Path) -> None:
    other = tmp_path / "other.bak"
    other.write_bytes(
        b"PGDMP\x01\x0e" if db_url.startswith("sqlite") else b"SQLite format 3\x00" + bytes(100)
    )
    with pytest.raises(BackupError, match="backup but the database"):
        restore_database(db_url, other)


def test_restore_refuses_a_file_that_is_no_backup(db_url: str, tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    with pytest.raises(BackupError, match="is not a Jutsu backup"):
        restore_database(db_url, junk)
    with pytest.raises(BackupError, match="not found"):
        restore_database(db_url, tmp_path / "missing.bak")


def test_cli_backup_and_restore_round_trip(
    db_engine: Engine, db_url: str, empty_target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _seed(db_engine)
    before = _fingerprint(db_engine)
    out = tmp_path / "cli.bak"

    made = runner.invoke(app, ["db", "backup", "--out", str(out)], env={"DATABASE_URL": db_url})
    assert made.exit_code == 0, made.output
    assert f"backup: {out}" in made.output

    refused = runner.invoke(app, ["db", "restore", str(out)], env={"DATABASE_URL": empty_target}, input="n\n")
    assert refused.exit_code == 1
    assert "restore cancelled" in refused.output

    done = runner.invoke(app, ["db", "restore", str(out), "--yes"], env={"DATABASE_URL": empty_target})
    assert done.exit_code == 0, done.output
    assert f"revision: {head_revision()}" in done.output
    target = create_db_engine(empty_target)
    try:
        assert _fingerprint(target) == before
    finally:
        target.dispose()


def test_cli_backup_default_path_and_one_line_errors(
    db_engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    made = runner.invoke(app, ["db", "backup"], env={"DATABASE_URL": db_url})
    assert made.exit_code == 0, made.output
    files = list((tmp_path / "data" / "backups").iterdir())
    assert len(files) == 1
    assert files[0].name.startswith("jutsu-")

    bad = runner.invoke(
        app, ["db", "restore", str(tmp_path / "nope.bak"), "--yes"], env={"DATABASE_URL": db_url}
    )
    assert bad.exit_code == 1
    assert "error: backup file" in bad.output
    assert "Traceback" not in bad.output


def test_postgres_backup_without_pg_dump_is_a_clear_error(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL tools only")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError, match="pg_dump not found on PATH"):
        backup_database(db_url, tmp_path / "x.dump")
    assert not (tmp_path / "x.dump").exists()
    assert os.environ["PATH"] == str(tmp_path)


def test_postgres_whole_database_round_trip(tmp_path: Path) -> None:
    """The production case: a database of its own (public schema, no search_path option)."""
    with fresh_database(prefix="jutsu_src") as source_url, fresh_database(prefix="jutsu_dst") as target_url:
        source = create_db_engine(source_url)
        try:
            upgrade(source)
            _seed(source)
            before = _fingerprint(source)
        finally:
            source.dispose()
        out = backup_database(source_url.render_as_string(hide_password=False), tmp_path / "whole.dump")
        restore_database(target_url.render_as_string(hide_password=False), out)
        target = create_db_engine(target_url)
        try:
            assert _fingerprint(target) == before
            assert before["market_data"][0] == 50
        finally:
            target.dispose()
