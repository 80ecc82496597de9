"""The files of a Monte Carlo study, rendered in memory (see :func:`render_montecarlo`).

``montecarlo_summary.json``  distributions, probabilities, the original's ranks, the inputs
``montecarlo_runs.csv``      one row per simulated path: final equity, CAGR, max drawdown,
                             Sharpe, ruined (fractions)
``montecarlo_bands.csv``     percentile bands of the equity path at the band steps
``montecarlo_report.html``   fan chart and histograms, offline (inline SVG)
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

import numpy as np

from jutsu.research.charts import fan_chart, histogram
from jutsu.research.montecarlo import MonteCarloResult, summarize
from jutsu.research.outputs import csv_text, json_text, page

__all__ = [
    "BANDS_FILE",
    "MONTECARLO_FILES",
    "REPORT_FILE",
    "RUNS_FILE",
    "SUMMARY_FILE",
    "render_montecarlo",
]

SUMMARY_FILE = "montecarlo_summary.json"
RUNS_FILE = "montecarlo_runs.csv"
BANDS_FILE = "montecarlo_bands.csv"
REPORT_FILE = "montecarlo_report.html"
MONTECARLO_FILES = (SUMMARY_FILE, RUNS_FILE, BANDS_FILE, REPORT_FILE)


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.2%}"


def _num(v: float | None) -> str:
    return "n/a" if v is None else f"{v:,.2f}"


def _table(summary: Mapping[str, Any]) -> str:
    dist = summary["distributions"]
    fmts = {"final_equity": _num, "cagr": _pct, "max_drawdown": _pct, "sharpe": _num}
    keys = list(next(iter(dist.values())).get("percentiles", {}))
    head = "".join(f"<th>{escape(k)}</th>" for k in keys)
    rows = [f"<tr><th>Metric</th>{head}<th>mean</th><th>CI</th><th>original (rank)</th></tr>"]
    for name, stats in dist.items():
        f = fmts[name]
        cells = "".join(f"<td>{f(stats.get('percentiles', {}).get(k))}</td>" for k in keys)
        ci = stats.get("confidence_interval") or [None, None]
        orig = (summary.get("original") or {}).get(name) or {}
        rank = orig.get("percentile_rank")
        where = "n/a" if rank is None else f"{rank:.0%}, {orig.get('standing')}"
        orig_text = f"{f(orig.get('value'))} ({where})"
        rows.append(
            f"<tr><td>{escape(name)}</td>{cells}<td>{f(stats.get('mean'))}</td>"
            f"<td>{f(ci[0])} … {f(ci[1])}</td><td>{escape(orig_text)}</td></tr>"
        )
    return "<table>" + "".join(rows) + "</table>"


def _probabilities(summary: Mapping[str, Any]) -> str:
    rows = [
        f"<tr><td>max drawdown worse than {float(t):.0%}</td><td>{p:.2%}</td>"
        f"<td>{escape(summary['risk_level'][t])}</td></tr>"
        for t, p in summary["prob_drawdown_worse_than"].items()
    ]
    rows.append(
        f"<tr><td>ruin (equity ≤ {summary['ruin_level']:.0%} of capital)</td>"
        f"<td>{summary['prob_ruin']:.2%}</td></tr>"
    )
    rows.append(f"<tr><td>loss (final equity below capital)</td><td>{summary['prob_loss']:.2%}</td></tr>")
    return "<table><tr><th>Event</th><th>Probability</th><th>Risk</th></tr>" + "".join(rows) + "</table>"


def _inputs(summary: Mapping[str, Any], source: str) -> str:
    items = [
        ("Input", source),
        (
            "Method",
            summary["method"] + (f" (block {summary['block_size']})" if summary["block_size"] else ""),
        ),
        ("Iterations", f"{summary['iterations']:,}"),
        (
            "Seed",
            f"{summary['seed']}"
            if summary["seed"] is not None
            else f"none (entropy {summary['seed_entropy']})",
        ),
        ("Returns / horizon", f"{summary['n_returns']:,} / {summary['horizon']:,}"),
        ("Initial capital", f"{summary['initial_capital']:,.2f}"),
    ]
    return (
        "<table>"
        + "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in items)
        + "</table>"
    )


def render_montecarlo(result: MonteCarloResult, source: str) -> dict[str, str]:
    """Every output file's name and text; ``source`` describes the input for humans."""
    summary = summarize(result)
    document = {"source": source, **summary}
    p = result.paths
    runs = csv_text(
        ("run", "final_equity", "cagr", "max_drawdown", "sharpe", "ruined"),
        (
            (
                i + 1,
                float(p.final_equity[i]),
                float(p.cagr[i]),
                float(p.max_drawdown[i]),
                float(p.sharpe[i]),
                int(p.ruined[i]),
            )
            for i in range(result.iterations)
        ),
    )
    pct = result.spec.percentiles
    bands = csv_text(
        ("step", *(f"p{q:g}" for q in pct)),
        ((int(s), *(float(v) for v in result.bands[:, j])) for j, s in enumerate(result.steps)),
    )
    orig = summary["original"] or {}

    def marker(name: str) -> list[tuple[str, float]]:
        out: list[tuple[str, float]] = []
        value = (orig.get(name) or {}).get("value")
        if value is not None:
            out.append(("original", float(value)))
        p5 = summary["distributions"][name].get("percentiles", {}).get("p5")
        if p5 is not None:
            out.append(("p5", float(p5)))
        return out

    sections = [
        ("Inputs", _inputs(summary, source)),
        (
            "Equity paths (percentile bands)",
            fan_chart("Equity percentile bands", result.steps, result.bands, pct),
        ),
        ("Distributions", _table(summary)),
        ("Probabilities", _probabilities(summary)),
        (
            "CAGR",
            histogram("CAGR", p.cagr, x_fmt=lambda v: f"{v:.0%}", markers=marker("cagr")),
        ),
        (
            "Max drawdown",
            histogram(
                "Max drawdown", p.max_drawdown, x_fmt=lambda v: f"{v:.0%}", markers=marker("max_drawdown")
            ),
        ),
        (
            "Sharpe ratio",
            histogram("Sharpe ratio", p.sharpe[np.isfinite(p.sharpe)], markers=marker("sharpe")),
        ),
    ]
    html = page(
        f"Monte Carlo — {summary['method']}, {summary['iterations']:,} runs",
        sections,
        "Fractions shown as percents; Sharpe annualised with risk-free 0; drawdowns from the running peak "
        "(the initial capital is the first peak). Generated by Jutsu Labs.",
    )
    return {SUMMARY_FILE: json_text(document), RUNS_FILE: runs, BANDS_FILE: bands, REPORT_FILE: html}
