"""Run the platform's Alembic migrations programmatically.

The schema is owned by migrations only (platform.md §2.1): the application never calls
``create_all``. The Alembic environment lives inside the package (``jutsu/data/migrations``), so
``upgrade`` works the same from a checkout, an installed wheel or the container.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from jutsu.data.types import UTCDateTime

__all__ = [
    "MIGRATIONS_DIR",
    "UNMANAGED_TABLES",
    "alembic_config",
    "current_revision",
    "head_revision",
    "include_object",
    "render_item",
    "upgrade",
]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
UNMANAGED_TABLES = frozenset({"apscheduler_jobs"})
"""Tables that live in the database but are owned by someone else (APScheduler's job store)."""


def alembic_config(connection: Any = None) -> Config:
    """An in-memory Alembic config pointing at the packaged environment (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine_or_url: Engine | str, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (default: the newest) in one transaction."""
    from jutsu.data.database import create_db_engine

    owned = isinstance(engine_or_url, str)
    engine = create_db_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)
    finally:
        if owned:
            engine.dispose()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` for a database never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped with this package."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Autogenerate filter: ignore tables (and their indexes) that Alembic does not own."""
    if type_ == "table":
        return name not in UNMANAGED_TABLES
    table = getattr(obj, "table", None)
    return not (table is not None and table.name in UNMANAGED_TABLES)


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render the platform's custom column types importably in generated migrations."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        autogen_context.imports.add("import jutsu.data.types")
        return "jutsu.data.types.UTCDateTime()"
    return False
