"""Overfitting statistics of a parameter search: Deflated Sharpe Ratio and PBO by CSCV.

Why: a grid search that tries N parameter sets and keeps the best one reports a Sharpe ratio
that is biased upward by the selection itself. These two statistics say how much of it is
luck.

**Periodisation.** Every Sharpe ratio in the formulas below is *per period* (per day for
daily returns): ``SR = mean(r)/std(r)`` with the sample standard deviation, no risk-free rate
and **no** √252. ``n_obs`` counts periods, and the variance of the trials' Sharpe ratios is the
variance of those per-period values. Annualised figures are only derived for display
(``SR·√P``, variance ``V·P``); :func:`per_period_sharpe` converts annualised inputs.

**Deflated Sharpe Ratio** (Bailey & López de Prado, 2014, "The Deflated Sharpe Ratio:
Correcting for Selection Bias, Backtest Overfitting and Non-Normality", J. Portfolio Mgmt
40(5)):

    PSR(SR*) = Φ( (SR − SR*)·√(T − 1) / √(1 − γ₃·SR + (γ₄ − 1)/4·SR²) )
    SR₀      = √V · ( (1 − γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e)) )      (γ = Euler–Mascheroni)
    DSR      = PSR(SR₀)

with ``γ₃`` the skewness and ``γ₄`` the (non-excess, Pearson) kurtosis of the selected
strategy's returns — 3 for a normal distribution — ``N`` the number of trials and ``V`` the
variance of their Sharpe ratios. ``N`` counts every trial as independent, which overstates
the effective number for correlated grid neighbours and so errs towards a lower DSR.

**Probability of Backtest Overfitting** by combinatorially symmetric cross-validation
(Bailey, Borwein, López de Prado & Zhu, 2015, "The Probability of Backtest Overfitting",
J. Computational Finance 20(4)): the ``T × N`` matrix of per-period returns (rows = dates,
columns = trials) is cut into ``S`` (even) contiguous blocks of equal length (the oldest
``T mod S`` rows are dropped). For each of the ``C(S, S/2)`` ways to pick half of the blocks
as in-sample (the rest out-of-sample, in their original order), the trial with the best
in-sample Sharpe ``n*`` is found, its out-of-sample relative rank ``ω = rank/(N + 1)`` (rank 1
= worst, ties averaged) and the logit ``λ = ln(ω/(1 − ω))``. ``PBO`` is the share of
combinations with ``λ ≤ 0`` (the in-sample winner is at or below the out-of-sample median).
Also reported: the performance degradation (least-squares slope and intercept of the
out-of-sample Sharpe of ``n*`` on its in-sample Sharpe across combinations) and the
probability of loss (share of combinations where ``n*`` has a negative out-of-sample Sharpe).

Normal quantiles come from :class:`statistics.NormalDist` (stdlib), so tests can check every
number against an independent ``scipy.stats`` evaluation.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
import numpy.typing as npt

from jutsu.errors import DataError

__all__ = [
    "EULER_GAMMA",
    "MIN_ROWS_PER_BLOCK",
    "DeflatedSharpe",
    "PBOResult",
    "deflated_sharpe_from_matrix",
    "deflated_sharpe_ratio",
    "expected_max_sharpe",
    "moments",
    "per_period_sharpe",
    "probabilistic_sharpe_ratio",
    "probability_of_backtest_overfitting",
    "sharpe_ratio",
    "validate_matrix",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

EULER_GAMMA = 0.5772156649015329
MIN_ROWS_PER_BLOCK = 2
_N01 = NormalDist()


# --------------------------------------------------------------------------- Sharpe & moments
def sharpe_ratio(returns: Sequence[float] | FloatArray) -> float:
    """Per-period Sharpe ratio ``mean/std`` (sample std, risk-free 0); NaN without dispersion."""
    r = np.asarray(returns, dtype=np.float64)
    if r.shape[0] < 2:
        return math.nan
    std = float(np.std(r, ddof=1))
    return float(np.mean(r)) / std if std > 0 else math.nan


def per_period_sharpe(annual_sharpe: float, periods_per_year: int) -> float:
    """``SR_annual / √P`` — the periodisation the formulas here expect."""
    return annual_sharpe / math.sqrt(periods_per_year)


def moments(returns: Sequence[float] | FloatArray) -> tuple[float, float]:
    """(skewness, kurtosis) as population moments; kurtosis is Pearson's (normal = 3)."""
    r = np.asarray(returns, dtype=np.float64)
    c = r - r.mean()
    m2 = float(np.mean(c * c))
    if m2 == 0:
        return 0.0, 3.0
    return float(np.mean(c**3)) / m2**1.5, float(np.mean(c**4)) / m2**2


# --------------------------------------------------------------------------- PSR / DSR
def probabilistic_sharpe_ratio(
    sharpe: float, benchmark: float, n_obs: int, skew: float = 0.0, kurtosis: float = 3.0
) -> float:
    """P(true SR > ``benchmark``) given an estimate over ``n_obs`` periods (all per period).

    Raises:
        DataError: fewer than 2 observations, or moments for which the variance of the
            Sharpe estimator ``1 − γ₃·SR + (γ₄ − 1)/4·SR²`` is not positive.
    """
    if n_obs < 2:
        raise DataError(f"the probabilistic Sharpe ratio needs at least 2 observations (got {n_obs})")
    var = 1.0 - skew * sharpe + (kurtosis - 1.0) / 4.0 * sharpe * sharpe
    if not var > 0:
        raise DataError(
            f"skew {skew:.4g} and kurtosis {kurtosis:.4g} give a non-positive Sharpe estimator "
            f"variance at SR {sharpe:.4g}"
        )
    return _N01.cdf((sharpe - benchmark) * math.sqrt(n_obs - 1) / math.sqrt(var))


def expected_max_sharpe(n_trials: int, trials_variance: float) -> float:
    """Expected maximum of ``n_trials`` Sharpe estimates whose true value is 0 (per period).

    ``√V · ((1 − γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e)))``; 0 for a single trial (no selection).
    """
    if n_trials < 1:
        raise DataError(f"the number of trials must be at least 1 (got {n_trials})")
    if trials_variance < 0 or not math.isfinite(trials_variance):
        raise DataError(f"the variance of the trials' Sharpe ratios must be >= 0 (got {trials_variance})")
    if n_trials == 1:
        return 0.0
    z1 = _N01.inv_cdf(1.0 - 1.0 / n_trials)
    z2 = _N01.inv_cdf(1.0 - 1.0 / (n_trials * math.e))
    return math.sqrt(trials_variance) * ((1.0 - EULER_GAMMA) * z1 + EULER_GAMMA * z2)


@dataclass(frozen=True)
class DeflatedSharpe:
    """Inputs and result of a DSR evaluation (Sharpe ratios and variance per period)."""

    sharpe: float
    n_obs: int
    skew: float
    kurtosis: float
    n_trials: int
    trials_variance: float
    expected_max_sharpe: float
    psr: float  # PSR against 0: the probability without the selection correction
    dsr: float  # PSR against the expected maximum of N null trials
    periods_per_year: int | None = None
    selected: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with annualised companions when ``periods_per_year`` is known."""
        out: dict[str, Any] = {
            "periodisation": "per period (SR = mean/std of the period returns, no annualisation)",
            "sharpe": self.sharpe,
            "n_obs": self.n_obs,
            "skew": self.skew,
            "kurtosis": self.kurtosis,
            "n_trials": self.n_trials,
            "trials_variance": self.trials_variance,
            "expected_max_sharpe": self.expected_max_sharpe,
            "psr": self.psr,
            "dsr": self.dsr,
            "selected": self.selected,
        }
        if self.periods_per_year:
            root = math.sqrt(self.periods_per_year)
            out["periods_per_year"] = self.periods_per_year
            out["sharpe_annualised"] = self.sharpe * root
            out["expected_max_sharpe_annualised"] = self.expected_max_sharpe * root
            out["trials_variance_annualised"] = self.trials_variance * self.periods_per_year
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in out.items()}


def deflated_sharpe_ratio(
    sharpe: float,
    n_obs: int,
    skew: float,
    kurtosis: float,
    n_trials: int,
    trials_variance: float,
    *,
    periods_per_year: int | None = None,
    selected: int | None = None,
) -> DeflatedSharpe:
    """DSR of a selected strategy: per-period ``sharpe`` over ``n_obs`` periods, its returns'
    ``skew`` and Pearson ``kurtosis``, out of ``n_trials`` with per-period Sharpe variance
    ``trials_variance``."""
    sr0 = expected_max_sharpe(n_trials, trials_variance)
    return DeflatedSharpe(
        sharpe=sharpe,
        n_obs=n_obs,
        skew=skew,
        kurtosis=kurtosis,
        n_trials=n_trials,
        trials_variance=trials_variance,
        expected_max_sharpe=sr0,
        psr=probabilistic_sharpe_ratio(sharpe, 0.0, n_obs, skew, kurtosis),
        dsr=probabilistic_sharpe_ratio(sharpe, sr0, n_obs, skew, kurtosis),
        periods_per_year=periods_per_year,
        selected=selected,
    )


def validate_matrix(
    matrix: Sequence[Sequence[float]] | FloatArray, source: str = "returns matrix"
) -> FloatArray:
    """A ``T × N`` float matrix of per-period returns, or a one-line :class:`DataError`."""
    m = np.asarray(matrix, dtype=np.float64)
    if m.ndim != 2:
        raise DataError(f"{source}: expected a 2-D matrix (rows = dates, columns = trials)")
    if m.shape[1] < 2:
        raise DataError(f"{source}: {m.shape[1]} trial column(s), at least 2 are needed")
    if m.shape[0] < 10:
        raise DataError(f"{source}: {m.shape[0]} rows of returns, at least 10 are needed")
    bad = ~np.isfinite(m)
    if bad.any():
        row, col = (int(v[0]) for v in np.nonzero(bad))
        raise DataError(f"{source}: row {row + 1}, column {col + 1} is {m[row, col]!r} (NaN or infinite)")
    return m


def _column_sharpes(m: FloatArray) -> FloatArray:
    std = m.std(axis=0, ddof=1)
    mean = m.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = np.where(std > 0, mean / std, np.nan)
    return out


def deflated_sharpe_from_matrix(
    matrix: Sequence[Sequence[float]] | FloatArray, *, periods_per_year: int = 252
) -> DeflatedSharpe:
    """DSR of the best column (highest per-period Sharpe) of a ``T × N`` grid returns matrix.

    ``N`` = number of columns, ``V`` = sample variance (ddof 1) of the columns' per-period
    Sharpe ratios, ``T`` = rows; skew and kurtosis are those of the selected column.
    """
    m = validate_matrix(matrix)
    sr = _column_sharpes(m)
    finite = np.isfinite(sr)
    if not finite.any():
        raise DataError("returns matrix: no trial has dispersed returns; Sharpe ratios are undefined")
    best = int(np.nanargmax(sr))
    skew, kurt = moments(m[:, best])
    return deflated_sharpe_ratio(
        float(sr[best]),
        int(m.shape[0]),
        skew,
        kurt,
        int(m.shape[1]),
        float(np.var(sr[finite], ddof=1)) if finite.sum() > 1 else 0.0,
        periods_per_year=periods_per_year,
        selected=best,
    )


# --------------------------------------------------------------------------- PBO (CSCV)
@dataclass(frozen=True)
class PBOResult:
    """Per-combination outcomes of CSCV and their summary (Sharpe ratios per period)."""

    pbo: float
    n_splits: int
    n_obs: int  # rows used (after dropping the oldest T mod S)
    n_trials: int
    is_best: IntArray  # n* per combination
    is_sharpe: FloatArray  # in-sample Sharpe of n*
    oos_sharpe: FloatArray  # out-of-sample Sharpe of n*
    oos_rank: FloatArray  # ω, relative rank in (0, 1)
    logits: FloatArray  # λ
    degradation_slope: float
    degradation_intercept: float
    degradation_r2: float
    prob_oos_loss: float

    @property
    def n_combinations(self) -> int:
        return int(self.logits.shape[0])

    def as_dict(self) -> dict[str, Any]:
        def fin(v: float) -> float | None:
            return v if math.isfinite(v) else None

        return {
            "periodisation": "per period (SR = mean/std of the period returns, no annualisation)",
            "pbo": self.pbo,
            "n_splits": self.n_splits,
            "n_combinations": self.n_combinations,
            "n_obs": self.n_obs,
            "n_trials": self.n_trials,
            "degradation": {
                "slope": fin(self.degradation_slope),
                "intercept": fin(self.degradation_intercept),
                "r2": fin(self.degradation_r2),
            },
            "prob_oos_loss": self.prob_oos_loss,
            "logit_mean": fin(float(np.mean(self.logits[np.isfinite(self.logits)])))
            if np.isfinite(self.logits).any()
            else None,
        }


def _block_sums(m: FloatArray, n_splits: int) -> tuple[FloatArray, FloatArray, int]:
    """Per block and trial: Σ(r − shift) and Σ(r − shift)² (shift = trial mean, for accuracy)."""
    t, n = m.shape
    rows = t // n_splits
    used = m[t - rows * n_splits :]
    shift = used.mean(axis=0)
    c = (used - shift).reshape(n_splits, rows, n)
    return c.sum(axis=1), (c * c).sum(axis=1), rows


def _sharpe_from_sums(s1: FloatArray, s2: FloatArray, k: int, shift: FloatArray) -> FloatArray:
    mean_c = s1 / k
    var = np.maximum(s2 - s1 * mean_c, 0.0) / (k - 1)
    std = np.sqrt(var)
    mean = mean_c + shift
    tiny = std <= 1e-14 * np.maximum(np.abs(mean), 1e-300)
    with np.errstate(divide="ignore", invalid="ignore"):
        sr = np.where(tiny, np.sign(mean) * np.inf, mean / std)
    out: FloatArray = np.where(tiny & (mean == 0), 0.0, sr)
    return out


def probability_of_backtest_overfitting(
    matrix: Sequence[Sequence[float]] | FloatArray,
    n_splits: int = 16,
    *,
    chunk: int = 1024,
    progress: Callable[[int, int], None] | None = None,
) -> PBOResult:
    """CSCV over a ``T × N`` matrix of per-period returns (see the module docstring).

    Args:
        matrix: rows = periods in time order, columns = trials (parameter sets).
        n_splits: S, even, ≥ 2; every block needs at least :data:`MIN_ROWS_PER_BLOCK` rows.
        chunk: combinations evaluated per vectorised step (bounds memory: chunk × N floats).
        progress: called with (combinations done, total) after each step.
    """
    m = validate_matrix(matrix)
    t, n = m.shape
    if n_splits < 2 or n_splits % 2:
        raise DataError(f"the number of splits S must be even and at least 2 (got {n_splits})")
    if t // n_splits < MIN_ROWS_PER_BLOCK:
        raise DataError(
            f"{t} rows cannot be cut into {n_splits} blocks of at least {MIN_ROWS_PER_BLOCK} rows; "
            "use fewer splits"
        )
    b1, b2, rows = _block_sums(m, n_splits)
    shift = m[t - rows * n_splits :].mean(axis=0)
    half = n_splits // 2
    combos = np.array(list(itertools.combinations(range(n_splits), half)), dtype=np.intp)
    total = combos.shape[0]
    k = rows * half
    is_best = np.empty(total, dtype=np.intp)
    is_sr = np.empty(total)
    oos_sr = np.empty(total)
    omega = np.empty(total)
    all1, all2 = b1.sum(axis=0), b2.sum(axis=0)
    for a in range(0, total, chunk):
        sel = np.zeros((min(chunk, total - a), n_splits))
        np.put_along_axis(sel, combos[a : a + chunk], 1.0, axis=1)
        i1, i2 = sel @ b1, sel @ b2
        sr_is = _sharpe_from_sums(i1, i2, k, shift)
        sr_oos = _sharpe_from_sums(all1 - i1, all2 - i2, k, shift)
        best = np.argmax(np.where(np.isnan(sr_is), -np.inf, sr_is), axis=1)
        rows_ix = np.arange(best.shape[0])
        v = sr_oos[rows_ix, best]
        below = np.count_nonzero(sr_oos < v[:, None], axis=1)
        equal = np.count_nonzero(sr_oos == v[:, None], axis=1)
        rank = below + (equal + 1) / 2.0
        sl = slice(a, a + best.shape[0])
        is_best[sl] = best
        is_sr[sl] = sr_is[rows_ix, best]
        oos_sr[sl] = v
        omega[sl] = rank / (n + 1)
        if progress is not None:
            progress(min(a + chunk, total), total)
    logits = np.log(omega / (1.0 - omega))
    slope, intercept, r2 = _regression(is_sr, oos_sr)
    return PBOResult(
        pbo=float(np.count_nonzero(logits <= 0) / total),
        n_splits=n_splits,
        n_obs=rows * n_splits,
        n_trials=n,
        is_best=is_best,
        is_sharpe=is_sr,
        oos_sharpe=oos_sr,
        oos_rank=omega,
        logits=logits,
        degradation_slope=slope,
        degradation_intercept=intercept,
        degradation_r2=r2,
        prob_oos_loss=float(np.count_nonzero(oos_sr < 0) / total),
    )


def _regression(x: FloatArray, y: FloatArray) -> tuple[float, float, float]:
    """Least squares ``y = a + b·x`` over the finite pairs: (b, a, R²); NaN when undefined."""
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if x.shape[0] < 2:
        return math.nan, math.nan, math.nan
    xc, yc = x - x.mean(), y - y.mean()
    sxx, syy = float(xc @ xc), float(yc @ yc)
    if sxx == 0:
        return math.nan, math.nan, math.nan
    slope = float(xc @ yc) / sxx
    r2 = (float(xc @ yc) ** 2 / (sxx * syy)) if syy > 0 else math.nan
    return slope, float(y.mean()) - slope * float(x.mean()), r2
