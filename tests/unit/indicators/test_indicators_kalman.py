"""The Kalman trend filter of strategy spec §4.1: worked step, warm-up length, matrix form."""

from __future__ import annotations

import numpy as np
import pytest

from jutsu.indicators import KalmanTrendFilter, kalman_trend_strength

REF = {
    "measurement_noise": 3000.0,
    "process_noise_1": 0.01,
    "process_noise_2": 0.01,
    "osc_smoothness": 10,
    "strength_smoothness": 15,
    "symmetric_volume_adjustment": True,
}


def test_spec_worked_single_step() -> None:
    kf = KalmanTrendFilter(**REF)  # type: ignore[arg-type]
    assert kf.update(100.0, 1e6) == 0.0
    kf.update(101.0, 2e6)
    x0, x1 = kf.state
    assert x0 == pytest.approx(100.0013382, abs=1e-7)
    assert x1 == pytest.approx(0.00066577, abs=1e-8)
    (p00, p01), (p10, p11) = kf.covariance
    assert p00 == pytest.approx(2.0073102, abs=1e-7)
    assert p01 == pytest.approx(0.9986618, abs=1e-7)
    assert p10 == pytest.approx(0.9986618, abs=1e-7)
    assert p11 == pytest.approx(1.0093342, abs=1e-7)


def _matrix_reference(close: np.ndarray, volume: np.ndarray, symmetric: bool, o: int, s: int) -> list[float]:
    """A literal numpy-matrix transcription of spec §4.1 (independent of the scalar code)."""
    F = np.array([[1.0, 1.0], [0.0, 1.0]])
    H = np.array([[1.0, 0.0]])
    Q = np.diag([0.01, 0.01])
    x = np.array([close[0], 0.0])
    P = np.eye(2)
    v_prev = volume[0]
    innov: list[float] = []
    osc: list[float] = []
    out = [0.0]
    for z, v in zip(close[1:], volume[1:], strict=True):
        xh = F @ x
        Ph = F @ P @ F.T + Q
        ratio = (v_prev / v if symmetric else v_prev / max(v_prev, v)) if v > 0 else 1.0
        R = 3000.0 * ratio
        S = Ph[0, 0] + R
        K = Ph[:, 0] / S
        y = z - xh[0]
        x = xh + K * y
        P = (np.eye(2) - np.outer(K, H)) @ Ph
        v_prev = v
        innov = ([*innov, abs(y)])[-500:]
        strength = 0.0
        if len(innov) >= s:
            m = max(innov)
            osc = ([*osc, 0.0 if m == 0 else 100 * y / m])[-20:]
            if len(osc) >= o:
                w = np.arange(1, o + 1)
                strength = float(np.dot(w, osc[-o:]) / w.sum())
        out.append(strength)
    return out


@pytest.mark.parametrize("symmetric", [True, False])
def test_series_matches_literal_matrix_transcription(symmetric: bool) -> None:
    rng = np.random.default_rng(11)
    n = 700  # > 500 so the innovation buffer rolls over
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.012, n)))
    volume = rng.uniform(1e6, 5e6, n)
    volume[100] = 0.0  # zero volume: R = R0, v_prev still updated
    params = {**REF, "symmetric_volume_adjustment": symmetric}
    ours = kalman_trend_strength(close, volume, **params)  # type: ignore[arg-type]
    expected = _matrix_reference(close, volume, symmetric, 10, 15)
    np.testing.assert_allclose(ours, expected, rtol=1e-9, atol=1e-9)


def test_strength_is_zero_until_s_plus_o_minus_1_updates() -> None:
    rng = np.random.default_rng(5)
    close = 100 + np.cumsum(rng.normal(0, 1, 60))
    out = kalman_trend_strength(close, np.full(60, 1e6), **REF)  # type: ignore[arg-type]
    k_first = 15 + 10 - 1  # updates after the first bar
    assert (out[:k_first] == 0.0).all()
    assert out[k_first] != 0.0
    assert np.abs(out).max() <= 100.0


def test_t_norm_is_clipped_and_incremental_equals_vectorised() -> None:
    close = np.concatenate([np.linspace(100, 200, 80), np.linspace(200, 150, 40)])
    vol = np.full(close.shape[0], 2e6)
    t = kalman_trend_strength(close, vol, t_max=50.0, **REF)  # type: ignore[arg-type]
    assert t.max() == 1.0 and t.min() == -1.0
    kf = KalmanTrendFilter(**REF)  # type: ignore[arg-type]
    inc = [kf.update(c, v) for c, v in zip(close, vol, strict=True)]
    np.testing.assert_array_equal(np.clip(np.array(inc) / 50.0, -1, 1), t)


def test_double_smoothing_second_pass_when_s_fits_buffer() -> None:
    rng = np.random.default_rng(9)
    close = 100 + np.cumsum(rng.normal(0, 1, 120))
    vol = np.full(120, 1e6)
    base = {**REF, "osc_smoothness": 5, "strength_smoothness": 8}
    single = kalman_trend_strength(close, vol, **base)  # type: ignore[arg-type]
    double = kalman_trend_strength(close, vol, double_smoothing=True, **base)  # type: ignore[arg-type]
    first = np.flatnonzero(single)[0]
    # first-pass values are single's; the second pass needs 8 of them
    np.testing.assert_array_equal(double[: first + 7], single[: first + 7])
    w = np.arange(1, 9)
    assert double[first + 7] == pytest.approx(np.dot(w, single[first : first + 8]) / w.sum())
    # S > 20 never gets a second pass (first-pass buffer capacity is 20)
    wide = {**REF, "strength_smoothness": 30}
    np.testing.assert_array_equal(
        kalman_trend_strength(close, vol, double_smoothing=True, **wide),  # type: ignore[arg-type]
        kalman_trend_strength(close, vol, **wide),  # type: ignore[arg-type]
    )


def test_invalid_noise_rejected() -> None:
    with pytest.raises(ValueError, match="noise"):
        KalmanTrendFilter(**{**REF, "measurement_noise": 0.0})  # type: ignore[arg-type]
