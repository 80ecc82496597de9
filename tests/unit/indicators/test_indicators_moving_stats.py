"""Moving averages, rolling statistics and volatility against independent computations."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jutsu.indicators import (
    bollinger,
    ema,
    log_returns,
    pct_change,
    realized_volatility,
    realized_volatility_change,
    rolling_std,
    rolling_zscore,
    sma,
    volatility_zscore,
    wilder,
    wma,
)

# the shared data tree (same location tests/conftest.py uses), read in place
SHARED = Path(__file__).resolve().parents[4] / "shared" / "data"
PRICES = SHARED / "prices"
REFERENCE = SHARED / "reference"


def _tradingview(symbol: str) -> dict[str, np.ndarray]:
    path: Path = REFERENCE / "tradingview_sma" / f"{symbol}.csv"
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    cols = {}
    for name in ("close", "sma15", "sma50", "sma100", "sma200"):
        cols[name] = np.array([float(r[name]) if r[name] else np.nan for r in rows])
    return cols


def _closes(symbol: str) -> np.ndarray:
    with (PRICES / f"{symbol}.csv").open(newline="") as fh:
        return np.array([float(r["close"]) for r in csv.DictReader(fh)])


@pytest.mark.parametrize("symbol", ["QQQ", "SPY", "TQQQ"])
@pytest.mark.parametrize("window", [15, 50, 100, 200])
def test_sma_matches_tradingview(symbol: str, window: int) -> None:
    ref = _tradingview(symbol)
    ours = sma(ref["close"], window)
    expected = ref[f"sma{window}"]
    assert np.array_equal(np.isnan(ours), np.isnan(expected))
    finite = ~np.isnan(expected)
    assert finite.sum() > 1000
    np.testing.assert_allclose(ours[finite], expected[finite], rtol=0, atol=1e-9)


def test_sma_small_hand_example() -> None:
    out = sma([1.0, 2.0, 3.0, 4.0, 10.0], 3)
    assert np.isnan(out[:2]).all()
    assert out[2:].tolist() == [2.0, 3.0, 17.0 / 3.0]


def test_sma_shorter_than_window_is_all_nan() -> None:
    assert np.isnan(sma([1.0, 2.0], 3)).all()


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_bad_window_is_rejected(bad: object) -> None:
    with pytest.raises(ValueError, match="window"):
        sma([1.0, 2.0, 3.0], bad)  # type: ignore[arg-type]


def test_wma_hand_example() -> None:
    out = wma([1.0, 2.0, 3.0, 6.0], 3)
    assert np.isnan(out[:2]).all()
    assert out[2] == pytest.approx((1 * 1 + 2 * 2 + 3 * 3) / 6)
    assert out[3] == pytest.approx((1 * 2 + 2 * 3 + 3 * 6) / 6)


def _seeded_ewm(x: np.ndarray, n: int, alpha: float) -> np.ndarray:
    """pandas ewm(adjust=False) on a series whose first element is the SMA seed."""
    seeded = np.concatenate([[x[:n].mean()], x[n:]])
    return pd.Series(seeded).ewm(alpha=alpha, adjust=False).mean().to_numpy()


@pytest.mark.parametrize("n", [1, 5, 26])
def test_ema_and_wilder_match_pandas_ewm(n: int) -> None:
    x = _closes("QQQ")[:600]
    out = ema(x, n)
    assert np.isnan(out[: n - 1]).all()
    np.testing.assert_allclose(out[n - 1 :], _seeded_ewm(x, n, 2 / (n + 1)), rtol=1e-12)
    out_w = wilder(x, n)
    np.testing.assert_allclose(out_w[n - 1 :], _seeded_ewm(x, n, 1 / n), rtol=1e-12)


def test_ema_skips_leading_nan() -> None:
    x = np.array([np.nan, np.nan, 1.0, 2.0, 3.0, 4.0])
    out = ema(x, 2)
    assert np.isnan(out[:3]).all()
    assert out[3] == 1.5
    assert out[4] == pytest.approx(1.5 + (2 / 3) * (3.0 - 1.5))


def test_rolling_std_and_zscore_match_pandas() -> None:
    x = _closes("SPY")[:500]
    s = pd.Series(x)
    np.testing.assert_allclose(rolling_std(x, 20), s.rolling(20).std().to_numpy(), rtol=1e-9, equal_nan=True)
    expected_z = ((s - s.rolling(30).mean()) / s.rolling(30).std()).to_numpy()
    np.testing.assert_allclose(rolling_zscore(x, 30), expected_z, rtol=1e-8, atol=1e-10, equal_nan=True)


def test_zscore_of_flat_window_is_zero() -> None:
    out = rolling_zscore([5.0, 5.0, 5.0, 5.0], 3)
    assert np.isnan(out[:2]).all()
    assert out[2:].tolist() == [0.0, 0.0]


def test_pct_change_hand_example_and_zero_base() -> None:
    out = pct_change([2.0, 0.0, 3.0, 6.0], 2)
    assert np.isnan(out[:2]).all()
    assert out[2] == 0.5
    assert np.isnan(out[3])  # base 0: undefined, not inf


def test_bollinger_matches_population_std() -> None:
    x = _closes("QQQ")[1000:1300]
    mid, upper, lower = bollinger(x, 20, 2.0)
    s = pd.Series(x)
    exp_mid = s.rolling(20).mean().to_numpy()
    exp_sd = s.rolling(20).std(ddof=0).to_numpy()
    np.testing.assert_allclose(mid, exp_mid, rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(upper, exp_mid + 2 * exp_sd, rtol=1e-9, equal_nan=True)
    np.testing.assert_allclose(lower, exp_mid - 2 * exp_sd, rtol=1e-9, equal_nan=True)


def test_realized_volatility_matches_spec_definition() -> None:
    c = _closes("QQQ")[2000:2400]
    r = pd.Series(np.log(c)).diff()
    expected = (r.rolling(21).std() * math.sqrt(252)).to_numpy()
    ours = realized_volatility(c, 21)
    assert np.isnan(ours[:21]).all() and not np.isnan(ours[21])
    np.testing.assert_allclose(ours, expected, rtol=1e-9, equal_nan=True)
    np.testing.assert_allclose(log_returns(c)[1:], r.to_numpy()[1:], rtol=0, atol=1e-14)


def test_volatility_zscore_needs_window_plus_baseline_closes() -> None:
    c = _closes("QQQ")[:400]
    z = volatility_zscore(c, 21, 200)
    first = int(np.flatnonzero(~np.isnan(z))[0])
    assert first == 221 - 1  # 221 closes -> first value at index 220
    # hand computation of the last value from the spec's words
    r = np.diff(np.log(c))
    sig = np.array([np.std(r[i - 21 : i], ddof=1) * math.sqrt(252) for i in range(21, len(r) + 1)])
    base = sig[-200:]
    assert z[-1] == pytest.approx((sig[-1] - base.mean()) / base.std(ddof=1), rel=1e-9)


def test_volatility_change_compares_vol_five_bars_back() -> None:
    c = _closes("QQQ")[:300]
    sig = realized_volatility(c, 21)
    ch = realized_volatility_change(c, 21, 5)
    assert ch[-1] == pytest.approx((sig[-1] - sig[-6]) / sig[-6], rel=1e-12)
    assert np.isnan(ch[:26]).all() and not np.isnan(ch[26])
