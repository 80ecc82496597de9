"""JWT issue and validation (platform.md §4.1) with PyJWT, HS256 only.

Three token types share one key and are told apart by the ``type`` claim, which every decode
checks, so a refresh token is never accepted as an access token (or a login ticket as either):

* ``access``  — ``sub``, ``jti``, ``iat``, ``exp``, ``auth_method`` and the session ``family``;
* ``refresh`` — the same plus ``family``, the id shared by every rotation of one login session;
* ``login_ticket`` — 5 minutes, proves the password step before the second factor (§5.6).

``iat`` is a float so "issued before ``password_changed_at``" is exact to the microsecond.
Revocation (blacklist, families) is the caller's job: this module is pure crypto and claims.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal

import jwt

__all__ = ["ALGORITHM", "IssuedToken", "TokenClaims", "TokenError", "TokenService", "TokenType"]

ALGORITHM = "HS256"
TokenType = Literal["access", "refresh", "login_ticket"]
AuthMethod = Literal["password", "passkey"]
LOGIN_TICKET_SECONDS = 300


class TokenError(Exception):
    """A token failed validation; ``reason`` is ``expired``, ``invalid`` or ``wrong_type``."""

    def __init__(self, reason: Literal["expired", "invalid", "wrong_type"]) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """The validated claims of a token."""

    sub: str
    type: TokenType
    jti: str
    iat: float
    exp: float
    auth_method: AuthMethod
    family: str | None = None


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """An encoded token and its claims (the caller records ``jti``/``exp`` for revocation)."""

    token: str
    claims: TokenClaims

    @property
    def expires_in(self) -> int:
        return round(self.claims.exp - self.claims.iat)


class TokenService:
    """Issues and validates tokens with one signing key and the configured lifetimes."""

    def __init__(
        self,
        key: str,
        *,
        access_minutes: int,
        refresh_days: int,
        passkey_minutes: int,
    ) -> None:
        self._key = key
        self._access_seconds = access_minutes * 60
        self._refresh_seconds = refresh_days * 86400
        self._passkey_seconds = passkey_minutes * 60

    @property
    def refresh_seconds(self) -> int:
        return self._refresh_seconds

    def issue_access(self, username: str, auth_method: AuthMethod, family: str | None = None) -> IssuedToken:
        """An access token (in session ``family``); passkey sessions live longer (§4.1)."""
        ttl = self._passkey_seconds if auth_method == "passkey" else self._access_seconds
        return self._issue(username, "access", ttl, auth_method, family)

    def issue_refresh(self, username: str, auth_method: AuthMethod, family: str | None = None) -> IssuedToken:
        """A refresh token in ``family`` (a new family when ``None``: a fresh login)."""
        return self._issue(username, "refresh", self._refresh_seconds, auth_method, family or _uuid())

    def issue_login_ticket(self, username: str) -> IssuedToken:
        """A 5-minute ticket proving the password step; single use is enforced by the caller."""
        return self._issue(username, "login_ticket", LOGIN_TICKET_SECONDS, "password", None)

    def decode(self, token: str, expected: TokenType) -> TokenClaims:
        """Validate signature, expiry, required claims and ``type``.

        Raises:
            TokenError: on any failure (the reason says which kind, for the security log).
        """
        try:
            payload: dict[str, Any] = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                options={"require": ["sub", "type", "jti", "iat", "exp"]},
            )
        except jwt.ExpiredSignatureError:
            raise TokenError("expired") from None
        except jwt.PyJWTError:
            raise TokenError("invalid") from None
        if payload.get("type") != expected:
            raise TokenError("wrong_type")
        try:
            claims = TokenClaims(
                sub=_text(payload["sub"]),
                type=expected,
                jti=_text(payload["jti"]),
                iat=float(payload["iat"]),
                exp=float(payload["exp"]),
                auth_method="passkey" if payload.get("auth_method") == "passkey" else "password",
                family=_text(payload["family"]) if expected == "refresh" or "family" in payload else None,
            )
        except (KeyError, TypeError, ValueError):
            raise TokenError("invalid") from None
        return claims

    def _issue(
        self, username: str, kind: TokenType, ttl: int, auth_method: AuthMethod, family: str | None
    ) -> IssuedToken:
        now = time.time()
        claims = TokenClaims(
            sub=username,
            type=kind,
            jti=_uuid(),
            iat=now,
            exp=now + ttl,
            auth_method=auth_method,
            family=family,
        )
        payload: dict[str, Any] = {
            "sub": claims.sub,
            "type": claims.type,
            "jti": claims.jti,
            "iat": claims.iat,
            "exp": claims.exp,
            "auth_method": claims.auth_method,
        }
        if family is not None:
            payload["family"] = family
        return IssuedToken(jwt.encode(payload, self._key, algorithm=ALGORITHM), claims)


def _uuid() -> str:
    return str(uuid.uuid4())


def _text(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("claim must be a non-empty string")
    return value
