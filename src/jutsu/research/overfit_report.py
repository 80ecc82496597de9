"""The files of an overfitting study (see :func:`render_overfit`).

``overfit_summary.json``       PBO, degradation, probability of loss, DSR (per-period values
                               and annualised companions), the matrix's shape and source
``overfit_combinations.csv``   one row per CSCV combination: IS-best trial, its IS and OOS
                               Sharpe (per period), relative rank ω, logit λ
``overfit_trials.csv``         one row per trial: name, per-period and annualised Sharpe
``overfit_report.html``        λ histogram, IS vs OOS scatter, DSR numbers (offline)
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

import numpy as np

from jutsu.research.charts import histogram, scatter
from jutsu.research.outputs import csv_text, json_text, page
from jutsu.research.overfit_inputs import ReturnsMatrix
from jutsu.research.overfitting import DeflatedSharpe, PBOResult

__all__ = ["OVERFIT_FILES", "render_overfit"]

SUMMARY_FILE = "overfit_summary.json"
COMBINATIONS_FILE = "overfit_combinations.csv"
TRIALS_FILE = "overfit_trials.csv"
REPORT_FILE = "overfit_report.html"
OVERFIT_FILES = (SUMMARY_FILE, COMBINATIONS_FILE, TRIALS_FILE, REPORT_FILE)


def _kv(items: list[tuple[str, str]]) -> str:
    return (
        "<table>"
        + "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in items)
        + "</table>"
    )


def _f(v: float | None, fmt: str = ".4f") -> str:
    return "n/a" if v is None or not math.isfinite(v) else format(v, fmt)


def render_overfit(
    matrix: ReturnsMatrix, pbo: PBOResult, dsr: DeflatedSharpe, periods_per_year: int
) -> dict[str, str]:
    """Every output file's name and text."""
    root = math.sqrt(periods_per_year)
    sel = dsr.selected if dsr.selected is not None else 0
    document: dict[str, Any] = {
        "source": matrix.source,
        "n_obs": int(matrix.values.shape[0]),
        "n_trials": int(matrix.values.shape[1]),
        "first_date": matrix.dates[0] if matrix.dates else None,
        "last_date": matrix.dates[-1] if matrix.dates else None,
        "pbo": pbo.as_dict(),
        "dsr": {**dsr.as_dict(), "selected_name": matrix.names[sel]},
    }
    combos = csv_text(
        ("combination", "is_best_trial", "is_sharpe", "oos_sharpe", "oos_rank", "logit"),
        (
            (
                i + 1,
                matrix.names[int(pbo.is_best[i])],
                float(pbo.is_sharpe[i]),
                float(pbo.oos_sharpe[i]),
                float(pbo.oos_rank[i]),
                float(pbo.logits[i]),
            )
            for i in range(pbo.n_combinations)
        ),
    )
    m = matrix.values
    std = m.std(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        srs = np.where(std > 0, m.mean(axis=0) / std, np.nan)
    trials = csv_text(
        ("trial", "sharpe_per_period", "sharpe_annualised"),
        ((name, float(s), float(s) * root) for name, s in zip(matrix.names, srs, strict=True)),
    )
    dsr_items = [
        ("Selected trial (best Sharpe)", matrix.names[sel]),
        ("Sharpe, per period / annualised", f"{_f(dsr.sharpe)} / {_f(dsr.sharpe * root, '.3f')}"),
        ("Observations T", f"{dsr.n_obs:,}"),
        ("Skewness γ₃ / kurtosis γ₄ (normal = 3)", f"{_f(dsr.skew, '.3f')} / {_f(dsr.kurtosis, '.3f')}"),
        (
            "Trials N / variance of their Sharpe (per period)",
            f"{dsr.n_trials:,} / {_f(dsr.trials_variance, '.3g')}",
        ),
        (
            "Expected max Sharpe of N null trials SR₀ (per period / annualised)",
            f"{_f(dsr.expected_max_sharpe)} / {_f(dsr.expected_max_sharpe * root, '.3f')}",
        ),
        ("PSR (vs 0)", _f(dsr.psr)),
        ("Deflated Sharpe Ratio (PSR vs SR₀)", _f(dsr.dsr)),
    ]
    pbo_items = [
        ("PBO (share of λ ≤ 0)", f"{pbo.pbo:.2%}"),
        ("Splits S / combinations", f"{pbo.n_splits} / {pbo.n_combinations:,}"),
        ("Rows used", f"{pbo.n_obs:,}"),
        (
            "Degradation OOS = a + b·IS (per-period Sharpe)",
            f"b = {_f(pbo.degradation_slope, '.3f')}, a = {_f(pbo.degradation_intercept)}, "
            f"R² = {_f(pbo.degradation_r2, '.3f')}",
        ),
        ("Probability of OOS loss", f"{pbo.prob_oos_loss:.2%}"),
    ]
    finite = pbo.logits[np.isfinite(pbo.logits)]
    sections = [
        ("Probability of Backtest Overfitting (CSCV)", _kv(pbo_items)),
        (
            "Logits λ of the IS winner's OOS rank",
            histogram("Logits", finite, bins=30, markers=[("λ", 0.0)]),
        ),
        (
            "In-sample vs out-of-sample Sharpe of the IS winner (per period)",
            scatter(
                "IS vs OOS Sharpe",
                pbo.is_sharpe,
                pbo.oos_sharpe,
                x_fmt=lambda v: f"{v:.3f}",
                y_fmt=lambda v: f"{v:.3f}",
                line=(pbo.degradation_intercept, pbo.degradation_slope),
            ),
        ),
        ("Deflated Sharpe Ratio", _kv(dsr_items)),
    ]
    html = page(
        f"Overfitting statistics — {matrix.source}",
        sections,
        "Sharpe ratios are per period (mean/std of the period returns) unless marked annualised "
        f"(× √{periods_per_year}). DSR: Bailey & López de Prado (2014); PBO: Bailey, Borwein, "
        "López de Prado & Zhu (2015). Generated by Jutsu Labs.",
    )
    return {
        SUMMARY_FILE: json_text(document),
        COMBINATIONS_FILE: combos,
        TRIALS_FILE: trials,
        REPORT_FILE: html,
    }
