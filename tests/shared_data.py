"""Where the shared data lives (``../shared`` beside the repository), importable from any test.

A plain module rather than ``conftest``: with several ``conftest.py`` files in the tree,
``from conftest import ...`` resolves to whichever one was imported first.
"""

from __future__ import annotations

import os
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PRICES = SHARED / "data" / "prices"
FIXTURES = SHARED / "data" / "fixtures"
REFERENCE = SHARED / "data" / "reference"

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    """The PostgreSQL server the database tests use (``JUTSU_TEST_POSTGRES_URL``)."""
    return os.environ.get("JUTSU_TEST_POSTGRES_URL", DEFAULT_PG_URL)
