"""The only code that reads or writes ``broker_tokens`` and the broker's keys in ``system_state``.

The token row holds ciphertext only: encryption happens in the caller
(:mod:`jutsu.brokers.schwab_tokens`), so this module never sees a plaintext token and cannot
leak one into a log or an error message.

``system_state`` keys written here (platform.md §2.3): ``broker_token_notifications`` (expiry
alert state) and ``schwab_oauth_states`` (pending OAuth ``state`` values with their expiry, kept in
the database rather than process memory so a restart or a second worker can finish the flow).
Values are JSON text with ``value_type='json'``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from jutsu.data.models import BrokerToken, SystemState

__all__ = [
    "StoredTokenRow",
    "delete_state",
    "delete_token_row",
    "get_token_row",
    "read_state",
    "save_token_row",
    "write_state",
]


@dataclass(frozen=True, slots=True)
class StoredTokenRow:
    """One provider's encrypted token and its bookkeeping instants (aware UTC)."""

    provider: str
    ciphertext: str
    created_at: datetime
    updated_at: datetime
    created_by: int | None


def get_token_row(session: Session, provider: str) -> StoredTokenRow | None:
    row = session.scalars(select(BrokerToken).where(BrokerToken.provider == provider)).one_or_none()
    if row is None:
        return None
    return StoredTokenRow(row.provider, row.token_ciphertext, row.created_at, row.updated_at, row.created_by)


def save_token_row(
    session: Session,
    provider: str,
    ciphertext: str,
    *,
    created_at: datetime,
    now: datetime,
    created_by: int | None = None,
) -> bool:
    """Insert or replace the provider's token; True when it is a *new* token (different ``created_at``).

    A refresh keeps ``created_at`` (schwab-py keeps ``creation_timestamp``) and ``created_by``;
    a new authorisation replaces both.
    """
    row = session.scalars(select(BrokerToken).where(BrokerToken.provider == provider)).one_or_none()
    if row is None:
        session.add(
            BrokerToken(
                provider=provider,
                token_ciphertext=ciphertext,
                created_at=created_at,
                updated_at=now,
                created_by=created_by,
            )
        )
        return True
    is_new = row.created_at != created_at
    row.token_ciphertext = ciphertext
    row.updated_at = now
    if is_new:
        row.created_at = created_at
        row.created_by = created_by
    return is_new


def delete_token_row(session: Session, provider: str) -> bool:
    """Delete the provider's token; False when there was none."""
    result = session.execute(delete(BrokerToken).where(BrokerToken.provider == provider))
    return bool(getattr(result, "rowcount", 0))


def read_state(session: Session, key: str) -> Any | None:
    """The JSON value stored under ``key`` in ``system_state`` (None when absent or unreadable)."""
    value = session.scalars(select(SystemState.value).where(SystemState.key == key)).one_or_none()
    if value is None:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def write_state(session: Session, key: str, value: Any, *, now: datetime) -> None:
    """Store ``value`` as JSON under ``key`` (insert or update, ``updated_at`` = ``now``)."""
    text = json.dumps(value, sort_keys=True, default=str)
    row = session.scalars(select(SystemState).where(SystemState.key == key)).one_or_none()
    if row is None:
        session.add(SystemState(key=key, value=text, value_type="json", updated_at=now))
    else:
        row.value = text
        row.value_type = "json"
        row.updated_at = now


def delete_state(session: Session, key: str) -> None:
    session.execute(delete(SystemState).where(SystemState.key == key))
