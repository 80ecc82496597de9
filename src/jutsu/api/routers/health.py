"""Root banner, endpoint index and health probes (platform.md §3.2) — all public."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from jutsu.api.container import Container

__all__ = ["root_router", "router"]

root_router = APIRouter(tags=["root"])
router = APIRouter(prefix="/api/status", tags=["health"])

SERVICE = "jutsu-api"


class DocsLinks(BaseModel):
    swagger: str
    redoc: str
    openapi: str


class RootPublic(BaseModel):
    name: str
    version: str
    status: str
    docs: str | None = None


class ApiIndexPublic(BaseModel):
    name: str
    version: str
    endpoints: dict[str, str]
    docs: DocsLinks | None = None


class HealthPublic(BaseModel):
    status: Literal["ok"]
    timestamp: datetime
    service: str


class ReadinessPublic(BaseModel):
    status: Literal["ready", "not_ready"]
    timestamp: datetime
    service: str
    ready: bool
    initialized: bool
    db_ready: bool
    started_at: datetime | None
    ready_at: datetime | None
    error: str | None
    uptime_seconds: float
    message: str | None = None


def _docs_enabled(request: Request) -> bool:
    return request.app.openapi_url is not None


@root_router.get("/", response_model=RootPublic, summary="API banner")
def root(request: Request) -> RootPublic:
    return RootPublic(
        name=request.app.title,
        version=request.app.version,
        status="/api/status",
        docs="/docs" if _docs_enabled(request) else None,
    )


@root_router.get("/api", response_model=ApiIndexPublic, summary="Endpoint index")
def api_index(request: Request) -> ApiIndexPublic:
    docs = (
        DocsLinks(swagger="/docs", redoc="/redoc", openapi="/openapi.json")
        if _docs_enabled(request)
        else None
    )
    return ApiIndexPublic(
        name=request.app.title,
        version=request.app.version,
        endpoints={
            "status": "/api/status",
            "config": "/api/config",
            "trades": "/api/trades",
            "performance": "/api/v2/performance",
            "control": "/api/control",
            "indicators": "/api/indicators",
        },
        docs=docs,
    )


@router.get("/health", response_model=HealthPublic, summary="Liveness")
def health() -> HealthPublic:
    return HealthPublic(status="ok", timestamp=datetime.now(UTC), service=SERVICE)


@router.get(
    "/health/ready",
    response_model=ReadinessPublic,
    summary="Readiness",
    responses={status.HTTP_503_SERVICE_UNAVAILABLE: {"description": "Not ready"}},
)
def ready(request: Request) -> ReadinessPublic | JSONResponse:
    now = datetime.now(UTC)
    container: Container | None = request.app.state.container
    db_ready = False
    if container is not None:
        try:
            with container.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            db_ready = True
        except Exception:
            db_ready = False
    startup = container.startup if container is not None else None
    initialized = bool(startup and startup.initialized)
    error = startup.error if startup else "startup has not run"
    ok = initialized and db_ready and error is None
    body = ReadinessPublic(
        status="ready" if ok else "not_ready",
        timestamp=now,
        service=SERVICE,
        ready=ok,
        initialized=initialized,
        db_ready=db_ready,
        started_at=startup.started_at if startup else None,
        ready_at=startup.ready_at if startup else None,
        error=error,
        uptime_seconds=(now - startup.started_at).total_seconds() if startup else 0.0,
    )
    if ok:
        return body
    body.message = "database unreachable" if not db_ready else (error or "starting")
    return JSONResponse(
        {"detail": body.model_dump(mode="json")}, status_code=status.HTTP_503_SERVICE_UNAVAILABLE
    )
