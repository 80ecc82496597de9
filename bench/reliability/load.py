"""Load campaign (issue #10, item 3): 20 users against ``jutsu serve`` on PostgreSQL.

Why a separate server process: the load generator (this process) must not share the server's
interpreter, or the figures mix client and server cost and the RSS sampled would be ours. The
server is the real ``jutsu serve`` (uvicorn) on 127.0.0.1, on a fresh PostgreSQL schema seeded by
``bench/api_load.py``'s ``seed`` (10 years x 3 strategies of daily rows + 15 000 trades).

Each simulated user keeps a WebSocket open (``/ws``: ``status_update`` every second, a ``ping``
every 5 s that must be answered by a ``pong``) and browses in a closed loop with a short think
time: performance KPIs and history, the comparison of two strategies, trade pages and filters.
The server's RSS is sampled from ``/proc`` every second; "steady" means the median of the last
third of the run is within ``RSS_GROWTH_LIMIT`` of the median of the first third after warm-up.

    .venv/bin/python bench/reliability/load.py --seconds 600 --users 20 [--json out.json]

Only 127.0.0.1 is contacted. Exit status 1 when any request or WebSocket failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from api_load import ADMIN_PASSWORD, STRATEGIES, seed, start_server, stop_server  # noqa: E402

from jutsu.data.database import create_db_engine  # noqa: E402
from jutsu.data.migrate import upgrade  # noqa: E402

PG_URL = os.environ.get("JUTSU_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
RSS_GROWTH_LIMIT = 0.25
THINK_SECONDS = 0.05
PAGES: dict[str, str] = {
    "performance": "/api/v2/performance/{sid}/daily",
    "performance history": "/api/v2/performance/{sid}/daily/history?range=1Y",
    "compare": "/api/v2/performance/comparison?strategies={sid},{other}",
    "trades": "/api/trades?strategy_id={sid}&page_size=50&page={page}",
    "trades filtered": "/api/trades?strategy_id={sid}&symbol=TQQQ&action=BUY&page_size=25",
    "status": "/api/status",
}


@dataclass
class LoadResult:
    """Everything one run measured; ``as_dict`` is what the campaign report stores."""

    seconds: float
    users: int
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    ws_messages: int = 0
    ws_pongs: int = 0
    rss_mb: list[float] = field(default_factory=list)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)
        q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else [float("nan")] * 99
        third = max(1, len(self.rss_mb) // 3)
        warm = self.rss_mb[1:] or self.rss_mb
        first = statistics.median(warm[:third]) if warm else float("nan")
        last = statistics.median(self.rss_mb[-third:]) if self.rss_mb else float("nan")
        growth = (last - first) / first if first else float("nan")
        return {
            "seconds": round(self.seconds, 1),
            "users": self.users,
            "requests": len(lat),
            "errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors),
            "p50_ms": round(q[49], 1),
            "p95_ms": round(q[94], 1),
            "p99_ms": round(q[98], 1),
            "throughput_rps": round(len(lat) / self.seconds, 1) if self.seconds else 0.0,
            "ws_messages": self.ws_messages,
            "ws_pongs": self.ws_pongs,
            "rss_first_mb": round(first, 1),
            "rss_last_mb": round(last, 1),
            "rss_max_mb": round(max(self.rss_mb), 1) if self.rss_mb else None,
            "rss_growth_pct": round(growth * 100, 1),
            "memory_steady": bool(growth <= RSS_GROWTH_LIMIT),
        }


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def sample_rss(pid: int, out: list[float], stop: threading.Event) -> None:
    while not stop.wait(1.0):
        value = rss_mb(pid)
        if value is not None:
            out.append(value)


async def user(n: int, base: str, token: str, deadline: float, result: LoadResult) -> None:
    """One user: a WebSocket held open for the whole run and a browsing loop."""
    from websockets.asyncio.client import connect

    headers = {"Authorization": f"Bearer {token}"}
    ws_url = base.replace("http://", "ws://") + f"/ws?token={token}"

    async def hold_socket() -> None:
        try:
            async with connect(ws_url, open_timeout=30) as ws:
                first = json.loads(await ws.recv())
                if first.get("type") != "connected":
                    result.error(f"ws: {first.get('type')}")
                    return
                last_ping = 0.0
                while time.monotonic() < deadline:
                    if time.monotonic() - last_ping > 5:
                        await ws.send(json.dumps({"type": "ping"}))
                        last_ping = time.monotonic()
                    try:
                        message = json.loads(await asyncio.wait_for(ws.recv(), timeout=2.0))
                    except TimeoutError:
                        continue
                    result.ws_messages += 1
                    if message.get("type") == "pong":
                        result.ws_pongs += 1
        except Exception as exc:  # a dropped socket is a failure of the run, not of the script
            result.error(f"ws: {type(exc).__name__}")

    async def browse(client: httpx.AsyncClient) -> None:
        i = n
        names = list(PAGES)
        while time.monotonic() < deadline:
            name = names[i % len(names)]
            sid = STRATEGIES[i % len(STRATEGIES)]
            other = STRATEGIES[(i + 1) % len(STRATEGIES)]
            path = PAGES[name].format(sid=sid, other=other, page=1 + i % 20)
            began = time.perf_counter()
            try:
                response = await client.get(path, headers=headers)
            except httpx.HTTPError as exc:
                result.error(f"{name}: {type(exc).__name__}")
            else:
                result.latencies_ms.append((time.perf_counter() - began) * 1000)
                if response.status_code != 200:
                    result.error(f"{name}: HTTP {response.status_code}")
            i += 1
            await asyncio.sleep(THINK_SECONDS)

    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        await asyncio.gather(hold_socket(), browse(client))


async def drive(base: str, token: str, seconds: float, users: int, result: LoadResult) -> None:
    deadline = time.monotonic() + seconds
    await asyncio.gather(*(user(n, base, token, deadline, result) for n in range(users)))


def run_load(seconds: float, users: int, pg_url: str = PG_URL) -> dict[str, Any]:
    """Seed a fresh PostgreSQL schema, start the server, drive ``users`` for ``seconds``."""
    schema = f"rel_{uuid.uuid4().hex[:10]}"
    admin = create_db_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in pg_url else "?"
    url = f"{pg_url}{sep}options=-csearch_path%3D{schema}"
    try:
        engine = create_db_engine(url)
        try:
            upgrade(engine)
            seed(engine)
        finally:
            engine.dispose()
        with tempfile.TemporaryDirectory() as state:
            proc, base = start_server(url, Path(state), Path(state) / "server.log")
            try:
                token = httpx.post(
                    f"{base}/api/auth/login",
                    data={"username": "admin", "password": ADMIN_PASSWORD},
                    timeout=30,
                ).json()["access_token"]
                result = LoadResult(seconds=seconds, users=users)
                stop = threading.Event()
                sampler = threading.Thread(
                    target=sample_rss, args=(proc.pid, result.rss_mb, stop), daemon=True
                )
                sampler.start()
                began = time.monotonic()
                # A thread of its own: the caller's thread may already run an event loop
                # (pytest with Playwright's sync API in the same worker).
                driver = threading.Thread(
                    target=asyncio.run, args=(drive(base, token, seconds, users, result),)
                )
                driver.start()
                driver.join()
                result.seconds = time.monotonic() - began
                stop.set()
                sampler.join()
                alive = proc.poll() is None
            finally:
                stop_server(proc)
        out = result.as_dict()
        out["server_alive_at_end"] = alive
        out["database"] = "postgresql"
        return out
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()
    figures = run_load(args.seconds, args.users)
    print(json.dumps(figures, indent=2))
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if figures["errors"] == 0 and figures["server_alive_at_end"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
