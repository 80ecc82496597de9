"""Read endpoints on SQLite and PostgreSQL: performance v2, status/positions/regime, trades, auth."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from decimal import Decimal

from api_fixtures import Api, api_fixture, seed_daily, seed_trades  # noqa: F401

from jutsu.data.models import ExecutionRun, PerformanceSnapshot, Position, StrategyState


def test_daily_and_history_ranges_and_period_metrics(api: Api) -> None:
    dates = seed_daily(api.container, "v3_5b", 60)
    daily = api.get("/api/v2/performance/v3_5b/daily").json()
    assert daily["data_as_of"] == dates[-1].isoformat()
    assert daily["baseline"]["symbol"] == "QQQ"
    assert daily["data"]["holdings"][0]["symbol"] == "QQQ"

    hist = api.get("/api/v2/performance/v3_5b/daily/history", params={"days": 0}).json()
    assert hist["count"] == 60
    rows = hist["history"]
    assert rows[0]["trading_date"] > rows[-1]["trading_date"]  # newest first
    assert rows[-1]["sharpe_ratio"] == 0  # a present zero stays zero
    # period return over all rows is anchored on initial capital (DECISIONS 4)
    pm = hist["period_metrics"]
    assert math.isclose(pm["period_return"], rows[0]["total_equity"] / 10000 - 1, abs_tol=1e-6)
    # baseline side by side, rebased to inception
    assert rows[-1]["baseline_return"] == 0

    window = api.get(
        "/api/v2/performance/v3_5b/daily/history",
        params={"start_date": dates[10].isoformat(), "end_date": dates[19].isoformat()},
    ).json()
    assert window["count"] == 10
    equities = [r["total_equity"] for r in reversed(window["history"])]
    anchor = hist["history"][60 - 10]["total_equity"]  # the row just before dates[10]
    assert math.isclose(window["period_metrics"]["period_return"], equities[-1] / anchor - 1, abs_tol=1e-6)

    one_month = api.get("/api/v2/performance/v3_5b/daily/history", params={"range": "1M"}).json()
    assert 15 <= one_month["count"] <= 23
    assert all(
        r["trading_date"] > (dates[-1] - dt.timedelta(days=32)).isoformat() for r in one_month["history"]
    )

    months = api.get("/api/v2/performance/v3_5b/monthly-returns").json()["months"]
    assert [(m["year"], m["month"]) for m in months] == [(2024, 1), (2024, 2), (2024, 3)]


def test_performance_bad_input(api: Api) -> None:
    assert api.get("/api/v2/performance/nope/daily").status_code == 404
    assert api.get("/api/v2/performance/v3_5b/daily").status_code == 404  # no rows yet
    bad = api.get("/api/v2/performance/v3_5b/daily/history", params={"range": "2W"})
    assert bad.status_code == 422 and isinstance(bad.json()["detail"], list)
    bad_date = api.get("/api/v2/performance/eod-status/2024-13-40")
    assert bad_date.status_code == 422
    assert api.get("/api/v2/performance/eod-status/2024-01-02").json()["status"] == "pending"
    seed_daily(api.container, "v3_5b", 5)
    reversed_range = api.get(
        "/api/v2/performance/v3_5b/daily/history",
        params={"start_date": "2024-02-01", "end_date": "2024-01-01"},
    )
    assert reversed_range.status_code == 400 and "before" in reversed_range.json()["detail"]


def test_status_positions_regime(api: Api) -> None:
    assert api.get("/api/status/regime").status_code == 503
    now = dt.datetime(2024, 3, 1, 20, 55, tzinfo=dt.UTC)
    with api.container.sessions.begin() as s:
        s.add(
            StrategyState(
                strategy_id="v3_5b",
                mode="dry_run",
                cash=Decimal("500"),
                initial_capital=Decimal("10000"),
                inception_date=dt.date(2024, 1, 2),
            )
        )
        s.add(
            Position(
                symbol="QQQ",
                quantity=10,
                avg_cost=Decimal("400"),
                market_value=Decimal("4500"),
                unrealized_pnl=Decimal("500"),
                mode="dry_run",
                strategy_id="v3_5b",
            )
        )
        s.add(
            Position(
                symbol="QQQ", quantity=99, market_value=Decimal("1"), mode="dry_run", strategy_id="v3_5d"
            )
        )
        for src, cell, minutes in (("scheduler", 2, 0), ("refresh", None, 30)):
            s.add(
                PerformanceSnapshot(
                    timestamp=now + dt.timedelta(minutes=minutes),
                    total_equity=Decimal("5000"),
                    strategy_cell=cell,
                    trend_state="BullStrong" if cell else None,
                    vol_state="High" if cell else None,
                    t_norm=Decimal("0.7"),
                    snapshot_source=src,
                    mode="dry_run",
                    strategy_id="v3_5b",
                )
            )
    pos = api.get("/api/positions").json()
    assert pos["cash"] == 500 and pos["total_equity"] == 5000
    assert [p["quantity"] for p in pos["positions"]] == [10]  # v3_5d's book never leaks in
    assert pos["positions"][0]["weight"] == 0.9
    regime = api.get("/api/status/regime").json()
    assert regime["cell"] == 2 and regime["trend_state"] == "BullStrong"  # the scheduler snapshot wins
    status = api.get("/api/status").json()
    assert status["regime"]["cell"] == 2 and status["engine_state"] == "stopped"
    ind = api.get("/api/indicators").json()
    names = {i["name"]: i for i in ind["indicators"]}
    assert names["t_norm"]["signal"] == "Strong Bull"
    with api.container.sessions.begin() as s:  # a newer run: its journal as the pipeline writes it
        s.add(
            ExecutionRun(
                execution_id="run-after-snapshot",
                strategy_id="v3_5b",
                mode="dry_run",
                trading_date=dt.date(2024, 3, 4),
                trigger="scheduled",
                status="success",
                started_at=now + dt.timedelta(days=3),
                signals_json={"cell": 4, "trend_state": "Sideways", "vol_state": "High", "t_norm": 0.1},
            )
        )
    regime = api.get("/api/status/regime").json()
    assert (regime["cell"], regime["trend_state"], regime["vol_state"]) == (4, "Sideways", "High")
    assert api.get("/api/status", params={"strategy_id": "nope"}).status_code == 404
    assert api.get("/api/status", params={"mode": "bogus"}).status_code == 400


def test_trades_filters_pagination_export_stats(api: Api) -> None:
    seed_trades(api.container, "v3_5b", 25)
    seed_trades(api.container, "v3_5d", 3, mode="paper")
    page1 = api.get("/api/trades", params={"page_size": 10, "strategy_id": "v3_5b"}).json()
    assert page1["total"] == 25 and page1["total_pages"] == 3 and len(page1["trades"]) == 10
    page3 = api.get("/api/trades", params={"page_size": 10, "page": 3, "strategy_id": "v3_5b"}).json()
    ids = {t["id"] for t in page1["trades"]} | {t["id"] for t in page3["trades"]}
    assert len(ids) == 15  # pages never overlap
    stamps = [t["timestamp"] for t in page1["trades"]]
    assert stamps == sorted(stamps, reverse=True)
    sells = api.get("/api/trades", params={"action": "SELL", "symbol": "tqqq"}).json()
    assert sells["total"] > 0 and all(
        t["action"] == "SELL" and t["symbol"] == "TQQQ" for t in sells["trades"]
    )
    paper = api.get("/api/trades", params={"mode": "paper"}).json()
    assert paper["total"] == 3 and {t["strategy_id"] for t in paper["trades"]} == {"v3_5d"}
    dated = api.get("/api/trades", params={"start_date": "2024-01-05", "end_date": "2024-01-06"}).json()
    assert dated["total"] == 2
    assert api.get("/api/trades", params={"page_size": 501}).status_code == 422
    assert api.get("/api/trades", params={"mode": "bogus"}).status_code == 422

    export = api.get("/api/trades/export", params={"strategy_id": "v3_5b"})
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert "attachment; filename=trades_export_" in export.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert len(rows) == 25 and rows[0]["strategy_id"] == "v3_5b" and "execution_id" in rows[0]

    stats = api.get("/api/trades/summary/stats", params={"strategy_id": "v3_5b"}).json()
    assert stats["total_trades"] == 25 and stats["buy_trades"] == 13
    assert stats["total_round_trips"] == stats["winning_trades"] + stats["losing_trades"] > 0

    one = page1["trades"][0]["id"]
    assert api.get(f"/api/trades/{one}").json()["id"] == one
    missing = api.get("/api/trades/999999")
    assert missing.status_code == 404 and missing.json() == {"detail": "Trade 999999 not found"}


def test_permissions(api: Api) -> None:
    assert api.client.get("/api/trades").status_code == 401
    assert api.get("/api/trades", headers=api.viewer).status_code == 200
    assert api.get("/api/v2/performance/eod-status/today", headers=api.viewer).status_code == 200
    denied = api.post("/api/control/start", json={"action": "start"}, headers=api.viewer)
    assert (
        denied.status_code == 403 and denied.json()["detail"] == "Permission denied. Required: engine:control"
    )
    assert api.post("/api/v1/backtest/run", json={}, headers=api.viewer).status_code == 403
    assert api.get("/api/health").status_code == 200


def test_strategies_and_params_schema(api: Api) -> None:
    listing = api.get("/api/strategies").json()
    assert listing["primary_id"] == "v3_5b"
    assert {s["id"] for s in listing["strategies"]} == {"v3_5b", "v3_5d"}
    assert len(api.get("/api/strategies", params={"active_only": False}).json()["strategies"]) == 4
    detail = api.get("/api/strategies/v3_5b").json()
    assert "sma_fast" in detail["params_schema"]["properties"]
    nope = api.get("/api/strategies/nope")
    assert nope.status_code == 404 and "v3_5b" in nope.json()["detail"]
    classes = api.get("/api/v1/strategies/sma_crossover").json()
    assert classes["parameters"]["fast"]["min"] == 1
    ok = api.post(
        "/api/v1/strategies/validate", json={"strategy_name": "sma_crossover", "parameters": {"fast": 300}}
    )
    assert ok.json()["valid"] is False
