"""Benchmark: one daily run of two strategies (v3_5b, sma_crossover) with the paper broker.

Zero-latency broker (paper, quotes = the session's closes), history from the shared price
files in memory, a fresh SQLite file; budget ≤ 2 s. Prints total time, the per-strategy
time and the per-step breakdown (book, quotes, history, decide, recover, orders, reconcile,
persist), plus the replay length, so a slow step shows up next to the others.

    .venv/bin/python bench/live_run.py
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration" / "live"))

from live_helpers import Clock, context, full_bar, full_market, job  # noqa: E402

from jutsu.data.database import create_db_engine  # noqa: E402
from jutsu.data.migrate import upgrade  # noqa: E402
from jutsu.data.repositories.live_engine_state import set_engine_state  # noqa: E402
from jutsu.live.pipeline import run_daily  # noqa: E402

BUDGET_S = 2.0
INCEPTION = dt.date(2023, 1, 3)
DAY = dt.date(2024, 6, 28)


def main() -> None:
    full_market()  # load the price files outside the timed part (the DB load is the data team's)
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_db_engine(f"sqlite:///{tmp}/bench.db")
        upgrade(engine)
        set_engine_state(engine, "running")
        clock = Clock(INCEPTION)
        ctx, _, _ = context(engine, clock, today_bar=full_bar)
        jobs = [job("v3_5b"), job("sma_crossover")]
        t0 = time.perf_counter()
        first = run_daily(ctx, jobs)  # inception: creates the books and opens every position
        first_total = time.perf_counter() - t0
        clock.set(DAY)
        t0 = time.perf_counter()
        result = run_daily(ctx, jobs)
        total = time.perf_counter() - t0
        engine.dispose()
    orders = sum(o.orders_filled for o in first.outcomes)
    print(f"first run {INCEPTION}, 2 strategies, {orders} orders placed and filled: {first.status}")
    verdict = "OK" if first_total <= BUDGET_S else "OVER BUDGET"
    print(f"total {first_total:.3f} s (budget {BUDGET_S:.1f} s) -> {verdict}")
    print(f"daily run, 2 strategies, paper broker, replay {INCEPTION} -> {DAY}: {result.status}")
    print(f"total {total:.3f} s (budget {BUDGET_S:.1f} s) -> {'OK' if total <= BUDGET_S else 'OVER BUDGET'}")
    for name, seconds in result.timings.items():
        print(f"  {name:<24} {seconds * 1000:8.1f} ms")
    for outcome in result.outcomes:
        print(f"  {outcome.strategy_id}: {outcome.status} ({outcome.message})")
        for step, seconds in outcome.timings.items():
            print(f"    {step:<22} {seconds * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
