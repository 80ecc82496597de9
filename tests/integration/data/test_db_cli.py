"""``jutsu db upgrade`` / ``jutsu db current`` through Typer's CliRunner on both engines."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect
from typer.testing import CliRunner

from jutsu.cli.main import app
from jutsu.data.database import create_db_engine
from jutsu.data.migrate import current_revision, head_revision
from jutsu.data.models import Base

runner = CliRunner()


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No repository config.yaml and no stray database settings from the developer's shell."""
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "DATABASE_TYPE", "SQLITE_PATH", "SQLITE_DATABASE", "POSTGRES_PASSWORD"):
        monkeypatch.delenv(name, raising=False)


def _with_password(url: str) -> str:
    """The same database with a password in the URL (trust auth ignores it; masking must not)."""
    if url.startswith("postgresql"):
        return url.replace("postgres@", "postgres:hunter2@", 1)
    return url


def test_upgrade_then_current(db_url: str) -> None:
    url = _with_password(db_url)
    result = runner.invoke(app, ["db", "upgrade"], env={"DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert "hunter2" not in result.output
    assert f"revision: {head_revision()}" in result.output
    if "hunter2" in url:
        assert ":****@" in result.output

    engine = create_db_engine(db_url)
    try:
        assert current_revision(engine) == head_revision()
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()

    current = runner.invoke(app, ["db", "current"], env={"DATABASE_URL": url})
    assert current.exit_code == 0, current.output
    assert "up to date" in current.output


def test_current_on_an_empty_database_asks_for_upgrade(db_url: str) -> None:
    result = runner.invoke(app, ["db", "current"], env={"DATABASE_URL": db_url})
    assert result.exit_code == 0, result.output
    assert "revision: (none)" in result.output
    assert "upgrade needed" in result.output


def test_default_sqlite_file_is_created_under_data(tmp_path: Path) -> None:
    result = runner.invoke(app, ["db", "upgrade"], env={})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "jutsu.db").is_file()
    assert "sqlite:///data/jutsu.db" in result.output


def test_unknown_revision_is_one_error_line(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["db", "upgrade", "--revision", "nope"], env={"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    )
    assert result.exit_code == 1
    assert "error:" in result.output
    assert "Traceback" not in result.output


def test_invalid_setting_is_one_error_line() -> None:
    result = runner.invoke(app, ["db", "upgrade"], env={"DATABASE_TYPE": "oracle"})
    assert result.exit_code == 1
    assert "DATABASE_TYPE" in result.output
    assert "Traceback" not in result.output
