"""End-to-end fixtures (import ``server_fixture`` and ``browser_fixture`` to use them).

The real FastAPI server (uvicorn, 127.0.0.1, free port) serving the built dashboard, a seeded
SQLite database, and Debian's Chromium driven by Playwright.

Seeding goes through the platform's own code paths: Alembic migration, the market-data
repository for a slice of the shared prices, the API for the admin's TOTP enrolment, the viewer's
invitation and the backtest jobs, and the backtest engine for three strategies whose results
become the dry-run history (daily_performance, positions, trades, scheduler snapshots) that the
live pipeline and the EOD job will write.

Never downloads a browser: Chromium is ``/usr/bin/chromium`` (``make test`` installs Debian's).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared_data import PRICES

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "web"
DIST = WEB / "dist"
SCREENSHOTS = REPO / "docs" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

ADMIN_PASSWORD = "e2e-admin-password-1"
VIEWER = ("viewer_e2e", "e2e-viewer-password-1")
SYMBOLS = ("QQQ", "TQQQ", "PSQ", "TLT", "TMF", "TMV")
DATA_FROM = dt.date(2021, 1, 4)
DATA_TO = dt.date(2025, 6, 27)
HISTORY_FROM = dt.date(2024, 1, 2)
SEEDED = ("v3_5b", "v3_5d", "buy_and_hold")
MODE = "dry_run"


@dataclass
class Server:
    url: str
    admin_token: str
    totp_secret: str
    viewer_token: str
    seeded: dict[str, Any]

    def api(self, method: str, path: str, token: str | None = None, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.request(method, self.url + path, headers=headers, timeout=30, **kw)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _require_browser_and_build() -> None:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("/usr/bin/chromium missing in CI: `make test` installs Debian's chromium")
        pytest.skip("Debian chromium not installed (apt-get install chromium, or `make e2e-deps`)")
    if not (DIST / "index.html").is_file():
        if (WEB / "node_modules").is_dir() and shutil.which("npm"):
            subprocess.run(["npm", "run", "build"], cwd=WEB, check=True, capture_output=True, timeout=600)
        elif os.environ.get("CI"):
            pytest.fail("web/dist missing in CI: `make web` must run before the tests")
        else:
            pytest.skip("dashboard not built: run `make web`")


def _import_prices(engine: Any) -> None:
    from jutsu.data.repositories.market_data import import_bars
    from jutsu.data.sources.csv_source import read_price_csv

    for sym in SYMBOLS:
        symbol, frame = read_price_csv(PRICES / f"{sym}.csv", sym)
        idx = frame.index if "date" not in frame.columns else frame["date"]
        days = [d.date() if hasattr(d, "date") else d for d in idx]
        mask = [DATA_FROM <= d <= DATA_TO for d in days]
        import_bars(engine, symbol, frame[mask], source="csv", operation="import")


def _seed_history(engine: Any) -> dict[str, Any]:
    """Run three strategies through the backtest engine and store them as the dry-run history."""
    from sqlalchemy.orm import Session

    from jutsu.backtest.loaders import database_loader
    from jutsu.backtest.models import BacktestRequest
    from jutsu.backtest.runner import run_backtest_job
    from jutsu.data.models import DailyPerformance, LiveTrade
    from jutsu.data.models.performance import PerformanceSnapshot
    from jutsu.data.models.trading import Position, StrategyState

    q6 = Decimal("0.000001")
    seeded: dict[str, Any] = {}
    baseline_done = False
    rows: list[Any] = []
    for sid in SEEDED:
        out = run_backtest_job(
            BacktestRequest(strategy_id=sid, start=HISTORY_FROM, end=DATA_TO),
            load_frames=database_loader(engine),
        )
        res = out.result
        decisions = {d.date: d.journal for d in res.decisions}
        base_eq = dict(_baseline_points(out))
        capital = res.initial_capital
        hwm = capital
        prev = capital
        prev_base: Decimal | None = None
        for i, snap in enumerate(res.snapshots):
            hwm = max(hwm, snap.equity)
            j = decisions.get(snap.date, {})
            cell = j.get("cell")
            rows.append(
                DailyPerformance(
                    trading_date=snap.date,
                    entity_type="strategy",
                    entity_id=sid,
                    mode=MODE,
                    total_equity=snap.equity.quantize(q6),
                    cash=snap.cash.quantize(q6),
                    positions_value=(snap.equity - snap.cash).quantize(q6),
                    positions_json=json.dumps(
                        [
                            {"symbol": s, "quantity": q, "value": float(q * snap.prices[s])}
                            for s, q in sorted(snap.positions.items())
                            if q
                        ]
                    ),
                    daily_return=(snap.equity / prev - 1).quantize(q6),
                    cumulative_return=(snap.equity / capital - 1).quantize(q6),
                    drawdown=(snap.equity / hwm - 1).quantize(q6),
                    strategy_cell=int(cell) if isinstance(cell, int | float) else None,
                    trend_state=j.get("trend_state") if isinstance(j.get("trend_state"), str) else None,
                    vol_state=j.get("vol_state") if isinstance(j.get("vol_state"), str) else None,
                    initial_capital=capital,
                    high_water_mark=hwm.quantize(q6),
                    trading_days_count=i + 1,
                    is_first_day=i == 0,
                )
            )
            prev = snap.equity
            if not baseline_done and snap.date in base_eq:
                b = Decimal(str(base_eq[snap.date])).quantize(q6)
                rows.append(
                    DailyPerformance(
                        trading_date=snap.date,
                        entity_type="baseline",
                        entity_id="QQQ",
                        mode=MODE,
                        total_equity=b,
                        positions_value=b,
                        daily_return=Decimal(0) if prev_base is None else (b / prev_base - 1).quantize(q6),
                        cumulative_return=(b / capital - 1).quantize(q6),
                    )
                )
                prev_base = b
        baseline_done = True
        last = res.snapshots[-1]
        last_j = res.decisions[-1].journal
        now = dt.datetime.combine(last.date, dt.time(19, 55), tzinfo=dt.UTC)
        for s, q in sorted(last.positions.items()):
            if q:
                rows.append(
                    Position(
                        symbol=s,
                        quantity=q,
                        avg_cost=last.prices[s].quantize(q6),
                        market_value=(q * last.prices[s]).quantize(q6),
                        mode=MODE,
                        strategy_id=sid,
                    )
                )
        rows.append(
            StrategyState(
                strategy_id=sid,
                mode=MODE,
                cash=last.cash.quantize(q6),
                initial_capital=capital,
                inception_date=HISTORY_FROM,
            )
        )
        rows.append(
            PerformanceSnapshot(
                timestamp=now,
                total_equity=last.equity.quantize(q6),
                cash=last.cash.quantize(q6),
                positions_value=(last.equity - last.cash).quantize(q6),
                strategy_cell=last_j.get("cell"),
                trend_state=last_j.get("trend_state"),
                vol_state=last_j.get("vol_state"),
                t_norm=_dec(last_j.get("t_norm")),
                z_score=_dec(last_j.get("z_score")),
                sma_fast=_dec(last_j.get("sma_fast")),
                sma_slow=_dec(last_j.get("sma_slow")),
                snapshot_source="scheduler",
                mode=MODE,
                strategy_id=sid,
            )
        )
        for k, f in enumerate(res.fills[-40:]):
            ts = dt.datetime.combine(f.date, dt.time(19, 55), tzinfo=dt.UTC)
            jj = decisions.get(f.date, {})
            rows.append(
                LiveTrade(
                    symbol=f.symbol,
                    timestamp=ts,
                    trading_date=f.date,
                    action=str(f.side).upper(),
                    quantity=f.quantity,
                    filled_quantity=f.quantity,
                    target_price=f.price.quantize(q6),
                    fill_price=f.price.quantize(q6),
                    fill_value=(f.price * f.quantity).quantize(q6),
                    commission=f.commission.quantize(q6),
                    slippage_pct=Decimal(0),
                    status="filled",
                    client_order_id=f"e2e-{sid}-{k}",
                    reason=f.reason or "Rebalance",
                    strategy_cell=jj.get("cell") if isinstance(jj.get("cell"), int) else None,
                    trend_state=jj.get("trend_state") if isinstance(jj.get("trend_state"), str) else None,
                    vol_state=jj.get("vol_state") if isinstance(jj.get("vol_state"), str) else None,
                    mode=MODE,
                    strategy_id=sid,
                    execution_id=f"e2e-exec-{sid}-{f.date.isoformat()}",
                )
            )
        seeded[sid] = {
            "cell": last_j.get("cell"),
            "trend": last_j.get("trend_state"),
            "vol": last_j.get("vol_state"),
            "positions": sorted(s for s, q in last.positions.items() if q),
            "days": len(res.snapshots),
            "t_norm": last_j.get("t_norm"),
        }
    with Session(engine) as session, session.begin():
        session.add_all(rows)
    return seeded


def _dec(v: object) -> Decimal | None:
    return Decimal(str(round(float(v), 6))) if isinstance(v, int | float) else None


def _baseline_points(out: Any) -> list[tuple[dt.date, float]]:
    """(date, baseline equity) pairs from the reporting helper the API uses."""
    from jutsu.reporting.tables import equity_rows

    return [
        (r.date, float(r.baseline_equity))
        for r in equity_rows(out.result, out.baseline_equity)
        if r.baseline_equity is not None
    ]


def _serve(app: Any) -> tuple[Any, threading.Thread, str]:
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


def _login(url: str, username: str, password: str, totp_secret: str | None = None) -> str:
    r = httpx.post(f"{url}/api/auth/login", data={"username": username, "password": password}, timeout=30)
    r.raise_for_status()
    body = r.json()
    if body.get("requires_2fa"):
        import pyotp

        r = httpx.post(
            f"{url}/api/auth/login-2fa",
            json={"login_ticket": body["login_ticket"], "totp_code": pyotp.TOTP(totp_secret).now()},
            timeout=30,
        )
        r.raise_for_status()
        body = r.json()
    return str(body["access_token"])


@pytest.fixture(scope="session", name="server")
def server_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The seeded app on a real port; admin has TOTP enabled, the viewer came through an invitation."""
    _require_browser_and_build()
    import pyotp

    from jutsu.api.app import create_app
    from jutsu.config import load_settings
    from jutsu.data.database import create_db_engine
    from jutsu.data.migrate import upgrade

    tmp = tmp_path_factory.mktemp("e2e")
    engine = create_db_engine(f"sqlite:///{tmp / 'jutsu.db'}")
    upgrade(engine)
    _import_prices(engine)
    seeded = _seed_history(engine)
    settings = load_settings(
        env={
            "SECRET_KEY": "e2e-" + "s" * 44,
            "ADMIN_PASSWORD": ADMIN_PASSWORD,
            "JUTSU_STATE_DIR": str(tmp / "state"),
            "BCRYPT_ROUNDS": "4",
            "LOGIN_RATE_LIMIT": "1000/minute",
            "API_RATE_LIMIT": "100000/minute",
            "DASHBOARD_URL": "http://127.0.0.1",
        }
    )
    app = create_app(settings, engine=engine)
    uv, thread, url = _serve(app)
    try:
        admin = _login(url, "admin", ADMIN_PASSWORD)
        h = {"Authorization": f"Bearer {admin}"}
        setup = httpx.post(f"{url}/api/2fa/setup", headers=h, timeout=30)
        setup.raise_for_status()
        secret = setup.json()["secret"]
        httpx.post(
            f"{url}/api/2fa/verify", headers=h, json={"code": pyotp.TOTP(secret).now()}, timeout=30
        ).raise_for_status()
        invite = httpx.post(f"{url}/api/users/invite", headers=h, json={"role": "viewer"}, timeout=30)
        invite.raise_for_status()
        token = invite.json()["token"]
        httpx.post(
            f"{url}/api/invitations/{token}/accept",
            json={"username": VIEWER[0], "password": VIEWER[1]},
            timeout=30,
        ).raise_for_status()
        viewer = _login(url, *VIEWER)
        for sid in ("v3_5b", "buy_and_hold"):
            httpx.post(
                f"{url}/api/v1/backtest/run",
                headers=h,
                json={
                    "strategy_name": sid,
                    "start_date": "2023-01-03",
                    "end_date": "2024-12-31",
                    "initial_capital": 10000,
                },
                timeout=30,
            ).raise_for_status()
        yield Server(url=url, admin_token=admin, totp_secret=secret, viewer_token=viewer, seeded=seeded)
    finally:
        uv.should_exit = True
        thread.join(timeout=15)
        engine.dispose()


@pytest.fixture(scope="module", name="browser")
def browser_fixture() -> Iterator[Any]:
    """Chromium for one test module. Not session-wide: Playwright's sync API keeps an event loop
    running in the main thread while it is open, which would break ``asyncio.run`` in every
    later test that xdist schedules on the same worker."""
    _require_browser_and_build()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def shot(page: Any, name: str) -> None:
    """Save a full-page screenshot into docs/screenshots/ (committed, shown in the README)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def ui_login(page: Any, server: Server, username: str, password: str, totp: bool) -> None:
    """Sign in through the login page (and its authenticator-code step)."""
    import pyotp

    page.goto(server.url + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if totp:
        code = page.get_by_label("Authenticator code (6 digits) or backup code (XXXX-XXXX)")
        code.wait_for()
        code.fill(pyotp.TOTP(server.totp_secret).now())
        page.get_by_role("button", name="Verify").click()
    page.get_by_role("heading", name="Dashboard").wait_for()
