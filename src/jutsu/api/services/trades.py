"""Trade history: pages, CSV export and FIFO round-trip statistics (platform.md §3.9)."""

from __future__ import annotations

import csv
import io
from collections import deque
from collections.abc import Iterator
from decimal import Decimal

from jutsu.api.schemas.common import total_pages
from jutsu.api.schemas.trades import TradeListResponse, TradeRecord, TradeStats
from jutsu.api.services.errors import NotFound
from jutsu.api.services.sessions import SessionSource
from jutsu.data.models import LiveTrade
from jutsu.data.repositories import trades as repo
from jutsu.data.repositories.trades import TradeFilter

__all__ = ["EXPORT_COLUMNS", "TradesService", "to_record"]

EXPORT_COLUMNS = (
    "id",
    "timestamp",
    "symbol",
    "action",
    "quantity",
    "target_price",
    "fill_price",
    "fill_value",
    "slippage_pct",
    "schwab_order_id",
    "strategy_cell",
    "trend_state",
    "vol_state",
    "t_norm",
    "z_score",
    "reason",
    "mode",
    "strategy_id",
    "status",
    "commission",
    "execution_id",
)
_FILLED = ("filled", "partially_filled")


def _f(value: Decimal | None) -> float | None:
    return None if value is None else round(float(value), 6)


def to_record(t: LiveTrade) -> TradeRecord:
    return TradeRecord(
        id=t.id,
        symbol=t.symbol,
        timestamp=t.timestamp,
        trading_date=t.trading_date,
        action=t.action,
        quantity=t.quantity,
        filled_quantity=t.filled_quantity,
        target_price=float(round(t.target_price, 6)),
        fill_price=_f(t.fill_price),
        fill_value=_f(t.fill_value),
        commission=float(round(t.commission or Decimal(0), 6)),
        slippage_pct=_f(t.slippage_pct),
        status=t.status,
        schwab_order_id=t.schwab_order_id,
        client_order_id=t.client_order_id,
        strategy_cell=t.strategy_cell,
        trend_state=t.trend_state,
        vol_state=t.vol_state,
        t_norm=_f(t.t_norm),
        z_score=_f(t.z_score),
        reason=t.reason,
        mode=t.mode,
        strategy_id=t.strategy_id,
        execution_id=t.execution_id,
    )


class TradesService:
    def __init__(self, sessions: SessionSource) -> None:
        self._sessions = sessions

    def page(self, f: TradeFilter, page: int, page_size: int) -> TradeListResponse:
        with self._sessions() as session:
            total = repo.count_trades(session, f)
            rows = repo.list_trades(session, f, offset=(page - 1) * page_size, limit=page_size)
            trades = [to_record(t) for t in rows]
        return TradeListResponse(
            trades=trades,
            total=total,
            page=page,
            page_size=page_size,
            total_pages=total_pages(total, page_size),
        )

    def get(self, trade_id: int) -> TradeRecord:
        with self._sessions() as session:
            row = repo.get_trade(session, trade_id)
            if row is None:
                raise NotFound(f"Trade {trade_id} not found")
            return to_record(row)

    def export_csv(self, f: TradeFilter) -> Iterator[str]:
        """CSV text in chunks (header first), newest first, every matching trade."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        with self._sessions() as session:
            for i, t in enumerate(repo.iter_trades(session, f), start=1):
                rec = to_record(t).model_dump(mode="json")
                writer.writerow(["" if rec[c] is None else rec[c] for c in EXPORT_COLUMNS])
                if i % 500 == 0:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
        yield buffer.getvalue()

    def stats(self, f: TradeFilter) -> TradeStats:
        """Aggregates plus realized P&L from FIFO round trips of filled trades (net of commission)."""
        buys = sells = 0
        volume = Decimal(0)
        slippages: list[float] = []
        symbols: set[str] = set()
        lots: dict[tuple[str, str, str], deque[list[Decimal]]] = {}
        pnl_total = Decimal(0)
        wins = losses = 0
        with self._sessions() as session:
            trades = list(repo.iter_trades(session, f, oldest_first=True))
        for t in trades:
            symbols.add(t.symbol)
            buys += t.action == "BUY"
            sells += t.action == "SELL"
            volume += t.fill_value or Decimal(0)
            if t.slippage_pct is not None:
                slippages.append(float(t.slippage_pct))
            if t.status not in _FILLED or t.fill_price is None:
                continue
            qty = Decimal(t.filled_quantity if t.filled_quantity is not None else t.quantity)
            if qty <= 0:
                continue
            per_share_fee = (t.commission or Decimal(0)) / qty
            book = lots.setdefault((t.strategy_id, t.mode, t.symbol), deque())
            if t.action == "BUY":
                book.append([qty, t.fill_price + per_share_fee])
                continue
            remaining = qty
            while remaining > 0 and book:
                lot = book[0]
                used = min(lot[0], remaining)
                pnl = (t.fill_price - per_share_fee - lot[1]) * used
                pnl_total += pnl
                wins += pnl > 0
                losses += pnl <= 0
                lot[0] -= used
                remaining -= used
                if lot[0] == 0:
                    book.popleft()
        trips = wins + losses
        return TradeStats(
            total_trades=len(trades),
            buy_trades=buys,
            sell_trades=sells,
            total_volume=float(round(volume, 6)),
            avg_slippage_pct=round(sum(slippages) / len(slippages), 6) if slippages else None,
            max_slippage_pct=max(slippages) if slippages else None,
            min_slippage_pct=min(slippages) if slippages else None,
            unique_symbols=sorted(symbols),
            win_rate=round(wins / trips, 6) if trips else None,
            net_pnl=float(round(pnl_total, 6)),
            winning_trades=wins,
            losing_trades=losses,
            total_round_trips=trips,
        )
