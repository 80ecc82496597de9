"""The service container: everything a request needs, built once per app by the lifespan.

Routers reach it only through ``jutsu.api.deps`` (``ContainerDep``, ``SettingsDep``, ...), never
through globals, so two apps (tests, workers) never share state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import MultiFernet
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from jutsu.api.security.client_ip import Network
from jutsu.api.security.events import SecurityLog
from jutsu.api.security.passwords import PasswordHasher
from jutsu.api.security.rate_limit import RateLimits
from jutsu.api.security.tokens import TokenService
from jutsu.config import Settings
from jutsu.events import EventBus

__all__ = ["Container", "StartupState"]


@dataclass(slots=True)
class StartupState:
    """What the readiness probe reports (platform.md §3.2)."""

    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    ready_at: datetime | None = None
    initialized: bool = False
    error: str | None = None


@dataclass(slots=True)
class Container:
    """Per-app services. ``extras`` is for services added by other areas' startup hooks."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    bus: EventBus
    tokens: TokenService
    passwords: PasswordHasher
    totp_fernet: MultiFernet
    rate_limits: RateLimits
    security: SecurityLog
    trusted_proxies: tuple[Network, ...]
    startup: StartupState
    extras: dict[str, Any] = field(default_factory=dict)
