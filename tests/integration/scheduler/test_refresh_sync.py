"""§5.5 refresh jobs sync the recent daily bars before marking books, from each symbol's own source."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine

from factories import one_strategy_registry
from jutsu.data.calendar import session_close
from jutsu.data.repositories.market_data import import_bars, last_bar_date, list_symbols
from jutsu.data.sources.csv_source import read_price_csv
from jutsu.data.sources.synthetic import generate_universe
from jutsu.scheduler.bodies import JobContext, refresh_body
from shared_data import PRICES


def test_refresh_extends_synthetic_data_and_leaves_csv_alone(db_engine: Engine, tmp_path: Path) -> None:
    qqq = generate_universe(42, dt.date(2024, 1, 2), dt.date(2024, 5, 31))["QQQ"]
    import_bars(db_engine, "QQQ", qqq, "synthetic")
    symbol, spy = read_price_csv(PRICES / "SPY.csv")
    spy = spy[(spy["date"] >= "2024-01-02") & (spy["date"] <= "2024-05-31")]
    import_bars(db_engine, symbol, spy, "csv")

    now = session_close(dt.date(2024, 6, 7)) + dt.timedelta(minutes=5)  # the 16:05 ET refresh
    outcome = refresh_body("market_close")(
        JobContext(db_engine, one_strategy_registry(tmp_path, baseline="SPY"), now)
    )

    assert outcome.status == "completed", outcome.errors
    assert last_bar_date(db_engine, "QQQ") == dt.date(2024, 6, 7)  # synthetic: caught up, today included
    assert last_bar_date(db_engine, "SPY") == dt.date(2024, 5, 31)  # user CSV: never fetched
    assert {s.symbol: s.missing_sessions for s in list_symbols(db_engine)} == {"QQQ": 0, "SPY": 0}
