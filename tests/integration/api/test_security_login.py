"""Lockout, login rate limit, client IP behind trusted proxies, and login response shapes."""

from __future__ import annotations

from collections.abc import Callable

from security_fixtures import ADMIN_PASSWORD, Api, api_fixture, make_api_fixture  # noqa: F401


def test_lockout_at_the_tenth_failure(api: Api) -> None:
    api.add_user("victim", "victim-pass-1")
    for attempt in range(1, 10):
        r = api.login("victim", "wrong")
        assert r.status_code == 401 and r.json()["detail"] == "Invalid username or password", attempt
    r = api.login("victim", "wrong")  # the 10th failure locks
    assert r.status_code == 401
    assert "locked" in r.json()["detail"] and "Try again in 30 minutes" in r.json()["detail"]
    r = api.login("victim", "victim-pass-1")  # the right password does not help while locked
    assert r.status_code == 401 and "locked" in r.json()["detail"]
    admin = api.headers()
    uid = next(
        u["id"]
        for u in api.client.get("/api/users", headers=admin).json()["users"]
        if u["username"] == "victim"
    )
    assert api.client.post(f"/api/users/{uid}/unlock", headers=admin).status_code == 200
    assert api.login("victim", "victim-pass-1").status_code == 200
    events = api.client.get(
        "/api/security/events", params={"event_type": "ACCOUNT_LOCKED"}, headers=admin
    ).json()
    assert events["total"] == 1 and events["events"][0]["username"] == "victim"


def test_unknown_user_and_wrong_password_look_the_same(api: Api) -> None:
    a = api.login("nobody", "whatever-pass")
    b = api.login("admin", "whatever-pass")
    assert a.status_code == b.status_code == 401
    assert a.json() == b.json()


def test_login_rate_limit_at_the_sixth_attempt(make_api: Callable[..., Api]) -> None:
    api = make_api(LOGIN_RATE_LIMIT="5/minute")
    codes = [api.login("admin", "wrong").status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    r = api.login("admin", ADMIN_PASSWORD)
    assert r.status_code == 429 and r.json()["error"].startswith("Rate limit exceeded")
    # another client address still gets through
    assert api.login("admin", ADMIN_PASSWORD, client=api.peer("203.0.113.9")).status_code == 200


def test_spoofed_forwarded_for_from_untrusted_peer_is_ignored(make_api: Callable[..., Api]) -> None:
    api = make_api(LOGIN_RATE_LIMIT="5/minute", TRUSTED_PROXIES="10.0.0.0/8")
    attacker = api.peer("198.51.100.7")
    codes = [
        attacker.post(
            "/api/auth/login",
            data={"username": "admin", "password": "wrong"},
            headers={
                "X-Forwarded-For": f"192.0.2.{i}",
                "X-Real-IP": f"192.0.2.{i}",
                "CF-Connecting-IP": f"192.0.2.{i}",
            },
        ).status_code
        for i in range(6)
    ]
    assert codes[-1] == 429, codes
    events = api.client.get(
        "/api/security/events", params={"event_type": "RATE_LIMITED"}, headers=api.headers()
    )
    assert events.json()["events"][0]["ip_address"] == "198.51.100.7"


def test_forwarded_headers_are_honoured_from_a_trusted_proxy(make_api: Callable[..., Api]) -> None:
    api = make_api(LOGIN_RATE_LIMIT="5/minute", TRUSTED_PROXIES="10.0.0.0/8")
    proxy = api.peer("10.1.2.3")
    codes = [
        proxy.post(
            "/api/auth/login",
            data={"username": "admin", "password": "wrong"},
            headers={"X-Forwarded-For": f"192.0.2.{i}, 10.1.2.3"},
        ).status_code
        for i in range(8)
    ]
    assert 429 not in codes, codes  # each forwarded client has its own budget
    r = proxy.post(
        "/api/auth/login",
        data={"username": "admin", "password": "wrong"},
        headers={"CF-Connecting-IP": "192.0.2.77"},
    )
    assert r.status_code == 401
    events = api.client.get(
        "/api/security/events",
        params={"event_type": "LOGIN_FAILURE", "ip_address": "192.0.2.77"},
        headers=api.headers(),
    ).json()
    assert events["total"] == 1


def test_auth_status_and_me(api: Api) -> None:
    assert api.client.get("/api/auth/status").json()["auth_required"] is True
    me = api.client.get("/api/auth/me", headers=api.headers()).json()
    assert me["role"] == "admin" and me["is_admin"] and "users:manage" in me["permissions"]


def test_auth_disabled_acts_as_local_admin(make_api: Callable[..., Api]) -> None:
    api = make_api(AUTH_REQUIRED="false")
    assert api.client.get("/api/users").status_code == 200
    assert api.client.get("/api/auth/me").json()["role"] == "admin"
