"""Invitations (single use, expiry, user limit) and IDOR on users and invitations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from security_fixtures import Api, api_fixture, make_api_fixture  # noqa: F401

from jutsu.data.models import UserInvitation


def test_invitation_is_single_use_and_expires(api: Api) -> None:
    admin = api.headers()
    r = api.client.post("/api/users/invite", headers=admin, json={"email": "a@example.com", "role": "viewer"})
    assert r.status_code == 200
    token = r.json()["token"]
    assert r.json()["invite_url"] == f"https://jutsu.example/accept-invitation?token={token}"
    listed = api.client.get("/api/users/invitations", headers=admin).json()
    assert listed["invitations"][0]["status"] == "pending" and token not in str(listed)
    assert api.client.get(f"/api/invitations/{token}").json()["role"] == "viewer"
    assert api.client.get("/api/invitations/not-a-token").status_code == 404
    body = {"username": "newbie", "password": "newbie-pass-1"}
    assert api.client.post(f"/api/invitations/{token}/accept", json=body).status_code == 200
    assert api.login("newbie", "newbie-pass-1").status_code == 200
    again = api.client.post(f"/api/invitations/{token}/accept", json={**body, "username": "newbie2"})
    assert again.status_code == 400 and "already" in again.json()["detail"]

    r = api.client.post("/api/users/invite", headers=admin, json={})
    late = r.json()["token"]
    with api.container.sessions() as s, s.begin():
        for inv in s.query(UserInvitation).filter(UserInvitation.accepted_at.is_(None)):
            inv.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    assert api.client.get(f"/api/invitations/{late}").status_code == 400
    r = api.client.post(
        f"/api/invitations/{late}/accept", json={"username": "late_user", "password": "late-pass-1"}
    )
    assert r.status_code == 400 and "expired" in r.json()["detail"]


def test_twenty_first_user_is_refused(make_api: Callable[..., Api]) -> None:
    api = make_api(MAX_USERS="3")
    admin = api.headers()
    token = api.client.post("/api/users/invite", headers=admin, json={}).json()["token"]
    api.add_user("u2", "user-pass-2")
    api.add_user("u3", "user-pass-3")  # now at the limit: accepting is refused (re-check at accept)
    r = api.client.post(
        f"/api/invitations/{token}/accept", json={"username": "user4", "password": "user-pass-4"}
    )
    assert r.status_code == 400 and "limit" in r.json()["detail"]
    r = api.client.post("/api/users/invite", headers=admin, json={})
    assert r.status_code == 400 and "limit" in r.json()["detail"]


def test_default_user_limit_is_twenty(api: Api) -> None:
    assert api.container.settings.max_users == 20
    admin = api.headers()
    for i in range(19):
        api.add_user(f"user{i:02d}", "user-pass-x")
    r = api.client.post("/api/users/invite", headers=admin, json={})
    assert r.status_code == 400


def test_viewer_cannot_touch_other_users_or_invitations(api: Api) -> None:
    victim = api.add_user("victim", "victim-pass-1")
    api.add_user("viewer", "viewer-pass-1")
    viewer = api.headers("viewer", "viewer-pass-1")
    admin = api.headers()
    inv = api.client.post("/api/users/invite", headers=admin, json={"role": "admin"}).json()
    inv_id = api.client.get("/api/users/invitations", headers=admin).json()["invitations"][0]["id"]
    attempts = [
        ("GET", f"/api/users/{victim}", None),
        ("PUT", f"/api/users/{victim}", {"role": "admin"}),
        ("DELETE", f"/api/users/{victim}", None),
        ("POST", f"/api/users/{victim}/unlock", None),
        ("GET", "/api/users", None),
        ("GET", "/api/users/invitations", None),
        ("POST", "/api/users/invite", {"role": "admin"}),
        ("DELETE", f"/api/users/invitations/{inv_id}", None),
    ]
    for method, url, body in attempts:
        r = api.client.request(method, url, headers=viewer, json=body)
        assert r.status_code == 403, (method, url, r.status_code)
    # a viewer cannot upgrade themself by accepting an admin invitation while logged in as someone else's
    me = api.client.get("/api/auth/me", headers=viewer).json()
    assert me["role"] == "viewer"
    # the admin invitation is still intact after the viewer's attempts
    assert api.client.get(f"/api/invitations/{inv['token']}").status_code == 200


def test_admin_guards(api: Api) -> None:
    admin = api.headers()
    me_id = next(u["id"] for u in api.client.get("/api/users", headers=admin).json()["users"])
    assert api.client.put(f"/api/users/{me_id}", headers=admin, json={"role": "viewer"}).status_code == 400
    assert api.client.delete(f"/api/users/{me_id}", headers=admin).status_code == 400
    assert api.client.get("/api/users/999999", headers=admin).status_code == 404
