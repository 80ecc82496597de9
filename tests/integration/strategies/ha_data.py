"""Load the shared price CSVs as bar frames (csv + Decimal), read in place, cached per process."""

from __future__ import annotations

import csv
import functools
from decimal import Decimal
from pathlib import Path

import pandas as pd

from jutsu.core.market import MarketData

PRICES = Path(__file__).resolve().parents[4] / "shared" / "data" / "prices"
SIX = ("QQQ", "TQQQ", "PSQ", "TLT", "TMF", "TMV")


@functools.cache
def bar_frame(symbol: str) -> pd.DataFrame:
    with (PRICES / f"{symbol}.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    return pd.DataFrame(
        {
            "date": pd.to_datetime([r["date"] for r in rows]),
            "open": [Decimal(r["open"]) for r in rows],
            "high": [Decimal(r["high"]) for r in rows],
            "low": [Decimal(r["low"]) for r in rows],
            "close": [Decimal(r["close"]) for r in rows],
            "volume": [round(float(r["volume"])) for r in rows],
        }
    )


@functools.cache
def six_symbols() -> MarketData:
    return MarketData.from_frames({s: bar_frame(s) for s in SIX})
