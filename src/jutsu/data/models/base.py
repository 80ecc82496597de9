"""Declarative base with a naming convention, so every constraint name is deterministic.

Deterministic names matter for Alembic: a migration can only drop or alter a constraint it can
name, and SQLite (batch mode) and PostgreSQL must end up with identical names. Names the spec
fixes explicitly (``uix_*``, ``idx_*``, ``ck_daily_perf_entity_type`` ...) are passed verbatim.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import MetaData, func
from sqlalchemy.orm import DeclarativeBase, mapped_column
from sqlalchemy.orm.properties import MappedColumn

from jutsu.data.types import UTCDateTime

__all__ = ["MODES", "NAMING_CONVENTION", "Base", "in_list", "now_column"]

NAMING_CONVENTION: Final[dict[str, str]] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MODES: Final[tuple[str, ...]] = ("dry_run", "paper", "live")
"""Trading modes (platform.md §1.3), as stored in every ``mode`` column."""


class Base(DeclarativeBase):
    """Base class of all platform tables (``Base.metadata`` is what Alembic compares against)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def in_list(column: str, values: tuple[str, ...]) -> str:
    """SQL text ``column IN ('a', 'b')`` for a CHECK constraint over a closed set of strings."""
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"{column} IN ({quoted})"


def now_column(*, nullable: bool = False, index: bool = False) -> MappedColumn[Any]:
    """A UTC timestamp column whose server-side default is the current instant ("now" in the spec)."""
    return mapped_column(UTCDateTime(), nullable=nullable, server_default=func.now(), index=index)
