"""Operations endpoints: ``GET /api/ready`` (readiness) and ``GET /metrics`` (Prometheus).

Both are public because probes and scrapers carry no user token; ``deploy/nginx.conf`` keeps
``/metrics`` off the public internet. Liveness (``/api/health``) lives with the status router.

The router reads the per-app container from ``app.state.container`` (built by the app's
lifespan) by attribute — ``engine``, ``settings`` and ``extras["scheduler"]`` — so it works with
any container that has them and answers ``not_ready`` while startup has not built one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse

from jutsu.ops.metrics import CONTENT_TYPE, MetricsMiddleware, render_latest
from jutsu.ops.readiness import readiness

__all__ = ["install_ops", "router"]

router = APIRouter(tags=["operations"])


@router.get("/api/ready", summary="Readiness: database, scheduler, broker token")
def ready(request: Request) -> JSONResponse:
    """200 ``ready``/``degraded`` or 503 ``not_ready``, with one entry per check."""
    container: Any = getattr(request.app.state, "container", None)
    engine = getattr(container, "engine", None)
    settings = getattr(container, "settings", None)
    extras = getattr(container, "extras", None) or {}
    scheduler = extras.get("scheduler")
    report = readiness(
        engine,
        dt.datetime.now(dt.UTC),
        scheduler=scheduler if callable(getattr(scheduler, "is_healthy", None)) else None,
        broker_configured=getattr(settings, "schwab_api_key", None) is not None,
    )
    return JSONResponse(
        report.as_dict(), status_code=report.http_status, headers={"Cache-Control": "no-store"}
    )


@router.get("/metrics", include_in_schema=False)
def metrics() -> Response:
    """Prometheus text exposition of :mod:`jutsu.ops.metrics`."""
    return Response(render_latest(), media_type=CONTENT_TYPE)


def install_ops(app: FastAPI) -> None:
    """Register the operations router and the request-latency middleware on ``app``."""
    app.include_router(router)
    app.add_middleware(MetricsMiddleware)
