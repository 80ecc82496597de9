"""API load benchmark: performance v2 and trades endpoints, 20 dashboard users (issue #5 target).

Two load models run against the same server, one after the other, on each engine:

1. **Users (the headline figure).** 20 concurrent virtual users, each holding a WebSocket
   (``/ws``, a ``status_update`` a second, as the dashboard does) and looping request ->
   think time -> next request, for a fixed duration. Think times are exponential with mean 1 s
   from a seeded generator per user (``--seed``), so two runs send the same request sequence.
   This is what "20 concurrent clients of a dashboard" means; its p95 is compared with the
   target (p95 <= 50 ms).
2. **Saturation (second figure).** 20 closed-loop clients with zero think time: measures the
   server's capacity (req/s) and the latency of a saturated queue, not a dashboard.

Why a separate server process: a load generator sharing the server's interpreter competes for
the same GIL and event loop, so the figures it prints mix client and server cost. Here the
server is the real ``jutsu serve`` command (uvicorn, same settings path as production) started
in a subprocess on 127.0.0.1 at a free port, on a database seeded with 10 years x 3 strategies
of ``daily_performance`` (+ the QQQ baseline) and 5 000 trades per strategy. The client logs in
once (``POST /api/auth/login``); every request mixes the performance endpoints (latest day +
KPIs, history over time ranges, comparison) and the trade list (filters, pagination). Per model
and engine it prints p50/p95/p99, throughput, the server's CPU time per request (from ``/proc``:
unlike latency, it barely depends on how busy the shared machine is) and the error count, with
the machine's load average before and after (2 shared cores: other jobs inflate latencies).
Only 127.0.0.1 is contacted.

    .venv/bin/python bench/api_load.py                 # both models, both engines (~2 min)
    .venv/bin/python bench/api_load.py --quick         # CI: <= 10 s of load per engine
    .venv/bin/python bench/api_load.py --model user --user-seconds 60 --skip-postgres
    .venv/bin/python bench/api_load.py --py-spy /tmp/prof   # raw py-spy stacks of the server

PostgreSQL: ``JUTSU_TEST_POSTGRES_URL`` (default the local server), in a fresh schema dropped
afterwards. Exit status 1 when any request or WebSocket failed (the figures are then suspect).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
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
THINK_MEAN_SECONDS = 1.0

# name -> path template; {sid} is the strategy, {other} a second one.
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


@dataclass
class Result:
    """Latency samples per endpoint plus totals of one model's run on one engine."""

    model: str
    samples: dict[str, list[float]] = field(default_factory=lambda: {name: [] for name in ENDPOINTS})
    errors: dict[str, int] = field(default_factory=dict)
    wall: float = 0.0
    server_cpu: float = float("nan")
    ws_open: int = 0
    ws_messages: int = 0
    load_before: str = ""
    load_after: str = ""

    def record_error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1

    @property
    def every(self) -> list[float]:
        return [v for values in self.samples.values() for v in values]

    @property
    def cpu_ms_per_request(self) -> float:
        return self.server_cpu / max(len(self.every), 1) * 1000


async def timed_get(
    client: httpx.AsyncClient, name: str, path: str, headers: dict[str, str], result: Result
) -> None:
    """One request; its latency (headers to last body byte) goes to ``result.samples[name]``."""
    began = time.perf_counter()
    try:
        response = await client.get(path, headers=headers)
        await response.aread()
    except httpx.HTTPError as exc:
        result.record_error(f"{name}: {type(exc).__name__}")
        return
    result.samples[name].append((time.perf_counter() - began) * 1000)
    if response.status_code != 200:
        result.record_error(f"{name}: HTTP {response.status_code}")


async def warm_up(base: str, headers: dict[str, str]) -> None:
    """One request per endpoint and strategy, not counted (imports, first queries, caches)."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for template in ENDPOINTS.values():
            for k, sid in enumerate(STRATEGIES):
                path = template.format(sid=sid, other=STRATEGIES[(k + 1) % len(STRATEGIES)])
                await client.get(path, headers=headers)


async def hold_socket(base: str, token: str, deadline: float, result: Result) -> None:
    """A dashboard's WebSocket: open, expect ``connected``, read until the run ends."""
    from websockets.asyncio.client import connect

    url = base.replace("http://", "ws://") + f"/ws?token={token}"
    try:
        async with connect(url, open_timeout=30, close_timeout=2) as ws:
            first = json.loads(await ws.recv())
            if first.get("type") != "connected":
                result.record_error(f"ws: {first.get('type')}")
                return
            result.ws_open += 1
            while (left := deadline - time.monotonic()) > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(ws.recv(), timeout=left)
                    result.ws_messages += 1
    except Exception as exc:  # a dropped socket is a failure of the run, reported, not raised
        result.record_error(f"ws: {type(exc).__name__}")


async def users_model(base: str, token: str, seconds: float, users: int, seed_value: int) -> Result:
    """``users`` virtual users: request -> exponential think (mean 1 s) -> next, each with a socket."""
    result = Result("users")
    names = list(ENDPOINTS)
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + seconds

    async def user(n: int) -> None:
        rng = random.Random(seed_value * 1_000 + n)
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            # think first: users arrive spread out instead of all at t=0
            while (pause := rng.expovariate(1 / THINK_MEAN_SECONDS)) < deadline - time.monotonic():
                await asyncio.sleep(pause)
                name = rng.choice(names)
                sid, other = rng.sample(STRATEGIES, 2)
                await timed_get(client, name, ENDPOINTS[name].format(sid=sid, other=other), headers, result)

    began = time.monotonic()
    await asyncio.gather(
        *(hold_socket(base, token, deadline, result) for _ in range(users)),
        *(user(n) for n in range(users)),
    )
    result.wall = time.monotonic() - began
    return result


async def saturation_model(base: str, token: str, seconds: float, clients: int) -> Result:
    """``clients`` closed loops with zero think time (capacity, not a dashboard)."""
    result = Result("saturation")
    names = list(ENDPOINTS)
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + seconds

    async def worker(n: int, client: httpx.AsyncClient) -> None:
        i = n
        while time.monotonic() < deadline:
            name = names[i % len(names)]
            sid = STRATEGIES[(i // len(names)) % len(STRATEGIES)]
            other = STRATEGIES[(i // len(names) + 1) % len(STRATEGIES)]
            await timed_get(client, name, ENDPOINTS[name].format(sid=sid, other=other), headers, result)
            i += 1

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    began = time.monotonic()
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        await asyncio.gather(*(worker(n, client) for n in range(clients)))
    result.wall = time.monotonic() - began
    return result


@dataclass(frozen=True)
class Plan:
    """What to run on each engine."""

    models: tuple[str, ...]
    user_seconds: float
    saturation_seconds: float
    clients: int
    seed: int
    py_spy: Path | None


def run_backend(name: str, url: str, plan: Plan) -> list[Result]:
    engine = create_db_engine(url)
    try:
        upgrade(engine)
        seed(engine)
    finally:
        engine.dispose()
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as state:
        log_path = Path(state) / "server.log"
        proc, base = start_server(url, Path(state), log_path)
        try:
            token = login(base)
            headers = {"Authorization": f"Bearer {token}"}
            asyncio.run(warm_up(base, headers))
            print(f"{name}: server pid {proc.pid} at {base}")
            for model in plan.models:
                seconds = plan.user_seconds if model == "users" else plan.saturation_seconds
                with profiled(proc.pid, plan.py_spy, f"{name}-{model}", seconds):
                    before_load, cpu_before = load_average(), process_cpu_seconds(proc.pid)
                    if model == "users":
                        result = asyncio.run(users_model(base, token, seconds, plan.clients, plan.seed))
                    else:
                        result = asyncio.run(saturation_model(base, token, seconds, plan.clients))
                    result.server_cpu = process_cpu_seconds(proc.pid) - cpu_before
                    result.load_before, result.load_after = before_load, load_average()
                print(f"  {model}: {len(result.every)} requests in {result.wall:.1f} s")
                results.append(result)
        finally:
            stop_server(proc)
    for result in results:
        for what, count in sorted(result.errors.items()):
            print(f"  {name} {result.model}: {count} x {what}")
    return results


@contextlib.contextmanager
def profiled(pid: int, out_dir: Path | None, label: str, seconds: float) -> Any:
    """With ``--py-spy DIR``: sample the server's stacks (raw/collapsed format) while the block runs."""
    if out_dir is None:
        yield
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{label}.txt"
    spy = Path(sys.executable).parent / "py-spy"
    command = [str(spy), "record", "--pid", str(pid), "--format", "raw", "--rate", "200", "-o", str(out)]
    command += ["--duration", str(max(1, round(seconds))), "--nonblocking"]
    recorder = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        try:
            recorder.wait(timeout=seconds + 30)
        except subprocess.TimeoutExpired:
            recorder.kill()
        if out.exists():
            print(f"  py-spy stacks: {out}")
            summarize_stacks(out)


def summarize_stacks(path: Path, top: int = 25) -> None:
    """Print the functions present in the most samples (inclusive), the first place to look."""
    inclusive: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        for frame in set(stack.split(";")):
            inclusive[frame] = inclusive.get(frame, 0) + count
    for frame, count in sorted(inclusive.items(), key=lambda kv: -kv[1])[:top]:
        print(f"    {count / max(total, 1):6.1%}  {frame[:150]}")


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


def verdict(p95: float) -> str:
    return "yes" if p95 <= TARGET_P95_MS else "NO"


def report(results: dict[str, list[Result]], plan: Plan) -> None:
    titles = {
        "users": (
            f"USERS (headline): {plan.clients} users, think time exponential mean {THINK_MEAN_SECONDS:.0f} s "
            f"(seed {plan.seed}), a WebSocket each, {plan.user_seconds:.0f} s"
        ),
        "saturation": (
            f"SATURATION (capacity, not the target): {plan.clients} closed loops, zero think time, "
            f"{plan.saturation_seconds:.0f} s"
        ),
    }
    for model in plan.models:
        runs = {backend: r for backend, rs in results.items() for r in rs if r.model == model}
        print()
        print(titles[model])
        head = f"  {'endpoint':<22}{'backend':<12}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        print(f"{head}  p95<={TARGET_P95_MS:.0f}ms")
        for endpoint in ENDPOINTS:
            for backend, result in runs.items():
                v = result.samples[endpoint]
                p95 = pct(v, 95)
                print(
                    f"  {endpoint:<22}{backend:<12}{len(v):>9}{pct(v, 50):>9.1f}{p95:>9.1f}"
                    f"{pct(v, 99):>9.1f}  {verdict(p95)}"
                )
    print()
    for model in plan.models:
        for backend, rs in results.items():
            for result in (r for r in rs if r.model == model):
                every = result.every
                p95 = pct(every, 95)
                share = result.server_cpu / result.wall
                ws = (
                    f"; {result.ws_open} sockets, {result.ws_messages} ws messages"
                    if model == "users"
                    else ""
                )
                print(
                    f"{model.upper():<10} {backend:<10} {len(every)} requests in {result.wall:.1f} s "
                    f"= {len(every) / result.wall:.0f} req/s; p50 {pct(every, 50):.1f} ms, "
                    f"p95 {p95:.1f} ms, p99 {pct(every, 99):.1f} ms; server CPU "
                    f"{result.cpu_ms_per_request:.1f} ms/request ({share:.0%} of a core)"
                    f"{ws}; errors {sum(result.errors.values())}; p95<={TARGET_P95_MS:.0f}ms: {verdict(p95)}"
                    f"; load {result.load_before} -> {result.load_after}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--model", choices=("both", "users", "saturation"), default="both")
    parser.add_argument("--user-seconds", type=float, default=30.0, help="users model, at most 120")
    parser.add_argument("--saturation-seconds", type=float, default=10.0, help="at most 30")
    parser.add_argument("--clients", type=int, default=20, help="virtual users / closed loops")
    parser.add_argument("--seed", type=int, default=7, help="think times and request mix")
    parser.add_argument("--quick", action="store_true", help="CI: 7 s users + 3 s saturation per engine")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--py-spy", type=Path, default=None, metavar="DIR", help="profile the server")
    args = parser.parse_args()
    models = ("users", "saturation") if args.model == "both" else (args.model,)
    user_seconds, saturation_seconds = min(args.user_seconds, 120.0), min(args.saturation_seconds, 30.0)
    if args.quick:
        user_seconds, saturation_seconds = 7.0, 3.0
    plan = Plan(models, user_seconds, saturation_seconds, args.clients, args.seed, args.py_spy)
    results: dict[str, list[Result]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = run_backend("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", plan)
    if not args.skip_postgres:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = create_db_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            sep = "&" if "?" in PG_URL else "?"
            url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
            results["postgresql"] = run_backend("postgresql", url, plan)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    report(results, plan)
    if any(r.errors for rs in results.values() for r in rs):
        sys.exit(1)


if __name__ == "__main__":
    main()
