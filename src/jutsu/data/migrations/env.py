"""Alembic environment: runs migrations on the connection handed over by ``jutsu.data.migrate``.

It is only ever driven programmatically (``jutsu db upgrade`` / :func:`jutsu.data.migrate.upgrade`),
so it needs no ``alembic.ini``: the caller puts an open connection (or a URL) into the config.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

from jutsu.data.database import create_db_engine
from jutsu.data.migrate import include_object, render_item
from jutsu.data.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_item=_render_item,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    return render_item(type_, obj, autogen_context)


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection or sqlalchemy.url given to the Alembic environment")
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported; run `jutsu db upgrade`")
run_migrations_online()
