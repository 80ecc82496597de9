"""API load benchmark: performance v2 and trades endpoints under 20 concurrent clients.

For SQLite and PostgreSQL side by side: seed 10 years x 3 strategies of ``daily_performance``
(+ the QQQ baseline) and 5 000 trades per strategy, start the real server (uvicorn) on
127.0.0.1 at a free port, run a bounded async load (20 clients, fixed duration) and print
p50/p95/p99 latency per endpoint. Target: p95 <= 50 ms. Only 127.0.0.1 is contacted.

    .venv/bin/python bench/api_load.py [--seconds 10] [--clients 20] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import socket
import statistics
import tempfile
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import Engine, insert, text

from jutsu.api.app import create_app
from jutsu.config import load_settings
from jutsu.data.database import create_db_engine
from jutsu.data.migrate import upgrade
from jutsu.data.models import DailyPerformance, LiveTrade

STRATEGIES = ("v3_5b", "v3_5d", "sma_crossover")
YEARS = 10
TRADES_PER_STRATEGY = 5000
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def seed(engine: Engine) -> None:
    days: list[dt.date] = []
    d = dt.date(2015, 1, 2)
    while len(days) < 252 * YEARS:
        if d.weekday() < 5:
            days.append(d)
        d += dt.timedelta(days=1)
    rows: list[dict[str, Any]] = []
    for k, sid in enumerate((*STRATEGIES, "QQQ")):
        kind = "baseline" if sid == "QQQ" else "strategy"
        equity = Decimal(10000)
        for i, day in enumerate(days):
            r = Decimal("0.0007") if (i + k) % 3 else Decimal("-0.0009")
            equity = (equity * (1 + r)).quantize(Decimal("0.000001"))
            rows.append(
                {
                    "trading_date": day,
                    "entity_type": kind,
                    "entity_id": sid,
                    "mode": "dry_run",
                    "total_equity": equity,
                    "cash": None if kind == "baseline" else Decimal(500),
                    "positions_value": equity,
                    "daily_return": r,
                    "cumulative_return": equity / 10000 - 1,
                    "drawdown": Decimal(0),
                    "sharpe_ratio": Decimal("1.1"),
                    "strategy_cell": None if kind == "baseline" else 1 + i % 6,
                    "initial_capital": Decimal(10000),
                    "trading_days_count": i + 1,
                    "positions_json": '[{"symbol": "QQQ", "quantity": 10, "value": 4000}]',
                }
            )
    trades: list[dict[str, Any]] = []
    start = dt.datetime(2015, 1, 2, 20, 55, tzinfo=dt.UTC)
    for sid in STRATEGIES:
        for i in range(TRADES_PER_STRATEGY):
            ts = start + dt.timedelta(hours=12 * i)
            trades.append(
                {
                    "symbol": ("QQQ", "TQQQ", "TMF")[i % 3],
                    "timestamp": ts,
                    "trading_date": ts.date(),
                    "action": "BUY" if i % 2 == 0 else "SELL",
                    "quantity": 10,
                    "filled_quantity": 10,
                    "target_price": Decimal(100),
                    "fill_price": Decimal(100),
                    "fill_value": Decimal(1000),
                    "commission": Decimal(0),
                    "status": "filled",
                    "client_order_id": f"{sid}:{i}",
                    "mode": "dry_run",
                    "strategy_id": sid,
                }
            )
    with engine.begin() as conn:
        conn.execute(insert(DailyPerformance), rows)
        conn.execute(insert(LiveTrade), trades)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def load(base: str, token: str, seconds: float, clients: int) -> dict[str, list[float]]:
    paths = {
        "performance daily": "/api/v2/performance/{sid}/daily",
        "performance history 1Y": "/api/v2/performance/{sid}/daily/history?range=1Y",
        "trades page": "/api/trades?strategy_id={sid}&page_size=50&page=3",
    }
    samples: dict[str, list[float]] = {name: [] for name in paths}
    errors = 0
    deadline = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}"}

    async def worker(n: int, client: httpx.AsyncClient) -> None:
        nonlocal errors
        i = n
        names = list(paths)
        while time.monotonic() < deadline:
            name = names[i % len(names)]
            sid = STRATEGIES[i % len(STRATEGIES)]
            began = time.perf_counter()
            response = await client.get(paths[name].format(sid=sid), headers=headers)
            samples[name].append((time.perf_counter() - began) * 1000)
            errors += response.status_code != 200
            i += 1

    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        await asyncio.gather(*(worker(n, client) for n in range(clients)))
    if errors:
        print(f"  ({errors} non-200 responses)")
    return samples


def run_backend(name: str, url: str, seconds: float, clients: int) -> dict[str, list[float]]:
    engine = create_db_engine(url)
    upgrade(engine)
    seed(engine)
    with tempfile.TemporaryDirectory() as state:
        settings = load_settings(
            env={"SECRET_KEY": "b" * 48, "ADMIN_PASSWORD": "bench-password-1", "JUTSU_STATE_DIR": state}
        )
        app = create_app(settings, engine=engine)
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        try:
            token = app.state.container.tokens.issue_access("admin", "password").token
            print(f"{name}: {clients} clients for {seconds:.0f} s against 127.0.0.1:{port}")
            return asyncio.run(load(f"http://127.0.0.1:{port}", token, seconds, clients))
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            engine.dispose()


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    seconds = min(args.seconds, 20.0)
    results: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = run_backend(
            "sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", seconds, args.clients
        )
    if not args.skip_postgres:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = create_db_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            url = f"{PG_URL}?options=-csearch_path%3D{schema}"
            results["postgresql"] = run_backend("postgresql", url, seconds, args.clients)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    print()
    print(f"{'endpoint':<26}{'backend':<12}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  p95<=50ms")
    for endpoint in next(iter(results.values())):
        for backend, samples in results.items():
            v = samples[endpoint]
            p95 = pct(v, 95)
            print(
                f"{endpoint:<26}{backend:<12}{len(v):>9}{pct(v, 50):>9.1f}{p95:>9.1f}{pct(v, 99):>9.1f}"
                f"  {'yes' if p95 <= 50 else 'NO'}"
            )


if __name__ == "__main__":
    main()
