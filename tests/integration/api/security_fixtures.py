"""Fixtures for the security tests: the real app on a migrated SQLite/PostgreSQL database.

``make_api(**env)`` builds a started ``TestClient`` (lifespan ran) with fast bcrypt, a fixed
secret and a generous login limit unless the test overrides them; helpers create users and
log in through the real endpoints.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jutsu.api.app import create_app
from jutsu.api.container import Container
from jutsu.config import load_settings
from jutsu.data.repositories import users as user_repo

ADMIN_PASSWORD = "admin-password-123"
SECRET = "s" * 48
ORIGIN = "https://localhost"
RP_ID = "localhost"


@dataclass
class Api:
    app: FastAPI
    client: TestClient
    container: Container
    tmp: Path
    clients: list[TestClient] = field(default_factory=list)

    def login(self, username: str, password: str, client: TestClient | None = None) -> Any:
        return (client or self.client).post(
            "/api/auth/login", data={"username": username, "password": password}
        )

    def tokens(self, username: str, password: str) -> dict[str, Any]:
        r = self.login(username, password)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        assert body["access_token"], body
        return body

    def headers(self, username: str = "admin", password: str = ADMIN_PASSWORD) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens(username, password)['access_token']}"}

    def add_user(self, username: str, password: str, role: str = "viewer") -> int:
        c = self.container
        with c.sessions() as s, s.begin():
            user = user_repo.create_user(
                s,
                username=username,
                password_hash=c.passwords.hash(password),
                role=role,
                password_changed_at=datetime.now(UTC),
            )
            return user.id

    def peer(self, ip: str) -> TestClient:
        """A client whose socket peer address is ``ip`` (same app, lifespan already running)."""
        client = TestClient(self.app, client=(ip, 50000))
        self.clients.append(client)
        return client


def settings_env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {
        "SECRET_KEY": SECRET,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "JUTSU_STATE_DIR": str(tmp / "state"),
        "BCRYPT_ROUNDS": "4",
        "LOGIN_RATE_LIMIT": "1000/minute",
        "TOTP_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "WEBAUTHN_RP_ID": RP_ID,
        "WEBAUTHN_ORIGIN": ORIGIN,
        "DASHBOARD_URL": "https://jutsu.example",
    }
    env.update(extra)
    return env


@pytest.fixture(name="make_api")
def make_api_fixture(db_engine: Engine, tmp_path: Path) -> Iterator[Callable[..., Api]]:
    started: list[Api] = []

    def build(**env: str) -> Api:
        settings = load_settings(env=settings_env(tmp_path, **env))
        app = create_app(settings, engine=db_engine)
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        api = Api(app=app, client=client, container=app.state.container, tmp=tmp_path)
        started.append(api)
        return api

    yield build
    for api in started:
        api.client.__exit__(None, None, None)


@pytest.fixture(name="api")
def api_fixture(make_api: Callable[..., Api]) -> Api:
    return make_api()


# -- WebAuthn: a software authenticator (EC P-256, attestation "none") ------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftAuthenticator:
    """Builds real attestation/assertion responses so py_webauthn verification runs for real."""

    def __init__(self) -> None:
        import cbor2

        self._cbor = cbor2
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.sign_count = 0

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        cose = {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        return bytes(self._cbor.dumps(cose))

    def _client_data(self, kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
        ).encode()

    def create(self, options_json: str, origin: str = ORIGIN, rp_id: str = RP_ID) -> str:
        options = json.loads(options_json)
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([0x45])  # UP | UV | AT
            + self.sign_count.to_bytes(4, "big")
            + bytes(16)  # AAGUID
            + len(self.credential_id).to_bytes(2, "big")
            + self.credential_id
            + self._cose_key()
        )
        attestation = self._cbor.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return json.dumps(
            {
                "id": b64url(self.credential_id),
                "rawId": b64url(self.credential_id),
                "type": "public-key",
                "response": {"clientDataJSON": b64url(client_data), "attestationObject": b64url(attestation)},
            }
        )

    def get(self, options_json: str, origin: str = ORIGIN, rp_id: str = RP_ID, *, bump: int = 1) -> str:
        options = json.loads(options_json)
        self.sign_count += bump
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest() + bytes([0x05]) + self.sign_count.to_bytes(4, "big")
        )
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return json.dumps(
            {
                "id": b64url(self.credential_id),
                "rawId": b64url(self.credential_id),
                "type": "public-key",
                "response": {
                    "clientDataJSON": b64url(client_data),
                    "authenticatorData": b64url(auth_data),
                    "signature": b64url(signature),
                    "userHandle": None,
                },
            }
        )
