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

from jutsu.api.container import Container
from jutsu.api.deps import ContainerDep
from jutsu.api.services.config import ConfigService
from jutsu.api.services.engine import EngineService
from jutsu.api.services.jobs import JobManager
from jutsu.api.services.performance import PerformanceService
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

    @property
    def scheduler(self) -> Any | None:
        return self.container.extras.get("scheduler")


def build_platform(container: Container) -> Platform:
    """Assemble the services over the container's session factory and event bus."""
    registry = Path(container.extras.get("registry_path") or DEFAULT_REGISTRY_PATH)
    catalog = StrategyCatalog(registry)
    sessions = container.sessions
    engine = EngineService(sessions, catalog)
    status_svc = StatusService(sessions, catalog, engine)
    max_ws = int(container.extras.get("max_websocket_connections") or 100)
    return Platform(
        catalog=catalog,
        engine=engine,
        status=status_svc,
        performance=PerformanceService(sessions, status_svc),
        trades=TradesService(sessions),
        config=ConfigService(sessions, catalog),
        jobs=JobManager(
            sessions,
            container.engine,
            container.bus,
            catalog,
            load_frames=container.extras.get("backtest_loader"),
        ),
        hub=WebSocketHub(container.bus, max_connections=max_ws),
        container=container,
    )


def platform_startup(app: FastAPI, container: Container) -> None:
    """Startup hook: build the platform services and subscribe the WebSocket hub to the bus."""
    container.extras[PLATFORM_KEY] = build_platform(container)


def get_platform(container: ContainerDep) -> Platform:
    platform = container.extras.get(PLATFORM_KEY)
    if not isinstance(platform, Platform):
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "Service is starting")
    return platform


PlatformDep = Annotated[Platform, Depends(get_platform)]
