"""NYSE calendar rules (close instants, Yahoo stamps, gaps) and the synthetic generator."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from jutsu.data.calendar import (
    close_instants,
    is_half_day,
    is_session,
    last_completed_session,
    missing_sessions,
    session_close,
    sessions_between,
    to_session_date,
)
from jutsu.data.sources.synthetic import SYNTHETIC_SYMBOLS, SyntheticSource, generate_universe
from jutsu.data.sources.yahoo import yahoo_stamp_to_session
from jutsu.data.validation import validate_bar_frame
from jutsu.errors import DataError

ET = ZoneInfo("America/New_York")


def test_close_instant_is_16_et_in_utc_across_dst_and_13_et_on_half_days() -> None:
    assert session_close(date(2020, 1, 2)) == datetime(2020, 1, 2, 21, 0, tzinfo=UTC)  # EST
    assert session_close(date(2020, 7, 1)) == datetime(2020, 7, 1, 20, 0, tzinfo=UTC)  # EDT
    assert session_close(date(2020, 11, 27)) == datetime(
        2020, 11, 27, 18, 0, tzinfo=UTC
    )  # day after Thanksgiving
    assert is_half_day(date(2020, 11, 27)) and not is_half_day(date(2020, 11, 30))
    vector = close_instants(pd.Series(pd.to_datetime(["2020-01-02", "2020-11-27"])))
    assert [ts.to_pydatetime() for ts in vector] == [
        session_close(date(2020, 1, 2)),
        session_close(date(2020, 11, 27)),
    ]


def test_non_sessions_are_refused() -> None:
    assert not is_session(date(2012, 10, 29))  # hurricane Sandy closure
    assert not is_session(date(2020, 1, 4))  # Saturday
    with pytest.raises(DataError, match="not an NYSE session"):
        session_close(date(2020, 1, 4))
    with pytest.raises(DataError, match="2020-01-04 is not an NYSE session"):
        close_instants(pd.Series(pd.to_datetime(["2020-01-03", "2020-01-04"])))


def test_vendor_daily_stamps_map_to_their_et_session_date() -> None:
    # Yahoo stamps the session open: 1577975400 = 2020-01-02 14:30Z = 09:30 ET.
    assert yahoo_stamp_to_session(1577975400) == date(2020, 1, 2)
    # yfinance's index: midnight in the exchange zone (a UTC reading would say the day before).
    midnight = pd.Timestamp("2020-01-02 00:00", tz="America/New_York")
    assert yahoo_stamp_to_session(midnight) == date(2020, 1, 2)
    assert midnight.tz_convert("UTC").date() == date(2020, 1, 2)
    late = datetime(2020, 1, 3, 0, 30, tzinfo=UTC)  # 19:30 ET on Jan 2
    assert yahoo_stamp_to_session(late) == date(2020, 1, 2)
    assert to_session_date(session_close(date(2020, 11, 27))) == date(2020, 11, 27)
    with pytest.raises(DataError, match="no timezone"):
        yahoo_stamp_to_session(datetime(2020, 1, 2))
    with pytest.raises(DataError, match="not an NYSE session"):
        to_session_date(datetime(2020, 1, 4, 15, tzinfo=UTC))


def test_missing_sessions_finds_gaps_but_not_holidays() -> None:
    days = [date(2020, 12, 23), date(2020, 12, 24), date(2020, 12, 28), date(2020, 12, 30)]
    assert missing_sessions(days) == [date(2020, 12, 29)]  # 25th is a holiday, 26/27 a weekend
    assert missing_sessions(days, date(2020, 12, 22), date(2020, 12, 31)) == [
        date(2020, 12, 22),
        date(2020, 12, 29),
        date(2020, 12, 31),
    ]
    assert missing_sessions([]) == []


def test_last_completed_session_excludes_the_session_in_progress() -> None:
    before_close = datetime(2020, 12, 30, 15, 59, tzinfo=ET)
    after_close = datetime(2020, 12, 30, 16, 0, tzinfo=ET)
    assert last_completed_session(before_close) == date(2020, 12, 29)
    assert last_completed_session(after_close) == date(2020, 12, 30)
    assert last_completed_session(datetime(2020, 11, 27, 13, 1, tzinfo=ET)) == date(2020, 11, 27)  # half day
    assert last_completed_session(datetime(2021, 1, 2, 12, tzinfo=ET)) == date(2020, 12, 31)  # Saturday


def test_synthetic_same_seed_same_frames_other_seed_other_frames() -> None:
    a = generate_universe(7, date(2015, 1, 1), date(2016, 12, 31))
    b = generate_universe(7, date(2015, 1, 1), date(2016, 12, 31))
    c = generate_universe(8, date(2015, 1, 1), date(2016, 12, 31))
    assert set(a) == set(SYNTHETIC_SYMBOLS) >= {"QQQ", "TQQQ", "PSQ", "TLT", "TMF", "TMV"}
    for symbol in a:
        pd.testing.assert_frame_equal(a[symbol], b[symbol])
        assert not a[symbol]["close"].equals(c[symbol]["close"])


def test_synthetic_bars_are_valid_and_on_real_sessions() -> None:
    universe = generate_universe(42, date(2008, 1, 1), date(2012, 12, 31))
    sessions = [pd.Timestamp(d) for d in sessions_between(date(2008, 1, 1), date(2012, 12, 31))]
    for symbol, frame in universe.items():
        validate_bar_frame(frame, symbol)
        assert frame["date"].tolist() == sessions
        assert frame["volume"].dtype == "int64" and (frame["volume"] > 0).all()
        assert all(isinstance(x, Decimal) and x > 0 for x in frame["low"])


def _returns(frame: pd.DataFrame) -> np.ndarray:
    closes = np.array([float(x) for x in frame["close"]])
    return np.diff(closes) / closes[:-1]


@pytest.mark.parametrize(
    ("etf", "index", "k", "fee"),
    [
        ("TQQQ", "QQQ", 3, 0.0095),
        ("PSQ", "QQQ", -1, 0.0095),
        ("TMF", "TLT", 3, 0.01),
        ("TMV", "TLT", -3, 0.01),
    ],
)
def test_leveraged_etfs_reset_daily(etf: str, index: str, k: int, fee: float) -> None:
    universe = generate_universe(42, date(2010, 1, 1), date(2014, 12, 31))
    r_index, r_etf = _returns(universe[index]), _returns(universe[etf])
    # The index's own expense ratio is part of its return; undo it (QQQ 0.20 %, TLT 0.15 %).
    index_fee = {"QQQ": 0.0020, "TLT": 0.0015}[index] / 252
    expected = k * (r_index + index_fee) - fee / 252
    assert np.max(np.abs(r_etf - expected)) < 1e-3  # prices are rounded to 6 decimals
    assert np.corrcoef(r_etf, r_index)[0, 1] * np.sign(k) > 0.99


def test_synthetic_windows_are_slices_of_one_path() -> None:
    source = SyntheticSource(seed=3)
    long = source.fetch("TQQQ", date(2010, 1, 1), date(2020, 12, 31))
    short = source.fetch("TQQQ", date(2015, 6, 1), date(2015, 6, 30))
    window = long[(long["date"] >= "2015-06-01") & (long["date"] <= "2015-06-30")].reset_index(drop=True)
    pd.testing.assert_frame_equal(short, window)


def test_synthetic_never_returns_the_session_in_progress_and_refuses_unknown_symbols() -> None:
    source = SyntheticSource(seed=1, now=datetime(2021, 3, 10, 11, 0, tzinfo=ET))
    frame = source.fetch("QQQ", date(2021, 3, 1))
    assert frame["date"].iloc[-1] == pd.Timestamp("2021-03-09")
    with pytest.raises(DataError, match="no symbol 'AAPL'"):
        source.fetch("AAPL", date(2021, 3, 1))
