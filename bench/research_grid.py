"""Research throughput: a 1,000-combination v3_5b grid over 2010-2025, cache and Dask scaling.

Measured side by side in one run (throw-away SQLite database in a temp directory):

1. the full grid (sma_fast × sma_slow × upper_thresh_z = 10 × 10 × 10) with the local process
   pool (one worker per core): wall time (target <= 120 s) and combinations per second;
2. the indicator cache: the same subset evaluated in this process with and without a shared
   ``IndicatorCache`` (same combinations, same warm worker state, cache on vs off) → speed-up,
   in wall time and in CPU time (``time.process_time``: robust to a loaded machine);
3. Dask LocalCluster with 1 worker vs 2 workers on the same grid (target >= 1.7×). Each
   cluster first runs a 4-combination warm-up grid on the same data (worker processes
   import, build their market data once), so the timed grids compare steady-state throughput.

The machine's load average is printed alongside: the box is shared, so wall times move.

    .venv/bin/python bench/research_grid.py [--subset 24] [--dask-combos 100] [--skip-full]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from jutsu.backtest.loaders import csv_dir_loader
from jutsu.data.database import create_db_engine
from jutsu.data.migrate import upgrade
from jutsu.research.combos import expand_grid
from jutsu.research.config import ResearchConfig, parse_research_config
from jutsu.research.executors import DaskExecutor, Executor, LocalExecutor
from jutsu.research.grid import build_tasks, cost_context, run_grid
from jutsu.research.jobs import load_research_data, worker_setup
from jutsu.research.worker import _STATES, evaluate

PRICES = Path(__file__).resolve().parents[2] / "shared" / "data" / "prices"
FULL_TARGET_S = 120.0
DASK_TARGET = 1.7


def config(n_fast: int = 10, n_slow: int = 10, n_z: int = 10) -> ResearchConfig:
    data: dict[str, Any] = {
        "strategy": "v3_5b",
        "start": "2010-01-01",
        "end": "2025-06-27",
        "parameters": {
            "sma_fast": list(range(20, 20 + 5 * n_fast, 5)),
            "sma_slow": list(range(100, 100 + 10 * n_slow, 10)),
            "upper_thresh_z": [f"{0.5 + 0.1 * i:.1f}" for i in range(n_z)],
        },
        "fixed": {
            "measurement_noise": "3000.0",
            "osc_smoothness": 10,
            "symmetric_volume_adjustment": True,
            "t_norm_bull_thresh": "0.05",
            "vol_baseline_window": 200,
        },
    }
    return parse_research_config(data)


def timed_grid(
    cfg: ResearchConfig, executor: Executor, db: Path, warmup: ResearchConfig | None = None
) -> tuple[float, int]:
    engine = create_db_engine(f"sqlite:///{db}")
    upgrade(engine)
    try:
        with executor:  # cluster start-up is not part of the throughput
            if warmup is not None:
                run_grid(warmup, loader=csv_dir_loader(PRICES), executor=executor, engine=engine)
            t0 = time.perf_counter()
            result = run_grid(cfg, loader=csv_dir_loader(PRICES), executor=executor, engine=engine)
        elapsed = time.perf_counter() - t0
    finally:
        engine.dispose()
    failed = [r for r in result.rows if r.status != "completed"]
    assert not failed, failed[0].error
    return elapsed, len(result.rows)


def cache_speedup(cfg: ResearchConfig, subset: int) -> dict[bool, tuple[float, float]]:
    """(wall, cpu) seconds for ``subset`` combinations with the cache off and on."""
    grid = expand_grid(cfg)
    data = load_research_data(cfg, grid, csv_dir_loader(PRICES))
    combos = grid.combos[:subset]
    tasks = build_tasks(cfg.strategy, combos, data.fingerprint, cfg.start, cfg.end, cost_context(cfg))
    times = {}
    for use_cache in (False, True):
        _STATES.clear()
        setup = worker_setup(cfg, data, use_cache=use_cache)
        evaluate(setup, tasks[0])  # worker state (market data) built outside the timing
        if use_cache:
            _STATES[(setup.fingerprint, True)].cache.clear()  # a cold cache: the first combo pays
        t0, c0 = time.perf_counter(), time.process_time()
        for task in tasks:
            evaluate(setup, task)
        times[use_cache] = (time.perf_counter() - t0, time.process_time() - c0)
    return times


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--subset", type=int, default=24, help="combinations for the cache comparison")
    ap.add_argument("--dask-combos", type=int, default=100, help="size of the Dask 1-vs-2 grid")
    ap.add_argument("--skip-full", action="store_true")
    args = ap.parse_args()

    print(load())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if not args.skip_full:
            full = config()
            pool = LocalExecutor(2)
            c0 = time.process_time()
            elapsed, n = timed_grid(full, pool, root / "full.db")
            verdict = "OK" if elapsed <= FULL_TARGET_S else "OVER"
            print(
                f"full grid: {n} combinations, v3_5b 2010-01-01..2025-06-27, {pool.description}: "
                f"{elapsed:.1f} s, {n / elapsed:.2f} combinations/s  "
                f"(target <= {FULL_TARGET_S:.0f} s) {verdict}; parent CPU {time.process_time() - c0:.1f} s"
            )
            print(f"  ({load()})")

        t = cache_speedup(config(), args.subset)
        (wall_off, cpu_off), (wall_on, cpu_on) = t[False], t[True]
        print(
            f"indicator cache, {args.subset} combinations in one process (cold cache, same combos): "
            f"without {wall_off:.2f} s, with {wall_on:.2f} s → speed-up {wall_off / wall_on:.2f}× wall, "
            f"{cpu_off / cpu_on:.2f}× CPU ({cpu_off:.2f} s vs {cpu_on:.2f} s)"
        )

        # sma_fast × upper_thresh_z: a smaller grid, so the two Dask runs stay short.
        small = config(n_fast=max(args.dask_combos // 10, 1), n_slow=1, n_z=10)
        warm = config(n_fast=2, n_slow=2, n_z=1)
        rates = {}
        for workers in (1, 2):
            elapsed, n = timed_grid(
                small, DaskExecutor(None, workers=workers), root / f"dask{workers}.db", warmup=warm
            )
            rates[workers] = n / elapsed
            print(
                f"Dask LocalCluster, {workers} worker(s): {n} combinations in {elapsed:.1f} s "
                f"({rates[workers]:.2f}/s)"
            )
        ratio = rates[2] / rates[1]
        verdict = "OK" if ratio >= DASK_TARGET else "UNDER"
        print(f"Dask 2 vs 1 worker throughput: {ratio:.2f}×  (target >= {DASK_TARGET}×) {verdict}")
        print(f"  ({load()})")


if __name__ == "__main__":
    main()
