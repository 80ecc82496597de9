"""Base for request-scoped services that emit security events.

Events are buffered and written after the request's own transaction has ended: writing them
through a second connection while the request holds SQLite's write lock would deadlock (SQLite
has one writer), and writing them through the request's session would lose them on rollback.
The router dependency that builds a service calls :meth:`AuditedService.flush_events` in a
``finally`` block, so failures (401s) are journaled too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from jutsu.api.container import Container
from jutsu.api.security.events import SecurityEventType

__all__ = ["AuditedService", "RequestInfo", "request_info_of"]


@dataclass(frozen=True, slots=True)
class RequestInfo:
    """Who is calling, for the security log."""

    ip: str
    user_agent: str | None


def request_info_of(request: Request, ip: str) -> RequestInfo:
    return RequestInfo(ip=ip, user_agent=request.headers.get("user-agent"))


class AuditedService:
    """Holds the container, the request session and the buffered events."""

    def __init__(self, container: Container, session: Session, info: RequestInfo) -> None:
        self.c = container
        self.session = session
        self.info = info
        self._pending: list[tuple[SecurityEventType, str | None, dict[str, Any]]] = []

    def event(self, kind: SecurityEventType, username: str | None, **details: Any) -> None:
        self._pending.append((kind, username, details))

    def flush_events(self) -> None:
        """End the request transaction (anything uncommitted is discarded), then write events."""
        if self.session.in_transaction():
            self.session.rollback()
        pending, self._pending = self._pending, []
        for kind, username, details in pending:
            self.c.security.record(
                kind,
                username=username,
                ip_address=self.info.ip,
                user_agent=self.info.user_agent,
                details=details,
            )

    @classmethod
    def scoped(cls, container: Container, session: Session, info: RequestInfo) -> Iterator[Any]:
        """Generator for a FastAPI dependency: yields the service, flushes events afterwards."""
        service = cls(container, session, info)
        try:
            yield service
        finally:
            service.flush_events()
