"""TOTP enrolment and login with single-use backup codes; passkey registration and login with a
software authenticator, so py_webauthn verifies real signatures."""

from __future__ import annotations

import base64
import json
from xml.etree import ElementTree

import pyotp
from security_fixtures import ADMIN_PASSWORD, Api, SoftAuthenticator, api_fixture, make_api_fixture  # noqa: F401

from jutsu.data.models import User


def test_totp_flow_with_single_use_backup_codes(api: Api) -> None:
    admin = api.headers()
    setup = api.client.post("/api/2fa/setup", headers=admin).json()
    secret = setup["secret"]
    assert setup["provisioning_uri"].startswith("otpauth://totp/")
    assert setup["qr_code"].startswith("data:image/svg+xml;base64,")  # the dashboard shows it as <img>
    svg = ElementTree.fromstring(base64.b64decode(setup["qr_code"].split(",", 1)[1]))
    assert svg.tag.endswith("svg") and svg.find(".//{http://www.w3.org/2000/svg}path") is not None
    with api.container.sessions() as s:
        stored = s.query(User).filter_by(username="admin").one().totp_secret
    assert stored and stored.startswith("gAAAAA") and secret not in stored  # encrypted at rest
    assert api.client.post("/api/2fa/verify", headers=admin, json={"code": "000000"}).status_code == 400
    r = api.client.post("/api/2fa/verify", headers=admin, json={"code": pyotp.TOTP(secret).now()})
    assert r.status_code == 200
    codes = r.json()["backup_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10

    step = api.login("admin", ADMIN_PASSWORD).json()
    assert step["requires_2fa"] and step["access_token"] is None and step["login_ticket"]
    bad = api.client.post(
        "/api/auth/login-2fa", json={"login_ticket": step["login_ticket"], "totp_code": "123456"}
    )
    assert bad.status_code == 401
    ok = api.client.post(
        "/api/auth/login-2fa", json={"login_ticket": step["login_ticket"], "totp_code": codes[0].lower()}
    )
    assert ok.status_code == 200 and ok.json()["access_token"]
    # the ticket is single use
    again = api.client.post(
        "/api/auth/login-2fa", json={"login_ticket": step["login_ticket"], "totp_code": codes[1]}
    )
    assert again.status_code == 401
    # the backup code is single use
    step = api.login("admin", ADMIN_PASSWORD).json()
    reuse = api.client.post(
        "/api/auth/login-2fa", json={"login_ticket": step["login_ticket"], "totp_code": codes[0]}
    )
    assert reuse.status_code == 401
    totp_login = api.client.post(
        "/api/auth/login-2fa",
        json={"login_ticket": step["login_ticket"], "totp_code": pyotp.TOTP(secret).now()},
    )
    assert totp_login.status_code == 200
    token = {"Authorization": f"Bearer {totp_login.json()['access_token']}"}
    r = api.client.post(
        "/api/2fa/disable", headers=token, json={"password": "wrong", "code": pyotp.TOTP(secret).now()}
    )
    assert r.status_code == 401
    r = api.client.post(
        "/api/2fa/disable", headers=token, json={"password": ADMIN_PASSWORD, "code": pyotp.TOTP(secret).now()}
    )
    assert r.status_code == 200
    assert api.login("admin", ADMIN_PASSWORD).json()["access_token"]


def test_passkey_register_and_login(api: Api) -> None:
    admin = api.headers()
    device = SoftAuthenticator()
    options = api.client.post(
        "/api/passkey/register-options", headers=admin, json={"device_name": "laptop"}
    ).json()
    assert json.loads(options["options"])["rp"]["id"] == "localhost"
    # a credential made for another origin is refused
    evil = api.client.post(
        "/api/passkey/register",
        headers=admin,
        json={"credential": device.create(options["options"], origin="https://evil.example")},
    )
    assert evil.status_code == 400
    options = api.client.post(
        "/api/passkey/register-options", headers=admin, json={"device_name": "laptop"}
    ).json()
    r = api.client.post(
        "/api/passkey/register", headers=admin, json={"credential": device.create(options["options"])}
    )
    assert r.status_code == 200, r.text
    passkey_id = r.json()["passkey_id"]
    listed = api.client.get("/api/passkey/list", headers=admin).json()
    assert listed["count"] == 1 and listed["passkeys"][0]["device_name"] == "laptop"

    step = api.login("admin", ADMIN_PASSWORD).json()
    assert step["requires_passkey"] and step["access_token"] is None
    r = api.client.post(
        "/api/passkey/authenticate",
        json={"login_ticket": step["login_ticket"], "credential": device.get(step["passkey_options"])},
    )
    assert r.status_code == 200, r.text
    access = r.json()["access_token"]
    me = api.client.get("/api/auth/me", headers={"Authorization": f"Bearer {access}"}).json()
    assert me["auth_method"] == "passkey"
    assert r.json()["expires_in"] == 420 * 60

    # a replayed assertion (same challenge, ticket consumed) fails; a forged signature fails
    replay = api.client.post(
        "/api/passkey/authenticate",
        json={"login_ticket": step["login_ticket"], "credential": device.get(step["passkey_options"])},
    )
    assert replay.status_code == 401
    step = api.login("admin", ADMIN_PASSWORD).json()
    forged = SoftAuthenticator()
    forged.credential_id = device.credential_id
    bad = api.client.post(
        "/api/passkey/authenticate",
        json={"login_ticket": step["login_ticket"], "credential": forged.get(step["passkey_options"])},
    )
    assert bad.status_code == 401

    renamed = api.client.patch(f"/api/passkey/{passkey_id}", headers=admin, json={"device_name": "phone"})
    assert renamed.json()["device_name"] == "phone"
    api.add_user("viewer", "viewer-pass-1")
    viewer = api.headers("viewer", "viewer-pass-1")
    assert api.client.delete(f"/api/passkey/{passkey_id}", headers=viewer).status_code == 404  # not theirs
    assert api.client.delete(f"/api/passkey/{passkey_id}", headers=admin).status_code == 200
    assert api.login("admin", ADMIN_PASSWORD).json()["access_token"]
