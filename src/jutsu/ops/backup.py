"""Database backups and restore for both engines, plus daily retention.

* SQLite: the online backup API (``sqlite3.Connection.backup``) — a consistent copy taken page by
  page while the application keeps running (a plain file copy of a WAL database can miss pages
  still in the ``-wal`` file).
* PostgreSQL: ``pg_dump -Fc`` / ``pg_restore`` — the server's own tools are the only ones that
  know every object type. They must be on ``PATH`` and at least as new as the server.

Every backup is written to ``<out>.partial`` first and renamed when complete, so a file with the
final name is always a finished backup. The password never appears on a command line (``ps``
would show it): the tools get it through ``PGPASSWORD``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sqlalchemy.engine import URL

from jutsu.data.database import mask_url, normalize_url
from jutsu.errors import ConfigError, JutsuError

if TYPE_CHECKING:
    from jutsu.config.settings import Settings

__all__ = [
    "DAILY_PATTERN",
    "DEFAULT_BACKUP_DIR",
    "DEFAULT_KEEP_DAILY",
    "BackupError",
    "backup_database",
    "backup_kind",
    "daily_backup_path",
    "default_backup_path",
    "prune_daily_backups",
    "restore_database",
    "run_scheduled_backup",
]

EngineKind = Literal["sqlite", "postgresql"]

SQLITE_SUFFIX = ".sqlite3"
PG_SUFFIX = ".dump"
DAILY_PATTERN = re.compile(r"^jutsu-(\d{4}-\d{2}-\d{2})\.(sqlite3|dump)$")
"""Name of a scheduled daily backup; only files matching it are ever pruned."""

_SQLITE_MAGIC = b"SQLite format 3\x00"
_PG_MAGIC = b"PGDMP"
_SEARCH_PATH = re.compile(r"-c\s*search_path\s*=\s*([A-Za-z_][A-Za-z0-9_$]*)")


class BackupError(JutsuError):
    """A backup or restore could not be made; the message says what to fix."""


@dataclass(frozen=True)
class _PgTarget:
    args: list[str]
    env: dict[str, str]
    schema: str | None


def _kind(url: URL) -> EngineKind:
    return "sqlite" if url.drivername.startswith("sqlite") else "postgresql"


def backup_kind(path: Path) -> EngineKind:
    """Which engine wrote the backup file at ``path`` (read from its first bytes)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise BackupError(f"cannot read backup {path}: {exc.strerror}") from None
    if head.startswith(_SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(_PG_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is not a Jutsu backup (neither a SQLite database nor a pg_dump -Fc archive)")


def default_backup_path(url: str, directory: Path, now: dt.datetime) -> Path:
    """``directory/jutsu-YYYYmmdd-HHMMSS.<sqlite3|dump>`` for a manual backup taken at ``now``."""
    suffix = SQLITE_SUFFIX if _kind(normalize_url(url)) == "sqlite" else PG_SUFFIX
    return directory / f"jutsu-{now.astimezone(dt.UTC):%Y%m%d-%H%M%S}{suffix}"


def daily_backup_path(url: str, directory: Path, day: dt.date) -> Path:
    """``directory/jutsu-YYYY-mm-dd.<sqlite3|dump>``: one scheduled backup per day (retention unit)."""
    suffix = SQLITE_SUFFIX if _kind(normalize_url(url)) == "sqlite" else PG_SUFFIX
    return directory / f"jutsu-{day.isoformat()}{suffix}"


def backup_database(url: str, out: Path) -> Path:
    """Write a consistent backup of the database at ``url`` to ``out`` and return ``out``."""
    parsed = normalize_url(url)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if _kind(parsed) == "sqlite":
            _sqlite_backup(parsed, partial)
        else:
            _pg_dump(parsed, partial)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return out


def restore_database(url: str, backup: Path) -> None:
    """Replace the contents of the database at ``url`` with the backup file ``backup``.

    The backup must come from the same engine kind. PostgreSQL restores run in one transaction
    (``--single-transaction``), so a failed restore leaves the database as it was.
    """
    parsed = normalize_url(url)
    if not backup.is_file():
        raise BackupError(f"backup file {backup} not found")
    found = backup_kind(backup)
    wanted = _kind(parsed)
    if found != wanted:
        raise BackupError(f"{backup} is a {found} backup but the database {mask_url(parsed)} is {wanted}")
    if wanted == "sqlite":
        _sqlite_restore(backup, parsed)
    else:
        _pg_restore(backup, parsed)


def prune_daily_backups(directory: Path, keep: int) -> list[Path]:
    """Delete scheduled daily backups older than the newest ``keep`` days; return what was deleted.

    Only files named like :data:`DAILY_PATTERN` are considered, so manual backups and anything
    else in the directory are never touched.
    """
    if keep < 1:
        raise ConfigError(f"backup retention must keep at least 1 daily backup, got {keep}")
    if not directory.is_dir():
        return []
    daily = sorted(
        (p for p in directory.iterdir() if p.is_file() and DAILY_PATTERN.match(p.name)),
        key=lambda p: p.name[len("jutsu-") : len("jutsu-YYYY-mm-dd")],
        reverse=True,
    )
    days: list[str] = []
    removed: list[Path] = []
    for path in daily:
        day = path.name[len("jutsu-") : len("jutsu-YYYY-mm-dd")]
        if day not in days:
            days.append(day)
        if len(days) > keep:
            path.unlink()
            removed.append(path)
    return removed


# --- SQLite ----------------------------------------------------------------------------------


def _sqlite_file(url: URL) -> Path:
    database = url.database or ""
    if database in ("", ":memory:") or url.query.get("mode") == "memory":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database).expanduser()


def _sqlite_backup(url: URL, out: Path) -> None:
    source_path = _sqlite_file(url)
    if not source_path.is_file():
        raise BackupError(f"no SQLite database at {source_path} (run `jutsu db upgrade` first)")
    try:
        source = sqlite3.connect(source_path)
        try:
            target = sqlite3.connect(out)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite backup of {source_path} failed: {exc}") from None


def _sqlite_restore(backup: Path, url: URL) -> None:
    target_path = _sqlite_file(url)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            source.execute("PRAGMA schema_version").fetchone()  # fails early on a corrupt file
            target = sqlite3.connect(target_path)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite restore of {backup} into {target_path} failed: {exc}") from None


# --- PostgreSQL ------------------------------------------------------------------------------


def _pg_target(url: URL) -> _PgTarget:
    """Connection flags and environment for the libpq tools; the password only in ``PGPASSWORD``."""
    args = ["--host", url.host or "localhost", "--port", str(url.port or 5432)]
    if url.username:
        args += ["--username", url.username]
    if not url.database:
        raise BackupError(f"the PostgreSQL URL {mask_url(url)} names no database")
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    schema: str | None = None
    options = url.query.get("options")
    if isinstance(options, str):
        env["PGOPTIONS"] = options
        match = _SEARCH_PATH.search(options)
        schema = match.group(1) if match else None
    return _PgTarget(args=args, env=env, schema=schema)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} not found on PATH: install the PostgreSQL client tools matching the server "
            "(Debian: apt-get install postgresql-client-15)"
        )
    return path


def _run(command: list[str], env: Mapping[str, str], what: str) -> None:
    result = subprocess.run(command, env=dict(env), capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        detail = lines[0] if lines else f"exit code {result.returncode}"
        raise BackupError(f"{what} failed: {mask_url(detail)}")


def _pg_dump(url: URL, out: Path) -> None:
    target = _pg_target(url)
    command = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(out)]
    if target.schema is not None:
        command += ["--schema", target.schema]
    command += [*target.args, "--dbname", str(url.database)]
    _run(command, target.env, f"pg_dump of {mask_url(url)}")


def _pg_restore(backup: Path, url: URL) -> None:
    target = _pg_target(url)
    command = [
        _tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        *target.args,
        "--dbname",
        str(url.database),
        str(backup),
    ]
    _run(command, target.env, f"pg_restore of {backup} into {mask_url(url)}")


# --- Scheduled daily backup ------------------------------------------------------------------

DEFAULT_BACKUP_DIR = Path("data/backups")
DEFAULT_KEEP_DAILY = 7


def run_scheduled_backup(
    settings: Settings,
    now: dt.datetime,
    *,
    directory: Path = DEFAULT_BACKUP_DIR,
    keep: int = DEFAULT_KEEP_DAILY,
) -> Path:
    """The daily backup job: back up the configured database, then keep the newest ``keep`` days.

    ``now`` must be timezone-aware; the day of the file is ``now``'s date in UTC, so a second run
    on the same day replaces that day's file instead of adding one. Returns the backup's path.
    """
    if now.tzinfo is None:
        raise ConfigError("run_scheduled_backup needs a timezone-aware 'now'")
    url = settings.database_url
    out = daily_backup_path(url, directory, now.astimezone(dt.UTC).date())
    backup_database(url, out)
    prune_daily_backups(directory, keep)
    return out
