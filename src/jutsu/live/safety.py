"""Guards that stop a live run before it does harm: mode confirmation, kill switch, quote
sanity and slippage (platform spec §1.3, §1.4, §5.2 step 8.2, §5.3).

Each guard raises one specific error with a one-line message, so the pipeline can turn it into
the right run status and alert without parsing text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Literal

from sqlalchemy import Engine

from jutsu.brokers.base import Quote
from jutsu.data.repositories.live_engine_state import read_engine_state
from jutsu.errors import BrokerError, ConfigError, DataError, JutsuError
from jutsu.live.config import ExecutionLimits

__all__ = [
    "KillSwitchActive",
    "LiveNotConfirmed",
    "SlippageExceeded",
    "SlippageLevel",
    "StaleQuoteError",
    "check_live_allowed",
    "check_quotes",
    "kill_switch_reason",
    "require_no_kill_switch",
    "slippage_level",
    "slippage_pct",
]

SlippageLevel = Literal["ok", "warning", "max", "abort"]


class KillSwitchActive(JutsuError):
    """The global or the strategy's kill switch is on: no order may be sent."""


class LiveNotConfirmed(ConfigError):
    """A strategy in ``live`` mode while live trading has not been explicitly confirmed."""


class SlippageExceeded(BrokerError):
    """A price moved beyond ``slippage_abort_pct``: the strategy's remaining orders stop."""


class StaleQuoteError(DataError):
    """A quote is missing, non-positive or too old to trade on."""


def check_live_allowed(strategy_id: str, mode: str, live_confirmed: bool) -> None:
    """Live orders need an explicit opt-in (``LIVE_TRADING_CONFIRMED=true``)."""
    if mode == "live" and not live_confirmed:
        raise LiveNotConfirmed(
            f"strategy {strategy_id} is in live mode but live trading is not confirmed: "
            "set LIVE_TRADING_CONFIRMED=true (or ENGINE_AUTO_START_CONFIRM_LIVE=true) to allow real orders"
        )


def kill_switch_reason(engine: Engine, strategy_id: str) -> str | None:
    """Why ``strategy_id`` is blocked by a kill switch, or ``None``."""
    return read_engine_state(engine).blocks(strategy_id)


def require_no_kill_switch(engine: Engine, strategy_id: str) -> None:
    reason = kill_switch_reason(engine, strategy_id)
    if reason is not None:
        raise KillSwitchActive(reason)


def check_quotes(
    quotes: Mapping[str, Quote], symbols: Sequence[str], now: dt.datetime, limits: ExecutionLimits
) -> dict[str, Decimal]:
    """The last price of every symbol, or `StaleQuoteError` naming the first bad one."""
    prices: dict[str, Decimal] = {}
    for symbol in symbols:
        quote = quotes.get(symbol)
        if quote is None:
            raise StaleQuoteError(f"no quote for {symbol}")
        if not quote.last.is_finite() or quote.last <= 0:
            raise StaleQuoteError(f"quote for {symbol} is not a positive price ({quote.last})")
        age = (now - quote.timestamp).total_seconds()
        if age > limits.max_quote_age_seconds:
            raise StaleQuoteError(
                f"stale quote for {symbol}: {quote.timestamp.isoformat()} is {age:.0f} s old "
                f"(limit {limits.max_quote_age_seconds:.0f} s)"
            )
        prices[symbol] = quote.last
    return prices


def slippage_pct(reference: Decimal, actual: Decimal) -> Decimal:
    """``|actual − reference| / reference × 100`` (percentage points)."""
    return abs(actual - reference) / reference * 100 if reference > 0 else Decimal(0)


def slippage_level(
    reference: Decimal, actual: Decimal, limits: ExecutionLimits
) -> tuple[Decimal, SlippageLevel]:
    """(slippage %, level) against the warning / max / abort thresholds of §5.3."""
    pct = slippage_pct(reference, actual)
    if pct >= limits.slippage_abort_pct:
        return pct, "abort"
    if pct >= limits.max_slippage_pct:
        return pct, "max"
    if pct >= limits.slippage_warning_pct:
        return pct, "warning"
    return pct, "ok"
