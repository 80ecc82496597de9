"""The volume-adjusted Kalman trend filter of the Hierarchical Adaptive spec §4.1.

A constant-velocity Kalman filter tracks the close; its innovations (surprises) are turned
into a signed trend strength: the newest innovation relative to the largest recent one
(an oscillator in [−100, 100]), smoothed by a linearly weighted average. It is a stateful
recursion, so it exists as an incremental object (:class:`KalmanTrendFilter`, what a
strategy feeds one bar at a time) and as a whole-series function built on the same object
(:func:`kalman_trend_strength`), which guarantees both give identical numbers.

The arithmetic is plain float64 scalars: the 2×2 matrices are written out by hand, which is
both faster than numpy for this size and easy to check against the spec's worked step.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
import numpy.typing as npt

from jutsu.core.context import FloatArray
from jutsu.indicators._common import as_series

__all__ = [
    "INNOVATION_CAPACITY",
    "OSCILLATOR_CAPACITY",
    "KalmanTrendFilter",
    "kalman_strength_series",
    "kalman_trend_strength",
    "normalise_strength",
]

INNOVATION_CAPACITY = 500
OSCILLATOR_CAPACITY = 20


def _wma_tail(values: deque[float], n: int) -> float:
    """Linearly weighted mean of the newest ``n`` values (newest weight n)."""
    start = len(values) - n
    num = 0.0
    for k in range(n):
        num += (k + 1) * values[start + k]
    return num / (n * (n + 1) / 2)


class KalmanTrendFilter:
    """Incremental filter: ``update(close, volume)`` returns the signed trend strength.

    Args:
        measurement_noise: base measurement noise R0 (> 0).
        process_noise_1, process_noise_2: diagonal of Q for level and velocity (> 0).
        osc_smoothness: WMA length of the oscillator (capped at 20).
        strength_smoothness: innovations needed before an oscillator exists (capped at 500);
            also the second-pass WMA length with ``double_smoothing``.
        symmetric_volume_adjustment: ``R = R0·v_prev/v`` (else ``R0·v_prev/max(v_prev, v)``).
        double_smoothing: apply a second WMA pass over first-pass values (capacity 20).
    """

    __slots__ = (
        "_count",
        "_first_pass",
        "_innovations",
        "_max_queue",
        "_oscillators",
        "_p00",
        "_p01",
        "_p10",
        "_p11",
        "_started",
        "_v_prev",
        "_x0",
        "_x1",
        "double_smoothing",
        "measurement_noise",
        "osc_len",
        "process_noise_1",
        "process_noise_2",
        "strength",
        "strength_len",
        "symmetric",
    )

    def __init__(
        self,
        *,
        measurement_noise: float,
        process_noise_1: float,
        process_noise_2: float,
        osc_smoothness: int,
        strength_smoothness: int,
        symmetric_volume_adjustment: bool = False,
        double_smoothing: bool = False,
    ) -> None:
        if measurement_noise <= 0 or process_noise_1 <= 0 or process_noise_2 <= 0:
            raise ValueError("measurement and process noise must be > 0")
        if osc_smoothness < 1 or strength_smoothness < 1:
            raise ValueError("smoothness lengths must be >= 1")
        self.measurement_noise = float(measurement_noise)
        self.process_noise_1 = float(process_noise_1)
        self.process_noise_2 = float(process_noise_2)
        self.osc_len = min(int(osc_smoothness), OSCILLATOR_CAPACITY)
        self.strength_len = min(int(strength_smoothness), INNOVATION_CAPACITY)
        self.symmetric = bool(symmetric_volume_adjustment)
        self.double_smoothing = bool(double_smoothing)
        self.reset()

    def reset(self) -> None:
        """Back to the state before the first bar."""
        self._started = False
        self._x0 = self._x1 = 0.0
        self._p00, self._p01, self._p10, self._p11 = 1.0, 0.0, 0.0, 1.0
        self._v_prev = 0.0
        self._count = 0  # innovations seen (the buffer holds the newest <= 500 of them)
        self._innovations: deque[float] = deque(maxlen=INNOVATION_CAPACITY)
        # monotonic queue of (index, |y|) for an O(1) running max over the buffer
        self._max_queue: deque[tuple[int, float]] = deque()
        self._oscillators: deque[float] = deque(maxlen=OSCILLATOR_CAPACITY)
        self._first_pass: deque[float] = deque(maxlen=OSCILLATOR_CAPACITY)
        self.strength = 0.0

    @property
    def state(self) -> tuple[float, float]:
        """Current ``(level, velocity)`` estimate."""
        return (self._x0, self._x1)

    @property
    def covariance(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """Current 2×2 state covariance P."""
        return ((self._p00, self._p01), (self._p10, self._p11))

    def update(self, close: float, volume: float) -> float:
        """Feed one bar; return the signed trend strength after it (0 while warming up)."""
        z, v = float(close), float(volume)
        if not self._started:
            self._started = True
            self._x0, self._x1 = z, 0.0
            self._v_prev = v
            self.strength = 0.0
            return 0.0
        # predict: x̂ = F x, P̂ = F P Fᵀ + Q with F = [[1, 1], [0, 1]]
        x0 = self._x0 + self._x1
        x1 = self._x1
        p00 = self._p00 + self._p10 + self._p01 + self._p11 + self.process_noise_1
        p01 = self._p01 + self._p11
        p10 = self._p10 + self._p11
        p11 = self._p11 + self.process_noise_2
        # volume-adjusted measurement noise
        r = self.measurement_noise
        if v > 0:
            ratio = self._v_prev / v if self.symmetric else self._v_prev / max(self._v_prev, v)
            r = r * ratio
        # update: K = P̂[:,0] / s, P = (I − K H) P̂
        s = p00 + r
        k0, k1 = p00 / s, p10 / s
        y = z - x0
        self._x0, self._x1 = x0 + k0 * y, x1 + k1 * y
        self._p00, self._p01 = p00 - k0 * p00, p01 - k0 * p01
        self._p10, self._p11 = p10 - k1 * p00, p11 - k1 * p01
        self._v_prev = v
        self.strength = self._strength(y)
        return self.strength

    def _strength(self, y: float) -> float:
        a = abs(y)
        idx = self._count
        self._count += 1
        self._innovations.append(a)
        q = self._max_queue
        while q and q[-1][1] <= a:
            q.pop()
        q.append((idx, a))
        while q[0][0] <= idx - INNOVATION_CAPACITY:
            q.popleft()
        if len(self._innovations) < self.strength_len:
            return 0.0
        m = q[0][1]
        self._oscillators.append(0.0 if m == 0.0 else 100.0 * y / m)
        if len(self._oscillators) < self.osc_len:
            return 0.0
        first = _wma_tail(self._oscillators, self.osc_len)
        if not self.double_smoothing:
            return first
        self._first_pass.append(first)
        if len(self._first_pass) >= self.strength_len:
            return _wma_tail(self._first_pass, self.strength_len)
        return first


def kalman_strength_series(
    close: npt.ArrayLike,
    volume: npt.ArrayLike,
    measurement_noise: float,
    process_noise_1: float,
    process_noise_2: float,
    osc_smoothness: int,
    strength_smoothness: int,
    symmetric_volume_adjustment: bool = False,
    double_smoothing: bool = False,
) -> FloatArray:
    """Raw trend strength of every bar, positional arguments (``ctx.indicator`` form).

    Meant for ``ctx.indicator(symbol, ("close", "volume"), kalman_strength_series, ...)``:
    the strength does not depend on the thresholds a grid usually varies, so one pass per
    data window serves every combination. The loop is :meth:`KalmanTrendFilter.update`
    inlined with local variables (the oscillator and its averages vectorised) — the same float
    operations in the same order, hence the same numbers bit for bit (a test pins this).
    """
    c, vol = as_series(close, "close"), as_series(volume, "volume")
    if c.shape != vol.shape:
        raise ValueError("close and volume must have the same length")
    kf = KalmanTrendFilter(  # validates the parameters exactly as the incremental filter does
        measurement_noise=measurement_noise,
        process_noise_1=process_noise_1,
        process_noise_2=process_noise_2,
        osc_smoothness=osc_smoothness,
        strength_smoothness=strength_smoothness,
        symmetric_volume_adjustment=symmetric_volume_adjustment,
        double_smoothing=double_smoothing,
    )
    out = np.zeros(c.shape[0], dtype=np.float64)
    if c.shape[0] == 0:
        return out
    out[1:] = _strength_loop(kf, c.tolist(), vol.tolist())
    return out


def _wma_columns(values: FloatArray, n: int) -> FloatArray:
    """:func:`_wma_tail` of every window of ``n`` consecutive values, vectorised over time.

    Each output element gets exactly the scalar loop's operations in the same order
    (``num += (k + 1) * x`` for k = 0..n−1, then ``/ (n(n+1)/2)``), so results are identical.
    """
    m = values.shape[0] - n + 1
    if m <= 0:
        return np.zeros(0, dtype=np.float64)
    num = np.zeros(m, dtype=np.float64)
    for k in range(n):
        num += (k + 1) * values[k : k + m]
    out: FloatArray = num / (n * (n + 1) / 2)
    return out


def _strength_loop(kf: KalmanTrendFilter, closes: list[float], volumes: list[float]) -> FloatArray:
    """Strengths of bars 1.. (bar 0 starts the filter and is 0), see :meth:`KalmanTrendFilter.update`.

    The recursion (state, covariance, running max of |innovation|) runs as a scalar loop; the
    oscillator and its weighted averages, which only read the recursion's outputs, are numpy.
    """
    r0, q1, q2 = kf.measurement_noise, kf.process_noise_1, kf.process_noise_2
    symmetric = kf.symmetric
    cap = INNOVATION_CAPACITY
    x0, x1 = float(closes[0]), 0.0
    p00, p01, p10, p11 = 1.0, 0.0, 0.0, 1.0
    v_prev = float(volumes[0])
    queue: deque[tuple[int, float]] = deque()
    ys: list[float] = []
    maxima: list[float] = []
    for idx in range(len(closes) - 1):
        z, v = float(closes[idx + 1]), float(volumes[idx + 1])
        nx0 = x0 + x1  # predict
        np00 = p00 + p10 + p01 + p11 + q1
        np01 = p01 + p11
        np10 = p10 + p11
        np11 = p11 + q2
        r = r0
        if v > 0:
            ratio = v_prev / v if symmetric else v_prev / max(v_prev, v)
            r = r * ratio
        s = np00 + r  # update
        k0, k1 = np00 / s, np10 / s
        y = z - nx0
        x0, x1 = nx0 + k0 * y, x1 + k1 * y
        p00, p01 = np00 - k0 * np00, np01 - k0 * np01
        p10, p11 = np10 - k1 * np00, np11 - k1 * np01
        v_prev = v
        a = abs(y)  # running max of the newest <= 500 |y| (monotonic queue)
        while queue and queue[-1][1] <= a:
            queue.pop()
        queue.append((idx, a))
        while queue[0][0] <= idx - cap:
            queue.popleft()
        ys.append(y)
        maxima.append(queue[0][1])
    count = len(ys)
    out = np.zeros(count, dtype=np.float64)
    first_osc = kf.strength_len - 1  # innovations needed before an oscillator exists
    if count <= first_osc:
        return out
    y_arr = np.asarray(ys[first_osc:], dtype=np.float64)
    m_arr = np.asarray(maxima[first_osc:], dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        osc = np.where(m_arr == 0.0, 0.0, 100.0 * y_arr / m_arr)
    first = _wma_columns(osc, kf.osc_len)
    if first.shape[0] == 0:
        return out
    lo = first_osc + kf.osc_len - 1
    out[lo:] = first
    n2 = kf.strength_len
    if kf.double_smoothing and n2 <= OSCILLATOR_CAPACITY and first.shape[0] >= n2:
        out[lo + n2 - 1 :] = _wma_columns(first, n2)  # the first-pass buffer holds 20 values
    return out


def kalman_trend_strength(
    close: npt.ArrayLike,
    volume: npt.ArrayLike,
    *,
    measurement_noise: float,
    process_noise_1: float,
    process_noise_2: float,
    osc_smoothness: int,
    strength_smoothness: int,
    symmetric_volume_adjustment: bool = False,
    double_smoothing: bool = False,
    t_max: float | None = None,
) -> FloatArray:
    """Trend strength for every bar of a series (causal: the filter only moves forward).

    With ``t_max`` the result is ``clip(strength / t_max, −1, 1)`` (the strategy's ``T_norm``).
    Unlike most indicators the warm-up value is 0, not NaN: the spec defines the strength as
    0 until enough innovations exist, and the strategy compares it with thresholds.
    """
    out = kalman_strength_series(
        close,
        volume,
        measurement_noise,
        process_noise_1,
        process_noise_2,
        osc_smoothness,
        strength_smoothness,
        symmetric_volume_adjustment,
        double_smoothing,
    )
    if t_max is not None:
        out = np.clip(out / float(t_max), -1.0, 1.0)
    return out


def normalise_strength(strength: float, t_max: float) -> float:
    """``clip(strength / t_max, −1, 1)``; NaN-safe (a NaN strength stays NaN)."""
    value = strength / t_max
    return value if math.isnan(value) else max(-1.0, min(1.0, value))
