"""Async backtests (start/poll/cancel) on real shared prices, and the /ws hub."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from api_fixtures import Api, start_api
from sqlalchemy import Engine
from starlette.websockets import WebSocketDisconnect

from jutsu.backtest.loaders import csv_dir_loader
from jutsu.events import Event
from shared_data import PRICES


@pytest.fixture(name="api")
def api_with_prices(db_engine: Engine, tmp_path: Path) -> Any:
    yield from start_api(db_engine, tmp_path, {"backtest_loader": csv_dir_loader(PRICES)})


def _wait(api: Api, run_id: str, until: set[str], timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = api.get(f"/api/v1/backtest/{run_id}").json()
        if body["status"] in until:
            return body
        time.sleep(0.1)
    raise AssertionError(f"backtest {run_id} still {body['status']}")


def test_backtest_start_poll_results(api: Api) -> None:
    events: list[Event] = []
    api.bus.subscribe(events.append)
    body = {
        "strategy_name": "sma_crossover",
        "symbol": "QQQ",
        "start_date": "2020-01-02",
        "end_date": "2021-12-31",
        "initial_capital": 10000,
        "parameters": {"fast": 20, "slow": 50},
    }
    started = api.post("/api/v1/backtest/run", json=body)
    assert started.status_code == 202 and started.json()["status"] == "queued"
    run_id = started.json()["backtest_id"]
    done = _wait(api, run_id, {"completed", "failed"})
    assert done["status"] == "completed", done["error"]
    assert done["metrics"]["total_return"] is not None and done["baseline_symbol"] == "QQQ"
    equity = api.get(f"/api/v1/backtest/{run_id}/equity").json()
    assert equity[0]["date"] >= "2020-01-02" and equity[-1]["date"] <= "2021-12-31"
    trades = api.get(f"/api/v1/backtest/{run_id}/trades").json()
    assert trades and {t["side"] for t in trades} <= {"BUY", "SELL"}
    history = api.get("/api/v1/backtest/history").json()
    assert history[0]["backtest_id"] == run_id
    statuses = [e.data["status"] for e in events if e.type == "job_status" and e.data["id"] == run_id]
    assert statuses[0] == "queued" and statuses[-1] == "completed"
    assert api.post(f"/api/v1/backtest/{run_id}/cancel").status_code == 409
    assert api.client.delete(f"/api/v1/backtest/{run_id}", headers=api.admin).status_code == 204
    assert api.get(f"/api/v1/backtest/{run_id}").status_code == 404


def test_backtest_bad_input_and_cancel(api: Api) -> None:
    base = {"strategy_name": "sma_crossover", "start_date": "2020-01-02", "end_date": "2020-06-30"}
    assert api.post("/api/v1/backtest/run", json={**base, "strategy_name": "nope"}).status_code == 404
    assert api.post("/api/v1/backtest/run", json={**base, "end_date": "2019-01-01"}).status_code == 422
    bad_param = api.post("/api/v1/backtest/run", json={**base, "parameters": {"fast": 0}})
    assert bad_param.status_code == 400 and "Invalid parameters" in bad_param.json()["detail"]
    no_data = api.post(
        "/api/v1/backtest/run", json={**base, "start_date": "1990-01-02", "end_date": "1990-02-01"}
    )
    failed = _wait(api, no_data.json()["backtest_id"], {"completed", "failed"})
    assert failed["status"] == "failed" and "Traceback" not in (failed["error"] or "")

    long = {**base, "strategy_name": "v3_5b", "start_date": "2023-01-03", "end_date": "2023-12-29"}
    ids = [api.post("/api/v1/backtest/run", json=long).json()["backtest_id"] for _ in range(3)]
    cancelled = api.post(f"/api/v1/backtest/{ids[-1]}/cancel").json()
    assert cancelled["status"] == "cancelled"
    assert api.get(f"/api/v1/backtest/{ids[-1]}").json()["status"] == "cancelled"
    for run_id in ids[:2]:
        api.post(f"/api/v1/backtest/{run_id}/cancel")
    assert api.post("/api/v1/backtest/00000000-0000-0000-0000-000000000000/cancel").status_code == 404


def test_websocket_rejects_unauthenticated(api: Api) -> None:
    for url in ("/ws", "/ws?token=garbage"):
        with api.client.websocket_connect(url) as ws, pytest.raises(WebSocketDisconnect) as exc:
            ws.receive_json()
        assert exc.value.code == 4001


def _recv(ws: Any) -> dict[str, Any]:
    """Next message that is not the periodic ``status_update``."""
    while True:
        message: dict[str, Any] = ws.receive_json()
        if message["type"] != "status_update":
            return message


def test_websocket_delivers_bus_events(api: Api) -> None:
    token = api.admin["Authorization"].split()[1]
    with api.client.websocket_connect(f"/ws?token={token}") as ws:
        hello = _recv(ws)
        assert hello["type"] == "connected" and hello["user"] == "admin"
        ws.send_json({"type": "subscribe", "channels": ["trades", "jobs"]})
        ws.send_json({"type": "unsubscribe", "channels": ["status"]})
        ws.send_text("not json")
        ws.send_json({"type": "dance"})
        replies = [_recv(ws) for _ in range(4)]
        assert [r["type"] for r in replies] == ["subscribed", "unsubscribed", "error", "error"]
        assert (
            replies[2]["message"] == "Invalid JSON" and replies[3]["message"] == "Unknown message type: dance"
        )
        # Published from another thread, as the live pipeline does.
        import threading

        trade = {"trade_id": 7, "symbol": "QQQ", "action": "BUY", "quantity": 3, "fill_price": 401.5}
        threading.Thread(
            target=api.bus.publish, args=(Event(type="trade_executed", data=trade, strategy_id="v3_5b"),)
        ).start()
        api.bus.publish(Event(type="trade_executed", data={"symbol": "QQQ"}))  # invalid payload: dropped
        api.bus.publish(Event(type="error", data={"message": "broker down", "code": "BROKER"}))
        got = [_recv(ws) for _ in range(2)]
        by_type = {m["type"]: m for m in got}
        msg = by_type["trade_executed"]
        assert msg["data"]["strategy_id"] == "v3_5b" and msg["data"]["quantity"] == 3 and "timestamp" in msg
        assert by_type["error"]["message"] == "broker down" and by_type["error"]["data"]["code"] == "BROKER"
        ws.send_json({"type": "ping"})
        assert _recv(ws)["type"] == "pong"
