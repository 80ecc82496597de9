"""Engine and session factory for SQLite (embedded default) and PostgreSQL (production).

One place decides connection options (platform.md §2.1) so every caller — CLI, API, scheduler,
tests — gets the same pragmas and pool behaviour:

* SQLite: ``check_same_thread=False``; WAL journal mode and ``PRAGMA foreign_keys=ON`` on every
  new connection (SQLite forgets both per connection); ``:memory:`` uses one shared connection
  (``StaticPool``) or each checkout would see a different, empty database. A file database gets
  a ``QueuePool`` sized for the API's thread pool (:data:`SQLITE_FILE_POOL_OPTIONS`): with the
  library default (5 + 10 overflow) 20 concurrent requests closed and reopened connections —
  and re-ran the pragmas — all the time.
* PostgreSQL: psycopg 3, a bounded ``QueuePool`` with pre-ping and recycling, TCP keepalives and a
  connect timeout, so a restarted server or a dropped NAT entry costs a retry, not a hung job.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import PoolProxiedConnection, QueuePool, StaticPool

from jutsu.config.masking import mask_secrets_in_text
from jutsu.errors import ConfigError

__all__ = [
    "PG_POOL_OPTIONS",
    "SQLITE_FILE_POOL_OPTIONS",
    "create_db_engine",
    "mask_url",
    "normalize_url",
    "session_factory",
    "warm_pool",
]

PG_POOL_OPTIONS: dict[str, int | bool] = {
    "pool_size": 10,
    "max_overflow": 20,
    "pool_pre_ping": True,
    "pool_recycle": 3600,
}
"""Defaults of ``database.postgresql.*`` in config.yaml (platform.md §8.1)."""

SQLITE_FILE_POOL_OPTIONS: dict[str, int] = {"pool_size": 20, "max_overflow": 30}
"""Pool of a SQLite *file* database: connections are cheap file handles, so keep enough idle
ones for every concurrent request (the API's worker threads) instead of churning them."""

_PG_CONNECT_ARGS: dict[str, int] = {
    "connect_timeout": 10,
    "keepalives": 1,
    "keepalives_idle": 60,
    "keepalives_interval": 10,
    "keepalives_count": 5,
}


def normalize_url(url: str | URL) -> URL:
    """Parse ``url`` and pin PostgreSQL to the psycopg 3 driver (``postgresql://`` → ``+psycopg``)."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"invalid database URL {mask_url(str(url))!r}: {exc}") from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend in ("postgresql", "postgres"):
        if backend == "postgres" or driver != "psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise ConfigError(
            f"unsupported database {backend!r} in {mask_url(str(url))!r}: use sqlite or postgresql"
        )
    return parsed


def create_db_engine(url: str | URL, *, echo: bool = False, **pool_options: Any) -> Engine:
    """Build the engine for ``url`` (``sqlite:///path``, ``sqlite://`` / ``:memory:``, ``postgresql://``).

    ``pool_options`` override :data:`PG_POOL_OPTIONS` for PostgreSQL (ignored for SQLite). The
    parent directory of a SQLite file is created here, lazily, not at import or settings time.
    """
    parsed = normalize_url(url)
    if parsed.drivername.partition("+")[0] == "sqlite":
        return _sqlite_engine(parsed, echo=echo)
    options: dict[str, Any] = {**PG_POOL_OPTIONS, **pool_options}
    return create_engine(
        parsed,
        echo=echo,
        poolclass=QueuePool,
        connect_args=dict(_PG_CONNECT_ARGS),
        **options,
    )


def _sqlite_engine(url: URL, *, echo: bool) -> Engine:
    database = url.database or ""
    in_memory = database in ("", ":memory:") or url.query.get("mode") == "memory"
    if not in_memory and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if in_memory:
        kwargs["poolclass"] = StaticPool
    else:
        kwargs.update(poolclass=QueuePool, **SQLITE_FILE_POOL_OPTIONS)
    engine = create_engine(url, echo=echo, **kwargs)
    event.listen(engine, "connect", _sqlite_on_connect)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    """Per-connection pragmas; WAL lets readers run while the sync job writes."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def warm_pool(engine: Engine, connections: int | None = None) -> int:
    """Open up to ``connections`` (default: the pool's size) pooled connections now, so the first
    requests after a start do not pay the connect (and, on PostgreSQL, authentication) cost.

    Returns how many were opened; a no-op (0) for pools that do not keep idle connections.
    """
    pool = engine.pool
    if not isinstance(pool, QueuePool):
        return 0
    wanted = pool.size() if connections is None else min(connections, pool.size())
    before = pool.checkedin()
    held: list[PoolProxiedConnection] = []
    try:  # hold them all at once, or each checkout would just reuse the previous connection
        for _ in range(wanted):
            held.append(engine.raw_connection())
    finally:
        for connection in held:
            connection.close()  # back to the pool, not closed
    return max(pool.checkedin() - before, 0)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine``; objects stay readable after commit (``expire_on_commit=False``)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def mask_url(url: str | URL) -> str:
    """``url`` with its password replaced by ``****`` — the only form of a URL that may be logged."""
    text = url.render_as_string(hide_password=False) if isinstance(url, URL) else url
    return mask_secrets_in_text(text)
