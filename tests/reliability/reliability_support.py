"""Helpers shared by the reliability tests: "nothing changed" snapshots and the quick/full switch.

A bad input must change nothing: the tests compare per-table row counts of the database and a
content hash of every file under a directory before and after each case.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from sqlalchemy import Engine, inspect, text

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
PRICES = SHARED / "data" / "prices"
REGISTRY = ROOT / "config" / "strategies_registry.yaml"


def full_campaign() -> bool:
    """``JUTSU_RELIABILITY_FULL=1`` (set by ``make reliability``) selects the long versions."""
    return os.environ.get("JUTSU_RELIABILITY_FULL", "") not in ("", "0")


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per table (every table the schema has, Alembic's bookkeeping included)."""
    names = sorted(inspect(engine).get_table_names())
    with engine.connect() as conn:
        return {n: int(conn.execute(text(f'SELECT COUNT(*) FROM "{n}"')).scalar_one()) for n in names}


def tree_digest(root: Path) -> dict[str, str]:
    """``relative path -> sha256`` of every file under ``root`` (directories by their presence)."""
    out: dict[str, str] = {}
    if not root.exists():
        return out
    for p in sorted(root.rglob("*")):
        rel = str(p.relative_to(root))
        if p.is_file() and not p.name.endswith(("-wal", "-shm", "-journal")):
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
        elif p.is_dir():
            out[rel + "/"] = "dir"
    return out


def one_line_error(text_out: str) -> bool:
    """A user-facing error: no traceback, at least one line that says ``error``."""
    return "Traceback" not in text_out and bool(text_out.strip())
