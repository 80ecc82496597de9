"""Cached performance responses follow the data: a newly finalized day shows up at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from api_fixtures import Api, api_fixture, seed_daily  # noqa: F401

from jutsu.data.models import DailyPerformance


def _finalize_next_day(api: Api, after: dt.date, equity: str) -> dt.date:
    day = after + dt.timedelta(days=3 if after.weekday() == 4 else 1)
    with api.container.sessions.begin() as session:
        session.add(
            DailyPerformance(
                trading_date=day,
                entity_type="strategy",
                entity_id="v3_5b",
                mode="dry_run",
                total_equity=Decimal(equity),
                daily_return=Decimal("0.01"),
                cumulative_return=Decimal("0.2"),
                initial_capital=Decimal("10000"),
            )
        )
    return day


def test_daily_and_history_see_a_new_finalized_day(api: Api) -> None:
    dates = seed_daily(api.container, "v3_5b", 30)
    first = api.get("/api/v2/performance/v3_5b/daily")
    assert first.status_code == 200
    assert first.json()["data_as_of"] == dates[-1].isoformat()
    assert api.get("/api/v2/performance/v3_5b/daily").json() == first.json()  # served again
    history = api.get("/api/v2/performance/v3_5b/daily/history?range=1M").json()
    assert history["history"][0]["trading_date"] == dates[-1].isoformat()

    new_day = _finalize_next_day(api, dates[-1], "12345.678")
    daily = api.get("/api/v2/performance/v3_5b/daily").json()
    assert daily["data_as_of"] == new_day.isoformat()
    assert daily["data"]["total_equity"] == 12345.678
    after = api.get("/api/v2/performance/v3_5b/daily/history?range=1M").json()
    assert after["history"][0]["trading_date"] == new_day.isoformat()
    comparison = api.get("/api/v2/performance/comparison?strategies=v3_5b,nope").json()
    assert comparison["strategies"][0]["data"]["trading_date"] == new_day.isoformat()
    assert comparison["strategies"][1]["data"] is None


def test_unknown_strategy_and_empty_history_still_answer_404(api: Api) -> None:
    assert api.get("/api/v2/performance/nope/daily").status_code == 404
    assert api.get("/api/v2/performance/v3_5b/daily").status_code == 404
    seed_daily(api.container, "v3_5b", 3)
    assert api.get("/api/v2/performance/v3_5b/daily").status_code == 200
