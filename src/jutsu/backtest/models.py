"""What a backtest job is asked to do and what it hands back.

Kept apart from the runner so reporting, the API and research can name these records without
importing the engine. Both are plain frozen records: the CLI builds a request from flags, the
API from JSON; writers and the database recorder read an outcome.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from jutsu.core.result import BacktestResult

__all__ = [
    "DEFAULT_BASELINE_SYMBOL",
    "DEFAULT_CAPITAL",
    "DEFAULT_COMMISSION_PER_SHARE",
    "DEFAULT_SLIPPAGE",
    "BacktestOutcome",
    "BacktestRequest",
    "MetricValue",
]

DEFAULT_CAPITAL = Decimal("10000")
DEFAULT_COMMISSION_PER_SHARE = Decimal("0.01")
DEFAULT_SLIPPAGE = Decimal("0.001")
DEFAULT_BASELINE_SYMBOL = "QQQ"

MetricValue = float | int | None


@dataclass(frozen=True, slots=True)
class BacktestRequest:
    """One backtest as a user asks for it (CLI flags, API body, research job).

    Attributes:
        strategy_id: registry key (``v3_5b``, ``sma_crossover``, ...).
        start, end: trading period, inclusive; warm-up bars before ``start`` are loaded
            automatically.
        initial_capital: starting cash, exact.
        commission_per_share: $ per share per fill.
        slippage: fraction of the price (0.001 = 0.1 %).
        config_file: optional strategy YAML; ``overrides`` win over it.
        overrides: raw ``--param k=v`` pairs; the strategy's parameter model validates them.
        baseline_symbol: buy-and-hold comparison symbol; ``None`` = the strategy's own
            baseline symbol, else QQQ.
    """

    strategy_id: str
    start: dt.date
    end: dt.date
    initial_capital: Decimal = DEFAULT_CAPITAL
    commission_per_share: Decimal = DEFAULT_COMMISSION_PER_SHARE
    slippage: Decimal = DEFAULT_SLIPPAGE
    config_file: Path | None = None
    overrides: Mapping[str, str] = field(default_factory=dict)
    baseline_symbol: str | None = None


@dataclass(frozen=True, slots=True)
class BacktestOutcome:
    """A finished job: the engine's result plus everything the reports need.

    Attributes:
        request: what was asked.
        result: the engine's records (snapshots, fills, decisions).
        baseline_symbol: the buy-and-hold symbol actually used.
        baseline_equity: buy-and-hold value per trading date of the period (fractional
            shares, no costs), ascending.
        strategy_metrics: snake_case metric -> fraction/number (incl. ``beta``/``alpha``
            against the baseline).
        baseline_metrics: the same metrics on the baseline curve.
        data_fingerprint: sha256 of the input bars (see :mod:`jutsu.backtest.fingerprint`).
        engine_version: the engine's version string, to tell results of different engines apart.
    """

    request: BacktestRequest
    result: BacktestResult
    baseline_symbol: str
    baseline_equity: Mapping[dt.date, Decimal]
    strategy_metrics: Mapping[str, MetricValue]
    baseline_metrics: Mapping[str, MetricValue]
    data_fingerprint: str
    engine_version: str
