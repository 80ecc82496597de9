"""Shared fixtures. Database tests run on real SQLite *and* real PostgreSQL.

PostgreSQL comes from ``JUTSU_TEST_POSTGRES_URL`` (default: the local server). If it is
unreachable the PostgreSQL variants FAIL, never skip — unless ``JUTSU_TEST_POSTGRES=skip``
is set explicitly (a local opt-out that CI never sets).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PRICES = SHARED / "data" / "prices"
FIXTURES = SHARED / "data" / "fixtures"
REFERENCE = SHARED / "data" / "reference"

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    return os.environ.get("JUTSU_TEST_POSTGRES_URL", DEFAULT_PG_URL)


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


@pytest.fixture
def db_engine(db_url: str) -> Iterator[Engine]:
    """An engine on a database migrated to head (Alembic), SQLite and PostgreSQL."""
    from jutsu.data.database import create_db_engine
    from jutsu.data.migrate import upgrade

    engine = create_db_engine(db_url)
    upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()
