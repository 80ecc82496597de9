"""SchwabBroker with the REAL schwab-py client against the fake Schwab server (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import time
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fakes.schwab_server import FakeSchwab
from jutsu.brokers.base import Broker, OrderRequest
from jutsu.brokers.schwab_broker import SchwabBroker, open_schwab_broker
from jutsu.brokers.schwab_client import SchwabConfig
from jutsu.brokers.schwab_tokens import SchwabTokenStore
from jutsu.data.models import BrokerToken
from jutsu.errors import BrokerError, BrokerUnavailable


def _order(cid: str = "exec1:QQQ:BUY", qty: int = 10, side: str = "BUY") -> OrderRequest:
    return OrderRequest(cid, "QQQ", side, qty, Decimal("500"))  # type: ignore[arg-type]


def _vwap(server: FakeSchwab, order_id: str) -> tuple[int, Decimal]:
    order = server.state.orders[int(order_id)]
    legs = [leg for a in order.get("orderActivityCollection", []) for leg in a["executionLegs"]]
    qty = sum(Decimal(str(leg["quantity"])) for leg in legs)
    notional = sum(Decimal(str(leg["quantity"])) * Decimal(str(leg["price"])) for leg in legs)
    return int(qty), (notional / qty).quantize(Decimal("0.000001"))


def test_is_a_broker(fast_broker: SchwabBroker) -> None:
    assert isinstance(fast_broker, Broker)


def test_account_hash_cash_and_positions(fast_broker: SchwabBroker, schwab_server: FakeSchwab) -> None:
    assert fast_broker.account_hash == schwab_server.account_hash
    snap = fast_broker.account()
    assert snap.cash == Decimal("51420.89") and snap.equity == Decimal("51434.86")
    assert snap.account_id.endswith(schwab_server.account_number[-4:])
    assert schwab_server.account_number not in snap.account_id
    positions = fast_broker.positions()
    assert positions["SPY"].quantity == 2 and positions["SPY"].avg_cost == Decimal("571.215")
    assert not any(" " in symbol for symbol in positions)  # option contracts are skipped
    hash_calls = [p for m, p in schwab_server.state.requests if p.endswith("accountNumbers")]
    assert len(hash_calls) == 1  # looked up once


def test_unknown_account_number(
    db_engine: Engine, schwab_config: SchwabConfig, token_store: SchwabTokenStore, schwab_server: FakeSchwab
) -> None:
    token_store.write(schwab_server.issue_token())
    broker = open_schwab_broker(dataclasses.replace(schwab_config, account_number="99998888"), db_engine)
    with pytest.raises(BrokerError, match=r"\*\*\*\*8888 .*not linked") as err:
        broker.account()
    assert "99998888" not in str(err.value)


def test_quotes_fresh_stale_and_invalid(fast_broker: SchwabBroker, schwab_server: FakeSchwab) -> None:
    quotes = fast_broker.quotes(["qqq", "AAPL"])
    assert set(quotes) == {"QQQ", "AAPL"}
    assert quotes["AAPL"].last == Decimal("234.87") and quotes["AAPL"].bid == Decimal("234.86")
    assert abs(quotes["QQQ"].timestamp.timestamp() - time.time()) < 30
    schwab_server.state.quote_age_seconds = 600
    with pytest.raises(BrokerError, match="stale quote for QQQ"):
        fast_broker.quotes(["QQQ"])
    schwab_server.state.quote_age_seconds = 0
    with pytest.raises(BrokerError, match="no Schwab quote for BAD"):
        fast_broker.quotes(["QQQ", "BAD"])


def test_place_fill_is_idempotent(broker: SchwabBroker, schwab_server: FakeSchwab) -> None:
    report = broker.place_order(_order())
    assert report.status == "filled" and report.broker_order_id is not None
    qty, avg = _vwap(schwab_server, report.broker_order_id)
    assert (report.filled_quantity, report.avg_fill_price) == (qty, avg) == (10, avg)
    again = broker.place_order(_order())
    assert again.broker_order_id == report.broker_order_id
    assert broker.get_order("exec1:QQQ:BUY") == again
    assert len(schwab_server.received_orders) == 1
    sent = schwab_server.received_orders[0]
    assert sent["orderType"] == "MARKET" and sent["duration"] == "DAY"
    assert sent["orderLegCollection"][0]["instruction"] == "BUY"
    # a different run with the same symbol/side/qty is a new order, not an adoption of the first
    second = broker.place_order(_order("exec2:QQQ:BUY"))
    assert second.broker_order_id != report.broker_order_id
    assert len(schwab_server.received_orders) == 2
    with pytest.raises(BrokerError, match="already used"):
        broker.place_order(_order("exec1:QQQ:BUY", qty=11))


def test_poll_partial_then_cancel(fast_broker: SchwabBroker, schwab_server: FakeSchwab) -> None:
    schwab_server.fill_mode = "partial"
    report = fast_broker.place_order(_order(qty=9))
    assert report.status == "partially_filled" and report.filled_quantity == 4
    cancelled = fast_broker.cancel_order(report.client_order_id)
    assert cancelled.status == "cancelled" and cancelled.filled_quantity == 4
    assert fast_broker.cancel_order(report.client_order_id) == cancelled  # terminal: no second DELETE
    deletes = [p for m, p in schwab_server.state.requests if m == "DELETE"]
    assert len(deletes) == 1


def test_working_order_polled_and_cancelled(fast_broker: SchwabBroker, schwab_server: FakeSchwab) -> None:
    schwab_server.fill_mode = "working"
    report = fast_broker.place_order(_order(side="SELL", cid="e:QQQ:SELL"))
    assert report.status == "accepted" and report.side == "SELL" and not report.is_terminal
    assert fast_broker.cancel_order("e:QQQ:SELL").status == "cancelled"
    with pytest.raises(BrokerError, match="no such order"):
        fast_broker.cancel_order("never-placed")
    assert fast_broker.get_order("never-placed") is None


def test_rejected_order_carries_schwab_reason(fast_broker: SchwabBroker, schwab_server: FakeSchwab) -> None:
    schwab_server.fill_mode = "reject"
    report = fast_broker.place_order(_order())
    assert report.status == "rejected"
    assert report.message == schwab_server.state.orders[int(report.broker_order_id or 0)]["statusDescription"]
    assert "decimals" in report.message


def test_http500_on_place_then_retry_sends_once(broker: SchwabBroker, schwab_server: FakeSchwab) -> None:
    schwab_server.fault("place_order", "http500")
    with pytest.raises(BrokerUnavailable, match="HTTP 500"):
        broker.place_order(_order())
    assert schwab_server.received_orders == []
    assert broker.get_order("exec1:QQQ:BUY") is None
    report = broker.place_order(_order())
    assert report.status == "filled"
    assert len(schwab_server.received_orders) == 1


def test_timeout_on_place_then_retry_adopts(broker: SchwabBroker, schwab_server: FakeSchwab) -> None:
    schwab_server.fault("place_order", "timeout")
    with pytest.raises(BrokerUnavailable, match="did not answer in time"):
        broker.place_order(_order())
    assert len(schwab_server.received_orders) == 1  # Schwab got it; the answer was lost
    report = broker.place_order(_order())
    assert report.status == "filled" and report.broker_order_id is not None
    assert len(schwab_server.received_orders) == 1  # adopted, not sent again
    assert broker.place_order(_order()).broker_order_id == report.broker_order_id


def test_missing_location_is_found_by_scan(fast_broker: SchwabBroker, schwab_server: FakeSchwab) -> None:
    schwab_server.fill_mode = "no_location"
    report = fast_broker.place_order(_order())
    assert report.status == "filled" and report.broker_order_id is not None
    assert len(schwab_server.received_orders) == 1


@pytest.mark.parametrize(
    ("operation", "mode", "error", "pattern"),
    [
        ("account", "http500", BrokerUnavailable, "unavailable"),
        ("account", "timeout", BrokerUnavailable, "did not answer in time"),
        ("account", "unauthorized", BrokerError, "jutsu broker login"),
        ("account", "invalid_account", BrokerError, "invalid account"),
        ("quotes", "timeout", BrokerUnavailable, "fetching quotes"),
        ("get_order", "http500", BrokerUnavailable, "reading order"),
    ],
)
def test_fault_modes_map_to_errors(
    fast_broker: SchwabBroker,
    schwab_server: FakeSchwab,
    operation: str,
    mode: str,
    error: type[Exception],
    pattern: str,
) -> None:
    if operation == "get_order":
        schwab_server.fill_mode = "working"
        fast_broker.place_order(_order())
    schwab_server.fault(operation, mode)
    with pytest.raises(error, match=pattern) as err:
        if operation == "account":
            fast_broker.account()
        elif operation == "quotes":
            fast_broker.quotes(["QQQ"])
        else:
            fast_broker.get_order("exec1:QQQ:BUY")
    if error is BrokerError:
        assert not isinstance(err.value, BrokerUnavailable)
    assert len(schwab_server.received_orders) == (1 if operation == "get_order" else 0)


def test_expired_access_token_is_refreshed_and_stored_encrypted(
    db_engine: Engine, schwab_config: SchwabConfig, token_store: SchwabTokenStore, schwab_server: FakeSchwab
) -> None:
    wrapped = schwab_server.issue_token()
    wrapped["token"]["expires_at"] = int(time.time()) - 10  # access token already expired
    token_store.write(wrapped)
    old_access = wrapped["token"]["access_token"]
    broker = open_schwab_broker(schwab_config, db_engine)
    broker.account()
    assert [r["grant_type"] for r in schwab_server.state.token_requests] == ["refresh_token"]
    stored = token_store.load()
    assert stored is not None
    new_access = stored.token["token"]["access_token"]
    assert new_access != old_access and new_access in schwab_server.state.access_tokens
    assert stored.token["creation_timestamp"] == wrapped["creation_timestamp"]  # refresh keeps it
    with Session(db_engine) as session:
        ciphertext = session.scalars(select(BrokerToken.token_ciphertext)).one()
    assert new_access not in ciphertext and "refresh_token" not in ciphertext
    assert stored.created_at.timestamp() == wrapped["creation_timestamp"]


def test_rejected_refresh_token_says_login(
    db_engine: Engine, schwab_config: SchwabConfig, token_store: SchwabTokenStore, schwab_server: FakeSchwab
) -> None:
    wrapped = schwab_server.issue_token()
    wrapped["token"]["expires_at"] = int(time.time()) - 10
    wrapped["token"]["refresh_token"] = "revoked"
    token_store.write(wrapped)
    with pytest.raises(BrokerError, match="jutsu broker login"):
        open_schwab_broker(schwab_config, db_engine).account()


def test_no_token_stored(db_engine: Engine, schwab_config: SchwabConfig) -> None:
    with pytest.raises(BrokerError, match="no Schwab token stored"):
        open_schwab_broker(schwab_config, db_engine)
