"""HTTP-shaped service errors: one status code and a one-line ``detail`` each (platform.md §4.9).

They subclass Starlette's ``HTTPException`` so FastAPI renders them as ``{"detail": ...}``
without extra handlers; messages never carry a stack trace, SQL or a file path.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException

__all__ = ["Conflict", "Invalid", "NotFound", "ServiceError", "Unavailable"]


class ServiceError(HTTPException):
    status: int = 500

    def __init__(self, detail: str) -> None:
        super().__init__(status_code=self.status, detail=detail)


class Invalid(ServiceError):
    """400: a value or a business rule is violated."""

    status = 400


class NotFound(ServiceError):
    """404: unknown resource."""

    status = 404


class Conflict(ServiceError):
    """409: already running / already in that state."""

    status = 409


class Unavailable(ServiceError):
    """503: a dependency (registry, scheduler, broker) is not available."""

    status = 503
