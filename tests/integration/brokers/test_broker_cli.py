"""``jutsu broker``: status/logout on a real SQLite database, one-line errors."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from jutsu.brokers.schwab_tokens import SchwabTokenStore, TokenCipher
from jutsu.cli.main import app
from jutsu.data.database import create_db_engine
from jutsu.data.migrate import upgrade


def test_status_logout_and_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    key = Fernet.generate_key().decode()
    engine = create_db_engine(url)
    upgrade(engine)
    for name in ("SCHWAB_API_KEY", "SCHWAB_APP_KEY", "SCHWAB_API_SECRET", "SCHWAB_APP_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("BROKER_TOKEN_ENCRYPTION_KEY", key)
    runner = CliRunner()
    result = runner.invoke(app, ["broker", "status"])
    assert result.exit_code == 1 and result.output.startswith("missing: Schwab not connected")
    SchwabTokenStore(engine, TokenCipher(key)).write({"creation_timestamp": int(time.time()), "token": {}})
    engine.dispose()
    result = runner.invoke(app, ["broker", "status"])
    assert result.exit_code == 0 and result.output.startswith("ok: Schwab token valid")
    assert runner.invoke(app, ["broker", "logout"]).output.strip() == "Schwab token deleted."
    assert runner.invoke(app, ["broker", "logout"]).output.strip() == "No token stored."
    result = runner.invoke(
        app, ["broker", "login", "--redirect-url", "https://127.0.0.1:8182/?code=x&state=y"]
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: SCHWAB_API_KEY and SCHWAB_API_SECRET not set: the Schwab app credentials are required"
    ]
