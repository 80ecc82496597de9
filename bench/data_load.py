"""Load the nine shared price files into a fresh SQLite file and a fresh PostgreSQL schema.

Prints, side by side, the seconds and bars/second of each engine for the same work: parse the
CSV files (timed separately), then store every bar with ``import_bars`` (one transaction per
file, like ``jutsu data import``), then re-import everything (the no-op path of a repeated
import). Target: < 3 s for the ~45k bars on either engine.

    .venv/bin/python bench/data_load.py [--prices DIR]

PostgreSQL comes from ``JUTSU_TEST_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``); the schema is dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from pathlib import Path

import pandas as pd
from sqlalchemy import text

from jutsu.data.calendar import nyse_calendar
from jutsu.data.database import create_db_engine
from jutsu.data.migrate import upgrade
from jutsu.data.repositories.market_data import import_bars
from jutsu.data.sources.csv_source import read_price_csv

DEFAULT_PRICES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "prices"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def load(url: str, frames: list[tuple[str, pd.DataFrame]]) -> tuple[float, float, int]:
    engine = create_db_engine(url)
    try:
        upgrade(engine)
        began = time.perf_counter()
        inserted = sum(import_bars(engine, sym, frame, "csv").inserted for sym, frame in frames)
        first = time.perf_counter() - began
        began = time.perf_counter()
        for sym, frame in frames:
            import_bars(engine, sym, frame, "csv")
        again = time.perf_counter() - began
    finally:
        engine.dispose()
    return first, again, inserted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prices", type=Path, default=DEFAULT_PRICES)
    args = parser.parse_args()
    nyse_calendar()  # build the cached calendar once, outside the timings

    began = time.perf_counter()
    frames = [read_price_csv(p) for p in sorted(args.prices.glob("*.csv"))]
    parse = time.perf_counter() - began
    bars = sum(len(f) for _, f in frames)
    print(f"{len(frames)} files, {bars} bars; CSV parse+validate {parse:.2f} s ({bars / parse:,.0f} bars/s)")

    results: dict[str, tuple[float, float, int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = load(f"sqlite:///{Path(tmp) / 'bench.db'}", frames)

    base = os.environ.get("JUTSU_TEST_POSTGRES_URL", DEFAULT_PG)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_db_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in base else "?"
        results["postgresql"] = load(f"{base}{sep}options=-csearch_path%3D{schema}", frames)
    except Exception as exc:  # report and keep the SQLite figures
        print(f"postgresql: skipped ({type(exc).__name__}: {str(exc).splitlines()[0]})")
    finally:
        try:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        finally:
            admin.dispose()

    print(f"{'engine':<11} {'import s':>9} {'bars/s':>10} {'re-import s':>12} {'target':>8}")
    for name, (first, again, inserted) in results.items():
        verdict = "ok" if first < 3.0 else "SLOW"
        print(f"{name:<11} {first:>9.2f} {inserted / first:>10,.0f} {again:>12.2f} {'<3 s ' + verdict:>8}")
    if len(results) == 2:
        ratio = results["postgresql"][0] / results["sqlite"][0]
        print(f"postgresql / sqlite import time: {ratio:.2f}x")


if __name__ == "__main__":
    main()
