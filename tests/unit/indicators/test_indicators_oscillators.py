"""RSI, MACD, ATR and ADX against textbook loops written independently here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jutsu.indicators import adx, atr, dmi, macd, rsi, true_range


def _ohlc(n: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
    high = close * (1 + rng.uniform(0, 0.02, n))
    low = close * (1 - rng.uniform(0, 0.02, n))
    return high, low, close


def _wilder_loop(values: list[float], n: int) -> list[float]:
    """Textbook Wilder average: first = mean of n values, then (prev·(n−1) + x) / n."""
    out = [float("nan")] * len(values)
    if len(values) < n:
        return out
    prev = sum(values[:n]) / n
    out[n - 1] = prev
    for i in range(n, len(values)):
        prev = (prev * (n - 1) + values[i]) / n
        out[i] = prev
    return out


def test_rsi_matches_textbook_loop() -> None:
    _, _, c = _ohlc(300)
    n = 14
    ch = np.diff(c)
    g = _wilder_loop([max(d, 0.0) for d in ch], n)
    lo = _wilder_loop([max(-d, 0.0) for d in ch], n)
    expected = [np.nan] + [100 - 100 / (1 + a / b) for a, b in zip(g, lo, strict=True)]
    ours = rsi(c, n)
    assert np.isnan(ours[:n]).all() and not np.isnan(ours[n])
    np.testing.assert_allclose(ours, expected, rtol=1e-10, equal_nan=True)


def test_rsi_extremes() -> None:
    up = np.arange(1.0, 30.0)
    assert rsi(up, 14)[-1] == 100.0
    assert rsi(up[::-1], 14)[-1] == pytest.approx(0.0)
    assert rsi(np.full(30, 3.0), 14)[-1] == 50.0


def test_macd_against_pandas() -> None:
    _, _, c = _ohlc(400)
    line, sig, hist = macd(c, 12, 26, 9)

    def seeded(x: np.ndarray, n: int) -> pd.Series:
        s = pd.Series(x)
        start = int(s.first_valid_index())  # type: ignore[arg-type]
        seed_at = start + n - 1
        vals = s.copy()
        vals.iloc[:seed_at] = np.nan
        vals.iloc[seed_at] = s.iloc[start : seed_at + 1].mean()
        return (
            vals.ewm(span=n, adjust=False, ignore_na=True).mean().where(vals.notna() | (vals.index > seed_at))
        )

    exp_line = seeded(c, 12) - seeded(c, 26)
    exp_sig = seeded(exp_line.to_numpy(), 9)
    np.testing.assert_allclose(line, exp_line.to_numpy(), rtol=1e-9, atol=1e-12, equal_nan=True)
    np.testing.assert_allclose(sig, exp_sig.to_numpy(), rtol=1e-9, atol=1e-12, equal_nan=True)
    np.testing.assert_allclose(hist, line - sig, equal_nan=True)
    assert int(np.flatnonzero(~np.isnan(sig))[0]) == 25 + 8


def test_true_range_and_atr() -> None:
    h = np.array([10.0, 11.0, 12.0, 9.0])
    lo = np.array([9.0, 10.0, 11.5, 8.0])
    c = np.array([9.5, 10.5, 11.8, 8.5])
    assert true_range(h, lo, c).tolist() == pytest.approx([1.0, 1.5, 1.5, 3.8])
    a = atr(h, lo, c, 2)
    assert np.isnan(a[0])
    assert a[1:].tolist() == pytest.approx([1.25, 1.375, 2.5875])


def test_adx_matches_wilder_sum_formulation() -> None:
    h, lo, c = _ohlc(250, seed=3)
    n = 14
    tr, pdm, mdm = [], [], []
    for i in range(1, len(c)):
        tr.append(max(h[i] - lo[i], abs(h[i] - c[i - 1]), abs(lo[i] - c[i - 1])))
        up, down = h[i] - h[i - 1], lo[i - 1] - lo[i]
        pdm.append(up if up > down and up > 0 else 0.0)
        mdm.append(down if down > up and down > 0 else 0.0)

    # Wilder's running sums: S_n = Σ first n, then S − S/n + x
    def wsum(v: list[float]) -> list[float]:
        out = [np.nan] * len(v)
        s = sum(v[:n])
        out[n - 1] = s
        for i in range(n, len(v)):
            s = s - s / n + v[i]
            out[i] = s
        return out

    trs, ps, ms = wsum(tr), wsum(pdm), wsum(mdm)
    pdi = [100 * p / t for p, t in zip(ps, trs, strict=True)]
    mdi = [100 * m / t for m, t in zip(ms, trs, strict=True)]
    dx = [100 * abs(p - m) / (p + m) for p, m in zip(pdi, mdi, strict=True)]
    adx_exp = [np.nan] * len(dx)
    first = 2 * n - 2  # index in the diff-aligned list
    prev = float(np.mean(dx[n - 1 : first + 1]))
    adx_exp[first] = prev
    for i in range(first + 1, len(dx)):
        prev = (prev * (n - 1) + dx[i]) / n
        adx_exp[i] = prev
    res = dmi(h, lo, c, n)
    np.testing.assert_allclose(res.plus_di[1:], pdi, rtol=1e-9, equal_nan=True)
    np.testing.assert_allclose(res.minus_di[1:], mdi, rtol=1e-9, equal_nan=True)
    np.testing.assert_allclose(adx(h, lo, c, n)[1:], adx_exp, rtol=1e-9, equal_nan=True)
    assert int(np.flatnonzero(~np.isnan(res.adx))[0]) == 2 * n - 1


def test_length_mismatch_is_rejected() -> None:
    with pytest.raises(ValueError, match="same length"):
        atr([1.0, 2.0], [1.0], [1.0, 2.0])
