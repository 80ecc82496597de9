"""Readiness: can this instance do its job right now? (``GET /api/ready``)

Liveness (``/api/health``) only says the process answers. Readiness checks what the instance
depends on:

* **database** — reachable, and its schema at the revision this code ships (the container
  migrates before it starts, so anything else means a broken deploy). This check gates
  readiness: without it the instance cannot serve anything useful.
* **scheduler** — when one is attached: its own ``is_healthy()`` (platform.md §6.5).
* **broker token** — when Schwab credentials are configured: a stored token that has not passed
  the platform's 6.5-day limit (§5.9).

A failing scheduler or broker check makes the answer ``degraded`` (HTTP 200), not ``not_ready``:
an orchestrator that pulled the instance out of service for an expired broker token would also
lock the admin out of the dashboard page that renews it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal, Protocol

from sqlalchemy import Engine, select, text
from sqlalchemy.exc import SQLAlchemyError

from jutsu.config.masking import mask_secrets_in_text
from jutsu.data.migrate import current_revision, head_revision
from jutsu.data.models.operations import BrokerToken

__all__ = [
    "BROKER_TOKEN_MAX_AGE",
    "Check",
    "HealthReporting",
    "Readiness",
    "check_broker_token",
    "check_database",
    "check_scheduler",
    "readiness",
]

BROKER_TOKEN_MAX_AGE = dt.timedelta(seconds=561_600)
"""6.5 days: schwab-py's ``max_token_age``; the refresh token itself dies at 7 days (§5.9)."""

Status = Literal["ready", "degraded", "not_ready"]


class HealthReporting(Protocol):
    """Anything with the scheduler's health predicate (platform.md §6.5)."""

    def is_healthy(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Check:
    """One dependency's state; ``detail`` is safe to show (no secrets, passwords masked)."""

    ok: bool
    detail: str
    data: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "detail": self.detail, **self.data}


@dataclass(frozen=True, slots=True)
class Readiness:
    """The answer of ``/api/ready``: overall status plus every check that applied."""

    status: Status
    checks: dict[str, Check]
    timestamp: dt.datetime

    @property
    def http_status(self) -> int:
        return 503 if self.status == "not_ready" else 200

    def as_dict(self) -> dict[str, object]:
        return {
            "status": self.status,
            "ready": self.status != "not_ready",
            "timestamp": self.timestamp.isoformat(),
            "checks": {name: check.as_dict() for name, check in self.checks.items()},
        }


def check_database(engine: Engine) -> Check:
    """``SELECT 1`` and the schema revision against the newest one shipped."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current = current_revision(engine)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        return Check(
            False, "unreachable: " + mask_secrets_in_text(reason[0] if reason else type(exc).__name__)
        )
    head = head_revision()
    data: dict[str, object] = {"revision": current, "head": head}
    if current != head:
        return Check(False, "schema not at head: run `jutsu db upgrade`", data)
    return Check(True, "reachable, schema at head", data)


def check_scheduler(scheduler: HealthReporting) -> Check:
    """The attached scheduler's own health predicate; an exception counts as unhealthy."""
    try:
        healthy = bool(scheduler.is_healthy())
    except Exception as exc:  # a probe must answer, whatever the scheduler does
        return Check(False, f"health check raised {type(exc).__name__}")
    return Check(healthy, "healthy" if healthy else "not healthy (see /api/control/scheduler)")


def check_broker_token(engine: Engine, now: dt.datetime, provider: str = "schwab") -> Check:
    """Is there a stored token for ``provider`` younger than :data:`BROKER_TOKEN_MAX_AGE`?

    Reads only the token's creation time, never its (encrypted) content.
    """
    try:
        with engine.connect() as connection:
            created = connection.execute(
                select(BrokerToken.created_at).where(BrokerToken.provider == provider)
            ).scalar_one_or_none()
    except SQLAlchemyError:
        return Check(False, "token store unreadable")
    if created is None:
        return Check(False, "not connected: no stored token (connect on the Configuration page)")
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    remaining = created + BROKER_TOKEN_MAX_AGE - now
    days = round(remaining.total_seconds() / 86_400, 3)
    if remaining.total_seconds() <= 0:
        return Check(False, "expired: re-authorise the Schwab app", {"expires_in_days": days})
    return Check(True, "valid", {"expires_in_days": days})


def readiness(
    engine: Engine | None,
    now: dt.datetime,
    *,
    scheduler: HealthReporting | None = None,
    broker_configured: bool = False,
) -> Readiness:
    """Run every applicable check; ``engine=None`` means startup has not built one yet."""
    checks: dict[str, Check] = {}
    if engine is None:
        checks["database"] = Check(False, "starting: no database engine yet")
        return Readiness("not_ready", checks, now)
    checks["database"] = check_database(engine)
    if scheduler is not None:
        checks["scheduler"] = check_scheduler(scheduler)
    if broker_configured and checks["database"].ok:
        checks["broker_token"] = check_broker_token(engine, now)
    if not checks["database"].ok:
        status: Status = "not_ready"
    elif all(check.ok for check in checks.values()):
        status = "ready"
    else:
        status = "degraded"
    return Readiness(status, checks, now)
