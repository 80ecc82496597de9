"""Security events (platform.md §4.8): one JSON line on the ``jutsu.security`` logger + a DB row.

Severities are the issue's four levels ``LOW``/``MEDIUM``/``HIGH``/``CRITICAL``; the spec's
``INFO``/``WARNING``/``CRITICAL`` map to ``LOW``/``MEDIUM``/``CRITICAL`` and the few events that
deserve attention sooner (lockouts, deletions) are ``HIGH``. Each event is stored in its own short
transaction so it survives the rollback of the request that triggered it; a failing write is
logged and never breaks the request. Details are scrubbed of anything that looks like a secret.
"""

# ruff: noqa: S105  (event names such as TOKEN_CREATED are not passwords)

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy.orm import Session, sessionmaker

from jutsu.data.repositories.security_events import add_security_event

__all__ = ["SECURITY_LOGGER", "SEVERITY", "SecurityEventType", "SecurityLog", "Severity", "scrub"]

SECURITY_LOGGER = "jutsu.security"
Severity = Literal["LOW", "MEDIUM", "HIGH", "CRITICAL"]

_store_log = logging.getLogger(__name__)
_SECRET_WORDS = ("password", "token", "secret", "code", "otp", "credential", "key", "ticket", "hash")


class SecurityEventType(StrEnum):
    """Event types of §4.8 (wire names, ≤ 32 characters)."""

    LOGIN_SUCCESS = "LOGIN_SUCCESS"
    LOGIN_FAILURE = "LOGIN_FAILURE"
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
    LOGOUT = "LOGOUT"
    TOKEN_CREATED = "TOKEN_CREATED"
    TOKEN_REFRESHED = "TOKEN_REFRESHED"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    TOKEN_REVOKED = "TOKEN_REVOKED"
    TOKEN_INVALID = "TOKEN_INVALID"
    OAUTH_INITIATED = "OAUTH_INITIATED"
    OAUTH_COMPLETED = "OAUTH_COMPLETED"
    OAUTH_FAILED = "OAUTH_FAILED"
    OAUTH_TOKEN_DELETED = "OAUTH_TOKEN_DELETED"
    ACCESS_DENIED = "ACCESS_DENIED"
    RATE_LIMITED = "RATE_LIMITED"
    SUSPICIOUS_ACTIVITY = "SUSPICIOUS_ACTIVITY"
    TWO_FA_ENABLED = "2FA_ENABLED"
    TWO_FA_DISABLED = "2FA_DISABLED"
    TWO_FA_SUCCESS = "2FA_SUCCESS"
    TWO_FA_FAILURE = "2FA_FAILURE"
    PASSKEY_REGISTERED = "PASSKEY_REGISTERED"
    PASSKEY_AUTHENTICATED = "PASSKEY_AUTHENTICATED"
    PASSKEY_REVOKED = "PASSKEY_REVOKED"
    PASSKEY_AUTH_FAILED = "PASSKEY_AUTH_FAILED"
    USER_INVITED = "USER_INVITED"
    USER_CREATED = "USER_CREATED"
    USER_UPDATED = "USER_UPDATED"
    USER_DELETED = "USER_DELETED"
    PASSWORD_CHANGED = "PASSWORD_CHANGED"
    TRADING_MODE_CHANGED = "TRADING_MODE_CHANGED"
    KILL_SWITCH = "KILL_SWITCH"


_E = SecurityEventType
SEVERITY: dict[SecurityEventType, Severity] = {
    _E.LOGIN_SUCCESS: "LOW",
    _E.LOGIN_FAILURE: "MEDIUM",
    _E.ACCOUNT_LOCKED: "HIGH",
    _E.LOGOUT: "LOW",
    _E.TOKEN_CREATED: "LOW",
    _E.TOKEN_REFRESHED: "LOW",
    _E.TOKEN_EXPIRED: "LOW",
    _E.TOKEN_REVOKED: "LOW",
    _E.TOKEN_INVALID: "MEDIUM",
    _E.OAUTH_INITIATED: "LOW",
    _E.OAUTH_COMPLETED: "LOW",
    _E.OAUTH_FAILED: "MEDIUM",
    _E.OAUTH_TOKEN_DELETED: "MEDIUM",
    _E.ACCESS_DENIED: "MEDIUM",
    _E.RATE_LIMITED: "MEDIUM",
    _E.SUSPICIOUS_ACTIVITY: "CRITICAL",
    _E.TWO_FA_ENABLED: "LOW",
    _E.TWO_FA_DISABLED: "MEDIUM",
    _E.TWO_FA_SUCCESS: "LOW",
    _E.TWO_FA_FAILURE: "MEDIUM",
    _E.PASSKEY_REGISTERED: "LOW",
    _E.PASSKEY_AUTHENTICATED: "LOW",
    _E.PASSKEY_REVOKED: "MEDIUM",
    _E.PASSKEY_AUTH_FAILED: "MEDIUM",
    _E.USER_INVITED: "LOW",
    _E.USER_CREATED: "LOW",
    _E.USER_UPDATED: "MEDIUM",
    _E.USER_DELETED: "HIGH",
    _E.PASSWORD_CHANGED: "MEDIUM",
    _E.TRADING_MODE_CHANGED: "MEDIUM",
    _E.KILL_SWITCH: "CRITICAL",
}


def scrub(details: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Drop every key that names a secret (passwords, tokens, codes ...), recursively."""
    if not details:
        return None
    clean: dict[str, Any] = {}
    for key, value in details.items():
        if key != "token_type" and any(word in key.lower() for word in _SECRET_WORDS):
            continue
        clean[key] = scrub(value) if isinstance(value, Mapping) else value
    return clean


class SecurityLog:
    """Writes security events to the ``jutsu.security`` logger and the ``security_events`` table."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        logger: logging.Logger | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._log = logger or logging.getLogger(SECURITY_LOGGER)

    def record(
        self,
        event_type: SecurityEventType,
        *,
        username: str | None = None,
        ip_address: str | None = None,
        user_agent: str | None = None,
        details: Mapping[str, Any] | None = None,
        severity: Severity | None = None,
    ) -> None:
        """Log and persist one event; never raises."""
        level = severity or SEVERITY[event_type]
        now = self._clock()
        clean = scrub(details)
        line = {
            "event_type": event_type.value,
            "severity": level,
            "timestamp": now.isoformat(),
            "username": username,
            "ip_address": ip_address,
            "user_agent": user_agent,
            "details": clean,
        }
        py_level = {"LOW": logging.INFO, "MEDIUM": logging.WARNING}.get(level, logging.ERROR)
        self._log.log(py_level, json.dumps(line, default=str, sort_keys=True))
        try:
            with self._sessions() as session, session.begin():
                add_security_event(
                    session,
                    timestamp=now,
                    event_type=event_type.value,
                    severity=level,
                    username=username,
                    ip_address=ip_address,
                    user_agent=user_agent,
                    details=clean,
                )
        except Exception:  # a full disk must not turn a login into a 500
            _store_log.exception("could not store security event %s", event_type.value)
