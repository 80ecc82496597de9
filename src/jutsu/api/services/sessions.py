"""Where services get their database session from.

A request already holds one session (authentication read the user through it). Opening a
second pooled connection per request deadlocks under load: every worker holds one connection
and waits for another. So request-scoped services use :class:`RequestSessions`, which hands
out the request's own session; background jobs use the app's ``sessionmaker``. Both satisfy
:class:`SessionSource`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Protocol

from sqlalchemy.orm import Session

__all__ = ["RequestSessions", "SessionSource"]


class SessionSource(Protocol):
    """The part of ``sessionmaker`` the services use."""

    def __call__(self) -> AbstractContextManager[Session]: ...

    def begin(self) -> AbstractContextManager[Session]: ...


class RequestSessions:
    """``sessionmaker``-shaped access to one request's session (never closed here)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def __call__(self) -> AbstractContextManager[Session]:
        return nullcontext(self._session)

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """Commit on success, roll back on error (the request's open transaction included)."""
        try:
            yield self._session
        except BaseException:
            self._session.rollback()
            raise
        self._session.commit()
