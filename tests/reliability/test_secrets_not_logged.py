"""Secrets never reach a log line (issue #10, item 5).

Representative flows run with the platform's own logging set-up (``configure_logging`` at
``LOG_LEVEL=DEBUG``, text and JSON formats), every handler of the root logger writing into a
buffer: API login (good and bad password), token refresh and logout; a database connection with a
password in its URL (a good one and an unreachable one that logs its retries); a Schwab access
token refresh with the real schwab-py client against the fake server; webhook alerts to a URL
whose path is the secret (delivered, retried on 500, endpoint down). The buffer is then searched
for every secret: the admin password, the wrong password typed, access and refresh tokens, the
database password, the Schwab app secret and tokens, the webhook secret.
"""

from __future__ import annotations

import io
import logging
import socket
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient

from fakes.schwab_server import APP_KEY, APP_SECRET, fake_schwab
from fakes.webhook_receiver import webhook_receiver
from jutsu.config import load_settings
from jutsu.config.logsetup import configure_logging

ADMIN_PASSWORD = "Adm1n-Secret-Pw-7731"
WRONG_PASSWORD = "Typo-Secret-Pw-4410"
DB_PASSWORD = "Db-Secret-Pw-9926"
WEBHOOK_SECRET = "whsec9f3a1c77e2b04d1a"


@pytest.fixture(params=["text", "json"])
def captured(request: pytest.FixtureRequest) -> Iterator[io.StringIO]:
    """Root logging as the platform configures it, at DEBUG, written into a buffer."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    settings = load_settings(env={"LOG_LEVEL": "DEBUG", "LOG_FORMAT": request.param})
    configure_logging(settings)
    buffer = io.StringIO()
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(buffer)
    try:
        yield buffer
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _api_flow(tmp_path: Path, secrets: list[str]) -> None:
    from jutsu.api.app import create_app
    from jutsu.data.database import create_db_engine

    engine = create_db_engine(f"sqlite:///{tmp_path / 'api.db'}")
    from jutsu.data.migrate import upgrade

    upgrade(engine)
    env = {
        "SECRET_KEY": "x" * 48,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "JUTSU_STATE_DIR": str(tmp_path / "state"),
        "BCRYPT_ROUNDS": "4",
        "LOG_LEVEL": "DEBUG",
    }
    app = create_app(load_settings(env=env), engine=engine)
    with TestClient(app, raise_server_exceptions=False) as client:
        bad = client.post("/api/auth/login", data={"username": "admin", "password": WRONG_PASSWORD})
        assert bad.status_code == 401
        ok = client.post("/api/auth/login", data={"username": "admin", "password": ADMIN_PASSWORD})
        assert ok.status_code == 200, ok.text
        tokens = ok.json()
        secrets += [tokens["access_token"], tokens["refresh_token"]]
        refreshed = client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert refreshed.status_code == 200, refreshed.text
        new = refreshed.json()
        secrets += [new["access_token"], new["refresh_token"]]
        reuse = client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert reuse.status_code == 401  # reuse of a rotated token: logged as a security event
        headers = {"Authorization": f"Bearer {new['access_token']}"}
        assert client.get("/api/status", headers=headers).status_code < 500
        client.post("/api/auth/logout", json={"refresh_token": new["refresh_token"]}, headers=headers)
    engine.dispose()


def _database_flow() -> None:
    from sqlalchemy import text

    from jutsu.data.database import create_db_engine
    from jutsu.ops.waitdb import wait_for_database

    # trust auth ignores the password, so the connection succeeds and logs at DEBUG
    url = f"postgresql+psycopg://postgres:{DB_PASSWORD}@127.0.0.1:5432/test"
    engine = create_db_engine(url, echo=True)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    engine.dispose()
    log = logging.getLogger("jutsu.reliability.waitdb")
    down = f"postgresql+psycopg://postgres:{DB_PASSWORD}@127.0.0.1:{_closed_port()}/test"
    with pytest.raises(Exception):  # noqa: B017 - any failure is fine; what it logs is the test
        wait_for_database(down, timeout=0.3, initial_delay=0.05, max_delay=0.1, log=log.warning)
    log.debug("settings url %s", load_settings(env={"DATABASE_URL": down}).database_url)


def _schwab_flow(tmp_path: Path, secrets: list[str]) -> None:
    from jutsu.brokers.schwab_broker import open_schwab_broker
    from jutsu.brokers.schwab_client import SchwabConfig
    from jutsu.brokers.schwab_tokens import SchwabTokenStore, TokenCipher
    from jutsu.data.database import create_db_engine
    from jutsu.data.models import Base

    engine = create_db_engine(f"sqlite:///{tmp_path / 'schwab.db'}")
    Base.metadata.create_all(engine)
    with fake_schwab() as server:
        config = SchwabConfig(
            api_key=APP_KEY,
            app_secret=APP_SECRET,
            account_number=server.account_number,
            base_url=server.base_url,
            encryption_keys=Fernet.generate_key().decode(),
            dashboard_url="https://jutsu.example",
            timeout_seconds=2.0,
            stale_quote_seconds=60,
        )
        # an access token that expired an hour ago: the client must refresh before calling
        stale = server.issue_token(expires_in=1800, created=int(time.time()) - 7200)
        stale["token"]["expires_at"] = int(time.time()) - 3600
        store = SchwabTokenStore(engine, TokenCipher(config.encryption_keys))
        store.write(stale)
        broker = open_schwab_broker(config, engine)
        assert broker.account().cash > Decimal(0)
        broker.quotes(["QQQ"])
        grants = [r["grant_type"] for r in server.state.token_requests]
        assert "refresh_token" in grants, grants
        secrets += [APP_SECRET, *server.state.access_tokens, *server.state.refresh_tokens]
    engine.dispose()


def _webhook_flow() -> None:
    from jutsu.notify.base import Alert
    from jutsu.notify.delivery import RetryPolicy
    from jutsu.notify.webhook import WebhookNotifier

    policy = RetryPolicy(attempts=2, timeout_seconds=1.0, backoff_seconds=0.01, max_delay_seconds=0.02)
    alert = Alert("run_failed", "critical", "reliability", "secret scan")  # type: ignore[call-arg]
    with webhook_receiver() as receiver:
        receiver.script = [(500, {}), (204, {})]
        assert WebhookNotifier(receiver.url(f"/hooks/{WEBHOOK_SECRET}"), policy).send(alert)
    down = f"http://127.0.0.1:{_closed_port()}/hooks/{WEBHOOK_SECRET}"
    assert not WebhookNotifier(down, policy).send(alert)


def _run(flow: str, tmp_path: Path, secrets: list[str]) -> None:
    if flow == "api_login_refresh":
        _api_flow(tmp_path, secrets)
    elif flow == "database_url_password":
        _database_flow()
    elif flow == "schwab_token_refresh":
        _schwab_flow(tmp_path, secrets)
    elif flow == "webhook_secret_url_httpx_verbose":
        # httpx held at WARNING is the default, not the protection: with its request lines on,
        # the masking alone must hide the secret path.
        loggers = [logging.getLogger(name) for name in ("httpx", "httpcore")]
        saved = [lg.level for lg in loggers]
        for lg in loggers:
            lg.setLevel(logging.DEBUG)
        try:
            _webhook_flow()
        finally:
            for lg, level in zip(loggers, saved, strict=True):
                lg.setLevel(level)
    else:
        _webhook_flow()


FLOWS = [
    "api_login_refresh",
    "database_url_password",
    "schwab_token_refresh",
    "webhook_secret_url",
    "webhook_secret_url_httpx_verbose",
]


@pytest.mark.parametrize("flow", FLOWS)
def test_no_secret_in_any_log_line(flow: str, captured: io.StringIO, tmp_path: Path) -> None:
    secrets: list[str] = [ADMIN_PASSWORD, WRONG_PASSWORD, DB_PASSWORD, WEBHOOK_SECRET]
    _run(flow, tmp_path, secrets)
    logs = captured.getvalue()
    assert logs.strip(), "the flow logged nothing: capture is broken"
    leaks = sorted({s[:6] + "…" for s in secrets if s and s in logs})
    assert leaks == [], f"secrets found in the logs: {leaks}"
    if flow == "webhook_secret_url_httpx_verbose":
        assert "HTTP Request: POST" in logs and "/hooks/****" in logs  # logged, and masked
