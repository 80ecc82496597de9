"""``GET /api/ready`` on SQLite and PostgreSQL: database, scheduler and broker-token checks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert

from jutsu.api.routers.ops import install_ops
from jutsu.config import Settings, load_settings
from jutsu.data.database import create_db_engine
from jutsu.data.migrate import head_revision
from jutsu.data.models import Base
from jutsu.ops.readiness import BROKER_TOKEN_MAX_AGE


@dataclass
class _Container:
    """The attributes the ops router reads from the app's service container."""

    engine: Engine | None
    settings: Settings
    extras: dict[str, Any] = field(default_factory=dict)


class _Scheduler:
    def __init__(self, healthy: bool) -> None:
        self.healthy = healthy

    def is_healthy(self) -> bool:
        return self.healthy


def _client(
    engine: Engine | None, tmp_path: Path, env: dict[str, str] | None = None, **extras: Any
) -> TestClient:
    app = FastAPI()
    install_ops(app)
    settings = load_settings(env=env or {}, yaml_path=None, secrets_dir=tmp_path / "no-secrets")
    app.state.container = _Container(engine, settings, dict(extras))
    return TestClient(app)


def _store_token(engine: Engine, created: dt.datetime) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(Base.metadata.tables["broker_tokens"]),
            {"provider": "schwab", "token_ciphertext": "gAAAA-not-read", "created_at": created},
        )


def test_ready_when_database_is_migrated(db_engine: Engine, tmp_path: Path) -> None:
    response = _client(db_engine, tmp_path).get("/api/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["ready"] is True
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["database"]["revision"] == head_revision()
    assert set(body["checks"]) == {"database"}  # no scheduler attached, no broker configured
    assert response.headers["cache-control"] == "no-store"


def test_not_ready_on_an_unmigrated_database(db_url: str, tmp_path: Path) -> None:
    engine = create_db_engine(db_url)
    try:
        response = _client(engine, tmp_path).get("/api/ready")
    finally:
        engine.dispose()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert "jutsu db upgrade" in body["checks"]["database"]["detail"]


def test_not_ready_when_the_database_is_unreachable_and_the_password_is_masked(tmp_path: Path) -> None:
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    engine = create_db_engine("postgresql://jutsu:s3cret-pw@127.0.0.1:1/jutsu")
    try:
        response = _client(engine, tmp_path).get("/api/ready")
    finally:
        engine.dispose()
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["detail"].startswith("unreachable")
    assert "s3cret-pw" not in response.text


def test_not_ready_before_startup_built_a_container() -> None:
    app = FastAPI()
    install_ops(app)
    response = TestClient(app).get("/api/ready")
    assert response.status_code == 503
    assert response.json()["status"] == "not_ready"


def test_unhealthy_scheduler_degrades_but_keeps_serving(db_engine: Engine, tmp_path: Path) -> None:
    healthy = _client(db_engine, tmp_path, scheduler=_Scheduler(True)).get("/api/ready")
    assert healthy.json()["status"] == "ready"
    assert healthy.json()["checks"]["scheduler"]["ok"] is True

    sick = _client(db_engine, tmp_path, scheduler=_Scheduler(False)).get("/api/ready")
    assert sick.status_code == 200
    assert sick.json()["status"] == "degraded"
    assert sick.json()["checks"]["scheduler"]["ok"] is False


def test_broker_token_checked_only_when_schwab_is_configured(db_engine: Engine, tmp_path: Path) -> None:
    schwab = {"SCHWAB_API_KEY": "app-key", "SCHWAB_APP_SECRET": "app-secret"}

    missing = _client(db_engine, tmp_path, schwab).get("/api/ready").json()
    assert missing["status"] == "degraded"
    assert missing["checks"]["broker_token"]["detail"].startswith("not connected")

    now = dt.datetime.now(dt.UTC)
    _store_token(db_engine, now - dt.timedelta(days=2))
    fresh = _client(db_engine, tmp_path, schwab).get("/api/ready").json()
    assert fresh["status"] == "ready"
    expected = (BROKER_TOKEN_MAX_AGE - dt.timedelta(days=2)).total_seconds() / 86_400
    assert abs(fresh["checks"]["broker_token"]["expires_in_days"] - expected) < 0.01
    assert "gAAAA" not in str(fresh)

    with db_engine.begin() as conn:
        conn.execute(Base.metadata.tables["broker_tokens"].delete())
    _store_token(db_engine, now - dt.timedelta(days=6, hours=13))  # past 6.5 days
    expired = _client(db_engine, tmp_path, schwab).get("/api/ready").json()
    assert expired["status"] == "degraded"
    assert expired["checks"]["broker_token"]["detail"].startswith("expired")

    unconfigured = _client(db_engine, tmp_path).get("/api/ready").json()
    assert "broker_token" not in unconfigured["checks"]
