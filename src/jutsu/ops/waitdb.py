"""Wait until the configured database accepts connections (container start, before migrating).

In a compose deployment the app and PostgreSQL start together, and PostgreSQL needs a few
seconds before it accepts connections; migrating at once would fail and restart-loop the app.
Retry with exponential backoff up to a deadline, then give up with one clear line.

Run as ``python -m jutsu.ops.waitdb [--timeout SECONDS]`` (what ``deploy/entrypoint.sh`` does);
exit code 0 when reachable, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from jutsu.data.database import create_db_engine, mask_url
from jutsu.errors import JutsuError

__all__ = ["DatabaseUnavailable", "backoff_delays", "main", "wait_for_database"]


class DatabaseUnavailable(JutsuError):
    """The database did not accept a connection before the deadline."""


def backoff_delays(initial: float, maximum: float) -> Iterator[float]:
    """``initial``, ``2·initial``, ``4·initial`` … capped at ``maximum``, forever."""
    delay = initial
    while True:
        yield delay
        delay = min(delay * 2, maximum)


def wait_for_database(
    url: str,
    *,
    timeout: float = 60.0,
    initial_delay: float = 0.5,
    max_delay: float = 8.0,
    log: Callable[[str], None] = print,
) -> int:
    """Connect and run ``SELECT 1`` until it works; return the number of attempts it took.

    SQLite files need no waiting (the first attempt creates or opens the file).
    """
    engine = create_db_engine(url)
    deadline = time.monotonic() + timeout
    delays = backoff_delays(initial_delay, max_delay)
    attempt = 0
    try:
        while True:
            attempt += 1
            try:
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
                return attempt
            except SQLAlchemyError as exc:
                reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
                detail = mask_url(reason[0]) if reason else type(exc).__name__
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise DatabaseUnavailable(
                        f"database {mask_url(url)} not reachable after {attempt} attempts "
                        f"in {timeout:g} s: {detail}"
                    ) from None
                pause = min(next(delays), remaining)
                log(f"waiting for database (attempt {attempt}: {detail}); retry in {pause:.1f} s")
                time.sleep(pause)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: resolve the URL from the settings and wait for it."""
    from jutsu.config import load_settings

    parser = argparse.ArgumentParser(prog="python -m jutsu.ops.waitdb", description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=60.0, help="give up after this many seconds (60)")
    args = parser.parse_args(argv)
    try:
        url = load_settings().database_url
        attempts = wait_for_database(url, timeout=args.timeout, log=lambda m: print(m, file=sys.stderr))
    except JutsuError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"database {mask_url(url)} reachable (attempt {attempts})", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
