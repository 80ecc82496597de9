"""Engine control, kill switch persistence, per-strategy modes, config overrides with audit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from api_fixtures import Api, api_fixture, start_api  # noqa: F401
from sqlalchemy import Engine


def _future(days: int = 1) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).isoformat()


def test_engine_start_stop_and_kill_switch_persist(api: Api, db_engine: Engine, tmp_path: Path) -> None:
    started = api.post("/api/control/start", json={"action": "start", "mode": "paper"}).json()
    assert (started["previous_state"], started["new_state"]) == ("stopped", "running")
    assert api.post("/api/control/start", json={"action": "start"}).status_code == 409
    assert api.post("/api/control/start", json={"mode": "live"}).status_code == 400  # confirm missing
    assert api.post("/api/control/kill-switch", json={"flatten": False}).status_code == 422  # confirm missing
    assert api.post("/api/control/kill-switch", json={"confirm": False}).status_code == 400
    killed = api.post("/api/control/kill-switch", json={"confirm": True, "flatten": True}).json()
    assert killed["state"] == "halted" and killed["orders_submitted"] == []
    assert api.post("/api/control/start", json={}).status_code == 409  # blocked while halted
    api.post("/api/control/kill-switch", json={"confirm": True, "strategy_id": "v3_5d"})

    # A brand-new app on the same database sees the halted engine (system_state['engine']).
    other = start_api(db_engine, tmp_path / "second")
    second = next(other)
    try:
        state = second.get("/api/control/state").json()
        assert state["state"] == "halted" and state["halted_strategies"] == ["v3_5d"]
        reset = second.post("/api/control/kill-switch/reset", json={"confirm": True}).json()
        assert reset["new_state"] == "stopped"
    finally:
        other.close()
    assert api.get("/api/control/state").json()["halted_strategies"] == []


def test_mode_switch_rules(api: Api) -> None:
    body = {"strategy_id": "v3_5d", "mode": "paper"}
    assert api.post("/api/control/mode", json=body).json()["action"] == "mode_switch"
    assert api.get("/api/strategies").json()["strategies"][1]["mode"] == "paper"
    live = api.post("/api/control/mode", json={"strategy_id": "v3_5d", "mode": "live"})
    assert live.status_code == 400 and "confirm" in live.json()["detail"]
    api.post("/api/control/start", json={})
    no_token = api.post("/api/control/mode", json={"strategy_id": "v3_5d", "mode": "live", "confirm": True})
    assert no_token.status_code == 400 and "broker token" in no_token.json()["detail"]
    assert api.post("/api/control/mode", json={"strategy_id": "zz", "mode": "paper"}).status_code == 404
    assert api.post("/api/control/mode", json={"strategy_id": "v3_5d", "mode": "moon"}).status_code == 400
    assert (
        api.post("/api/control/mode", json={"strategy_id": "v3_5d", "mode": "offline_mock"}).status_code
        == 200
    )


def test_scheduler_endpoints_without_scheduler(api: Api) -> None:
    for method, path in (("get", "/api/control/scheduler"), ("post", "/api/control/refresh")):
        r = getattr(api.client, method)(path, headers=api.admin)
        assert r.status_code == 503 and r.json() == {"detail": "scheduler not running"}
    assert api.get("/api/control/refresh/status").json()["is_stale"] is True


def test_override_requires_expiry_and_reason_and_records_history(api: Api) -> None:
    base = {"parameter_name": "sma_fast", "new_value": 50, "strategy_id": "v3_5b"}
    assert api.client.put("/api/config", json=base, headers=api.admin).status_code == 422
    no_reason = {**base, "expires_at": _future()}
    assert api.client.put("/api/config", json=no_reason, headers=api.admin).status_code == 422
    past = {**base, "reason": "test", "expires_at": _future(-1)}
    assert api.client.put("/api/config", json=past, headers=api.admin).status_code == 400
    unknown = {**base, "parameter_name": "nope", "reason": "x", "expires_at": _future()}
    assert api.client.put("/api/config", json=unknown, headers=api.admin).status_code == 400
    out_of_range = {**base, "new_value": -5, "reason": "x", "expires_at": _future()}
    assert api.client.put("/api/config", json=out_of_range, headers=api.admin).status_code == 400
    viewer = api.client.put(
        "/api/config", json={**base, "reason": "x", "expires_at": _future()}, headers=api.viewer
    )
    assert viewer.status_code == 403

    ok = api.client.put(
        "/api/config", json={**base, "reason": "faster", "expires_at": _future()}, headers=api.admin
    )
    assert ok.status_code == 200 and ok.json()["new_value"] == "50"
    again = {**base, "new_value": 60, "reason": "even faster", "expires_at": _future(2)}
    assert api.client.put("/api/config", json=again, headers=api.admin).json()["old_value"] == "50"
    cfg = api.get("/api/config").json()
    fast = next(p for p in cfg["parameters"] if p["name"] == "sma_fast")
    assert fast["is_overridden"] and fast["value"] == 60
    assert len(cfg["active_overrides"]) == 1
    other = api.get("/api/config", params={"strategy_id": "v3_5d"}).json()
    assert not next(p for p in other["parameters"] if p["name"] == "sma_fast")["is_overridden"]

    reset = api.client.delete(
        "/api/config/sma_fast", params={"strategy_id": "v3_5b"}, headers=api.admin
    ).json()
    assert reset["old_value"] == "60"
    hist = api.get("/api/config/history", params={"strategy_id": "v3_5b"}).json()["history"]
    assert [h["change_type"] for h in hist] == ["reset", "override", "override"]
    assert hist[1]["reason"] == "even faster" and hist[1]["changed_by"] == "admin"
    nothing = api.client.delete("/api/config/sma_fast", headers=api.admin).json()
    assert "was not overridden" in nothing["message"]
