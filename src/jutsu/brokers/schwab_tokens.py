"""The encrypted Schwab token store, token health, and the expiry alerts (platform.md §5.9).

Tokens are schwab-py's wrapped JSON (``{"creation_timestamp": int, "token": {...}}``), encrypted
with Fernet (``BROKER_TOKEN_ENCRYPTION_KEY``; several comma-separated keys allow rotation through
``MultiFernet``: the first encrypts, all decrypt) and stored one row per provider in
``broker_tokens``. ``creation_timestamp`` is when the *refresh* token was issued; it survives
access-token refreshes, so it alone decides expiry.

Expiry: Schwab's refresh token lives 7 days; the platform treats it as expired after 6.5 days
(561 600 s, schwab-py's ``max_token_age``) so that a token is never used in its last hours.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from jutsu.data.repositories.broker_tokens import (
    delete_state,
    delete_token_row,
    get_token_row,
    read_state,
    save_token_row,
    write_state,
)
from jutsu.errors import BrokerError, ConfigError
from jutsu.notify.base import Alert, Notifier

__all__ = [
    "LEVEL_ORDER",
    "NOTIFICATION_STATE_KEY",
    "TOKEN_LIFETIME",
    "SchwabTokenStore",
    "StoredToken",
    "TokenCipher",
    "TokenLevel",
    "TokenStatus",
    "check_token_expiry",
    "token_status",
]

log = logging.getLogger(__name__)

PROVIDER = "schwab"
TOKEN_LIFETIME = timedelta(seconds=561_600)
"""6.5 days: the platform's usable life of a refresh token (platform.md §5.9 point 5)."""
NOTIFICATION_STATE_KEY = "broker_token_notifications"

TokenLevel = Literal["missing", "ok", "notice", "warning", "urgent", "critical", "expired"]
LEVEL_ORDER: tuple[TokenLevel, ...] = ("ok", "notice", "warning", "urgent", "critical")
"""Escalation order of the warning levels; ``expired`` is tracked by its own flag."""
_THRESHOLDS: tuple[tuple[timedelta, TokenLevel], ...] = (
    (timedelta(hours=12), "critical"),
    (timedelta(days=1), "urgent"),
    (timedelta(days=2), "warning"),
    (timedelta(days=5), "notice"),
)
_LEVEL_KEY: dict[TokenLevel, str] = {"notice": "5d", "warning": "2d", "urgent": "1d", "critical": "12h"}
"""The spec's level keys, stored in ``system_state`` (``last_notification_level``)."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


class TokenCipher:
    """Fernet encryption of the token JSON; the key never appears in messages."""

    def __init__(self, keys: str | None) -> None:
        parts = [k.strip() for k in (keys or "").split(",") if k.strip()]
        if not parts:
            raise ConfigError(
                "BROKER_TOKEN_ENCRYPTION_KEY not set: generate one with "
                '`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`'
            )
        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in parts])
        except ValueError:
            raise ConfigError(
                "BROKER_TOKEN_ENCRYPTION_KEY is not a valid Fernet key (32 url-safe base64 bytes)"
            ) from None

    def encrypt(self, token: dict[str, Any]) -> str:
        return self._fernet.encrypt(json.dumps(token, sort_keys=True).encode()).decode()

    def decrypt(self, ciphertext: str) -> dict[str, Any]:
        try:
            data = json.loads(self._fernet.decrypt(ciphertext.encode()))
        except InvalidToken:
            raise BrokerError(
                "the stored Schwab token cannot be decrypted with BROKER_TOKEN_ENCRYPTION_KEY "
                "(key changed?); run `jutsu broker login` again"
            ) from None
        if not isinstance(data, dict):
            raise BrokerError("the stored Schwab token is malformed; run `jutsu broker login` again")
        return data


@dataclass(frozen=True, slots=True)
class StoredToken:
    token: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    created_by: int | None


class SchwabTokenStore:
    """Reads and writes the wrapped schwab-py token, encrypted, in ``broker_tokens``.

    ``read``/``write`` have the signatures schwab-py's ``client_from_access_functions`` expects.
    A write with a different ``creation_timestamp`` (a new authorisation) resets the expiry
    notification state, so the new token's warnings start from scratch.
    """

    def __init__(
        self, engine: Engine, cipher: TokenCipher, *, clock: Callable[[], datetime] = _utcnow
    ) -> None:
        self._engine = engine
        self._cipher = cipher
        self._clock = clock

    def load(self) -> StoredToken | None:
        with Session(self._engine) as session:
            row = get_token_row(session, PROVIDER)
        if row is None:
            return None
        token = self._cipher.decrypt(row.ciphertext)
        return StoredToken(token, row.created_at, row.updated_at, row.created_by)

    def read(self) -> dict[str, Any]:
        stored = self.load()
        if stored is None:
            raise BrokerError("no Schwab token stored: authorise with `jutsu broker login`")
        return stored.token

    def write(self, token: dict[str, Any], *args: Any, created_by: int | None = None, **kwargs: Any) -> None:
        try:
            created_at = datetime.fromtimestamp(int(token["creation_timestamp"]), UTC)
        except (KeyError, TypeError, ValueError):
            raise BrokerError("refusing to store a Schwab token without creation_timestamp") from None
        now = self._clock()
        with Session(self._engine) as session, session.begin():
            is_new = save_token_row(
                session,
                PROVIDER,
                self._cipher.encrypt(token),
                created_at=created_at,
                now=now,
                created_by=created_by,
            )
            if is_new:
                delete_state(session, NOTIFICATION_STATE_KEY)
        log.info("Schwab token %s", "stored" if is_new else "refreshed")

    def delete(self) -> bool:
        with Session(self._engine) as session, session.begin():
            deleted = delete_token_row(session, PROVIDER)
            delete_state(session, NOTIFICATION_STATE_KEY)
        return deleted


@dataclass(frozen=True, slots=True)
class TokenStatus:
    """Health of the stored refresh token at one instant."""

    level: TokenLevel
    created_at: datetime | None = None
    expires_at: datetime | None = None
    remaining: timedelta | None = None

    @property
    def exists(self) -> bool:
        return self.level != "missing"

    @property
    def valid(self) -> bool:
        return self.level not in ("missing", "expired")

    @property
    def expires_in_days(self) -> float | None:
        return None if self.remaining is None else self.remaining.total_seconds() / 86_400

    def age_days(self, now: datetime) -> float | None:
        return None if self.created_at is None else (now - self.created_at).total_seconds() / 86_400

    @property
    def message(self) -> str:
        if self.level == "missing":
            return "Schwab not connected: authorise with `jutsu broker login`"
        if self.level == "expired":
            return "Schwab token expired: re-authorise with `jutsu broker login`"
        assert self.remaining is not None
        return f"Schwab token valid, expires in {_human(self.remaining)}"


def token_status(
    created_at: datetime | None, now: datetime, *, lifetime: timedelta = TOKEN_LIFETIME
) -> TokenStatus:
    """Level of a token created at ``created_at`` (None = no token) at instant ``now``."""
    if created_at is None:
        return TokenStatus("missing")
    expires_at = created_at + lifetime
    remaining = expires_at - now
    level: TokenLevel = "ok"
    if remaining <= timedelta(0):
        level = "expired"
    else:
        for limit, name in _THRESHOLDS:
            if remaining <= limit:
                level = name
                break
    return TokenStatus(level, created_at, expires_at, remaining)


def check_token_expiry(
    engine: Engine,
    notifier: Notifier,
    *,
    now: datetime | None = None,
    dashboard_url: str | None = None,
    lifetime: timedelta = TOKEN_LIFETIME,
) -> Alert | None:
    """Send the expiry alert due now, once per level; return the alert sent (None when none).

    Levels escalate ``5d < 2d < 1d < 12h``; a level is recorded in ``system_state`` only when
    the send succeeded, so a failed webhook is retried at the next check. An expired token gets
    one CRITICAL alert (``expired_notified``). No token → nothing (the banner covers it).
    """
    now = now or _utcnow()
    with Session(engine) as session:
        row = get_token_row(session, PROVIDER)
        state = read_state(session, NOTIFICATION_STATE_KEY)
    status = token_status(None if row is None else row.created_at, now, lifetime=lifetime)
    if not status.exists or status.level == "ok":
        return None
    state = state if isinstance(state, dict) else {}
    if state.get("token_created_at") != _iso(status.created_at):
        state = {}  # a different token than the one the state describes: start over
    alert: Alert | None = None
    if status.level == "expired":
        if not state.get("expired_notified"):
            alert = _expiry_alert(status, dashboard_url, now)
    else:
        last = state.get("last_notification_level")
        last_rank = next((i for i, lv in enumerate(LEVEL_ORDER) if _LEVEL_KEY.get(lv) == last), 0)
        if LEVEL_ORDER.index(status.level) > last_rank:
            alert = _expiry_alert(status, dashboard_url, now)
    if alert is None or not notifier.send(alert):
        return None
    new_state = {
        **state,
        "token_created_at": _iso(status.created_at),
        "last_notification_time": now.isoformat(),
    }
    if status.level == "expired":
        new_state["expired_notified"] = True
    else:
        new_state["last_notification_level"] = _LEVEL_KEY[status.level]
        new_state.setdefault("expired_notified", False)
    with Session(engine) as session, session.begin():
        write_state(session, NOTIFICATION_STATE_KEY, new_state, now=now)
    return alert


def _expiry_alert(status: TokenStatus, dashboard_url: str | None, now: datetime) -> Alert:
    details: dict[str, object] = {}
    if status.expires_at is not None:
        details["Expires at"] = status.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    if dashboard_url:
        details["action_url"] = dashboard_url.rstrip("/") + "/config"
    action = "Re-authorise Schwab in the dashboard (Configuration) or with `jutsu broker login`."
    if status.level == "expired":
        return Alert(
            "token_expiry", "critical", "Schwab token EXPIRED",
            f"The Schwab refresh token has expired: live trading cannot reach the broker. {action}",
            details=details, timestamp=now,
        )  # fmt: skip
    assert status.remaining is not None
    titles = {
        "notice": ("info", "NOTICE: Schwab token expires in {left}"),
        "warning": ("warning", "WARNING: Schwab token expires in {left}"),
        "urgent": ("critical", "CRITICAL: Schwab token expires today ({left} left)"),
        "critical": ("critical", "URGENT: Schwab token expires in {left}"),
    }
    severity, title = titles[status.level]
    return Alert(
        "token_expiry",
        "info" if severity == "info" else "warning" if severity == "warning" else "critical",
        title.format(left=_human(status.remaining)),
        f"The Schwab refresh token expires in {_human(status.remaining)}. {action}",
        details=details,
        timestamp=now,
    )


def _human(delta: timedelta) -> str:
    seconds = max(int(delta.total_seconds()), 0)
    days, rest = divmod(seconds, 86_400)
    hours = rest // 3600
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {(rest % 3600) // 60} min"


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
