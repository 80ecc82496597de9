"""Column types shared by every model.

``UTCDateTime`` enforces platform rule §2.2-1: every stored instant is timezone-aware UTC.
SQLite has no timestamp-with-time-zone type and hands back naive values, PostgreSQL hands back
values in the *session* time zone; this type hides both differences so callers always get an
aware UTC ``datetime`` and can never store an ambiguous naive one.

``JSONType`` is JSONB on PostgreSQL (indexable, compact) and JSON text on SQLite.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = ["JSONType", "UTCDateTime"]


class UTCDateTime(TypeDecorator[datetime]):
    """``TIMESTAMP WITH TIME ZONE`` that only accepts aware datetimes and returns aware UTC.

    On write a naive value raises ``ValueError`` (we cannot know which zone it meant); an aware
    value is converted to UTC. SQLite receives naive UTC so that its stored text sorts and
    compares consistently; PostgreSQL receives the aware UTC value.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise ValueError(f"UTCDateTime expects a datetime, got {type(value).__name__}: {value!r}")
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise ValueError(
                f"naive datetime {value.isoformat()} rejected: timestamps must be timezone-aware (UTC)"
            )
        utc = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return utc.replace(tzinfo=None)
        return utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):  # pragma: no cover - drivers always return datetimes
            raise ValueError(f"unexpected timestamp value from the database: {value!r}")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def __repr__(self) -> str:
        # Alembic renders types with repr(); keep it importable as ``jutsu.data.types.UTCDateTime()``.
        return "UTCDateTime()"


def _json_type() -> TypeEngine[Any]:
    return JSON().with_variant(JSONB(), "postgresql")


JSONType: TypeEngine[Any] = _json_type()
"""JSON on SQLite, JSONB on PostgreSQL."""
