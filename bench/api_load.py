"""API load benchmark: performance v2 and trades endpoints under 20 concurrent clients.

Why a separate server process: a load generator sharing the server's interpreter competes for
the same GIL and event loop, so the figures it prints mix client and server cost. Here the
server is the real ``jutsu serve`` command (uvicorn, same settings path as production) started
in a subprocess on 127.0.0.1 at a free port, on a database seeded with 10 years x 3 strategies
of ``daily_performance`` (+ the QQQ baseline) and 5 000 trades per strategy. The client logs in
once (``POST /api/auth/login``) and runs 20 closed-loop async clients (httpx, no think time) for
a fixed duration, mixing the performance endpoints (latest day + KPIs, history over time ranges,
comparison) and the trade list (filters, pagination). It prints p50/p95/p99, throughput and the
error count per engine, and the machine's load average before and after (2 shared cores: other
jobs inflate the figures). Target (issue #5): p95 <= 50 ms. Only 127.0.0.1 is contacted.

    .venv/bin/python bench/api_load.py [--seconds 15] [--clients 20] [--skip-postgres]

PostgreSQL: ``JUTSU_TEST_POSTGRES_URL`` (default the local server), in a fresh schema dropped
afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, insert, text

from jutsu.data.database import create_db_engine
from jutsu.data.migrate import upgrade
from jutsu.data.models import DailyPerformance, LiveTrade

ROOT = Path(__file__).resolve().parents[1]
STRATEGIES = ("v3_5b", "v3_5d", "sma_crossover")
YEARS = 10
TRADES_PER_STRATEGY = 5000
PG_URL = os.environ.get("JUTSU_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ADMIN_PASSWORD = "bench-password-1"
TARGET_P95_MS = 50.0

# name -> path template; {sid} is the strategy, {other} a second one (round robin).
ENDPOINTS: dict[str, str] = {
    "perf daily (KPIs)": "/api/v2/performance/{sid}/daily",
    "perf history 1M": "/api/v2/performance/{sid}/daily/history?range=1M",
    "perf history 3M": "/api/v2/performance/{sid}/daily/history?range=3M",
    "perf history YTD": "/api/v2/performance/{sid}/daily/history?range=YTD",
    "perf history 1Y": "/api/v2/performance/{sid}/daily/history?range=1Y",
    "perf history dates": (
        "/api/v2/performance/{sid}/daily/history?start_date=2019-03-01&end_date=2019-06-30"
    ),
    "perf comparison": "/api/v2/performance/comparison?strategies={sid},{other}",
    "trades page 3": "/api/trades?strategy_id={sid}&page_size=50&page=3",
    "trades filtered": (
        "/api/trades?strategy_id={sid}&symbol=TQQQ&action=BUY&start_date=2018-01-01"
        "&end_date=2019-12-31&page_size=25&page=2"
    ),
    "trades deep page": "/api/trades?mode=dry_run&page_size=100&page=40",
}


def trading_days() -> list[dt.date]:
    days: list[dt.date] = []
    d = dt.date(2015, 1, 2)
    while len(days) < 252 * YEARS:
        if d.weekday() < 5:
            days.append(d)
        d += dt.timedelta(days=1)
    return days


def seed(engine: Engine) -> None:
    """Write the daily rows (strategies + QQQ baseline) and the trades in two bulk inserts."""
    days = trading_days()
    rows: list[dict[str, Any]] = []
    for k, sid in enumerate((*STRATEGIES, "QQQ")):
        kind = "baseline" if sid == "QQQ" else "strategy"
        equity = hwm = Decimal(10000)
        worst = Decimal(0)
        for i, day in enumerate(days):
            r = Decimal("0.0007") if (i + k) % 3 else Decimal("-0.0009")
            equity = (equity * (1 + r)).quantize(Decimal("0.000001"))
            hwm = max(hwm, equity)
            drawdown = (equity / hwm - 1).quantize(Decimal("0.000001"))
            worst = min(worst, drawdown)
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
                    "cumulative_return": (equity / 10000 - 1).quantize(Decimal("0.000001")),
                    "drawdown": drawdown,
                    "max_drawdown": worst,
                    "sharpe_ratio": Decimal("1.1"),
                    "sortino_ratio": Decimal("1.4"),
                    "volatility": Decimal("0.18"),
                    "cagr": Decimal("0.12"),
                    "high_water_mark": hwm,
                    "strategy_cell": None if kind == "baseline" else 1 + i % 6,
                    "trend_state": None if kind == "baseline" else "BullStrong",
                    "vol_state": None if kind == "baseline" else "Low",
                    "initial_capital": Decimal(10000),
                    "trading_days_count": i + 1,
                    "is_first_day": i == 0,
                    "days_since_previous": 0 if i == 0 else (day - days[i - 1]).days,
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


def start_server(url: str, state_dir: Path, log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``jutsu serve`` in its own process (cwd = the checkout, so it reads the strategy registry)."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "b" * 48,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "JUTSU_STATE_DIR": str(state_dir),
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "jutsu.cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited ({proc.returncode}):\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/api/health", timeout=1).status_code < 500:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_server(proc)
    raise SystemExit(f"server did not start within 60 s:\n{log_path.read_text()[-3000:]}")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def login(base: str) -> str:
    """One password login; every load request reuses this access token."""
    response = httpx.post(
        f"{base}/api/auth/login", data={"username": "admin", "password": ADMIN_PASSWORD}, timeout=30
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


class Result:
    """Latency samples per endpoint plus totals of one run."""

    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = {name: [] for name in ENDPOINTS}
        self.errors: dict[str, int] = {}
        self.wall = 0.0
        self.server_cpu = float("nan")

    def record_error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1

    @property
    def every(self) -> list[float]:
        return [v for values in self.samples.values() for v in values]


async def load(base: str, token: str, seconds: float, clients: int) -> Result:
    result = Result()
    names = list(ENDPOINTS)
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + seconds

    async def worker(n: int, client: httpx.AsyncClient) -> None:
        i = n
        while time.monotonic() < deadline:
            name = names[i % len(names)]
            sid = STRATEGIES[(i // len(names)) % len(STRATEGIES)]
            other = STRATEGIES[(i // len(names) + 1) % len(STRATEGIES)]
            path = ENDPOINTS[name].format(sid=sid, other=other)
            began = time.perf_counter()
            try:
                response = await client.get(path, headers=headers)
                await response.aread()
            except httpx.HTTPError as exc:
                result.record_error(f"{name}: {type(exc).__name__}")
            else:
                result.samples[name].append((time.perf_counter() - began) * 1000)
                if response.status_code != 200:
                    result.record_error(f"{name}: HTTP {response.status_code}")
            i += 1

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    began = time.monotonic()
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        # warm-up: one request per endpoint, not counted (imports, first queries, caches)
        for template in ENDPOINTS.values():
            await client.get(template.format(sid=STRATEGIES[0], other=STRATEGIES[1]), headers=headers)
        began = time.monotonic()
        deadline = began + seconds
        await asyncio.gather(*(worker(n, client) for n in range(clients)))
    result.wall = time.monotonic() - began
    return result


def run_backend(name: str, url: str, seconds: float, clients: int) -> Result:
    engine = create_db_engine(url)
    try:
        upgrade(engine)
        seed(engine)
    finally:
        engine.dispose()
    with tempfile.TemporaryDirectory() as state:
        log_path = Path(state) / "server.log"
        proc, base = start_server(url, Path(state), log_path)
        try:
            token = login(base)
            print(f"{name}: {clients} clients for {seconds:.0f} s against {base} (server pid {proc.pid})")
            print(f"  load average before: {load_average()}")
            cpu_before = process_cpu_seconds(proc.pid)
            result = asyncio.run(load(base, token, seconds, clients))
            result.server_cpu = process_cpu_seconds(proc.pid) - cpu_before
            print(f"  load average after:  {load_average()}")
        finally:
            stop_server(proc)
        for what, count in sorted(result.errors.items()):
            print(f"  {count} x {what}")
        return result


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` (Linux ``/proc``): a per-request cost that, unlike
    latency, does not depend on how busy the shared machine is."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} cores)"


def pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="per engine, at most 20")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    seconds = min(args.seconds, 20.0)
    results: dict[str, Result] = {}
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
            sep = "&" if "?" in PG_URL else "?"
            url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
            results["postgresql"] = run_backend("postgresql", url, seconds, args.clients)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    print()
    head = f"{'endpoint':<22}{'backend':<12}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    print(f"{head}  p95<={TARGET_P95_MS:.0f}ms")
    for endpoint in ENDPOINTS:
        for backend, result in results.items():
            v = result.samples[endpoint]
            p95 = pct(v, 95)
            print(
                f"{endpoint:<22}{backend:<12}{len(v):>9}{pct(v, 50):>9.1f}{p95:>9.1f}{pct(v, 99):>9.1f}"
                f"  {'yes' if p95 <= TARGET_P95_MS else 'NO'}"
            )
    print()
    for backend, result in results.items():
        every = result.every
        p95 = pct(every, 95)
        print(
            f"ALL {backend:<10} {len(every)} requests in {result.wall:.1f} s "
            f"= {len(every) / result.wall:.0f} req/s; "
            f"p50 {pct(every, 50):.1f} ms, p95 {p95:.1f} ms, p99 {pct(every, 99):.1f} ms; "
            f"server CPU {result.server_cpu / max(len(every), 1) * 1000:.1f} ms/request; "
            f"errors {sum(result.errors.values())}; p95<={TARGET_P95_MS:.0f}ms: "
            f"{'yes' if p95 <= TARGET_P95_MS else 'NO'}"
        )


if __name__ == "__main__":
    main()
