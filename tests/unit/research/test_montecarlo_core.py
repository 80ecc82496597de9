"""Monte Carlo core: reproducibility, independence from the work split, path statistics."""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest

from jutsu.core.metrics import compute_metrics
from jutsu.errors import ConfigError, DataError
from jutsu.research.montecarlo import (
    MonteCarloSpec,
    band_steps,
    path_generator,
    run_monte_carlo,
    summarize,
    validate_returns,
)

RETURNS = np.random.default_rng(7).normal(0.0006, 0.012, 300)


def _same(a: object, b: object) -> None:
    from jutsu.research.montecarlo import MonteCarloResult

    assert isinstance(a, MonteCarloResult) and isinstance(b, MonteCarloResult)
    for name in ("final_equity", "cagr", "max_drawdown", "sharpe", "ruined"):
        np.testing.assert_array_equal(getattr(a.paths, name), getattr(b.paths, name), err_msg=name)
    np.testing.assert_array_equal(a.bands, b.bands)


@pytest.mark.parametrize("method", ["bootstrap", "block", "shuffle"])
def test_results_do_not_depend_on_chunks_or_workers(method: str) -> None:
    spec = MonteCarloSpec(method=method, iterations=203, seed=42, block_size=7)  # type: ignore[arg-type]
    one = run_monte_carlo(RETURNS, spec, workers=1, chunk_size=500)
    _same(one, run_monte_carlo(RETURNS, spec, workers=2, chunk_size=17))
    _same(one, run_monte_carlo(RETURNS, spec, workers=3, chunk_size=1))


def test_a_seed_reproduces_and_the_global_generator_is_untouched() -> None:
    np.random.seed(123)
    before = np.random.get_state()[1].copy()  # type: ignore[index]
    spec = MonteCarloSpec(iterations=50, seed=9)
    a, b = run_monte_carlo(RETURNS, spec), run_monte_carlo(RETURNS, spec)
    _same(a, b)
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # type: ignore[index]
    c = run_monte_carlo(RETURNS, MonteCarloSpec(iterations=50, seed=10))
    assert not np.array_equal(a.paths.final_equity, c.paths.final_equity)


def test_an_unseeded_run_reports_entropy_that_replays_it() -> None:
    a = run_monte_carlo(RETURNS, MonteCarloSpec(iterations=30))
    b = run_monte_carlo(RETURNS, MonteCarloSpec(iterations=30, seed=a.seed_entropy))
    _same(a, b)


def test_path_i_depends_only_on_seed_and_index() -> None:
    # the prefix of a longer run is the shorter run
    short = run_monte_carlo(RETURNS, MonteCarloSpec(iterations=40, seed=3))
    long = run_monte_carlo(RETURNS, MonteCarloSpec(iterations=90, seed=3), chunk_size=13)
    np.testing.assert_array_equal(short.paths.final_equity, long.paths.final_equity[:40])
    # and path 17 is exactly the bootstrap drawn from path_generator(seed, 17)
    idx = path_generator(3, 17).integers(0, RETURNS.shape[0], RETURNS.shape[0])
    path = RETURNS[idx]
    assert short.paths.final_equity[17] == pytest.approx(10_000 * np.prod(1 + path), rel=1e-12)


def test_path_statistics_match_the_platform_metrics() -> None:
    """A shuffle keeps the final value and Sharpe; each path's numbers equal compute_metrics."""
    res = run_monte_carlo(RETURNS, MonteCarloSpec(method="shuffle", iterations=25, seed=5))
    growth = float(np.prod(1 + RETURNS))
    np.testing.assert_allclose(res.paths.final_equity, 10_000 * growth, rtol=1e-10)
    for i in (0, 11, 24):
        perm = path_generator(5, i).permutation(RETURNS.shape[0])
        equity = 10_000 * np.cumprod(1 + RETURNS[perm])
        dates = [np.datetime64("2020-01-01") + k for k in range(equity.shape[0])]
        m = compute_metrics(equity.tolist(), [d.astype(object) for d in dates], 10_000)
        assert res.paths.max_drawdown[i] == pytest.approx(m["max_drawdown"], rel=1e-9)
        assert res.paths.cagr[i] == pytest.approx(m["cagr"], rel=1e-9)
        assert res.paths.sharpe[i] == pytest.approx(m["sharpe"], rel=1e-9)


def test_block_bootstrap_draws_whole_circular_blocks() -> None:
    r = np.arange(1, 41, dtype=float) / 1000.0  # distinct values reveal the indices
    spec = MonteCarloSpec(method="block", iterations=4, seed=1, block_size=6)
    res = run_monte_carlo(r, spec)
    rng = path_generator(1, 2)
    starts = rng.integers(0, 40, math.ceil(40 / 6))
    idx = ((starts[:, None] + np.arange(6)) % 40).ravel()[:40]
    assert res.paths.final_equity[2] == pytest.approx(10_000 * np.prod(1 + r[idx]), rel=1e-12)


def test_bands_are_ordered_and_start_at_the_capital() -> None:
    short = RETURNS[:200]
    res = run_monte_carlo(short, MonteCarloSpec(iterations=400, seed=2, initial_capital=5000.0))
    assert res.bands.shape == (5, short.shape[0] + 1)  # every step of a short path
    np.testing.assert_array_equal(res.bands[:, 0], 5000.0)
    assert np.all(np.diff(res.bands, axis=0) >= 0)
    np.testing.assert_allclose(res.bands[2, -1], np.median(res.paths.final_equity))
    assert band_steps(2520).shape[0] <= 253 and band_steps(2520)[-1] == 2520


def test_summary_probabilities_and_original_ranks() -> None:
    res = run_monte_carlo(RETURNS, MonteCarloSpec(iterations=500, seed=4, drawdown_thresholds=(0.05, 0.1)))
    s = summarize(res)
    dd = res.paths.max_drawdown
    assert s["prob_drawdown_worse_than"]["0.05"] == pytest.approx(np.mean(dd < -0.05))
    assert s["prob_drawdown_worse_than"]["0.1"] == pytest.approx(np.mean(dd < -0.1))
    assert s["prob_loss"] == pytest.approx(np.mean(res.paths.final_equity < 10_000))
    mins = [
        float(np.min(np.cumprod(1 + RETURNS[path_generator(4, i).integers(0, 300, 300)]))) for i in range(500)
    ]
    assert s["prob_ruin"] == pytest.approx(np.mean(np.array(mins) <= 0.5))
    orig = s["original"]["final_equity"]
    assert orig["value"] == pytest.approx(10_000 * np.prod(1 + RETURNS))
    assert orig["percentile_rank"] == pytest.approx(np.mean(res.paths.final_equity <= orig["value"]))
    ci = s["distributions"]["cagr"]["confidence_interval"]
    assert ci == pytest.approx(list(np.percentile(res.paths.cagr, [2.5, 97.5])))


def test_a_total_loss_is_a_full_drawdown_and_ruin() -> None:
    r = np.full(12, 0.01)
    r[3] = -1.0
    res = run_monte_carlo(r, MonteCarloSpec(method="shuffle", iterations=5, seed=0))
    np.testing.assert_array_equal(res.paths.max_drawdown, -1.0)
    assert res.paths.ruined.all()
    np.testing.assert_array_equal(res.paths.final_equity, 0.0)


def test_cancel_stops_before_the_next_chunk() -> None:
    stop = threading.Event()
    seen: list[int] = []

    def progress(n: int) -> None:
        seen.append(n)
        stop.set()

    with pytest.raises(KeyboardInterrupt):
        run_monte_carlo(
            RETURNS, MonteCarloSpec(iterations=100, seed=1), chunk_size=10, progress=progress, cancel=stop
        )
    assert seen == [10]


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ([0.01] * 9, "at least 10"),
        ([0.01] * 10 + [float("nan")], "NaN"),
        ([0.01] * 10 + [float("inf")], "infinite"),
        ([0.01] * 10 + [-1.5], "below −1"),
    ],
)
def test_bad_returns_are_rejected(values: list[float], match: str) -> None:
    with pytest.raises(DataError, match=match):
        validate_returns(values)


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        (MonteCarloSpec(method="nope"), "method"),  # type: ignore[arg-type]
        (MonteCarloSpec(iterations=0), "iterations"),
        (MonteCarloSpec(method="block", block_size=400), "block_size"),
        (MonteCarloSpec(drawdown_thresholds=(30.0,)), "fractions"),
        (MonteCarloSpec(method="shuffle", horizon=50), "horizon"),
        (MonteCarloSpec(ruin_level=1.5), "ruin_level"),
    ],
)
def test_bad_specs_are_rejected(spec: MonteCarloSpec, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        run_monte_carlo(RETURNS, spec)


def test_interpretation_bands_follow_the_spec() -> None:
    from jutsu.research.montecarlo import risk_level, standing

    assert [standing(x) for x in (0.0, 0.2999, 0.30, 0.5999, 0.60, 0.8499, 0.85, 1.0)] == [
        "below average",
        "below average",
        "near median",
        "near median",
        "above average",
        "above average",
        "top tier",
        "top tier",
    ]
    assert [risk_level(x) for x in (0.0, 0.0499, 0.05, 0.1499, 0.15, 0.2999, 0.30)] == [
        "very low",
        "very low",
        "low",
        "low",
        "moderate",
        "moderate",
        "high",
    ]
    s = summarize(run_monte_carlo(RETURNS, MonteCarloSpec(iterations=100, seed=1)))
    assert set(s["risk_level"]) == set(s["prob_drawdown_worse_than"])
    assert s["original"]["cagr"]["standing"] == standing(s["original"]["cagr"]["percentile_rank"])
