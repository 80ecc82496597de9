"""``GET /api/control/preview``: the orders the next run would place, from the live pipeline.

Real shared prices go into the database through the market-data repository; the expected
orders are derived independently from the book, the payload's own target weights and prices
(whole shares of the equity gap), never copied from an earlier run's output.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from api_fixtures import Api, api_fixture  # noqa: F401
from sqlalchemy import Engine

from jutsu.api.services.preview import preview_session
from shared_data import PRICES

FIRST = dt.date(2024, 6, 3)
LAST = dt.date(2024, 12, 31)


def _import(engine: Engine, symbols: tuple[str, ...], first: dt.date = FIRST, last: dt.date = LAST) -> None:
    from jutsu.data.repositories.market_data import import_bars
    from jutsu.data.sources.csv_source import read_price_csv

    for sym in symbols:
        symbol, frame = read_price_csv(PRICES / f"{sym}.csv", sym)
        idx = frame.index if "date" not in frame.columns else frame["date"]
        days = [d.date() if hasattr(d, "date") else d for d in idx]
        mask = [first <= d <= last for d in days]
        import_bars(engine, symbol, frame[mask], source="csv", operation="import")


def _last_close(symbol: str) -> Decimal:
    from jutsu.data.sources.csv_source import read_price_csv

    _, frame = read_price_csv(PRICES / f"{symbol}.csv", symbol)
    idx = frame.index if "date" not in frame.columns else frame["date"]
    days = [d.date() if hasattr(d, "date") else d for d in idx]
    keep = [d <= LAST for d in days]
    return Decimal(str(frame[keep]["close"].iloc[-1]))


def test_buy_and_hold_preview_on_an_empty_book(api: Api) -> None:
    _import(api.container.engine, ("QQQ",))
    r = api.get("/api/control/preview", params={"strategy_id": "buy_and_hold"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["strategy_id"] == "buy_and_hold"
    assert body["mode"] == "dry_run"
    assert body["quote_source"] == "last_close"
    assert body["session"] == preview_session(dt.datetime.now(dt.UTC)).isoformat()
    price = _last_close("QQQ")
    assert Decimal(str(body["prices"]["QQQ"])) == price
    assert body["positions"] == {}
    assert body["target_weights"] == {"QQQ": pytest.approx(1.0)}
    (order,) = body["orders"]
    capital = Decimal(str(body["cash"]))
    assert order["symbol"] == "QQQ" and order["side"] == "BUY"
    # whole shares of a fully invested book: never more than the cash buys, at most one short
    assert 0 < order["quantity"] <= int(capital / price)
    assert order["quantity"] >= int(capital / price) - 1
    assert order["estimated_value"] == pytest.approx(order["quantity"] * float(price))
    assert order["current_weight"] == 0.0
    assert order["target_weight"] == pytest.approx(1.0)
    assert "QQQ" in order["reason"] and not order["below_threshold"]
    assert body["message"].startswith("1 order(s) would be placed; priced at the close of 2024-12-31")
    # a viewer may read it (status:read); nothing was written
    assert (
        api.get(
            "/api/control/preview", params={"strategy_id": "buy_and_hold"}, headers=api.viewer
        ).status_code
        == 200
    )
    assert api.get("/api/positions", params={"strategy_id": "buy_and_hold"}).json()["positions"] == []


def test_v3_5b_preview_of_a_held_book_carries_the_regime_and_weights(api: Api) -> None:
    from jutsu.data.repositories.live_ledger import seed_book

    engine = api.container.engine
    _import(engine, ("QQQ", "TQQQ", "PSQ", "TLT", "TMF", "TMV"), first=dt.date(2023, 6, 1))
    seed_book(
        engine,
        "v3_5b",
        "dry_run",
        cash=Decimal("4000"),
        positions={"QQQ": (10, Decimal("400"))},
        initial_capital=Decimal("10000"),
        inception_date=FIRST,
    )
    r = api.get("/api/control/preview", params={"strategy_id": "v3_5b"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["positions"] == {"QQQ": 10}
    qqq = float(_last_close("QQQ"))
    assert body["equity"] == pytest.approx(4000 + 10 * qqq)
    assert body["current_weights"]["QQQ"] == pytest.approx(10 * qqq / body["equity"])
    assert body["regime"]["cell"] in range(1, 7)
    assert body["regime"]["trend_state"] in ("BullStrong", "Sideways", "BearStrong")
    weights = body["target_weights"]
    assert 0 < sum(weights.values()) <= 1.0 + 1e-9
    if not body["orders"]:
        assert body["message"].startswith("No orders: the strategy holds today")
    for o in body["orders"]:
        target, current = weights.get(o["symbol"], 0.0), body["current_weights"].get(o["symbol"], 0.0)
        assert o["target_weight"] == pytest.approx(target)
        assert o["current_weight"] == pytest.approx(current)
        assert o["side"] == ("BUY" if target > current else "SELL")
        # never more shares than the weight gap buys or sells
        assert (
            o["quantity"] * o["reference_price"]
            <= abs(target - current) * body["equity"] + o["reference_price"]
        )
        assert o["regime_cell"] == body["regime"]["cell"]
        assert f"Cell {body['regime']['cell']}" in o["reason"]
    if "QQQ" not in weights:
        assert any(
            o["symbol"] == "QQQ" and o["side"] == "SELL" and o["quantity"] == 10 for o in body["orders"]
        )


def test_unknown_strategy_and_missing_data_are_clear_4xx(api: Api) -> None:
    r = api.get("/api/control/preview", params={"strategy_id": "nope"})
    assert r.status_code == 404
    assert "nope" in r.json()["detail"] and "v3_5b" in r.json()["detail"]
    r = api.get("/api/control/preview", params={"strategy_id": "buy_and_hold"})
    assert r.status_code == 409
    assert r.json()["detail"].startswith("No prices for QQQ")


def test_live_quote_source_is_used_and_named(db_engine: Engine, tmp_path: Path) -> None:
    from api_fixtures import start_api

    from jutsu.brokers.simulated import fixed_quotes

    _import(db_engine, ("QQQ",))
    stamp = dt.datetime(2025, 1, 2, 20, 55, tzinfo=dt.UTC)
    extras = {"quote_source": fixed_quotes({"QQQ": Decimal("500.25")}, stamp)}
    for api in start_api(db_engine, tmp_path, extras):
        body = api.get("/api/control/preview", params={"strategy_id": "buy_and_hold"}).json()
        assert body["quote_source"] == "live"
        assert body["prices"] == {"QQQ": 500.25}
        assert body["orders"][0]["reference_price"] == 500.25
        assert dt.datetime.fromisoformat(body["as_of"]) == stamp


def test_first_day_of_an_empty_book_buys_every_target(db_engine: Engine, tmp_path: Path) -> None:
    """Pinned to the session after the data: the strategy's first day trades into its targets."""
    from api_fixtures import start_api

    _import(db_engine, ("QQQ", "TQQQ", "PSQ", "TLT", "TMF", "TMV"), first=dt.date(2023, 6, 1))
    now = dt.datetime(2025, 1, 2, 20, 50, tzinfo=dt.UTC)
    for api in start_api(db_engine, tmp_path, {"preview_clock": lambda: now}):
        body = api.get("/api/control/preview", params={"strategy_id": "v3_5d"}).json()
        assert body["session"] == "2025-01-02"
        weights = {s: w for s, w in body["target_weights"].items() if w > 0}
        assert weights and body["positions"] == {}
        assert {o["symbol"] for o in body["orders"]} == set(weights)
        spent = 0.0
        for o in body["orders"]:
            assert o["side"] == "BUY" and o["current_weight"] == 0.0
            assert o["reference_price"] == body["prices"][o["symbol"]]
            assert o["quantity"] == int(o["quantity"]) > 0
            spent += o["estimated_value"]
        assert spent <= body["cash"]
