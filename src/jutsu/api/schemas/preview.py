"""Payload of ``GET /api/control/preview``: the orders the next run would place now."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["PreviewOrderPublic", "PreviewPublic", "PreviewRegime", "QuoteSourceName"]

QuoteSourceName = Literal["last_close", "live"]


class PreviewRegime(BaseModel):
    cell: int | None = Field(description="Regime cell 1-6 (None for strategies without regimes)")
    trend_state: str | None
    vol_state: str | None
    t_norm: float | None
    z_score: float | None


class PreviewOrderPublic(BaseModel):
    symbol: str
    side: Literal["BUY", "SELL"]
    quantity: int = Field(description="Whole shares")
    reference_price: float = Field(description="Quote the order is sized at")
    estimated_value: float = Field(description="quantity x reference_price")
    target_weight: float = Field(description="Weight the strategy wants after the run (fraction)")
    current_weight: float = Field(description="Weight held now at the reference prices (fraction)")
    reason: str
    regime_cell: int | None
    below_threshold: bool = Field(
        description="True: under the rebalance threshold, the run would not send it"
    )


class PreviewPublic(BaseModel):
    strategy_id: str
    mode: str
    session: dt.date = Field(description="Trading session the run would trade")
    as_of: dt.datetime | None = Field(description="Time of the newest quote used")
    quote_source: QuoteSourceName = Field(
        description="last_close: newest stored daily close; live: the configured live quote source"
    )
    cash: float
    equity: float = Field(description="Cash plus positions at the reference prices")
    positions: dict[str, int]
    prices: dict[str, float]
    target_weights: dict[str, float]
    current_weights: dict[str, float]
    regime: PreviewRegime
    orders: list[PreviewOrderPublic]
    message: str
