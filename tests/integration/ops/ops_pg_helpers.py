"""A fresh, empty PostgreSQL database per test (CREATE DATABASE / DROP DATABASE … WITH (FORCE))."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from jutsu.data.database import create_db_engine

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def server_url() -> URL:
    return make_url(os.environ.get("JUTSU_TEST_POSTGRES_URL", DEFAULT_PG_URL)).set(query={})


@contextmanager
def fresh_database(base: URL | None = None, prefix: str = "jutsu_ops") -> Iterator[URL]:
    """Yield the URL of a new empty database on the server of ``base``; drop it afterwards."""
    if os.environ.get("JUTSU_TEST_POSTGRES") == "skip" and not os.environ.get("CI"):
        pytest.skip("PostgreSQL tests disabled by JUTSU_TEST_POSTGRES=skip")
    server = (base or server_url()).set(query={})
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_db_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # a missing server must fail the suite, not skip it
        admin.dispose()
        pytest.fail(f"PostgreSQL unreachable at {server.render_as_string()}: {exc}")
    try:
        yield server.set(database=name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
