"""The ops router and metrics middleware as registered by the real ``create_app``."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jutsu.api.app import create_app
from jutsu.config import load_settings
from jutsu.ops.metrics import REGISTRY


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_ready_and_metrics_are_served_by_create_app(db_engine: Engine, tmp_path: Path) -> None:
    env = {"JUTSU_STATE_DIR": str(tmp_path / "state"), "AUTH_REQUIRED": "false", "BCRYPT_ROUNDS": "4"}
    settings = load_settings(env=env, yaml_path=None, secrets_dir=tmp_path / "no-secrets")
    with TestClient(create_app(settings, engine=db_engine)) as client:
        ready = client.get("/api/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"]["database"]["ok"] is True

        labels = {"method": "GET", "route": "/api/ready", "status": "200"}
        before = REGISTRY.get_sample_value("jutsu_http_request_duration_seconds_count", labels) or 0.0
        client.get("/api/ready")
        after = REGISTRY.get_sample_value("jutsu_http_request_duration_seconds_count", labels)
        assert after == before + 1

        metrics = client.get("/metrics")
        assert metrics.status_code == 200
        assert 'route="/api/ready"' in metrics.text
