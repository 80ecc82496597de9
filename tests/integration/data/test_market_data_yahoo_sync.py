"""Yahoo source against a local fake of the chart API, and incremental sync on both databases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import requests
from sqlalchemy import Engine, select
from yahoo_fake import YAHOO, FakeYahoo, fake_yahoo

from jutsu.data.calendar import sessions_between
from jutsu.data.models import DataMetadata, MarketData
from jutsu.data.repositories.market_data import audit_rows, import_bars, last_bar_date, load_bars
from jutsu.data.sources.csv_source import CsvDirectorySource
from jutsu.data.sources.yahoo import YahooSource
from jutsu.data.sync import sync_symbol
from jutsu.errors import DataError

PRICES = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "prices"
ET = ZoneInfo("America/New_York")
LATER = datetime(2026, 1, 5, 18, 0, tzinfo=UTC)


@pytest.fixture
def yahoo(tmp_path: Path) -> Iterator[tuple[FakeYahoo, YahooSource]]:
    with fake_yahoo() as (state, session):
        yield state, YahooSource(session=session, cache_dir=tmp_path / "yf-cache", now=LATER)


def _recorded_bars(name: str) -> list[tuple[date, Decimal, Decimal, Decimal, Decimal, int]]:
    """The fixture's bars read straight from the JSON (ET date of each stamp, exact float text)."""
    result = json.loads((YAHOO / name).read_text())["response"]["bodyJson"]["chart"]["result"][0]
    quote = result["indicators"]["quote"][0]
    out = []
    for i, stamp in enumerate(result["timestamp"]):
        day = datetime.fromtimestamp(stamp, tz=UTC).astimezone(ET).date()
        values = [Decimal(repr(float(quote[k][i]))) for k in ("open", "high", "low", "close")]
        out.append((day, *values, int(quote["volume"][i])))
    return out


def test_yahoo_bars_are_the_recorded_unadjusted_values_on_session_dates(
    yahoo: tuple[FakeYahoo, YahooSource],
) -> None:
    state, source = yahoo
    frame = source.fetch("AAPL", date(2020, 8, 31), date(2020, 11, 6))
    expected = _recorded_bars("chart_AAPL_1d_2020-08-31_2020-11-06_div_split.json")
    got = [(d.date(), o, h, lo, c, v) for d, o, h, lo, c, v in frame.itertuples(index=False, name=None)]
    assert got == expected
    assert frame["date"].iloc[0] == pd.Timestamp("2020-08-31")  # the 4:1 split day itself
    assert frame["volume"].dtype == "int64"
    chart = state.chart_requests("AAPL")
    assert any("period1=" in p and "interval=1d" in p for p in chart)


def test_yahoo_single_bar_and_window(yahoo: tuple[FakeYahoo, YahooSource]) -> None:
    _, source = yahoo
    frame = source.fetch("QQQ", date(2020, 1, 1), date(2020, 1, 3))
    assert frame["date"].tolist() == [pd.Timestamp("2020-01-02")]
    assert frame["close"].item() == Decimal("216.16000366210938")
    assert source.fetch("QQQ", date(2020, 1, 3), date(2020, 1, 3)).empty


def test_yahoo_unknown_symbol_is_a_clear_error(yahoo: tuple[FakeYahoo, YahooSource]) -> None:
    state, source = yahoo
    for symbol in ("SI", "ZZZZ"):
        with pytest.raises(DataError, match=f"Yahoo does not know symbol {symbol}"):
            source.fetch(symbol, date(2020, 1, 1), date(2020, 1, 3))
        assert state.chart_requests(symbol)  # the fake really was asked


def test_yahoo_400_no_data_is_a_clear_error(yahoo: tuple[FakeYahoo, YahooSource], tmp_path: Path) -> None:
    import yfinance as yf

    state, source = yahoo
    source.fetch("QQQ", date(2020, 1, 1), date(2020, 1, 3))  # sets yfinance's cache location
    # BEKE is a listed symbol: only its *range* is empty. Its exchange timezone is known (as after
    # any earlier lookup), so yfinance goes straight to the recorded 400 chart response.
    yf.cache.get_tz_cache().store("BEKE", "America/New_York")
    with pytest.raises(DataError, match=r"Yahoo has no data for BEKE .*Data doesn't exist"):
        source.fetch("BEKE", date(2020, 1, 1), date(2020, 1, 3))
    assert any("period1=" in p for p in state.chart_requests("BEKE"))


def test_yahoo_network_failure_is_a_data_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    session = requests.Session()
    from yahoo_fake import RedirectAdapter

    session.mount("https://", RedirectAdapter(port))
    source = YahooSource(session=session, cache_dir=tmp_path, now=LATER, timeout=2)
    with pytest.raises(DataError, match="MSFT"):
        source.fetch("MSFT", date(2021, 2, 1), date(2021, 2, 5))


class RecordingSource:
    """CSV directory source that records which ranges were asked for."""

    name = "csv"

    def __init__(self) -> None:
        self.inner = CsvDirectorySource(PRICES)
        self.calls: list[tuple[date, date | None]] = []

    def fetch(self, symbol: str, start: date, end: date | None = None) -> pd.DataFrame:
        self.calls.append((start, end))
        return self.inner.fetch(symbol, start, end)


def test_sync_fetches_only_bars_after_the_last_stored_one(db_engine: Engine) -> None:
    first_half = CsvDirectorySource(PRICES).fetch("QQQ", date(2020, 1, 1), date(2020, 6, 30))
    import_bars(db_engine, "QQQ", first_half, "csv")
    source = RecordingSource()
    after_close = datetime(2020, 12, 31, 16, 30, tzinfo=ET)
    result = sync_symbol(db_engine, source, "QQQ", date(2020, 1, 1), now=after_close)
    assert source.calls == [(date(2020, 7, 1), date(2020, 12, 31))]
    expected = len(sessions_between(date(2020, 7, 1), date(2020, 12, 31)))
    assert (result.bars_fetched, result.bars_stored, result.bars_conflicting) == (expected, expected, 0)
    assert last_bar_date(db_engine, "QQQ") == date(2020, 12, 31)
    with db_engine.connect() as conn:
        meta_last = conn.execute(select(DataMetadata.last_bar_timestamp)).scalar_one()
    assert meta_last.astimezone(ET).date() == date(2020, 12, 31)
    assert any(r["operation"] == "sync" and r["status"] == "success" for r in audit_rows(db_engine, "QQQ"))

    source.calls.clear()
    again = sync_symbol(db_engine, source, "QQQ", date(2020, 1, 1), now=after_close)
    assert source.calls == [] and again.bars_fetched == 0


def test_sync_never_stores_the_session_in_progress(db_engine: Engine) -> None:
    source = RecordingSource()
    during = datetime(2020, 12, 31, 11, 0, tzinfo=ET)
    sync_symbol(db_engine, source, "QQQ", date(2020, 12, 1), now=during)
    assert source.calls == [(date(2020, 12, 1), date(2020, 12, 30))]
    assert last_bar_date(db_engine, "QQQ") == date(2020, 12, 30)


def test_sync_backfills_before_the_first_stored_bar(db_engine: Engine) -> None:
    import_bars(
        db_engine, "TLT", CsvDirectorySource(PRICES).fetch("TLT", date(2015, 3, 1), date(2015, 3, 31)), "csv"
    )
    source = RecordingSource()
    sync_symbol(db_engine, source, "TLT", date(2015, 2, 1), date(2015, 4, 30), now=LATER)
    # stored: 2015-03-02 .. 2015-03-31 (March 1st was a Sunday)
    assert source.calls == [(date(2015, 2, 1), date(2015, 3, 1)), (date(2015, 4, 1), date(2015, 4, 30))]
    frame = load_bars(db_engine, "TLT")
    assert frame["date"].dt.date.tolist() == sessions_between(date(2015, 2, 2), date(2015, 4, 30))


def test_sync_from_yahoo_stores_yahoo_bars(db_engine: Engine, yahoo: tuple[FakeYahoo, YahooSource]) -> None:
    _, source = yahoo
    result = sync_symbol(db_engine, source, "MSFT", date(2021, 2, 1), date(2021, 2, 26), now=LATER)
    assert result.bars_stored == len(sessions_between(date(2021, 2, 1), date(2021, 2, 26)))
    with db_engine.connect() as conn:
        sources = set(conn.execute(select(MarketData.data_source)).scalars())
    assert sources == {"yahoo"}
    recorded = {d: c for d, _, _, _, c, _ in _recorded_bars("chart_MSFT_1d_2021-02-01_2022-01-28_div.json")}
    stored = load_bars(db_engine, "MSFT")
    for day, close in zip(stored["date"].dt.date, stored["close"], strict=True):
        assert close == recorded[day].quantize(Decimal("0.000001"))
