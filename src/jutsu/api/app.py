"""The FastAPI application factory: ``create_app(settings) -> FastAPI``.

Nothing is built at import time. The lifespan builds the service container on ``app.state``
(engine + session factory, settings, the event bus, token service, keys, rate limits, security
log), refuses to start when the database is not at the newest migration (``jutsu db upgrade``
migrates), and creates the first admin on an empty ``users`` table (DECISIONS 5).

Adding an area: write ``api/routers/<area>.py`` with ``router = APIRouter(prefix=..., tags=[...])``
and add it to :func:`routers` below; per-app services go in a startup hook (:data:`StartupHook`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from sqlalchemy import Engine

from jutsu.api.container import Container, StartupState
from jutsu.api.errors import install_error_handlers
from jutsu.api.middleware import BodySizeLimitMiddleware, RequestIdMiddleware, SecurityHeadersMiddleware
from jutsu.api.routers import health, ops
from jutsu.api.security.client_ip import parse_trusted_proxies
from jutsu.api.security.events import SecurityLog
from jutsu.api.security.keys import load_or_create_secret_key, load_or_create_totp_fernet
from jutsu.api.security.passwords import PasswordHasher
from jutsu.api.security.rate_limit import RateLimits
from jutsu.api.security.tokens import TokenService
from jutsu.config import Settings
from jutsu.data.database import create_db_engine, session_factory
from jutsu.data.migrate import current_revision, head_revision
from jutsu.errors import ConfigError
from jutsu.events import EventBus
from jutsu.ops.metrics import MetricsMiddleware

__all__ = ["DEV_CORS_ORIGINS", "StartupHook", "cors_origins", "create_app", "operation_id", "routers"]

log = logging.getLogger(__name__)

StartupHook = Callable[[FastAPI, Container], None]
"""Called once at startup after the container exists (e.g. to put a service in ``container.extras``)."""

DEV_CORS_ORIGINS = (
    "http://localhost:3000",
    "http://localhost:5173",
    "http://localhost:8080",
    "http://127.0.0.1:3000",
    "http://127.0.0.1:5173",
    "http://127.0.0.1:8080",
)


def routers() -> list[APIRouter]:
    """Every router of the app, in mount order (literal paths before parameter paths per area)."""
    from jutsu.api.routers import auth, passkeys, security_events, totp, users

    return [
        # --- G1: root, health, auth, 2FA, passkeys, users/invitations, security events ---
        health.root_router,
        health.router,
        auth.router,
        totp.router,
        passkeys.router,
        users.router,
        users.invitations_router,
        security_events.router,
        # --- G2: add your routers below this line (status, performance, trades, control, ...) ---
        *_g2_routers(),
        # --- I: readiness and Prometheus metrics ---
        ops.router,
        # --- H1: broker OAuth (Schwab) ---
        _schwab_router(),
        # --- Q: pre-trade preview, notification channels ---
        *_q_routers(),
    ]


def _q_routers() -> list[APIRouter]:
    from jutsu.api.routers import notifications, preview

    return [preview.router, notifications.router]


def _schwab_router() -> APIRouter:
    from jutsu.api.routers import schwab

    return schwab.router


def _g2_routers() -> list[APIRouter]:
    """Resource routers, WebSocket (G2); imported late so the module graph stays acyclic."""
    from jutsu.api import websocket
    from jutsu.api.routers import backtests, control, market_data, performance, strategies, trades
    from jutsu.api.routers import config as config_router
    from jutsu.api.routers import status as status_router

    return [
        status_router.health_router,
        status_router.router,
        status_router.positions_router,
        status_router.indicators_router,
        performance.router,
        trades.router,
        control.router,
        config_router.router,
        strategies.router,
        strategies.classes_router,
        backtests.router,
        backtests.optimization_router,
        market_data.router,
        websocket.router,
    ]


def operation_id(route: APIRoute) -> str:
    """``tag-name`` operation ids, so the generated client reads ``AuthService.login()``."""
    tag = str(route.tags[0]) if route.tags else "default"
    return f"{tag}-{route.name}"


def cors_origins(settings: Settings) -> list[str]:
    """``CORS_ORIGINS`` (comma-separated), else ``api.cors_origins`` from YAML, else the dev set."""
    if settings.cors_origins:
        return [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if settings.api.cors_origins:
        return list(settings.api.cors_origins)
    return list(DEV_CORS_ORIGINS)


def create_app(
    settings: Settings,
    *,
    engine: Engine | None = None,
    event_bus: EventBus | None = None,
    startup_hooks: Sequence[StartupHook] = (),
    with_scheduler: bool = False,
) -> FastAPI:
    """Build the API. ``engine``/``event_bus`` are injected by tests and the CLI, else created.

    ``with_scheduler=True`` (``jutsu serve``) starts the APScheduler jobs inside this process
    and attaches them as ``container.extras['scheduler']``; tests leave it off.

    The lifespan raises :class:`ConfigError` (the server does not start) when the database is
    not at head, a secret is a placeholder, or ``ADMIN_PASSWORD`` is ``admin``.
    """
    parse_trusted_proxies(settings.trusted_proxies)  # fail fast on a bad TRUSTED_PROXIES

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = engine is None
        db = (
            engine
            if engine is not None
            else create_db_engine(settings.database_url, echo=settings.database_echo)
        )
        try:
            app.state.container = build_container(settings, db, event_bus or EventBus())
            for hook in (*_core_startup_hooks(), *startup_hooks):
                hook(app, app.state.container)
            state: StartupState = app.state.container.startup
            state.initialized = True
            state.ready_at = datetime.now(UTC)
            scheduler = await _start_scheduler(app.state.container) if with_scheduler else None
            try:
                yield
            finally:
                if scheduler is not None:
                    await scheduler.shutdown()
        finally:
            app.state.container = None
            if owned:
                db.dispose()

    docs = not settings.disable_docs
    app = FastAPI(
        title=settings.application.name,
        version=settings.application.version,
        description="Jutsu Labs trading platform API",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
        generate_unique_id_function=operation_id,
    )
    app.state.container = None
    install_error_handlers(app)
    for router in routers():
        app.include_router(router)
    # --- K: the built dashboard (web/dist) at "/" with SPA fallback; no-op when not built ---
    from jutsu.api.spa import SpaFallbackMiddleware, spa_dist_dir

    if (dist := spa_dist_dir()) is not None:
        app.add_middleware(SpaFallbackMiddleware, dist_dir=dist)
    # add_middleware wraps: the last added is outermost (request id → headers → CORS → size limit).
    app.add_middleware(MetricsMiddleware)  # innermost: sees the matched route template
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_size)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=cors_origins(settings),
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
    )
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.use_secure_cookies and settings.cookie_secure)
    app.add_middleware(RequestIdMiddleware)
    return app


def build_container(settings: Settings, engine: Engine, bus: EventBus) -> Container:
    """Check the schema and keys, then assemble the per-app services."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise ConfigError(
            f"database schema is at revision {current or 'none'} but this version needs {head}: "
            "run `jutsu db upgrade` first"
        )
    secret = settings.secret_key.get_secret_value() if settings.secret_key else None
    totp_key = settings.totp_encryption_key.get_secret_value() if settings.totp_encryption_key else None
    sessions = session_factory(engine)
    return Container(
        settings=settings,
        engine=engine,
        sessions=sessions,
        bus=bus,
        tokens=TokenService(
            load_or_create_secret_key(secret, settings.state_dir),
            access_minutes=settings.access_token_expire_minutes,
            refresh_days=settings.refresh_token_expire_days,
            passkey_minutes=settings.passkey_token_expire_minutes,
        ),
        passwords=PasswordHasher(settings.bcrypt_rounds),
        totp_fernet=load_or_create_totp_fernet(totp_key, settings.state_dir),
        rate_limits=RateLimits(),
        security=SecurityLog(sessions),
        trusted_proxies=parse_trusted_proxies(settings.trusted_proxies),
        startup=StartupState(),
    )


async def _start_scheduler(container: Container) -> Any:
    """J: the scheduler of this process (jobs, EOD, overrides), attached for the control routes."""
    from jutsu.scheduler.service import SchedulerService
    from jutsu.strategies.registry import DEFAULT_REGISTRY_PATH

    service = SchedulerService(
        container.engine,
        registry_path=Path(container.extras.get("registry_path") or DEFAULT_REGISTRY_PATH),
        publish=container.bus.publish,
        settings=container.settings,
    )
    await service.start()
    container.extras["scheduler"] = service
    return service


def _core_startup_hooks() -> list[StartupHook]:
    from jutsu.api.platform import platform_startup
    from jutsu.api.services.bootstrap import bootstrap_startup

    return [bootstrap_startup, platform_startup]
