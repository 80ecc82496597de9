"""Forged and misused JWTs, refresh rotation/reuse, logout and password-change revocation."""

from __future__ import annotations

import base64
import json
import time
import uuid

import jwt
from security_fixtures import ADMIN_PASSWORD, SECRET, Api, api_fixture, make_api_fixture  # noqa: F401

ME = "/api/auth/me"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _claims(**over: object) -> dict[str, object]:
    now = time.time()
    claims: dict[str, object] = {
        "sub": "admin",
        "type": "access",
        "jti": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 600,
        "auth_method": "password",
    }
    claims.update(over)
    return claims


def _seg(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_forged_tokens_are_rejected(api: Api) -> None:
    good = api.tokens("admin", ADMIN_PASSWORD)
    assert api.client.get(ME, headers=_bearer(good["access_token"])).status_code == 200

    unsigned = f"{_seg({'alg': 'none', 'typ': 'JWT'})}.{_seg(_claims())}."
    wrong_key = jwt.encode(_claims(), "x" * 48, algorithm="HS256")
    expired = jwt.encode(_claims(iat=time.time() - 7200, exp=time.time() - 3600), SECRET, algorithm="HS256")
    no_jti = jwt.encode({k: v for k, v in _claims().items() if k != "jti"}, SECRET, algorithm="HS256")
    header, payload, signature = good["access_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    tampered = f"{header}.{_seg(claims)}.{signature}"
    for token in (unsigned, wrong_key, expired, no_jti, tampered, "not-a-jwt", ""):
        r = api.client.get(ME, headers=_bearer(token))
        assert r.status_code == 401, (token, r.text)
        assert r.headers.get("www-authenticate") == "Bearer"
    assert api.client.get(ME).status_code == 401


def test_token_types_are_not_interchangeable(api: Api) -> None:
    pair = api.tokens("admin", ADMIN_PASSWORD)
    assert api.client.get(ME, headers=_bearer(pair["refresh_token"])).status_code == 401
    r = api.client.post("/api/auth/refresh", json={"refresh_token": pair["access_token"]})
    assert r.status_code == 401
    # a correctly signed token of an unknown type
    odd = jwt.encode(_claims(type="login_ticket"), SECRET, algorithm="HS256")
    assert api.client.get(ME, headers=_bearer(odd)).status_code == 401


def test_refresh_rotates_and_reuse_revokes_the_family(api: Api) -> None:
    first = api.tokens("admin", ADMIN_PASSWORD)
    other_session = api.tokens("admin", ADMIN_PASSWORD)
    r = api.client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert r.status_code == 200
    second = r.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert api.client.get(ME, headers=_bearer(second["access_token"])).status_code == 200

    # replaying the rotated token: the whole family dies, including the newest tokens
    assert (
        api.client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]}).status_code
        == 401
    )
    assert api.client.get(ME, headers=_bearer(second["access_token"])).status_code == 401
    assert (
        api.client.post("/api/auth/refresh", json={"refresh_token": second["refresh_token"]}).status_code
        == 401
    )
    events = api.client.get(
        "/api/security/events",
        params={"event_type": "SUSPICIOUS_ACTIVITY"},
        headers=_bearer(other_session["access_token"]),
    ).json()
    assert events["total"] == 1 and events["events"][0]["severity"] == "CRITICAL"
    # another login session of the same user is unaffected
    assert api.client.get(ME, headers=_bearer(other_session["access_token"])).status_code == 200


def test_logout_revokes_access_and_refresh(api: Api) -> None:
    pair = api.tokens("admin", ADMIN_PASSWORD)
    r = api.client.post(
        "/api/auth/logout",
        headers=_bearer(pair["access_token"]),
        json={"refresh_token": pair["refresh_token"]},
    )
    assert r.status_code == 200
    assert api.client.get(ME, headers=_bearer(pair["access_token"])).status_code == 401
    assert (
        api.client.post("/api/auth/refresh", json={"refresh_token": pair["refresh_token"]}).status_code == 401
    )


def test_password_change_and_disable_end_sessions(api: Api) -> None:
    api.add_user("viewer1", "viewer-pass-1")
    old = api.tokens("viewer1", "viewer-pass-1")
    r = api.client.put(
        "/api/users/me/password",
        headers=_bearer(old["access_token"]),
        json={"current_password": "wrong-password", "new_password": "viewer-pass-2"},
    )
    assert r.status_code == 401
    r = api.client.put(
        "/api/users/me/password",
        headers=_bearer(old["access_token"]),
        json={"current_password": "viewer-pass-1", "new_password": "viewer-pass-2"},
    )
    assert r.status_code == 200
    assert api.client.get(ME, headers=_bearer(old["access_token"])).status_code == 401
    assert (
        api.client.post("/api/auth/refresh", json={"refresh_token": old["refresh_token"]}).status_code == 401
    )
    assert api.login("viewer1", "viewer-pass-1").status_code == 401
    fresh = api.tokens("viewer1", "viewer-pass-2")

    admin = api.headers()
    users = api.client.get("/api/users", headers=admin).json()["users"]
    uid = next(u["id"] for u in users if u["username"] == "viewer1")
    assert api.client.put(f"/api/users/{uid}", headers=admin, json={"is_active": False}).status_code == 200
    assert api.client.get(ME, headers=_bearer(fresh["access_token"])).status_code == 401
    assert api.login("viewer1", "viewer-pass-2").status_code == 401


def test_password_longer_than_72_bytes_is_refused(api: Api) -> None:
    r = api.client.put(
        "/api/users/me/password",
        headers=api.headers(),
        json={"current_password": ADMIN_PASSWORD, "new_password": "é" * 40},
    )
    assert r.status_code == 422
    assert "é" not in r.text  # the input is never echoed
