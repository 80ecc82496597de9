"""Unknown resources are 404s with a one-line ``detail``, never an empty 200 (reliability campaign).

``GET /api/v1/data/<symbol>/bars`` for a symbol with no stored bar, and ``DELETE
/api/config/<name>`` for a parameter the strategy does not have. Known resources keep their
answers: a stored symbol outside its date range is an empty list, a known parameter that is
not overridden is "was not overridden".
"""

from __future__ import annotations

import datetime as dt

from api_fixtures import Api, api_fixture  # noqa: F401

from shared_data import PRICES


def _import_qqq(api: Api) -> None:
    from jutsu.data.repositories.market_data import import_bars
    from jutsu.data.sources.base import slice_frame
    from jutsu.data.sources.csv_source import read_price_csv

    symbol, frame = read_price_csv(PRICES / "QQQ.csv")
    import_bars(
        api.container.engine,
        symbol,
        slice_frame(frame, dt.date(2024, 1, 2), dt.date(2024, 1, 31)),
        source="csv",
        operation="import",
    )


def test_bars_of_an_unknown_symbol_are_a_404(api: Api) -> None:
    _import_qqq(api)
    r = api.get("/api/v1/data/ZZZZ/bars")
    assert r.status_code == 404, r.text
    assert r.json() == {"detail": "unknown symbol ZZZZ"}
    assert api.get("/api/v1/data/zzzz/bars").json() == {"detail": "unknown symbol ZZZZ"}
    known = api.get("/api/v1/data/qqq/bars")
    assert known.status_code == 200 and len(known.json()) > 0
    assert {b["trading_date"][:7] for b in known.json()} == {"2024-01"}
    empty = api.get("/api/v1/data/QQQ/bars", params={"start_date": "2030-01-01"})
    assert empty.status_code == 200 and empty.json() == []  # known symbol, nothing in range
    assert api.get("/api/v1/data/QQQ/bars", params={"timeframe": "1H"}).json() == []


def test_resetting_an_unknown_parameter_is_a_404(api: Api) -> None:
    r = api.client.delete("/api/config/no_such_param", params={"strategy_id": "v3_5b"}, headers=api.admin)
    assert r.status_code == 404, r.text
    detail = r.json()["detail"]
    assert detail.startswith("unknown parameter 'no_such_param' for v3_5b; known parameters: ")
    assert "sma_fast" in detail and "\n" not in detail
    ok = api.client.delete("/api/config/sma_fast", params={"strategy_id": "v3_5b"}, headers=api.admin)
    assert ok.status_code == 200 and "was not overridden" in ok.json()["message"]
    ghost = api.client.delete("/api/config/sma_fast", params={"strategy_id": "ghost"}, headers=api.admin)
    assert ghost.status_code == 404
    history = api.get("/api/config/history", params={"strategy_id": "v3_5b"}).json()["history"]
    assert history == []  # refused resets leave no audit row
