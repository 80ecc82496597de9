"""Market-data repository on real SQLite and PostgreSQL: immutability, conflicts, corrections."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from jutsu.data.calendar import session_close
from jutsu.data.models import DataAuditLog, DataMetadata, MarketData
from jutsu.data.repositories.market_data import (
    audit_rows,
    delete_symbol,
    import_bars,
    last_bar_date,
    list_symbols,
    load_bars,
)
from jutsu.data.sources.csv_source import read_price_csv
from jutsu.errors import DataConflictError, DataError

PRICES = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "prices"


@pytest.fixture(scope="module")
def qqq() -> pd.DataFrame:
    return read_price_csv(PRICES / "QQQ.csv")[1]


def _slice(frame: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    return frame[(frame["date"] >= start) & (frame["date"] <= end)].reset_index(drop=True)


def _count(engine: Engine, model: type) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def test_import_stores_close_instants_and_loads_back_exact_decimals(
    db_engine: Engine, qqq: pd.DataFrame
) -> None:
    bars = _slice(qqq, "2020-11-20", "2020-12-04")
    report = import_bars(db_engine, "QQQ", bars, "csv")
    assert (report.inserted, report.unchanged, report.corrected) == (len(bars), 0, 0)
    with db_engine.connect() as conn:
        stamps = conn.execute(select(MarketData.timestamp).order_by(MarketData.timestamp)).scalars().all()
    assert stamps[0] == session_close(date(2020, 11, 20))
    assert session_close(date(2020, 11, 27)) in stamps  # the half day is stamped 13:00 ET
    loaded = load_bars(db_engine, "QQQ")
    pd.testing.assert_frame_equal(loaded, bars)
    assert last_bar_date(db_engine, "QQQ") == date(2020, 12, 4)
    window = load_bars(db_engine, "QQQ", date(2020, 11, 25), date(2020, 11, 30))
    assert window["date"].dt.date.tolist() == [date(2020, 11, 25), date(2020, 11, 27), date(2020, 11, 30)]


def test_reimport_is_a_no_op(db_engine: Engine, qqq: pd.DataFrame) -> None:
    bars = _slice(qqq, "2021-01-01", "2021-03-31")
    import_bars(db_engine, "QQQ", bars, "csv")
    rows_before = _count(db_engine, MarketData)
    again = import_bars(db_engine, "QQQ", bars, "csv")
    assert (again.inserted, again.unchanged, again.corrected) == (0, len(bars), 0)
    assert _count(db_engine, MarketData) == rows_before


def test_more_digits_than_storage_compare_equal_after_rounding(db_engine: Engine) -> None:
    tlt = read_price_csv(PRICES / "TLT.csv")[1].head(30)  # 89.83999633789062-style values
    import_bars(db_engine, "TLT", tlt, "csv")
    assert import_bars(db_engine, "TLT", tlt, "csv").unchanged == 30
    raw_open = (PRICES / "TLT.csv").read_text().splitlines()[1].split(",")[1]
    assert len(raw_open.split(".")[1]) > 6
    assert load_bars(db_engine, "TLT")["open"].iloc[0] == Decimal(raw_open).quantize(Decimal("0.000001"))


def test_conflicting_bar_refuses_the_whole_import_and_is_audited(
    db_engine: Engine, qqq: pd.DataFrame
) -> None:
    stored = _slice(qqq, "2020-01-02", "2020-01-31")
    import_bars(db_engine, "QQQ", stored, "csv")
    incoming = _slice(qqq, "2020-01-02", "2020-02-28").copy()
    old_close = incoming.loc[5, "close"]
    new_close = old_close + Decimal("0.01")
    incoming.loc[5, "close"] = new_close
    incoming.loc[5, "high"] = max(incoming.loc[5, "high"], new_close)
    day = incoming.loc[5, "date"].date()
    before = load_bars(db_engine, "QQQ")
    with pytest.raises(DataConflictError) as err:
        import_bars(db_engine, "QQQ", incoming, "csv")
    message = str(err.value)
    assert "QQQ" in message and day.isoformat() in message
    assert f"close {old_close:.6f} -> {new_close:.6f}" in message
    pd.testing.assert_frame_equal(load_bars(db_engine, "QQQ"), before)  # February was not added either
    errors = [r for r in audit_rows(db_engine, "QQQ") if r["status"] == "error"]
    assert len(errors) == 1 and day.isoformat() in errors[0]["message"] and errors[0]["bars_affected"] == 1


def test_correct_overwrites_and_audits_old_and_new_values(db_engine: Engine, qqq: pd.DataFrame) -> None:
    stored = _slice(qqq, "2020-01-02", "2020-01-31")
    import_bars(db_engine, "QQQ", stored, "csv")
    incoming = stored.copy()
    old_close = incoming.loc[3, "close"]
    new_close = incoming.loc[3, "low"]
    incoming.loc[3, "close"] = new_close
    report = import_bars(db_engine, "QQQ", incoming, "csv", correct=True)
    assert (report.inserted, report.unchanged, report.corrected) == (0, len(stored) - 1, 1)
    assert load_bars(db_engine, "QQQ")["close"].iloc[3] == new_close
    corrections = [r for r in audit_rows(db_engine, "QQQ") if r["operation"] == "correct"]
    assert len(corrections) == 1
    assert f"close {old_close:.6f} -> {new_close:.6f}" in corrections[0]["message"]


def test_sync_mode_keeps_stored_values_and_warns(db_engine: Engine, qqq: pd.DataFrame) -> None:
    import_bars(db_engine, "QQQ", _slice(qqq, "2020-01-02", "2020-01-10"), "csv")
    incoming = _slice(qqq, "2020-01-02", "2020-01-17").copy()
    incoming.loc[0, "volume"] = incoming.loc[0, "volume"] + 1
    report = import_bars(db_engine, "QQQ", incoming, "yahoo", on_conflict="skip", operation="sync")
    assert (report.inserted, report.conflicting) == (5, 1)
    assert (
        load_bars(db_engine, "QQQ")["volume"].iloc[0]
        == qqq["volume"].iloc[qqq.index[qqq["date"] == "2020-01-02"][0]]
    )
    assert any(r["status"] == "warning" and r["operation"] == "sync" for r in audit_rows(db_engine, "QQQ"))


def test_metadata_last_bar_never_moves_backwards(db_engine: Engine, qqq: pd.DataFrame) -> None:
    import_bars(db_engine, "QQQ", _slice(qqq, "2021-06-01", "2021-06-30"), "csv")
    import_bars(db_engine, "QQQ", _slice(qqq, "2021-01-04", "2021-01-29"), "csv")  # a backfill
    with db_engine.connect() as conn:
        meta = conn.execute(
            select(DataMetadata.last_bar_timestamp, DataMetadata.total_bars, DataMetadata.last_updated)
        ).one()
        total = conn.execute(select(func.count()).select_from(MarketData)).scalar_one()
    assert meta.last_bar_timestamp == session_close(date(2021, 6, 30))
    assert meta.total_bars == total
    assert meta.last_updated is not None


def test_bad_frames_are_refused_before_anything_is_written(db_engine: Engine, qqq: pd.DataFrame) -> None:
    bars = _slice(qqq, "2020-01-02", "2020-01-10").copy()
    holiday = bars.copy()
    holiday.loc[len(holiday)] = [pd.Timestamp("2020-01-20"), *holiday.iloc[-1, 1:].tolist()]  # MLK day
    with pytest.raises(DataError, match="2020-01-20 is not an NYSE session"):
        import_bars(db_engine, "QQQ", holiday, "csv")
    broken = bars.copy()
    broken.loc[2, "low"] = broken.loc[2, "high"] + 1
    with pytest.raises(DataError, match="field 'high'"):
        import_bars(db_engine, "QQQ", broken, "csv")
    with pytest.raises(DataError, match="not a ticker"):
        import_bars(db_engine, "qqq", bars, "csv")
    assert _count(db_engine, MarketData) == 0


def test_list_symbols_counts_missing_sessions(db_engine: Engine, qqq: pd.DataFrame) -> None:
    bars = _slice(qqq, "2020-03-02", "2020-03-31")
    import_bars(db_engine, "QQQ", bars.drop(index=[4, 10]).reset_index(drop=True), "csv")
    import_bars(db_engine, "TQQQ", bars, "synthetic")  # any valid bars will do
    summaries = {s.symbol: s for s in list_symbols(db_engine)}
    assert summaries["QQQ"].missing_sessions == 2
    assert summaries["QQQ"].rows == len(bars) - 2
    assert summaries["TQQQ"].missing_sessions == 0
    assert (summaries["TQQQ"].first, summaries["TQQQ"].last) == (date(2020, 3, 2), date(2020, 3, 31))
    assert summaries["TQQQ"].source == "synthetic"


def test_invalid_bars_are_hidden_from_load(db_engine: Engine, qqq: pd.DataFrame) -> None:
    bars = _slice(qqq, "2020-03-02", "2020-03-06")
    import_bars(db_engine, "QQQ", bars, "csv")
    with db_engine.begin() as conn:
        conn.execute(
            MarketData.__table__.update()
            .where(MarketData.timestamp == session_close(date(2020, 3, 4)))
            .values(is_valid=False)
        )
    assert date(2020, 3, 4) not in load_bars(db_engine, "QQQ")["date"].dt.date.tolist()
    assert len(load_bars(db_engine, "QQQ")) == len(bars) - 1


def test_delete_symbol_removes_bars_and_writes_an_audit_row(db_engine: Engine, qqq: pd.DataFrame) -> None:
    import_bars(db_engine, "QQQ", _slice(qqq, "2020-03-02", "2020-03-06"), "csv")
    import_bars(db_engine, "SPY", _slice(qqq, "2020-03-02", "2020-03-06"), "csv")
    assert delete_symbol(db_engine, "QQQ") == 5
    assert last_bar_date(db_engine, "QQQ") is None
    assert [s.symbol for s in list_symbols(db_engine)] == ["SPY"]
    deletes = [r for r in audit_rows(db_engine) if r["operation"] == "delete"]
    assert len(deletes) == 1 and deletes[0]["symbol"] == "QQQ" and deletes[0]["bars_affected"] == 5
    with db_engine.connect() as conn:
        assert (
            conn.execute(select(DataAuditLog.operation).where(DataAuditLog.symbol == "QQQ")).scalars().all()
        )
    assert last_bar_date(db_engine, "SPY") == date(2020, 3, 6)
    assert date(2020, 3, 6) - timedelta(days=4) == date(2020, 3, 2)
