"""The ``system_state`` key/value store (platform.md §2.3): JSON documents under well-known keys.

Used for the engine state (key ``engine``, §1.4), which must survive restarts.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jutsu.data.models import SystemState

__all__ = ["get_json", "put_json"]


def get_json(session: Session, key: str) -> dict[str, Any] | None:
    """The JSON object stored under ``key`` (``None`` when absent or not an object)."""
    row = session.scalars(select(SystemState).where(SystemState.key == key)).first()
    if row is None or row.value is None:
        return None
    try:
        value = json.loads(row.value)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def put_json(session: Session, key: str, value: dict[str, Any]) -> None:
    """Insert or replace the JSON object under ``key`` (``updated_at`` = now)."""
    text = json.dumps(value, sort_keys=True, default=str)
    row = session.scalars(select(SystemState).where(SystemState.key == key).with_for_update()).first()
    now = dt.datetime.now(dt.UTC)
    if row is None:
        session.add(SystemState(key=key, value=text, value_type="json", updated_at=now))
    else:
        row.value = text
        row.value_type = "json"
        row.updated_at = now
    session.flush()
