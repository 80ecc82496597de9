"""Deflated Sharpe Ratio and PBO (CSCV) against the papers' formulas and known answers."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from jutsu.errors import DataError
from jutsu.research.overfitting import (
    EULER_GAMMA,
    deflated_sharpe_from_matrix,
    deflated_sharpe_ratio,
    expected_max_sharpe,
    moments,
    per_period_sharpe,
    probabilistic_sharpe_ratio,
    probability_of_backtest_overfitting,
)


def _dsr_by_scipy(sr: float, t: int, skew: float, kurt: float, n: int, var: float) -> tuple[float, float]:
    """Independent evaluation of Bailey & López de Prado (2014), eqs. for SR0 and DSR."""
    sr0 = math.sqrt(var) * (
        (1 - np.euler_gamma) * stats.norm.ppf(1 - 1 / n) + np.euler_gamma * stats.norm.ppf(1 - 1 / (n * np.e))
    )
    z = (sr - sr0) * math.sqrt(t - 1) / math.sqrt(1 - skew * sr + (kurt - 1) / 4 * sr**2)
    return float(sr0), float(stats.norm.cdf(z))


def test_dsr_reproduces_the_papers_worked_example() -> None:
    # Bailey & López de Prado (2014), "The Deflated Sharpe Ratio", numerical example:
    # annualised SR 2.5 over T = 1250 daily observations (250 a year), skew -3, kurtosis 10,
    # N = 100 trials whose annualised Sharpe ratios have variance 1/2.
    # Published: E[max SR] ~ 0.1132 (non-annualised) and DSR ~ 0.9004.
    sr = per_period_sharpe(2.5, 250)
    res = deflated_sharpe_ratio(sr, 1250, -3.0, 10.0, 100, 0.5 / 250, periods_per_year=250)
    assert res.expected_max_sharpe == pytest.approx(0.1132, abs=5e-5)
    assert res.dsr == pytest.approx(0.9004, abs=5e-5)
    sr0, dsr = _dsr_by_scipy(sr, 1250, -3.0, 10.0, 100, 0.5 / 250)
    assert res.expected_max_sharpe == pytest.approx(sr0, rel=1e-12)
    assert res.dsr == pytest.approx(dsr, rel=1e-12)
    d = res.as_dict()
    assert d["sharpe_annualised"] == pytest.approx(2.5)
    assert d["expected_max_sharpe_annualised"] == pytest.approx(0.1132 * math.sqrt(250), abs=1e-3)


@pytest.mark.parametrize(
    ("sr", "t", "skew", "kurt", "n", "var"),
    [(0.05, 500, 0.0, 3.0, 10, 0.001), (0.12, 2520, -1.2, 7.5, 500, 0.0004), (0.02, 60, 0.4, 4.0, 3, 0.01)],
)
def test_dsr_matches_scipy_on_other_inputs(
    sr: float, t: int, skew: float, kurt: float, n: int, var: float
) -> None:
    res = deflated_sharpe_ratio(sr, t, skew, kurt, n, var)
    sr0, dsr = _dsr_by_scipy(sr, t, skew, kurt, n, var)
    assert res.expected_max_sharpe == pytest.approx(sr0, rel=1e-10)
    assert res.dsr == pytest.approx(dsr, rel=1e-10, abs=1e-14)


def test_psr_against_zero_and_the_normal_case() -> None:
    # normal returns (skew 0, kurtosis 3): PSR = Φ(SR·√(T−1)/√(1 + SR²/2))
    sr, t = 0.1, 253
    expected = stats.norm.cdf(sr * math.sqrt(t - 1) / math.sqrt(1 + sr**2 / 2))
    assert probabilistic_sharpe_ratio(sr, 0.0, t) == pytest.approx(expected, rel=1e-12)
    assert probabilistic_sharpe_ratio(sr, sr, t) == pytest.approx(0.5)


def test_expected_max_sharpe_edges() -> None:
    assert expected_max_sharpe(1, 0.3) == 0.0
    assert expected_max_sharpe(50, 0.0) == 0.0
    assert abs(EULER_GAMMA - np.euler_gamma) < 1e-16
    # grows with N and with sqrt(V)
    assert expected_max_sharpe(1000, 1.0) > expected_max_sharpe(100, 1.0) > 0
    assert expected_max_sharpe(100, 4.0) == pytest.approx(2 * expected_max_sharpe(100, 1.0))
    with pytest.raises(DataError):
        expected_max_sharpe(0, 1.0)
    with pytest.raises(DataError, match="non-positive"):
        probabilistic_sharpe_ratio(2.0, 0.0, 100, skew=3.0, kurtosis=1.0)


def test_moments_match_scipy() -> None:
    r = np.random.default_rng(3).standard_t(5, 400) * 0.01
    skew, kurt = moments(r)
    assert skew == pytest.approx(stats.skew(r), rel=1e-10)
    assert kurt == pytest.approx(stats.kurtosis(r, fisher=False), rel=1e-10)


def test_dsr_from_matrix_uses_the_best_column_and_the_trials_variance() -> None:
    rng = np.random.default_rng(11)
    m = rng.normal(0.0003, 0.01, (750, 30))
    m[:, 7] += 0.001  # the one to be selected
    res = deflated_sharpe_from_matrix(m, periods_per_year=252)
    srs = m.mean(axis=0) / m.std(axis=0, ddof=1)
    assert res.selected == 7
    assert res.sharpe == pytest.approx(srs[7])
    assert res.trials_variance == pytest.approx(np.var(srs, ddof=1))
    assert (res.n_obs, res.n_trials) == (750, 30)
    _, dsr = _dsr_by_scipy(
        srs[7], 750, stats.skew(m[:, 7]), stats.kurtosis(m[:, 7], fisher=False), 30, np.var(srs, ddof=1)
    )
    assert res.dsr == pytest.approx(dsr, rel=1e-9)
    assert res.dsr < res.psr  # deflation lowers the probability


# --------------------------------------------------------------------------- PBO
def _pbo_by_loops(m: np.ndarray, s: int) -> float:
    """Plain re-statement of CSCV (Bailey et al. 2015) with explicit loops."""
    t, n = m.shape
    rows = t // s
    blocks = np.split(m[t - rows * s :], s)
    lam = []
    for combo in itertools.combinations(range(s), s // 2):
        ins = np.vstack([blocks[i] for i in combo])
        oos = np.vstack([blocks[i] for i in range(s) if i not in combo])
        r_is = ins.mean(0) / ins.std(0, ddof=1)
        r_oos = oos.mean(0) / oos.std(0, ddof=1)
        best = int(np.argmax(r_is))
        rank = stats.rankdata(r_oos)[best]  # 1 = worst, average ties
        w = rank / (n + 1)
        lam.append(math.log(w / (1 - w)))
    return float(np.mean(np.array(lam) <= 0))


def test_pbo_matches_an_explicit_loop_implementation() -> None:
    m = np.random.default_rng(5).normal(0.0002, 0.01, (403, 9))  # 403 % 8 = 3 rows dropped
    res = probability_of_backtest_overfitting(m, n_splits=8)
    assert res.n_combinations == math.comb(8, 4)
    assert res.n_obs == 400
    assert res.pbo == pytest.approx(_pbo_by_loops(m, 8))


def test_pbo_of_pure_noise_is_one_half_in_expectation() -> None:
    rng = np.random.default_rng(2015)
    values = [
        probability_of_backtest_overfitting(rng.normal(0, 0.01, (320, 10)), n_splits=8).pbo for _ in range(60)
    ]
    # N even: under the null the OOS rank of the IS winner is uniform, P(rank <= N/2) = 1/2
    assert abs(float(np.mean(values)) - 0.5) < 0.08


def test_pbo_is_zero_when_one_strategy_dominates_every_period() -> None:
    rng = np.random.default_rng(1)
    m = rng.normal(0, 0.01, (480, 12))
    m[:, 4] = 0.01 + rng.normal(0, 0.001, 480)  # Sharpe ~10 per period in every block
    res = probability_of_backtest_overfitting(m, n_splits=8)
    assert res.pbo == 0.0
    assert np.all(res.is_best == 4)
    assert res.prob_oos_loss == 0.0


def test_pbo_is_one_when_the_in_sample_best_is_always_out_of_sample_worst() -> None:
    # One trial per half-split J of S = 6 blocks: strongly positive in the blocks of J,
    # strongly negative elsewhere. For in-sample set J that trial is the unique IS best and,
    # being negative on every OOS block, the unique OOS worst.
    s, rows = 6, 20
    combos = list(itertools.combinations(range(s), s // 2))
    wiggle = np.tile([0.001, -0.001], rows // 2)
    m = np.empty((s * rows, len(combos)))
    for j, combo in enumerate(combos):
        for b in range(s):
            m[b * rows : (b + 1) * rows, j] = (0.01 if b in combo else -0.01) + wiggle
    res = probability_of_backtest_overfitting(m, n_splits=s)
    assert res.pbo == 1.0
    assert np.allclose(res.oos_rank, 1 / (len(combos) + 1))
    assert res.prob_oos_loss == 1.0
    assert res.degradation_slope != res.degradation_slope or res.degradation_slope <= 0  # NaN or negative


def test_degradation_regression_and_probability_of_loss() -> None:
    m = np.random.default_rng(9).normal(0, 0.01, (400, 16))
    res = probability_of_backtest_overfitting(m, n_splits=10)
    slope, intercept = np.polyfit(res.is_sharpe, res.oos_sharpe, 1)
    assert res.degradation_slope == pytest.approx(slope, rel=1e-9)
    assert res.degradation_intercept == pytest.approx(intercept, rel=1e-9, abs=1e-12)
    assert res.prob_oos_loss == pytest.approx(np.mean(res.oos_sharpe < 0))
    assert np.allclose(res.logits, np.log(res.oos_rank / (1 - res.oos_rank)))


@pytest.mark.parametrize(
    ("matrix", "splits", "match"),
    [
        (np.zeros((50, 1)), 4, "at least 2"),
        (np.zeros((5, 3)), 2, "at least 10"),
        (np.full((40, 3), np.nan), 4, "NaN"),
        (np.ones((40, 3)), 5, "even"),
        (np.ones((40, 3)), 32, "fewer splits"),
    ],
)
def test_pbo_rejects_bad_input(matrix: np.ndarray, splits: int, match: str) -> None:
    with pytest.raises(DataError, match=match):
        probability_of_backtest_overfitting(matrix, n_splits=splits)
