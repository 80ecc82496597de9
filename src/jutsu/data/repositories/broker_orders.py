"""The broker's own idempotency record: client order id → broker order id.

Schwab has no client-order-id field, so the broker keeps this mapping itself, independent of
``live_trades`` (the live pipeline's ledger). One ``system_state`` row per client order id, keyed
``<provider>_order:<sha256(client id)[:32]>`` (the key column is 50 characters and a client id may
be 64), value JSON ``{client_order_id, broker_order_id, symbol, side, quantity, intent_at}``.

The intent is written *before* the order is sent and the broker order id right after, so a crash
or a timeout between the two leaves an intent without an id: the next attempt then looks for the
order at the broker instead of sending it again (see :mod:`jutsu.brokers.schwab_broker`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from jutsu.data.models import SystemState

__all__ = ["OrderRecord", "OrderRecordStore"]

RETENTION = timedelta(days=14)
"""Records older than this are pruned: a DAY order cannot be retried after its session."""


@dataclass(frozen=True, slots=True)
class OrderRecord:
    client_order_id: str
    symbol: str
    side: str
    quantity: int
    intent_at: datetime
    broker_order_id: str | None = None


class OrderRecordStore:
    """Database-backed idempotency records for one provider (thread-safe through short sessions)."""

    def __init__(self, engine: Engine, provider: str = "schwab") -> None:
        self._engine = engine
        self._prefix = f"{provider}_order:"

    def _key(self, client_order_id: str) -> str:
        return self._prefix + hashlib.sha256(client_order_id.encode()).hexdigest()[:32]

    def get(self, client_order_id: str) -> OrderRecord | None:
        with Session(self._engine) as session:
            value = session.scalars(
                select(SystemState.value).where(SystemState.key == self._key(client_order_id))
            ).one_or_none()
        return None if value is None else _decode(value)

    def save(self, record: OrderRecord, *, now: datetime) -> None:
        """Insert or update ``record``; also prunes records older than :data:`RETENTION`."""
        text = json.dumps(
            {
                "client_order_id": record.client_order_id,
                "broker_order_id": record.broker_order_id,
                "symbol": record.symbol,
                "side": record.side,
                "quantity": record.quantity,
                "intent_at": record.intent_at.isoformat(),
            },
            sort_keys=True,
        )
        key = self._key(record.client_order_id)
        with Session(self._engine) as session, session.begin():
            row = session.scalars(select(SystemState).where(SystemState.key == key)).one_or_none()
            if row is None:
                session.add(SystemState(key=key, value=text, value_type="json", updated_at=now))
            else:
                row.value = text
                row.updated_at = now
            session.execute(
                delete(SystemState).where(
                    SystemState.key.startswith(self._prefix, autoescape=True),
                    SystemState.updated_at < now - RETENTION,
                )
            )

    def claimed_order_ids(self) -> dict[str, str]:
        """Broker order id → client order id for every record that has one."""
        with Session(self._engine) as session:
            values = session.scalars(
                select(SystemState.value).where(SystemState.key.startswith(self._prefix, autoescape=True))
            ).all()
        claimed: dict[str, str] = {}
        for value in values:
            if value is None:
                continue
            record = _decode(value)
            if record is not None and record.broker_order_id is not None:
                claimed[record.broker_order_id] = record.client_order_id
        return claimed


def _decode(value: str) -> OrderRecord | None:
    try:
        data = json.loads(value)
        return OrderRecord(
            client_order_id=str(data["client_order_id"]),
            symbol=str(data["symbol"]),
            side=str(data["side"]),
            quantity=int(data["quantity"]),
            intent_at=datetime.fromisoformat(str(data["intent_at"])),
            broker_order_id=None if data.get("broker_order_id") is None else str(data["broker_order_id"]),
        )
    except (ValueError, KeyError, TypeError):
        return None
