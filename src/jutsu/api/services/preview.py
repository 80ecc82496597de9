"""The pre-trade preview: the exact orders the next trading run would place now (nothing written).

It runs the live pipeline's own :func:`~jutsu.live.pipeline.preview_strategy` — the same
replay, sizing and thresholds as the daily run — against the strategy's book in its current
mode, so what the dashboard shows is what the run would send, not a re-implementation.

Quotes: a live quote source when one is configured (``container.extras["quote_source"]``, a
:data:`~jutsu.brokers.simulated.QuoteSource`), else the newest stored close of each symbol; the
payload says which (``quote_source``) so nobody mistakes yesterday's close for a live price.
The session is today (ET) when it is a trading session, else the next one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine

from jutsu.api.schemas.preview import PreviewOrderPublic, PreviewPublic, PreviewRegime, QuoteSourceName
from jutsu.api.services.errors import Conflict
from jutsu.brokers.base import Broker, Quote
from jutsu.brokers.dry_run import DryRunBroker
from jutsu.brokers.paper import PaperBroker
from jutsu.brokers.simulated import QuoteSource
from jutsu.core.market import MarketData
from jutsu.data.calendar import ET, is_session, next_session, session_close
from jutsu.errors import JutsuError
from jutsu.live.orders import PlannedOrder
from jutsu.live.pipeline import LiveContext, Preview, StrategyJob, preview_strategy

__all__ = ["preview_session", "run_preview", "stored_close_quotes", "to_public"]

_ZERO = Decimal(0)


def stored_close_quotes(engine: Engine) -> QuoteSource:
    """Each symbol's newest stored daily close, stamped at that session's close."""
    from jutsu.data.repositories.market_data import last_bar_date, load_bars

    def quotes(symbols: Sequence[str]) -> Mapping[str, Quote]:
        out: dict[str, Quote] = {}
        for s in symbols:
            last = last_bar_date(engine, s)
            if last is None:
                continue
            bars = load_bars(engine, s, start=last, end=last)
            if len(bars):
                out[s] = Quote(s, Decimal(str(bars["close"].iloc[-1])), None, None, session_close(last))
        return out

    return quotes


def _history(engine: Engine) -> Callable[[Sequence[str], dt.date, dt.date], MarketData]:
    from jutsu.backtest.loaders import database_loader

    load = database_loader(engine)

    def history(symbols: Sequence[str], first: dt.date, last: dt.date) -> MarketData:
        return MarketData.from_frames(load(symbols, first, last))

    return history


def preview_session(now: dt.datetime) -> dt.date:
    """Today (ET) when the market trades today, else the next session: the run the preview is for."""
    today = now.astimezone(ET).date()
    return today if is_session(today) else next_session(today)


def _broker_factory(engine: Engine, source: QuoteSource) -> Callable[[str, str], Broker]:
    """The simulated book of the mode; a live strategy is previewed against its ledger, so its
    broker only answers quotes here (nothing is ever placed by a preview)."""

    def broker_for(strategy_id: str, mode: str) -> Broker:
        if mode == "paper":
            return PaperBroker(engine, strategy_id, source)
        return DryRunBroker(engine, strategy_id, source)

    return broker_for


def run_preview(
    engine: Engine,
    registry_path: Path,
    strategy_id: str,
    mode: str,
    *,
    live_quotes: QuoteSource | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> PreviewPublic:
    """Preview ``strategy_id`` (a registered id) in ``mode``.

    Raises:
        Conflict: (409) the strategy cannot be previewed now — no stored prices for a symbol,
            not enough history, a broken strategy file; the detail says which.
    """
    from jutsu.cli.live import build_jobs

    now = (clock or (lambda: dt.datetime.now(dt.UTC)))()
    source = live_quotes or stored_close_quotes(engine)
    quote_source: QuoteSourceName = "live" if live_quotes is not None else "last_close"
    try:
        job = dataclasses.replace(build_jobs(registry_path, [strategy_id])[0], mode=mode)
        universe = list(dict.fromkeys([*job.strategy.symbols(), job.baseline_symbol]))
        missing = [s for s in universe if s not in source(universe)]
        if missing:
            raise Conflict(
                f"No prices for {', '.join(missing)}: import or sync market data "
                f"before previewing {strategy_id}"
            )
        ctx = LiveContext(engine=engine, broker_for=_broker_factory(engine, source), history=_history(engine))
        preview = preview_strategy(ctx, job, session=preview_session(now))
    except JutsuError as exc:
        raise Conflict(f"Cannot preview {strategy_id}: {exc}") from None
    as_of = max((q.timestamp for q in source(list(preview.prices)).values()), default=None)
    return to_public(preview, job, quote_source=quote_source, as_of=as_of)


def _weights(
    positions: Mapping[str, int], prices: Mapping[str, Decimal], equity: Decimal
) -> dict[str, Decimal]:
    if equity <= 0:
        return {}
    return {s: q * prices[s] / equity for s, q in positions.items() if q and s in prices}


def _float(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | Decimal):
        return float(value)
    return None


def _reason(order: PlannedOrder, current: Decimal, cell: int | None, state: str | None) -> str:
    verb = "raise" if order.side == "BUY" else "cut"
    text = f"{verb} {order.symbol} from {current:.1%} to its {order.target_weight:.1%} target"
    if cell is not None:
        text = f"Cell {cell}: {text}"
    if state:
        text = f"{text} ({state})"
    if order.below_threshold:
        text += "; below the rebalance threshold, not sent"
    return text


def _message(
    orders: Sequence[PreviewOrderPublic],
    preview: Preview,
    quote_source: QuoteSourceName,
    as_of: dt.datetime | None,
) -> str:
    sent = [o for o in orders if not o.below_threshold]
    if sent:
        text = f"{len(sent)} order(s) would be placed"
    elif orders:
        text = "No orders would be sent: every change is below the rebalance threshold"
    elif not preview.decision.trade:
        text = "No orders: the strategy holds today (no rebalance signal)"
    else:
        text = "No orders: the book already matches the targets"
    if quote_source == "last_close" and as_of is not None:
        text += f"; priced at the close of {as_of.astimezone(ET).date().isoformat()}"
    return text


def to_public(
    preview: Preview, job: StrategyJob, *, quote_source: QuoteSourceName, as_of: dt.datetime | None
) -> PreviewPublic:
    """The wire form of a pipeline :class:`~jutsu.live.pipeline.Preview`."""
    prices = dict(preview.prices)
    equity = preview.cash + sum(
        (q * prices[s] for s, q in preview.positions.items() if q and s in prices), _ZERO
    )
    current = _weights(preview.positions, prices, equity)
    journal = preview.decision.journal
    raw_cell = journal.get("cell")
    cell = int(raw_cell) if isinstance(raw_cell, int | float) and not isinstance(raw_cell, bool) else None
    state = journal.get("strategy_state")
    trend, vol = journal.get("trend_state"), journal.get("vol_state")
    orders = [
        PreviewOrderPublic(
            symbol=o.symbol,
            side=o.side,
            quantity=o.quantity,
            reference_price=float(o.reference_price),
            estimated_value=float(o.quantity * o.reference_price),
            target_weight=float(o.target_weight),
            current_weight=float(current.get(o.symbol, _ZERO)),
            reason=_reason(o, current.get(o.symbol, _ZERO), cell, state if isinstance(state, str) else None),
            regime_cell=cell,
            below_threshold=o.below_threshold,
        )
        for o in preview.orders
    ]
    message = _message(orders, preview, quote_source, as_of)
    return PreviewPublic(
        strategy_id=preview.strategy_id,
        mode=preview.mode,
        session=preview.session,
        as_of=as_of,
        quote_source=quote_source,
        cash=float(preview.cash),
        equity=float(equity),
        positions={s: q for s, q in preview.positions.items() if q},
        prices={s: float(p) for s, p in prices.items()},
        target_weights={s: float(w) for s, w in preview.decision.weights.items() if w},
        current_weights={s: float(w) for s, w in current.items()},
        regime=PreviewRegime(
            cell=cell,
            trend_state=trend if isinstance(trend, str) else None,
            vol_state=vol if isinstance(vol, str) else None,
            t_norm=_float(journal.get("t_norm")),
            z_score=_float(journal.get("z_score")),
        ),
        orders=orders,
        message=message,
    )
