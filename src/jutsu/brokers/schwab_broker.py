"""`SchwabBroker`: the `Broker` protocol over a real schwab-py client (live mode, platform.md §5.3).

Idempotency without a client-order-id field. Schwab's order API has no field we can set and
read back (``tag`` is filled in by Schwab with the app's id), so ``place_order`` relies on:

1. its own record (:class:`~jutsu.data.repositories.broker_orders.OrderRecordStore`): a client
   order id with a known Schwab order id is never sent again — the current report is returned;
2. an *intent* written before sending. If the send failed ambiguously (timeout, 5xx, crash after
   the POST) the next attempt finds the intent without an order id;
3. before every send, a look at the account's orders of the current ET day (from the intent
   time minus 5 minutes when an intent exists): an order with the same symbol, instruction,
   quantity, MARKET/NORMAL/DAY, in a working or filled state, and not already claimed by another
   client order id, is *adopted* instead of sending a new one.

Known limit: a manual order with exactly the same symbol/side/quantity placed the same day in the
Schwab app could be adopted by an order that has no record yet. The window is kept narrow for
that reason.

Prices and quantities are parsed from the JSON with ``Decimal`` (never via binary floats).
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import Engine

from jutsu.brokers.base import AccountSnapshot, BrokerPosition, OrderReport, OrderRequest, OrderStatus, Quote
from jutsu.brokers.schwab_client import SchwabConfig, make_schwab_client
from jutsu.brokers.schwab_errors import call_schwab, check_response, mask_account
from jutsu.brokers.schwab_tokens import SchwabTokenStore, TokenCipher
from jutsu.data.repositories.broker_orders import OrderRecord, OrderRecordStore
from jutsu.errors import BrokerError, BrokerUnavailable

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from schwab.client import Client
    from schwab.orders.equities import equity_buy_market, equity_sell_market
    from schwab.utils import Utils

__all__ = ["DailyCandle", "SchwabBroker", "open_schwab_broker", "order_report_from_json"]

log = logging.getLogger(__name__)

ET = ZoneInfo("America/New_York")
ADOPT_MARGIN = timedelta(minutes=5)
TRADED_ASSET_TYPES = frozenset({"EQUITY", "COLLECTIVE_INVESTMENT"})
_ADOPTABLE = frozenset(
    {
        "FILLED", "WORKING", "QUEUED", "ACCEPTED", "PENDING_ACTIVATION", "NEW", "AWAITING_PARENT_ORDER",
        "AWAITING_CONDITION", "AWAITING_MANUAL_REVIEW", "AWAITING_RELEASE_TIME",
        "PENDING_ACKNOWLEDGEMENT", "PENDING_CANCEL", "PENDING_REPLACE", "AWAITING_UR_OUT",
    }
)  # fmt: skip
_TERMINAL: dict[str, OrderStatus] = {
    "FILLED": "filled",
    "REJECTED": "rejected",
    "CANCELED": "cancelled",
    "REPLACED": "cancelled",
    "EXPIRED": "expired",
}


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class DailyCandle:
    """One daily bar from Schwab price history; ``timestamp`` is Schwab's stamp (aware UTC)."""

    timestamp: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int


def _json(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content, parse_float=Decimal)
    except ValueError:
        raise BrokerError(f"Schwab sent a non-JSON answer (HTTP {response.status_code})") from None


def _dec(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _parse_time(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)
    except ValueError:
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
        except ValueError:
            return None


def order_report_from_json(order: Mapping[str, Any], client_order_id: str) -> OrderReport:
    """Our `OrderReport` from a Schwab order: status mapped, fills summed over execution legs.

    ``filled_quantity`` and ``avg_fill_price`` come from the ``FILL`` activities' execution legs
    (quantity-weighted average over all legs; the reference read only the first), falling back
    to ``filledQuantity`` when Schwab sends no activity collection.
    """
    legs = order.get("orderLegCollection") or [{}]
    leg = legs[0]
    instrument = leg.get("instrument") or {}
    side: Literal["BUY", "SELL"] = "SELL" if str(leg.get("instruction", "")).startswith("SELL") else "BUY"
    filled_qty = Decimal(0)
    notional = Decimal(0)
    last_fill: datetime | None = None
    for activity in order.get("orderActivityCollection") or []:
        if activity.get("activityType") != "EXECUTION" or activity.get("executionType") != "FILL":
            continue
        for execution in activity.get("executionLegs") or []:
            qty = _dec(execution.get("quantity")) or Decimal(0)
            price = _dec(execution.get("price")) or Decimal(0)
            filled_qty += qty
            notional += qty * price
            stamp = _parse_time(execution.get("time"))
            if stamp is not None and (last_fill is None or stamp > last_fill):
                last_fill = stamp
    if filled_qty == 0:
        filled_qty = _dec(order.get("filledQuantity")) or Decimal(0)
    avg = (notional / filled_qty).quantize(Decimal("0.000001")) if filled_qty and notional else None
    schwab_status = str(order.get("status", "UNKNOWN"))
    status: OrderStatus
    if schwab_status in _TERMINAL:
        status = _TERMINAL[schwab_status]
    elif filled_qty > 0:
        status = "partially_filled"
    elif schwab_status == "UNKNOWN":
        status = "submitted"
    else:
        status = "accepted"
    message = str(order.get("statusDescription") or "")
    if schwab_status == "REPLACED" and not message:
        message = "replaced at Schwab"
    updated = _parse_time(order.get("closeTime")) or last_fill or _parse_time(order.get("enteredTime"))
    return OrderReport(
        client_order_id=client_order_id,
        broker_order_id=None if order.get("orderId") is None else str(order["orderId"]),
        symbol=str(instrument.get("symbol", "")),
        side=side,
        quantity=int(_dec(order.get("quantity")) or _dec(leg.get("quantity")) or 0),
        status=status,
        filled_quantity=int(filled_qty),
        avg_fill_price=avg,
        message=message,
        updated_at=updated,
    )


class SchwabBroker:
    """Live execution at Schwab for the account ``account_number`` (looked up as a hash)."""

    def __init__(
        self,
        client: Client,
        account_number: str,
        records: OrderRecordStore,
        *,
        stale_quote_seconds: float | None = 120.0,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        if not account_number:
            raise BrokerError("SCHWAB_ACCOUNT_NUMBER is not set: live trading needs the account number")
        self._client = client
        self._account_number = account_number
        self._records = records
        self._stale = stale_quote_seconds
        self._clock = clock
        self._hash: str | None = None

    @property
    def name(self) -> str:
        return "schwab"

    # -- account ---------------------------------------------------------------------------

    @property
    def account_hash(self) -> str:
        """The account's hash (Schwab's URL id), looked up once per broker."""
        if self._hash is None:
            resp = self._call("looking up the account hash", self._client.get_account_numbers)
            masked = mask_account(self._account_number)
            for entry in _json(resp) or []:
                if str(entry.get("accountNumber")) == self._account_number:
                    self._hash = str(entry["hashValue"])
                    break
            else:
                known = ", ".join(mask_account(str(e.get("accountNumber", ""))) for e in _json(resp) or [])
                raise BrokerError(
                    f"Schwab account {masked} (SCHWAB_ACCOUNT_NUMBER) is not linked to this token; "
                    f"linked accounts: {known or 'none'}"
                )
        return self._hash

    def _securities_account(self, positions: bool) -> Mapping[str, Any]:
        fields = [Client.Account.Fields.POSITIONS] if positions else None
        resp = self._call(
            "reading the account", lambda: self._client.get_account(self.account_hash, fields=fields)
        )
        body = _json(resp)
        account = body.get("securitiesAccount") if isinstance(body, dict) else None
        if not isinstance(account, dict):
            raise BrokerError("Schwab account answer has no securitiesAccount")
        return {**account, "_aggregated": body.get("aggregatedBalance") or {}}

    def account(self) -> AccountSnapshot:
        acct = self._securities_account(positions=False)
        bal = acct.get("currentBalances") or {}
        agg = acct["_aggregated"]
        cash = _dec(bal.get("cashBalance"))
        if cash is None:
            cash = _dec(bal.get("totalCash")) or Decimal(0)
        equity = _dec(agg.get("liquidationValue")) or _dec(bal.get("liquidationValue")) or cash
        buying = (
            _dec(bal.get("buyingPowerNonMarginableTrade"))
            or _dec(bal.get("cashAvailableForTrading"))
            or _dec(bal.get("availableFunds"))
            or cash
        )
        return AccountSnapshot(mask_account(self._account_number), cash, equity, buying)

    def positions(self) -> Mapping[str, BrokerPosition]:
        """Equity and ETF positions (options and other asset types are not traded here; skipped)."""
        acct = self._securities_account(positions=True)
        result: dict[str, BrokerPosition] = {}
        for pos in acct.get("positions") or []:
            instrument = pos.get("instrument") or {}
            symbol = str(instrument.get("symbol", ""))
            if instrument.get("assetType") not in TRADED_ASSET_TYPES:
                log.debug("skipping %s position %s", instrument.get("assetType"), symbol)
                continue
            qty = (_dec(pos.get("longQuantity")) or Decimal(0)) - (
                _dec(pos.get("shortQuantity")) or Decimal(0)
            )
            result[symbol] = BrokerPosition(
                symbol=symbol,
                quantity=int(qty),
                avg_cost=_dec(pos.get("averagePrice")),
                market_value=_dec(pos.get("marketValue")),
            )
        return result

    # -- market data -----------------------------------------------------------------------

    def quotes(self, symbols: Sequence[str]) -> Mapping[str, Quote]:
        """Latest quotes; a quote older than ``stale_quote_seconds`` raises ``BrokerError``."""
        wanted = [s.strip().upper() for s in symbols if s.strip()]
        if not wanted:
            return {}
        resp = self._call("fetching quotes", lambda: self._client.get_quotes(wanted))
        body = _json(resp) or {}
        now = self._clock()
        result: dict[str, Quote] = {}
        invalid = set((body.get("errors") or {}).get("invalidSymbols") or [])
        for symbol in wanted:
            entry = body.get(symbol)
            if not isinstance(entry, dict) or symbol in invalid:
                raise BrokerError(f"no Schwab quote for {symbol} (unknown or invalid symbol)")
            q = entry.get("quote") or {}
            last = _dec(q.get("lastPrice"))
            stamp_ms = q.get("quoteTime") or q.get("tradeTime")
            if last is None or last <= 0 or stamp_ms is None:
                raise BrokerError(f"Schwab quote for {symbol} has no usable last price or time")
            stamp = datetime.fromtimestamp(int(stamp_ms) / 1000, UTC)
            age = (now - stamp).total_seconds()
            if self._stale is not None and age > self._stale:
                raise BrokerError(
                    f"stale quote for {symbol}: last update {stamp:%Y-%m-%d %H:%M:%S} UTC is "
                    f"{age:.0f} s old (limit {self._stale:.0f} s)"
                )
            result[symbol] = Quote(symbol, last, _dec(q.get("bidPrice")), _dec(q.get("askPrice")), stamp)
        return result

    def daily_candles(self, symbol: str, start: datetime, end: datetime) -> list[DailyCandle]:
        """Daily bars from ``get_price_history_every_day`` (aware ``start``/``end``)."""
        resp = self._call(
            f"fetching daily history for {symbol}",
            lambda: self._client.get_price_history_every_day(
                symbol.upper(), start_datetime=start, end_datetime=end
            ),
        )
        body = _json(resp) or {}
        return [
            DailyCandle(
                datetime.fromtimestamp(int(c["datetime"]) / 1000, UTC),
                Decimal(c["open"]),
                Decimal(c["high"]),
                Decimal(c["low"]),
                Decimal(c["close"]),
                int(c.get("volume") or 0),
            )
            for c in body.get("candles") or []
        ]

    # -- orders ----------------------------------------------------------------------------

    def place_order(self, order: OrderRequest) -> OrderReport:
        _validate(order)
        record = self._records.get(order.client_order_id)
        if record is not None and (
            record.symbol != order.symbol.upper()
            or record.side != order.side
            or record.quantity != order.quantity
        ):
            raise BrokerError(
                f"client order id {order.client_order_id} was already used for "
                f"{record.side} {record.quantity} {record.symbol}"
            )
        if record is not None and record.broker_order_id is not None:
            log.info(
                "order %s already placed as %s; not sent again", order.client_order_id, record.broker_order_id
            )
            return self._fetch_report(record.broker_order_id, order.client_order_id)
        now = self._clock()
        adopted = self._adopt(
            order.client_order_id, order.symbol.upper(), order.side, order.quantity, record, now
        )
        if adopted is not None:
            return adopted
        if record is None:
            record = OrderRecord(order.client_order_id, order.symbol.upper(), order.side, order.quantity, now)
            self._records.save(record, now=now)
        builder = equity_buy_market if order.side == "BUY" else equity_sell_market
        spec = builder(order.symbol.upper(), order.quantity)
        action = f"placing order {order.client_order_id} ({order.side} {order.quantity} {order.symbol})"
        try:
            resp = self._call(action, lambda: self._client.place_order(self.account_hash, spec))
        except BrokerUnavailable as exc:
            raise BrokerUnavailable(
                f"{exc} — the order may have reached Schwab; retrying is safe (the broker is checked first)"
            ) from None
        order_id = Utils(self._client, self.account_hash).extract_order_id(resp)
        if order_id is None:  # Schwab may omit Location when the order fills at once
            adopted = self._adopt(
                order.client_order_id, order.symbol.upper(), order.side, order.quantity, record, now
            )
            if adopted is not None:
                return adopted
            raise BrokerUnavailable(
                f"Schwab accepted order {order.client_order_id} without an order id; poll get_order later"
            )
        self._records.save(_with_id(record, str(order_id)), now=self._clock())
        log.info("order %s sent to Schwab as %s", order.client_order_id, order_id)
        try:
            return self._fetch_report(str(order_id), order.client_order_id)
        except BrokerUnavailable:
            return OrderReport(
                order.client_order_id, str(order_id), order.symbol.upper(), order.side, order.quantity,
                "submitted", updated_at=now,
            )  # fmt: skip

    def get_order(self, client_order_id: str) -> OrderReport | None:
        """Current state of the order, or None when Schwab never received it."""
        record = self._records.get(client_order_id)
        if record is None:
            return None
        if record.broker_order_id is None:
            return self._adopt(
                client_order_id, record.symbol, record.side, record.quantity, record, self._clock()
            )
        return self._fetch_report(record.broker_order_id, client_order_id)

    def cancel_order(self, client_order_id: str) -> OrderReport:
        report = self.get_order(client_order_id)
        if report is None or report.broker_order_id is None:
            raise BrokerError(f"cannot cancel {client_order_id}: Schwab has no such order")
        if report.is_terminal:
            return report
        order_id = report.broker_order_id
        self._call(
            f"cancelling order {client_order_id}",
            lambda: self._client.cancel_order(int(order_id), self.account_hash),
        )
        return self._fetch_report(order_id, client_order_id)

    # -- helpers ---------------------------------------------------------------------------

    def _call(self, action: str, func: Callable[[], httpx.Response]) -> httpx.Response:
        return check_response(call_schwab(action, func), action)

    def _fetch_report(self, order_id: str, client_order_id: str) -> OrderReport:
        resp = self._call(
            f"reading order {client_order_id}",
            lambda: self._client.get_order(int(order_id), self.account_hash),
        )
        return order_report_from_json(_json(resp), client_order_id)

    def _adopt(
        self,
        client_order_id: str,
        symbol: str,
        side: str,
        quantity: int,
        record: OrderRecord | None,
        now: datetime,
    ) -> OrderReport | None:
        """Find an unclaimed identical order at Schwab and bind it to ``client_order_id``."""
        et_midnight = datetime.combine(now.astimezone(ET).date(), time(0), ET).astimezone(UTC)
        since = max(et_midnight, record.intent_at - ADOPT_MARGIN) if record is not None else et_midnight
        resp = self._call(
            f"looking for order {client_order_id} at Schwab",
            lambda: self._client.get_orders_for_account(
                self.account_hash,
                from_entered_datetime=since.replace(tzinfo=None),
                to_entered_datetime=(now + timedelta(minutes=5)).astimezone(UTC).replace(tzinfo=None),
            ),
        )
        claimed = self._records.claimed_order_ids()
        candidates = []
        for item in _json(resp) or []:
            if not isinstance(item, dict) or item.get("orderId") is None:
                continue
            order_id = str(item["orderId"])
            entered = _parse_time(item.get("enteredTime"))
            if claimed.get(order_id, client_order_id) != client_order_id:
                continue
            if entered is None or entered < since or not _same_order(item, symbol, side, quantity):
                continue
            candidates.append((entered, order_id, item))
        if not candidates:
            return None
        _, order_id, item = min(candidates, key=lambda c: c[0])
        base = record or OrderRecord(client_order_id, symbol, side, quantity, now)
        self._records.save(_with_id(base, order_id), now=now)
        log.warning("order %s adopted existing Schwab order %s (not sent again)", client_order_id, order_id)
        return order_report_from_json(item, client_order_id)


def _same_order(item: Mapping[str, Any], symbol: str, side: str, quantity: int) -> bool:
    legs = item.get("orderLegCollection") or []
    if len(legs) != 1 or str(item.get("status")) not in _ADOPTABLE:
        return False
    leg = legs[0]
    return (
        str((leg.get("instrument") or {}).get("symbol", "")).upper() == symbol
        and leg.get("instruction") == side
        and _dec(leg.get("quantity")) == quantity
        and item.get("orderType") == "MARKET"
        and item.get("session", "NORMAL") == "NORMAL"
        and item.get("duration", "DAY") == "DAY"
    )


def _with_id(record: OrderRecord, order_id: str) -> OrderRecord:
    return OrderRecord(
        record.client_order_id, record.symbol, record.side, record.quantity, record.intent_at, order_id
    )


def _validate(order: OrderRequest) -> None:
    if not order.client_order_id or len(order.client_order_id) > 64:
        raise BrokerError("client order id must be 1 to 64 characters")
    if order.side not in ("BUY", "SELL"):
        raise BrokerError(f"order {order.client_order_id}: side must be BUY or SELL, got {order.side!r}")
    if order.quantity <= 0:
        raise BrokerError(f"order {order.client_order_id}: quantity must be > 0, got {order.quantity}")
    if not order.symbol.strip():
        raise BrokerError(f"order {order.client_order_id}: symbol is empty")


def open_schwab_broker(
    config: SchwabConfig, engine: Engine, *, clock: Callable[[], datetime] = _utcnow
) -> SchwabBroker:
    """The live broker from settings: encrypted token store, schwab-py client, idempotency records."""
    store = SchwabTokenStore(engine, TokenCipher(config.encryption_keys), clock=clock)
    client = make_schwab_client(config, store.read, store.write)
    return SchwabBroker(
        client,
        config.account_number or "",
        OrderRecordStore(engine),
        stale_quote_seconds=config.stale_quote_seconds,
        clock=clock,
    )
