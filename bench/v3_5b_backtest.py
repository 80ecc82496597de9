"""v3_5b on QQQ, TQQQ, PSQ, TLT, TMF, TMV 2010-01-01 → 2025-06-27: time per backtest and peak memory.

The six price files are read once (outside the timing). Each repeat builds a fresh strategy
and runs the engine cold (no indicator cache shared between runs) — the honest cost of one
backtest. Prints best-of-N time (target <= 0.25 s), a warm-cache time (the research-tool
case: indicators shared across runs), and peak traced memory of one run (target <= 200 MB).
With ``--profile`` also prints the top of a cProfile of one run.

    .venv/bin/python bench/v3_5b_backtest.py [--repeats 5] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import resource
import time
import tracemalloc
from pathlib import Path

from jutsu.core.engine import run_backtest
from jutsu.core.market import IndicatorCache, MarketData
from jutsu.data.sources.csv_source import read_price_csv
from jutsu.strategies.hierarchical_adaptive import HierarchicalAdaptiveV35b, HierarchicalAdaptiveV35bParams

PRICES = Path(__file__).resolve().parents[2] / "shared" / "data" / "prices"
SYMBOLS = ("QQQ", "TQQQ", "PSQ", "TLT", "TMF", "TMV")
START, END = dt.date(2010, 1, 1), dt.date(2025, 6, 27)
REFERENCE = HierarchicalAdaptiveV35bParams(
    measurement_noise=3000.0,  # type: ignore[arg-type]
    osc_smoothness=10,
    symmetric_volume_adjustment=True,
    t_norm_bull_thresh=0.05,  # type: ignore[arg-type]
    vol_baseline_window=200,
)
TIME_TARGET_S = 0.25
MEMORY_TARGET_MB = 200.0


def load() -> MarketData:
    frames = {}
    for sym in SYMBOLS:
        _, frame = read_price_csv(PRICES / f"{sym}.csv", sym)
        frames[sym] = frame
    return MarketData.from_frames(frames)


CPU: list[float] = []
"""CPU seconds (``time.process_time``) of every :func:`once`: stable on a loaded, shared box."""


def once(market: MarketData, cache: IndicatorCache | None = None) -> float:
    strategy = HierarchicalAdaptiveV35b(REFERENCE)
    t0, c0 = time.perf_counter(), time.process_time()
    result = run_backtest(strategy, market, start=START, end=END, indicator_cache=cache)
    elapsed = time.perf_counter() - t0
    CPU.append(time.process_time() - c0)
    assert result.snapshots[-1].date == END
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()

    market = load()
    once(market)  # warm imports and code paths
    CPU.clear()
    cold = min(once(market) for _ in range(args.repeats))
    cold_cpu = min(CPU)
    cache = IndicatorCache()
    once(market, cache)
    CPU.clear()
    warm = min(once(market, cache) for _ in range(args.repeats))
    warm_cpu = min(CPU)

    tracemalloc.start()
    once(market)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak_mb = peak / 2**20
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"v3_5b {START} -> {END}, six symbols, {len(market.dates)} sessions loaded")
    verdict = "OK" if cold <= TIME_TARGET_S else "OVER"
    print(
        f"time per backtest (best of {args.repeats}, cold): {cold:.3f} s wall, {cold_cpu:.3f} s CPU"
        f"  target <= {TIME_TARGET_S} s  {verdict}"
    )
    print(
        f"time per backtest (best of {args.repeats}, shared indicator cache): {warm:.3f} s wall, "
        f"{warm_cpu:.3f} s CPU"
    )
    one, five, _ = os.getloadavg()
    print(f"load average {one:.2f} {five:.2f} on {os.cpu_count()} cores")
    verdict = "OK" if peak_mb <= MEMORY_TARGET_MB else "OVER"
    print(f"peak traced memory of one run: {peak_mb:.1f} MB  target <= {MEMORY_TARGET_MB:.0f} MB  {verdict}")
    print(f"process max RSS (data + interpreter + libraries): {rss_mb:.1f} MB")

    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        once(market)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
