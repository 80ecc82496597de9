"""The resource services of the API (status, performance, trades, control, config, jobs, WebSocket),
built once per app by a startup hook and kept in ``container.extras["platform"]``.

Routers reach them through :data:`PlatformDep`; nothing here is a module-level singleton.
Optional collaborators other areas attach to ``container.extras`` before or after this hook:
``scheduler`` (the APScheduler wrapper; scheduler endpoints answer 503 without it),
``registry_path`` (default ``config/strategies_registry.yaml``) and ``backtest_loader``
(a :data:`~jutsu.backtest.loaders.FrameLoader`; default: bars from the database).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, status
from sqlalchemy.orm import Session

from jutsu.api.container import Container
from jutsu.api.deps import ContainerDep, SessionDep
from jutsu.api.services.config import ConfigService
from jutsu.api.services.engine import EngineService
from jutsu.api.services.engine_cache import EngineStateCache
from jutsu.api.services.finalized_cache import FinalizedCache
from jutsu.api.services.jobs import JobManager
from jutsu.api.services.performance import PerformanceService
from jutsu.api.services.sessions import RequestSessions, SessionSource
from jutsu.api.services.status import StatusService
from jutsu.api.services.strategies import StrategyCatalog
from jutsu.api.services.trades import TradesService
from jutsu.api.websocket import WebSocketHub
from jutsu.strategies.registry import DEFAULT_REGISTRY_PATH

__all__ = ["PLATFORM_KEY", "Platform", "PlatformDep", "build_platform", "get_platform", "platform_startup"]

PLATFORM_KEY = "platform"


@dataclass(slots=True)
class Platform:
    catalog: StrategyCatalog
    engine: EngineService
    status: StatusService
    performance: PerformanceService
    trades: TradesService
    config: ConfigService
    jobs: JobManager
    hub: WebSocketHub
    container: Container
    sessions: SessionSource
    finalized: FinalizedCache
    """App-lifetime cache of serialized EOD-finalized reads (shared by every request)."""
    engine_state: EngineStateCache
    """App-lifetime 1 s memo of the engine document (mode resolution, WebSocket heartbeat)."""

    def bind(self, session: Session) -> Platform:
        """Request-scoped copy whose services read and write through the request's session."""
        return _assemble(
            self.container,
            self.catalog,
            RequestSessions(session),
            self.jobs,
            self.hub,
            self.finalized,
            self.engine_state,
        )

    @property
    def scheduler(self) -> Any | None:
        return self.container.extras.get("scheduler")


def _assemble(
    container: Container,
    catalog: StrategyCatalog,
    sessions: SessionSource,
    jobs: JobManager,
    hub: WebSocketHub,
    finalized: FinalizedCache,
    engine_state: EngineStateCache,
) -> Platform:
    engine = EngineService(sessions, catalog, engine_state)
    status_svc = StatusService(sessions, catalog, engine)
    return Platform(
        catalog=catalog,
        engine=engine,
        status=status_svc,
        performance=PerformanceService(sessions, status_svc, finalized),
        trades=TradesService(sessions),
        config=ConfigService(sessions, catalog),
        jobs=jobs,
        hub=hub,
        container=container,
        sessions=sessions,
        finalized=finalized,
        engine_state=engine_state,
    )


def build_platform(container: Container) -> Platform:
    """Assemble the app-lifetime services (background jobs, WebSocket hub) over the container."""
    registry = Path(container.extras.get("registry_path") or DEFAULT_REGISTRY_PATH)
    catalog = StrategyCatalog(registry)
    max_ws = int(container.extras.get("max_websocket_connections") or 100)
    jobs = JobManager(
        container.sessions,
        container.engine,
        container.bus,
        catalog,
        load_frames=container.extras.get("backtest_loader"),
    )
    hub = WebSocketHub(container.bus, max_connections=max_ws)
    return _assemble(container, catalog, container.sessions, jobs, hub, FinalizedCache(), EngineStateCache())


def platform_startup(app: FastAPI, container: Container) -> None:
    """Startup hook: build the platform services and subscribe the WebSocket hub to the bus."""
    container.extras[PLATFORM_KEY] = build_platform(container)


async def get_platform(container: ContainerDep, session: SessionDep) -> Platform:
    """The request-scoped services (they share the request's session: one connection per request).

    ``async`` because it does no I/O: a sync dependency costs a thread-pool hop per request.
    """
    platform = container.extras.get(PLATFORM_KEY)
    if not isinstance(platform, Platform):
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "Service is starting")
    return platform.bind(session)


PlatformDep = Annotated[Platform, Depends(get_platform)]
