"""``/api/schwab`` through the real app: admin-only OAuth against the fake Schwab server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from cryptography.fernet import Fernet
from security_fixtures import Api, api_fixture, make_api_fixture  # noqa: F401
from sqlalchemy import select

from fakes.schwab_server import APP_KEY, APP_SECRET, FakeSchwab, fake_schwab
from jutsu.brokers.schwab_client import SchwabConfig
from jutsu.data.models import SecurityEvent


@pytest.fixture
def schwab(api: Api) -> Iterator[FakeSchwab]:
    with fake_schwab() as server:
        api.container.extras["schwab_config"] = SchwabConfig(
            api_key=APP_KEY,
            app_secret=APP_SECRET,
            account_number=server.account_number,
            base_url=server.base_url,
            encryption_keys=Fernet.generate_key().decode(),
            timeout_seconds=2,
        )
        yield server


def test_oauth_endpoints(api: Api, schwab: FakeSchwab) -> None:
    admin = api.headers()
    status = api.client.get("/api/schwab/status", headers=admin).json()
    assert status["token_exists"] is False and status["authenticated"] is False
    start = api.client.post("/api/schwab/initiate", headers=admin).json()
    assert start["state"] and start["callback_url"] == "https://127.0.0.1:8182"
    landed = httpx.get(start["authorization_url"]).headers["Location"]
    bad = api.client.post(
        "/api/schwab/callback", headers=admin, json={"callback_url": "https://127.0.0.1:8182/"}
    )
    assert bad.status_code == 400 and "code/state" in bad.json()["detail"]
    done = api.client.post("/api/schwab/callback", headers=admin, json={"callback_url": landed})
    assert done.status_code == 200 and done.json()["success"] is True
    status = api.client.get("/api/schwab/status", headers=admin).json()
    assert status["token_valid"] is True and 6.4 < status["expires_in_days"] <= 6.5
    assert api.client.delete("/api/schwab/token", headers=admin).json()["message"] == "Schwab token deleted"
    assert api.client.delete("/api/schwab/token", headers=admin).json()["message"] == "No token stored"
    with api.container.sessions() as s:
        events = s.scalars(
            select(SecurityEvent.event_type).where(SecurityEvent.event_type.like("OAUTH%"))
        ).all()
    assert sorted(events) == ["OAUTH_COMPLETED", "OAUTH_FAILED", "OAUTH_INITIATED", "OAUTH_TOKEN_DELETED"]


def test_viewer_is_denied(api: Api, schwab: FakeSchwab) -> None:
    api.add_user("viewer1", "viewer-password-1")
    viewer = api.headers("viewer1", "viewer-password-1")
    for method, path in [("get", "/status"), ("post", "/initiate"), ("delete", "/token")]:
        r = getattr(api.client, method)(f"/api/schwab{path}", headers=viewer)
        assert r.status_code == 403 and r.json()["detail"] == "Permission denied. Required: broker:manage"
