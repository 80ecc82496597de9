"""Error responses (platform.md §4.9): ``{"detail": ...}`` for every handled error, a generic 500.

No response carries a stack trace, SQL, a file path or exception text from a library; the full
traceback of a 500 goes to the server log with the request id echoed in ``X-Request-ID``.
Platform errors (``jutsu.errors``) are written for people, so their message is shown as is.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from jutsu.errors import (
    BacktestError,
    BrokerError,
    BrokerUnavailable,
    ConfigError,
    DataConflictError,
    DataError,
    JutsuError,
    StrategyError,
)

__all__ = ["INTERNAL_ERROR_BODY", "install_error_handlers", "status_for"]

log = logging.getLogger(__name__)

INTERNAL_ERROR_BODY = {
    "error": "Internal server error",
    "detail": "An unexpected error occurred. Please try again later.",
}

_STATUS: tuple[tuple[type[JutsuError], int], ...] = (
    (DataConflictError, status.HTTP_409_CONFLICT),
    (BrokerUnavailable, status.HTTP_503_SERVICE_UNAVAILABLE),
    (BrokerError, status.HTTP_502_BAD_GATEWAY),
    (ConfigError, status.HTTP_400_BAD_REQUEST),
    (DataError, status.HTTP_400_BAD_REQUEST),
    (BacktestError, status.HTTP_400_BAD_REQUEST),
    (StrategyError, status.HTTP_422_UNPROCESSABLE_CONTENT),
)


def status_for(exc: JutsuError) -> int:
    """The HTTP status of a platform error (most specific class first)."""
    for cls, code in _STATUS:
        if isinstance(exc, cls):
            return code
    return status.HTTP_400_BAD_REQUEST


def _request_id(request: Request) -> str | None:
    value = getattr(request.state, "request_id", None)
    return value if isinstance(value, str) else None


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        return JSONResponse({"error": exc.detail, "detail": exc.detail}, status_code=429, headers=headers)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)


async def _jutsu_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, JutsuError)
    code = status_for(exc)
    message = str(exc) if code < 500 or isinstance(exc, BrokerError) else "Service unavailable"
    return JSONResponse({"detail": message}, status_code=code)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 list, minus the echoed input (it may contain a password)."""
    assert isinstance(exc, RequestValidationError)
    errors = [{k: v for k, v in err.items() if k in ("loc", "msg", "type")} for err in exc.errors()]
    return JSONResponse({"detail": errors}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    request_id = _request_id(request)
    log.error(
        "unhandled error on %s %s (request id %s)",
        request.method,
        request.url.path,
        request_id,
        exc_info=exc,
    )
    headers = {"X-Request-ID": request_id} if request_id else None
    return JSONResponse(INTERNAL_ERROR_BODY, status_code=500, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Register every handler on ``app``."""
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(JutsuError, _jutsu_error)
    app.add_exception_handler(Exception, _unhandled)
