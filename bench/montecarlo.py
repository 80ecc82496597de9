"""Monte Carlo bootstrap, 10 000 paths × 2 520 daily returns: seconds, and speed-up over a naive loop.

The vectorised run (:func:`jutsu.research.montecarlo.run_monte_carlo`, one dedicated generator
per path, chunked numpy) is timed best-of-N on the full problem. The naive peer is the obvious
per-iteration Python loop (same generators, same draws, then a day-by-day loop for equity,
running peak, drawdown and Sharpe sums), timed on a subset of paths and scaled linearly to
10 000; its results are checked against the vectorised ones so the comparison is like for like.

    .venv/bin/python bench/montecarlo.py [--repeats 3] [--subset 200] [--workers 1]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from jutsu.research.montecarlo import MonteCarloSpec, path_generator, run_monte_carlo

ITERATIONS, DAYS = 10_000, 2_520
TARGET_S = 1.0


def naive(returns: np.ndarray, seed: int, count: int, capital: float = 10_000.0) -> np.ndarray:
    """Per-iteration loop: final equity, max drawdown and Sharpe of each path."""
    out = np.empty((count, 3))
    n = returns.shape[0]
    for i in range(count):
        draws = returns[path_generator(seed, i).integers(0, n, n)].tolist()
        equity, peak, worst, s1, s2 = capital, capital, 0.0, 0.0, 0.0
        for r in draws:
            equity *= 1.0 + r
            peak = max(peak, equity)
            worst = min(worst, equity / peak - 1.0)
            s1 += r
            s2 += r * r
        mean = s1 / n
        std = math.sqrt(max(s2 - n * mean * mean, 0.0) / (n - 1))
        out[i] = (equity, worst, mean / std * math.sqrt(252))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--subset", type=int, default=200, help="paths of the naive loop (scaled)")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    returns = np.random.default_rng(2520).normal(0.0005, 0.012, DAYS)
    spec = MonteCarloSpec(method="bootstrap", iterations=ITERATIONS, seed=7)
    best = cpu = math.inf
    result = None
    for _ in range(args.repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        result = run_monte_carlo(returns, spec, workers=args.workers)
        best = min(best, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    assert result is not None

    t0 = time.perf_counter()
    slow = naive(returns, 7, args.subset)
    naive_s = (time.perf_counter() - t0) * ITERATIONS / args.subset

    p = result.paths
    np.testing.assert_allclose(slow[:, 0], p.final_equity[: args.subset], rtol=1e-9)
    np.testing.assert_allclose(slow[:, 1], p.max_drawdown[: args.subset], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(slow[:, 2], p.sharpe[: args.subset], rtol=1e-6)

    print(f"Monte Carlo bootstrap {ITERATIONS:,} paths × {DAYS:,} days (workers={args.workers})")
    print(
        f"  vectorised           {best:8.3f} s  (best of {args.repeats}; target <= {TARGET_S:.1f} s) "
        f"{'OK' if best <= TARGET_S else 'OVER TARGET'}"
    )
    print(
        f"  naive Python loop    {naive_s:8.3f} s  "
        f"({args.subset} paths measured, scaled × {ITERATIONS // args.subset})"
    )
    print(f"  vectorised CPU time  {cpu:8.3f} s  (all threads; wall > CPU means a busy machine)")
    print(f"  speed-up             {naive_s / best:8.1f} ×  (results identical on the measured paths)")


if __name__ == "__main__":
    main()
