"""Faults during a trading run (issue #10, item 2): each ends in a clear state (no run left
``running``, no order row left ``intent``/``submitted`` after the re-run), an alert, and a correct
next run (no order twice, book equal to an uninterrupted run's).

* broker HTTP 500 / timeout on the order, 500 on the fill poll and on quotes, a rejected order —
  the real schwab-py client against the fake Schwab server;
* the database restarting mid-run — PostgreSQL backends killed with ``pg_terminate_backend``
  right after an order was placed (paper broker);
* the webhook endpoint down while the run fails (alerts cannot be delivered; the run still ends);
* disk full while exporting a backtest report — a 64 KiB tmpfs (needs root; skipped otherwise);
* the clock jumping backwards / forwards mid-run (the injected clock of the pipeline).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from reliability_support import ROOT
from sqlalchemy import Engine, select, text

sys.path.insert(0, str(ROOT / "tests" / "integration" / "live"))

from live_helpers import Clock, RecordingNotifier, context, full_bar, job

from jutsu.data.models import LiveTrade
from jutsu.live.pipeline import run_strategy

DAY = dt.date(2023, 1, 3)


def _crash() -> Any:
    spec = importlib.util.spec_from_file_location(
        "reliability_crash", ROOT / "bench" / "reliability" / "crash.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("reliability_crash", module)
    spec.loader.exec_module(module)
    return module


def _rows(engine: Engine, mode: str) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(select(LiveTrade).where(LiveTrade.mode == mode).order_by(LiveTrade.id)).all()
        )


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _assert_clean(engine: Engine, mode: str) -> None:
    rows = _rows(engine, mode)
    assert all(r.status not in ("intent", "submitted") for r in rows), [(r.symbol, r.status) for r in rows]
    keys = [(r.strategy_id, r.symbol, r.action, r.trading_date) for r in rows]
    assert len(keys) == len(set(keys)), "an order was placed twice"
    with engine.connect() as conn:
        running = conn.execute(
            text("SELECT COUNT(*) FROM execution_runs WHERE status = 'running'")
        ).scalar_one()
    assert running == 0


# -- broker faults (Schwab fake) ----------------------------------------------------------------


@pytest.fixture
def world(tmp_path: Path) -> Iterator[Any]:
    with _crash().schwab_world(tmp_path) as w:
        yield w


def _schwab_ctx(engine: Engine, world: Any, notifier: RecordingNotifier) -> Any:
    from cryptography.fernet import Fernet  # noqa: F401 - the key is in world.env
    from live_helpers import history

    from jutsu.brokers.schwab_tokens import SchwabTokenStore, TokenCipher
    from jutsu.live.brokers import default_broker_factory
    from jutsu.live.pipeline import LiveContext

    SchwabTokenStore(engine, TokenCipher(world.env["BROKER_TOKEN_ENCRYPTION_KEY"])).write(
        world.server.issue_token(expires_in=3600)
    )
    return LiveContext(
        engine=engine,
        broker_for=default_broker_factory(engine, world.env, secrets_dir=world.secrets_dir),
        history=history,
        notifier=notifier,
        live_confirmed=True,
        sleep=lambda _s: None,
        today_bar=full_bar,
    )


@pytest.mark.parametrize(
    ("operation", "mode"),
    [("place_order", "http500"), ("place_order", "timeout"), ("get_order", "http500"), ("quotes", "http500")],
)
def test_broker_fault_mid_run(db_engine: Engine, world: Any, operation: str, mode: str) -> None:
    notifier = RecordingNotifier()
    ctx = _schwab_ctx(db_engine, world, notifier)
    world.server.state.timeout_sleep = 2.5  # beyond the client's 2 s timeout
    world.server.fault(operation, mode, times=3)
    first = run_strategy(ctx, job("v3_5b", mode="live"), session=DAY, trigger="manual")
    if first.status == "success":  # a poll/quote retry absorbed the fault: fine, it must be clean
        assert operation in ("get_order", "quotes"), first
    else:
        assert first.status == "failed" and first.message and "Traceback" not in first.message
        assert any(a.severity == "critical" for a in notifier.alerts), notifier.alerts
    world.server.state.faults.clear()
    again = run_strategy(ctx, job("v3_5b", mode="live"), session=DAY, trigger="manual")
    assert again.status in ("success", "skipped"), again.message
    _assert_clean(db_engine, "live")
    sent = [
        (o["orderLegCollection"][0]["instrument"]["symbol"], o["orderLegCollection"][0]["instruction"])
        for o in world.server.received_orders
    ]
    assert len(sent) == len(set(sent)) == len(_rows(db_engine, "live")), sent


def test_rejected_order_alerts_and_ends_clean(db_engine: Engine, world: Any) -> None:
    notifier = RecordingNotifier()
    ctx = _schwab_ctx(db_engine, world, notifier)
    world.server.fill_mode = "reject"
    outcome = run_strategy(ctx, job("v3_5b", mode="live"), session=DAY, trigger="manual")
    assert outcome.status in ("success", "failed"), outcome
    assert any("rejected" in (a.title + a.message) for a in notifier.alerts), notifier.alerts
    rows = _rows(db_engine, "live")
    assert rows and all(r.status == "rejected" for r in rows)
    _assert_clean(db_engine, "live")


# -- database restart (PostgreSQL) ----------------------------------------------------------


def test_database_backends_terminated_mid_run(db_engine: Engine, db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    import uuid

    from jutsu.data.database import create_db_engine

    # only this test's own connections are terminated (the database is shared with other tests)
    tag = f"jutsu_rel_{uuid.uuid4().hex[:10]}"
    engine = create_db_engine(f"{db_url}&application_name={tag}")
    admin = create_db_engine(db_url)
    killed: list[int] = []

    def hook(point: str, cid: str) -> None:
        if point == "after_place" and not killed:
            with admin.begin() as conn:
                n = conn.execute(
                    text(
                        "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE application_name = :tag AND pid <> pg_backend_pid()"
                    ),
                    {"tag": tag},
                ).scalar_one()
            killed.append(int(n))

    ctx, notifier, _ = context(engine, Clock(DAY), today_bar=full_bar, crash_hook=hook)
    first = run_strategy(ctx, job("v3_5b"), session=DAY, trigger="manual")
    assert killed and killed[0] >= 1
    if first.status != "success":
        assert any(a.severity == "critical" for a in notifier.alerts)
    ctx2, _, _ = context(engine, Clock(DAY), today_bar=full_bar)
    again = run_strategy(ctx2, job("v3_5b"), session=DAY, trigger="manual")
    assert again.status in ("success", "skipped"), again.message
    _assert_clean(engine, "paper")
    engine.dispose()
    admin.dispose()


# -- webhook down ---------------------------------------------------------------------------


def test_webhook_down_while_the_run_fails(db_engine: Engine) -> None:
    from jutsu.notify.delivery import RetryPolicy
    from jutsu.notify.webhook import WebhookNotifier

    down = WebhookNotifier(
        f"http://127.0.0.1:{_closed_port()}/hook",
        RetryPolicy(attempts=2, timeout_seconds=0.5, backoff_seconds=0.01, max_delay_seconds=0.02),
    )
    assert not down.send(__import__("jutsu.notify.base", fromlist=["Alert"]).Alert("info", "info", "t", "m"))
    calls = {"n": 0}

    def hook(point: str, cid: str) -> None:
        calls["n"] += 1
        if point == "before_place" and calls["n"] == 1:
            raise RuntimeError("simulated fault before the first order")

    ctx, _, _ = context(db_engine, Clock(DAY), today_bar=full_bar, crash_hook=hook)
    ctx.notifier = down
    first = run_strategy(ctx, job("v3_5b"), session=DAY, trigger="manual")
    assert first.status == "failed" and "simulated fault" in first.message
    ctx2, _, _ = context(db_engine, Clock(DAY), today_bar=full_bar)
    ctx2.notifier = down
    assert run_strategy(ctx2, job("v3_5b"), session=DAY, trigger="manual").status == "success"
    _assert_clean(db_engine, "paper")


# -- clock jumps ----------------------------------------------------------------------------


@pytest.mark.parametrize("jump", [dt.timedelta(hours=-30), dt.timedelta(hours=30)])
def test_clock_jump_mid_run(db_engine: Engine, jump: dt.timedelta) -> None:
    clock = Clock(DAY)

    def hook(point: str, cid: str) -> None:
        if point == "after_place":
            clock.now = clock.now + jump

    ctx, notifier, _ = context(db_engine, clock, today_bar=full_bar, crash_hook=hook)
    first = run_strategy(ctx, job("v3_5b"), session=DAY, trigger="manual")
    assert first.status in ("success", "failed", "aborted"), first
    if first.status != "success":
        assert notifier.alerts, "a failed run must alert"
    clock.set(DAY)
    ctx2, _, _ = context(db_engine, clock, today_bar=full_bar)
    again = run_strategy(ctx2, job("v3_5b"), session=DAY, trigger="manual")
    assert again.status in ("success", "skipped"), again.message
    _assert_clean(db_engine, "paper")


# -- disk full while exporting --------------------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    target = tmp_path / "tiny"
    target.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(target)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    (target / "filler").write_bytes(b"\0" * 60 * 1024)
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False)


def test_disk_full_while_exporting_a_backtest(tiny_disk: Path, tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'absent' / 'x.db'}",
        "JUTSU_STATE_DIR": str(tmp_path / "state"),
    }
    out = tiny_disk / "report"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "jutsu.cli.main",
            "backtest",
            "sma_crossover",
            "--start",
            "2015-01-02",
            "--end",
            "2020-12-31",
            "--data-dir",
            str(ROOT.parent / "shared" / "data" / "prices"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stdout[-500:]
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith(f"error: cannot write {out}/"), result.stderr
    assert lines[-1].endswith(": No space left on device"), result.stderr
    # all or nothing: no temporary file, no half-written report, no empty directory left behind
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["filler"]
