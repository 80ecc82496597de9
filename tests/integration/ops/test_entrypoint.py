"""``deploy/entrypoint.sh`` run outside Docker against the real PostgreSQL server.

No Docker engine runs on the build machines, so the container's start sequence is exercised
directly: a fresh database named by the same environment variables the compose file sets, the
script waits for it, migrates it, and starts the server, which must then answer its probes.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from ops_pg_helpers import fresh_database

from jutsu.data.database import create_db_engine
from jutsu.data.migrate import current_revision, head_revision

ROOT = Path(__file__).resolve().parents[3]
ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TZ")}
    return {
        **keep,
        "JUTSU_HOME": str(tmp_path),
        "JUTSU_BIN": str(BIN),
        "JUTSU_HOST": "127.0.0.1",
        "BCRYPT_ROUNDS": "4",
        **extra,
    }


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.fixture
def pg_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    with fresh_database(prefix="jutsu_entry") as url:
        yield _env(
            tmp_path,
            DATABASE_TYPE="postgresql",
            POSTGRES_HOST=url.host or "127.0.0.1",
            POSTGRES_PORT=str(url.port or 5432),
            POSTGRES_USER=url.username or "postgres",
            POSTGRES_DB=str(url.database),
        )


def test_entrypoint_migrates_then_serves(pg_env: dict[str, str], tmp_path: Path) -> None:
    port = _free_port()
    env = {**pg_env, "JUTSU_PORT": str(port)}
    command = [str(ENTRYPOINT)]  # no arguments: the image's default, `jutsu serve`
    log = (tmp_path / "server.log").open("w+")
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120  # generous: the build machines are shared
        status = 0
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status, _ = _get(f"http://127.0.0.1:{port}/api/status/health")
            except OSError:
                status = 0
            if status == 200:
                break
            time.sleep(0.3)
        log.seek(0)
        output = log.read()
        assert status == 200, f"server never became healthy (exit {process.poll()}):\n{output}"

        ready_status, ready_body = _get(f"http://127.0.0.1:{port}/api/ready")
        assert ready_status == 200, f"{ready_body}\n{output}"
        assert '"database":{"ok":true' in ready_body.replace(" ", ""), f"{ready_body}\n{output}"
        assert "migrating the database schema" in output, output
        assert f"starting the server on 127.0.0.1:{port}" in output, output
        for directory in ("data", "logs", "data/backups"):
            assert (tmp_path / directory).is_dir()
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()

    url = (
        f"postgresql+psycopg://{pg_env['POSTGRES_USER']}@{pg_env['POSTGRES_HOST']}:"
        f"{pg_env['POSTGRES_PORT']}/{pg_env['POSTGRES_DB']}"
    )
    engine = create_db_engine(url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_entrypoint_refuses_to_start_when_the_migration_fails(tmp_path: Path) -> None:
    db = tmp_path / "broken.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES ('deadbeef0000')")
    marker = tmp_path / "started"
    result = subprocess.run(
        [str(ENTRYPOINT), "touch", str(marker)],
        cwd=tmp_path,
        env=_env(tmp_path, DATABASE_URL=f"sqlite:///{db}"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "database migration failed; refusing to start" in result.stderr
    assert not marker.exists()


def test_entrypoint_gives_up_on_an_unreachable_database(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    env = _env(
        tmp_path,
        DATABASE_TYPE="postgresql",
        POSTGRES_HOST="127.0.0.1",
        POSTGRES_PORT="1",
        POSTGRES_PASSWORD="sup3r-secret",
        DB_WAIT_TIMEOUT="1.5",
    )
    result = subprocess.run(
        [str(ENTRYPOINT), "touch", str(marker)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "not reachable" in result.stderr
    assert "waiting for database (attempt 1" in result.stderr
    assert "sup3r-secret" not in result.stderr
    assert not marker.exists()


def test_entrypoint_runs_a_given_command_after_migrating(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    result = subprocess.run(
        [str(ENTRYPOINT), "touch", str(marker)],
        cwd=tmp_path,
        env=_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'data' / 'jutsu.db'}"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert marker.exists()
    engine = create_db_engine(f"sqlite:///{tmp_path / 'data' / 'jutsu.db'}")
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
