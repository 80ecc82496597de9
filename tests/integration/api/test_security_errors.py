"""Error bodies, 413/500 handling, security headers, docs switch, SQL-injection probes, startup checks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from security_fixtures import Api, api_fixture, make_api_fixture, settings_env  # noqa: F401
from sqlalchemy import text

from jutsu.api.app import create_app
from jutsu.config import load_settings
from jutsu.data.database import create_db_engine
from jutsu.errors import ConfigError

PROBES = ["' OR '1'='1", "1; DROP TABLE users; --", "admin'--", '" OR ""="', "%27%20OR%201=1"]


def test_unhandled_error_is_generic(make_api: Callable[..., Api]) -> None:
    api = make_api()
    boom = APIRouter()

    @boom.get("/api/test-boom")
    def explode() -> None:
        raise RuntimeError("SELECT secret FROM /etc/passwd at /work/main/src/x.py line 3")

    api.app.include_router(boom)
    r = api.client.get("/api/test-boom")
    assert r.status_code == 500
    assert r.json() == {
        "error": "Internal server error",
        "detail": "An unexpected error occurred. Please try again later.",
    }
    assert "SELECT" not in r.text and "/etc" not in r.text and "Traceback" not in r.text
    assert r.headers.get("x-request-id")


def test_body_too_large(make_api: Callable[..., Api]) -> None:
    api = make_api(MAX_REQUEST_SIZE="1000")
    r = api.client.post(
        "/api/auth/refresh", content=b"x" * 2000, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413 and r.json()["error"] == "Request Entity Too Large"

    def chunks():  # no Content-Length: counted while streaming
        for _ in range(5):
            yield b"y" * 400

    r = api.client.post("/api/auth/refresh", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    small = api.client.post("/api/auth/refresh", json={"refresh_token": "x"})
    assert small.status_code == 401


def test_security_headers_and_validation_errors(api: Api) -> None:
    r = api.client.get("/api/status/health")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert "referrer-policy" in r.headers and "strict-transport-security" not in r.headers
    r = api.client.post("/api/auth/login-2fa", json={"totp_code": ""})
    assert r.status_code == 422 and isinstance(r.json()["detail"], list)
    assert "input" not in r.json()["detail"][0]


def test_hsts_with_secure_cookies(make_api: Callable[..., Api]) -> None:
    api = make_api(USE_SECURE_COOKIES="true")
    assert "max-age" in api.client.get("/api/status/health").headers["strict-transport-security"]
    r = api.login("admin", "admin-password-123")
    assert r.json()["refresh_token"] is None and "httponly" in r.headers["set-cookie"].lower()


def test_docs_can_be_disabled(make_api: Callable[..., Api]) -> None:
    on = make_api()
    assert on.client.get("/openapi.json").status_code == 200
    spec = on.client.get("/openapi.json").json()
    ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert "auth-login" in ids and len(ids) == len(set(ids))
    off = make_api(DISABLE_DOCS="true")
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert off.client.get(path).status_code == 404
    assert off.client.get("/").json()["docs"] is None


def test_sql_injection_probes(api: Api) -> None:
    admin = api.headers()
    with api.container.engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM users")).scalar()
    for probe in PROBES:
        for name in ("event_type", "severity", "username", "ip_address"):
            r = api.client.get("/api/security/events", params={name: probe}, headers=admin)
            assert r.status_code in (200, 422), (name, probe, r.status_code)
            if r.status_code == 200:
                assert r.json()["total"] == 0
        assert api.login(probe, probe).status_code == 401
        assert api.client.get(f"/api/invitations/{probe}").status_code in (404, 422)
        r = api.client.post("/api/2fa/validate", json={"username": probe, "code": "123456"})
        assert r.status_code in (200, 429) and (r.status_code == 429 or r.json()["valid"] is False)
    with api.container.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM users")).scalar() == before


def test_refuses_to_start_when_database_is_not_at_head(db_url: str, tmp_path: Path) -> None:
    engine = create_db_engine(db_url)
    try:
        app = create_app(load_settings(env=settings_env(tmp_path)), engine=engine)
        with pytest.raises(ConfigError, match="jutsu db upgrade"), TestClient(app):
            pass
    finally:
        engine.dispose()


def test_admin_password_admin_is_refused(make_api: Callable[..., Api]) -> None:
    with pytest.raises(ConfigError, match="ADMIN_PASSWORD"):
        make_api(ADMIN_PASSWORD="admin")


def test_placeholder_secret_key_is_refused(make_api: Callable[..., Api]) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        make_api(SECRET_KEY="change-this-in-production")
