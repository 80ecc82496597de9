"""All-time KPIs of one entity's end-of-day equity series, from :func:`compute_metrics`.

DECISIONS 1 (one set of metric definitions everywhere) wins over the "live KPI" formulas of
spec §5.4: the row's CAGR, volatility, Sharpe, Sortino, Calmar and max drawdown are exactly
what the backtest summary would report for the same equity series. Every call is a fresh
pass over the whole series (numerically stable, and a recompute is identical by construction);
the running-sum columns are filled as an informational cache only.

Sample: strategies use every row, the first return measured against the initial capital
(DECISIONS 4); baselines drop their first row (its return is 0 by construction) and measure
from the first row's equity.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from jutsu.core.metrics import compute_metrics, daily_returns

__all__ = ["Kpis", "entity_kpis"]

EntityType = Literal["strategy", "baseline"]


@dataclass(frozen=True, slots=True)
class Kpis:
    cagr: float | None
    volatility: float | None
    sharpe_ratio: float | None
    sortino_ratio: float | None
    calmar_ratio: float | None
    max_drawdown: float | None
    returns_sum: float | None
    returns_sum_sq: float | None
    downside_sum_sq: float | None
    returns_count: int


def entity_kpis(
    entity_type: EntityType,
    equity: Sequence[Decimal],
    dates: Sequence[dt.date],
    initial_capital: Decimal,
) -> Kpis:
    """KPIs from inception through the last date; metrics needing two returns are ``None`` before."""
    if entity_type == "baseline":
        sample_equity, sample_dates = list(equity[1:]), list(dates[1:])
        capital = equity[0] if equity else initial_capital
    else:
        sample_equity, sample_dates, capital = list(equity), list(dates), initial_capital
    n = len(sample_equity)
    if n == 0:
        return Kpis(
            None, None, None, None, None, 0.0 if entity_type == "baseline" else None, None, None, None, 0
        )
    m = compute_metrics(sample_equity, sample_dates, capital)
    r = [float(x) for x in daily_returns(sample_equity, capital)]
    finite = all(math.isfinite(x) for x in r)
    two = n >= 2
    return Kpis(
        cagr=m["cagr"] if two else None,
        volatility=m["volatility"] if two else None,
        sharpe_ratio=m["sharpe"] if two else None,
        sortino_ratio=m["sortino"] if two else None,
        calmar_ratio=m["calmar"] if two else None,
        max_drawdown=m["max_drawdown"],
        returns_sum=math.fsum(r) if finite else None,
        returns_sum_sq=math.fsum(x * x for x in r) if finite else None,
        downside_sum_sq=math.fsum(min(x, 0.0) ** 2 for x in r) if finite else None,
        returns_count=n,
    )
