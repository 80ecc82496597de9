"""The scheduler attached to the API: status, health, execution-time override with expiry,
effective configuration with sources, EOD trigger on a holiday."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_fixtures import Api, start_api
from sqlalchemy import Engine, select

from jutsu.data.models import ConfigHistory, ConfigOverride
from jutsu.scheduler.service import SchedulerService


@pytest.fixture
def scheduled(db_engine: Engine, tmp_path: Path) -> Iterator[tuple[Api, SchedulerService]]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    service = SchedulerService(db_engine, retry_delays=(), startup_recovery_delay=None)
    asyncio.run_coroutine_threadsafe(service.start(), loop).result(30)
    try:
        for api in start_api(db_engine, tmp_path, extras={"scheduler": service}):
            yield api, service
    finally:
        asyncio.run_coroutine_threadsafe(service.shutdown(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


def test_execution_time_override_moves_the_job_and_expires(
    scheduled: tuple[Api, SchedulerService], db_engine: Engine
) -> None:
    api, service = scheduled
    status = api.get("/api/control/scheduler").json()
    assert (status["execution_time"], status["execution_time_source"]) == ("5min_before_close", "default")
    assert status["job_store"] == "sqlalchemy" and status["scheduler_healthy"] is True
    assert len(status["valid_execution_times"]) == 5
    before = status["next_run"]

    health = api.client.get("/api/health").json()
    assert health["scheduler"]["job_store"] == "sqlalchemy" and health["scheduler"]["degraded"] is False
    assert health["scheduler"]["jobs"]["daily_trading_job"]["next_run"] == before

    # no expiry → refused; with expiry → the job moves 10 minutes earlier (close − 15)
    bad = api.client.put(
        "/api/config",
        headers=api.admin,
        json={"parameter_name": "execution_time", "new_value": "close", "reason": "x"},
    )
    assert bad.status_code == 422
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).isoformat()
    body = {
        "parameter_name": "execution_time",
        "new_value": "15min_before_close",
        "reason": "test early run",
        "expires_at": expires,
    }
    assert api.client.put("/api/config", headers=api.admin, json=body).status_code == 200
    status = api.get("/api/control/scheduler").json()
    assert (status["execution_time"], status["execution_time_source"]) == ("15min_before_close", "override")
    assert status["next_run"] is not None and before is not None
    moved = dt.datetime.fromisoformat(before) - dt.datetime.fromisoformat(status["next_run"])
    assert moved == dt.timedelta(minutes=10)
    invalid = api.client.put("/api/config", headers=api.admin, json={**body, "new_value": "noon"})
    assert invalid.status_code == 400 and "valid keys" in invalid.json()["detail"]

    effective = {(v["name"], v["strategy_id"]): v for v in api.get("/api/config/effective").json()["values"]}
    assert effective[("execution_time", "*")]["source"] == "override"
    assert effective[("database.type", None)]["source"] in ("env", "yaml", "default")

    # an override that has expired is ignored, deactivated and audited as 'expire'
    now = dt.datetime.now(dt.UTC)
    with db_engine.begin() as conn:
        conn.execute(ConfigOverride.__table__.update().values(expires_at=now - dt.timedelta(seconds=1)))
    service.reschedule()
    status = api.get("/api/control/scheduler").json()
    assert (status["execution_time"], status["execution_time_source"]) == ("5min_before_close", "default")
    assert status["next_run"] == before
    with db_engine.connect() as conn:
        kinds = [r.change_type for r in conn.execute(select(ConfigHistory).order_by(ConfigHistory.id))]
        active = conn.execute(select(ConfigOverride).where(ConfigOverride.is_active.is_(True))).all()
    assert kinds == ["override", "expire"] and active == []


def test_eod_trigger_on_a_holiday_and_trigger_conflict(scheduled: tuple[Api, SchedulerService]) -> None:
    api, _ = scheduled
    r = api.post("/api/control/eod/trigger?target_date=2025-12-25")
    assert r.status_code == 200
    assert r.json()["status"] == "skipped" and "not an NYSE session" in r.json()["message"]
    disabled = api.post("/api/control/scheduler/disable").json()
    assert disabled["enabled"] is False and disabled["next_run"] is None
    enabled = api.post("/api/control/scheduler/enable", json={}).json()
    assert enabled["enabled"] is True and enabled["next_run"] is not None


def test_override_rows_keep_who_when_old_new_reason(
    scheduled: tuple[Api, SchedulerService], db_engine: Engine
) -> None:
    api, _ = scheduled
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    api.client.put(
        "/api/config",
        headers=api.admin,
        json={
            "parameter_name": "execution_time",
            "new_value": "close",
            "reason": "audit",
            "expires_at": expires,
        },
    )
    api.client.delete("/api/config/execution_time", headers=api.admin)
    with db_engine.connect() as conn:
        rows = conn.execute(select(ConfigHistory).order_by(ConfigHistory.id)).all()
    assert [(r.change_type, r.old_value, r.new_value, r.changed_by) for r in rows] == [
        ("override", "5min_before_close", "close", "admin"),
        ("reset", "close", "5min_before_close", "admin"),
    ]
    assert rows[0].reason == "audit"
