"""Shared fixtures. Database tests run on real SQLite *and* real PostgreSQL.

PostgreSQL comes from ``JUTSU_TEST_POSTGRES_URL`` (default: the local server). If it is
unreachable the PostgreSQL variants FAIL, never skip — unless ``JUTSU_TEST_POSTGRES=skip``
is set explicitly (a local opt-out that CI never sets).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from shared_data import FIXTURES, PRICES, REFERENCE, SHARED, postgres_url

__all__ = ["FIXTURES", "PRICES", "REFERENCE", "SHARED", "postgres_url"]


@pytest.fixture(scope="session")
def shared_prices() -> Path:
    if not PRICES.is_dir():
        pytest.fail(f"shared price data not found at {PRICES}")
    return PRICES


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database of each kind (PostgreSQL: a fresh schema per test)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'jutsu.db'}"
        return
    if os.environ.get("JUTSU_TEST_POSTGRES") == "skip" and not os.environ.get("CI"):
        pytest.skip("PostgreSQL tests disabled by JUTSU_TEST_POSTGRES=skip")
    from jutsu.data.database import create_db_engine

    base = postgres_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        admin = create_db_engine(base)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # a missing server must fail the suite, not skip it
        pytest.fail(f"PostgreSQL unreachable at {base}: {exc}")
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session; each test gets a byte copy."""
    from jutsu.data.database import create_db_engine
    from jutsu.data.migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:  # fold the WAL into the main file before copying it
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def _pg_migration_script() -> list[tuple[str, Any]]:
    """Every statement one real Alembic upgrade executes on PostgreSQL, recorded once per
    session in a scratch schema and replayed into each test's fresh schema (the statements
    are unqualified, so they land wherever ``search_path`` points). Same DDL as
    ``jutsu db upgrade``, a fraction of the time."""
    from sqlalchemy import event

    from jutsu.data.database import create_db_engine
    from jutsu.data.migrate import upgrade

    base = postgres_url()
    schema = f"tpl_{uuid.uuid4().hex[:12]}"
    try:
        admin = create_db_engine(base)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        pytest.fail(f"PostgreSQL unreachable at {base}: {exc}")
    sep = "&" if "?" in base else "?"
    engine = create_db_engine(f"{base}{sep}options=-csearch_path%3D{schema}")
    statements: list[tuple[str, Any]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _record(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        statements.append((statement, params))

    try:
        upgrade(engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return statements


@pytest.fixture
def db_engine(db_url: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """An engine on a database migrated to head (Alembic), SQLite and PostgreSQL."""
    from jutsu.data.database import create_db_engine

    if db_url.startswith("sqlite:///"):
        target = Path(db_url.removeprefix("sqlite:///"))
        if not target.exists():
            shutil.copyfile(request.getfixturevalue("_sqlite_template"), target)
        engine = create_db_engine(db_url)
    else:
        engine = create_db_engine(db_url)
        script = request.getfixturevalue("_pg_migration_script")
        with engine.begin() as conn:
            for statement, params in script:
                conn.exec_driver_sql(statement, params)
    try:
        yield engine
    finally:
        engine.dispose()
