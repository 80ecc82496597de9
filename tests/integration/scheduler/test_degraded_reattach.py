"""Start with the database unreachable: the scheduler degrades to an in-memory job store, then
re-attaches to the persistent store (and reloads its jobs) once the database answers.

PostgreSQL: the scheduler points at a free local port; a small TCP proxy to 5432 is started
later. SQLite: the database has no schema yet (migrated while the scheduler is degraded).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import socketserver
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Engine, inspect, text

from jutsu.data.database import create_db_engine
from jutsu.data.migrate import upgrade
from jutsu.scheduler.jobs import TRADING_JOB
from jutsu.scheduler.service import SchedulerService


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Proxy(socketserver.ThreadingTCPServer):
    """A TCP forwarder to the real PostgreSQL, in its own threads (never on the test's loop)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, target_port: int) -> None:
        self.target_port = target_port
        super().__init__(("127.0.0.1", port), _Forward)


class _Forward(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server = self.server
        assert isinstance(server, _Proxy)
        upstream = socket.create_connection(("127.0.0.1", server.target_port))

        def pump(src: socket.socket, dst: socket.socket) -> None:
            with contextlib.suppress(OSError):
                while data := src.recv(65536):
                    dst.sendall(data)
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)

        back = threading.Thread(target=pump, args=(upstream, self.request), daemon=True)
        back.start()
        pump(self.request, upstream)
        back.join(5)
        upstream.close()


def _service(engine: Engine) -> SchedulerService:
    return SchedulerService(
        engine,
        retry_delays=(0.05, 0.1),
        reattach_interval=0.5,
        startup_recovery_delay=None,
    )


async def _wait_attached(service: SchedulerService, limit: float = 60.0) -> float:
    t0 = time.monotonic()
    while service.degraded:
        assert time.monotonic() - t0 < limit, "scheduler did not re-attach within 60 s"
        await asyncio.sleep(0.1)
    return time.monotonic() - t0


def _check_attached(service: SchedulerService, engine: Engine) -> None:
    health = service.health()
    assert health["job_store"] == "sqlalchemy" and health["degraded"] is False
    assert health["healthy"] is True
    assert health["jobs"][TRADING_JOB]["next_run"] is not None
    with engine.connect() as conn:
        assert "apscheduler_jobs" in inspect(conn).get_table_names()
        ids = {r[0] for r in conn.execute(text("SELECT id FROM apscheduler_jobs"))}
    assert TRADING_JOB in ids and "eod_finalization_job" in ids


def test_postgres_unreachable_then_reachable(db_url: str, db_engine: Engine) -> None:
    if not db_url.startswith("postgresql"):
        return _sqlite_variant(db_url)
    parts = urlsplit(db_url)
    port = _free_port()
    proxied = urlunsplit(parts._replace(netloc=f"postgres@127.0.0.1:{port}"))
    engine = create_db_engine(proxied)

    async def scenario() -> None:
        service = _service(engine)
        await service.start()
        try:
            health = service.health()
            assert health["degraded"] is True and health["job_store"] == "memory"
            assert health["jobs"][TRADING_JOB]["next_run"] is not None  # jobs still scheduled
            proxy = _Proxy(port, parts.port or 5432)
            threading.Thread(target=proxy.serve_forever, daemon=True).start()
            try:
                await _wait_attached(service)
                await asyncio.to_thread(_check_attached, service, db_engine)
            finally:
                await service.shutdown()
                engine.dispose()
                proxy.shutdown()
                proxy.server_close()
        finally:
            await service.shutdown()
            engine.dispose()

    asyncio.run(scenario())
    return None


def _sqlite_variant(db_url: str) -> None:
    folder = Path(db_url.removeprefix("sqlite:///")).parent / "later"
    url = f"sqlite:///{folder / 'jutsu.db'}"
    engine = create_db_engine(url)

    async def scenario() -> None:
        service = _service(engine)
        await service.start()
        try:
            assert service.degraded and service.job_store == "memory"
            folder.mkdir(exist_ok=True)  # the engine may create the folder; the schema is missing
            await asyncio.to_thread(upgrade, engine)
            await _wait_attached(service)
            await asyncio.to_thread(_check_attached, service, engine)
        finally:
            await service.shutdown()
            engine.dispose()

    asyncio.run(scenario())
