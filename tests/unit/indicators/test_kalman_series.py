"""The whole-series Kalman strength must equal the incremental filter bit for bit.

The strategy reads the strength from ``kalman_strength_series`` (computed once per data
window, shared across grid combinations) while the spec is written as the incremental
filter; any float difference could flip a threshold comparison, so equality is exact.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from jutsu.indicators.kalman import KalmanTrendFilter, kalman_strength_series


def _walk(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0005, 0.02, n)))
    volume = rng.integers(0, 5_000_000, n).astype(np.float64)  # includes zero volumes
    volume[rng.integers(0, n, max(n // 20, 1))] = 0.0
    return close, volume


def _incremental(close: np.ndarray, volume: np.ndarray, **params: object) -> np.ndarray:
    kf = KalmanTrendFilter(**params)  # type: ignore[arg-type]
    return np.array([kf.update(c, v) for c, v in zip(close.tolist(), volume.tolist(), strict=True)])


@pytest.mark.parametrize(
    ("osc", "strength", "symmetric", "double"),
    list(itertools.product([1, 10, 20, 25], [1, 7, 20, 30, 600], [False, True], [False, True])),
)
def test_series_equals_incremental_filter_exactly(
    osc: int, strength: int, symmetric: bool, double: bool
) -> None:
    close, volume = _walk(900, osc * 1000 + strength)
    params = {
        "measurement_noise": 500.0,
        "process_noise_1": 0.02,
        "process_noise_2": 0.005,
        "osc_smoothness": osc,
        "strength_smoothness": strength,
        "symmetric_volume_adjustment": symmetric,
        "double_smoothing": double,
    }
    expected = _incremental(close, volume, **params)
    got = kalman_strength_series(close, volume, *params.values())  # type: ignore[arg-type]
    assert got.tobytes() == expected.tobytes()
    assert np.count_nonzero(got) > 0 or strength == 600  # the comparison is not vacuous


@pytest.mark.parametrize("n", [0, 1, 2, 5, 16, 40])
def test_short_series_and_nan_closes(n: int) -> None:
    close, volume = _walk(max(n, 1), n)
    close, volume = close[:n].copy(), volume[:n]
    if n > 3:
        close[2] = np.nan
    for osc, strength, double in itertools.product([1, 10], [1, 15], [False, True]):
        params = {
            "measurement_noise": 100.0,
            "process_noise_1": 0.01,
            "process_noise_2": 0.01,
            "osc_smoothness": osc,
            "strength_smoothness": strength,
            "double_smoothing": double,
        }
        expected = _incremental(close, volume, **params)
        got = kalman_strength_series(close, volume, 100.0, 0.01, 0.01, osc, strength, False, double)
        assert got.shape == (n,)
        assert got.tobytes() == expected.astype(np.float64).tobytes()


def test_rejects_bad_parameters_like_the_filter() -> None:
    close, volume = _walk(10, 1)
    with pytest.raises(ValueError, match="noise"):
        kalman_strength_series(close, volume, 0.0, 0.01, 0.01, 10, 15)
    with pytest.raises(ValueError, match="same length"):
        kalman_strength_series(close, volume[:5], 1.0, 0.01, 0.01, 10, 15)
