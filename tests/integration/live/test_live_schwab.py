"""Live mode end to end: the pipeline, the default broker factory and the REAL schwab-py client
against the fake Schwab server (token stored encrypted first, ``SCHWAB_BASE_URL`` at the fake).

Quotes of the strategy's symbols are the closes of ``DAY`` (the fake's quote templates are
patched per symbol); the fake fills each order in two legs around that price, so slippage stays
under the warning level and the fills are deterministic.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from live_helpers import SYMBOLS, RecordingNotifier, close_of, history, job
from sqlalchemy import Engine, select

import fakes.schwab_server as fake
from fakes.schwab_server import APP_KEY, APP_SECRET, FakeSchwab, fake_schwab
from jutsu.brokers.schwab_tokens import SchwabTokenStore, TokenCipher
from jutsu.data.models import LiveTrade, ReconciliationReport
from jutsu.data.repositories.live_ledger import read_book
from jutsu.live.brokers import default_broker_factory
from jutsu.live.pipeline import LiveContext, run_strategy
from jutsu.live.safety import LiveNotConfirmed

DAY = dt.date(2023, 1, 3)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSchwab]:
    with fake_schwab() as srv:
        for symbol in SYMBOLS:
            entry = copy.deepcopy(fake.QUOTES["NVDA"])
            close = close_of(symbol, DAY)
            entry["quote"]["lastPrice"] = float(close)
            monkeypatch.setitem(fake.QUOTES, symbol, entry)
            srv.state.fill_prices[symbol] = close - Decimal("0.10")
        yield srv


def _env(server: FakeSchwab, key: str) -> dict[str, str]:
    return {
        "SCHWAB_API_KEY": APP_KEY,
        "SCHWAB_API_SECRET": APP_SECRET,
        "SCHWAB_ACCOUNT_NUMBER": server.account_number,
        "SCHWAB_BASE_URL": server.base_url,
        "BROKER_TOKEN_ENCRYPTION_KEY": key,
        "SCHWAB_TIMEOUT_SECONDS": "2",
        "LIVE_TRADING_CONFIRMED": "true",
    }


def _context(
    engine: Engine, server: FakeSchwab, tmp_path: Path, **kw: object
) -> tuple[LiveContext, RecordingNotifier]:
    key = Fernet.generate_key().decode()
    SchwabTokenStore(engine, TokenCipher(key)).write(server.issue_token())
    notifier = RecordingNotifier()
    ctx = LiveContext(
        engine=engine,
        broker_for=default_broker_factory(engine, _env(server, key), secrets_dir=tmp_path),
        history=history,
        notifier=notifier,
        live_confirmed=True,
        sleep=lambda _s: None,
        **kw,  # type: ignore[arg-type]
    )
    return ctx, notifier


def _rows(engine: Engine) -> list[LiveTrade]:
    with engine.connect() as conn:
        return list(
            conn.execute(select(LiveTrade).where(LiveTrade.mode == "live").order_by(LiveTrade.id)).all()
        )  # type: ignore[arg-type]


def _vwap(server: FakeSchwab, order_id: str) -> Decimal:
    order = server.state.orders[int(order_id)]
    legs = [leg for a in order["orderActivityCollection"] for leg in a["executionLegs"]]
    qty = sum(Decimal(str(leg["quantity"])) for leg in legs)
    notional = sum(Decimal(str(leg["quantity"])) * Decimal(str(leg["price"])) for leg in legs)
    return (notional / qty).quantize(Decimal("0.000001"))


def test_live_run_orders_fills_persists_and_never_resends(
    db_engine: Engine, server: FakeSchwab, tmp_path: Path
) -> None:
    ctx, notifier = _context(db_engine, server, tmp_path)
    outcome = run_strategy(ctx, job("v3_5b", mode="live"), session=DAY)
    assert outcome.status == "success", outcome.message
    rows = _rows(db_engine)
    assert len(rows) >= 1 and outcome.orders_filled == len(rows)
    assert len(server.received_orders) == len(rows)  # one HTTP order per ledger row
    for row in rows:
        assert row.client_order_id == f"{outcome.execution_id}:{row.symbol}:{row.action}"
        assert row.status == "filled" and row.filled_quantity == row.quantity
        assert row.schwab_order_id is not None
        assert Decimal(row.fill_price) == _vwap(server, row.schwab_order_id)  # both legs averaged
    sent = [
        (o["orderLegCollection"][0]["instrument"]["symbol"], o["orderLegCollection"][0]["instruction"])
        for o in server.received_orders
    ]
    assert sent == [(r.symbol, r.action) for r in rows]
    # the live book: seeded from the account (SPY 2 of the fixture), then moved by the fills
    book = read_book(db_engine, "v3_5b", "live")
    assert book is not None
    assert book.quantities()["SPY"] == 2
    for row in rows:
        assert book.quantities().get(row.symbol, 0) == (row.filled_quantity if row.action == "BUY" else 0)
    with db_engine.connect() as conn:
        report = conn.execute(select(ReconciliationReport).order_by(ReconciliationReport.id.desc())).first()
    assert report is not None and report.matched == len(rows) and report.total_local == len(rows)
    # the fake's account does not move with fills: reconciliation must report that drift
    assert any(a.kind == "reconciliation_drift" for a in notifier.alerts)

    again = run_strategy(ctx, job("v3_5b", mode="live"), session=DAY)
    assert again.status == "skipped"
    assert len(server.received_orders) == len(rows)  # no second order at the broker


def test_http_500_mid_order_fails_clearly_then_rerun_completes_without_duplicates(
    db_engine: Engine, server: FakeSchwab, tmp_path: Path
) -> None:
    ctx, notifier = _context(db_engine, server, tmp_path)
    server.fault("place_order", "http500")  # the order endpoint fails once
    first = run_strategy(ctx, job("v3_5b", mode="live"), session=DAY)
    assert first.status == "failed", first.message
    assert "failed at the broker" in first.message and "500" in first.message, first.message
    assert any(a.kind == "run_failed" and a.severity == "critical" for a in notifier.alerts)
    assert server.received_orders == []
    assert [r.status for r in _rows(db_engine)] == ["intent"]  # journaled before the broker call

    rerun = run_strategy(ctx, job("v3_5b", mode="live"), session=DAY)
    assert rerun.status == "success", rerun.message
    assert rerun.execution_id == first.execution_id  # the same run resumed: same client ids
    rows = _rows(db_engine)
    assert all(r.status == "filled" for r in rows)
    assert len(server.received_orders) == len(rows) == len({r.client_order_id for r in rows})


def test_live_broker_needs_confirmation(db_engine: Engine, server: FakeSchwab, tmp_path: Path) -> None:
    env = _env(server, Fernet.generate_key().decode())
    env.pop("LIVE_TRADING_CONFIRMED")
    factory = default_broker_factory(db_engine, env, secrets_dir=tmp_path)
    with pytest.raises(LiveNotConfirmed, match="LIVE_TRADING_CONFIRMED"):
        factory("v3_5b", "live")
    assert server.state.requests == []  # nothing reached the broker
