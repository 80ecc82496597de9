"""The bar-frame convention every data source produces and the engine consumes.

A *bar frame* is a pandas DataFrame with one row per session, ascending and unique by date:

    date    datetime64 (tz-naive), the NYSE session date (America/New_York)
    open, high, low, close
            decimal.Decimal objects (exact vendor values; never rounded)
    volume  int64 shares

Sources (CSV, Yahoo, database, synthetic) validate before they return one, so the core can
trust it. Storage converts ``date`` to the canonical UTC close instant (platform spec §2.2).
"""

from __future__ import annotations

__all__ = ["BAR_COLUMNS", "PRICE_COLUMNS"]

PRICE_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close")
BAR_COLUMNS: tuple[str, ...] = ("date", *PRICE_COLUMNS, "volume")
