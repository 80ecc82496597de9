"""``report.html``: one self-contained page per backtest run.

It must open from a file share or an e-mail attachment years later, offline: so no CDN, no
web font, no script — inline CSS and inline SVG only (:mod:`jutsu.reporting.svg`). Sections:
KPI table (strategy vs baseline), equity vs baseline, drawdown, monthly returns heat map,
allocation over time and, for regime strategies (journal has ``cell``), the cell timeline.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from html import escape

from jutsu.backtest.models import BacktestOutcome, MetricValue
from jutsu.core.metrics import drawdown_series
from jutsu.core.result import BacktestResult
from jutsu.reporting import svg
from jutsu.reporting.tables import equity_rows, monthly_returns

__all__ = ["CELL_COLORS", "format_metric", "render_report"]

CELL_COLORS: Mapping[str, str] = {
    "1": "#1a9850",
    "2": "#91cf60",
    "3": "#d9ef8b",
    "4": "#fee08b",
    "5": "#fc8d59",
    "6": "#d73027",
}

# Metrics that are fractions and read best as percents; everything else is a ratio or a count.
_PERCENT_METRICS = frozenset(
    {
        "total_return",
        "cagr",
        "annualized_return",
        "max_drawdown",
        "volatility",
        "win_rate",
        "excess_return",
        "time_in_market",
        "var_95",
        "cvar_95",
        "var_99",
        "cvar_99",
        "best_day",
        "worst_day",
        "turnover",
        "exposure",
        "alpha",
    }
)
_COUNT_METRICS = frozenset({"closed_trades", "fills", "max_drawdown_duration", "trading_days"})
_MONEY_METRICS = frozenset({"final_value", "avg_win", "avg_loss", "initial_capital"})

_CSS = """
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px;color:#222}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 6px}
table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #e5e5e5;text-align:right}
th:first-child,td:first-child{text-align:left}.meta td{text-align:left}
svg{width:100%;max-width:900px;height:auto;display:block;font-size:11px}
svg text{fill:#444}.grid{stroke:#e6e6e6;stroke-width:1}.muted{color:#777;font-size:12px}
"""


def format_metric(name: str, value: MetricValue) -> str:
    """Human text for one metric value (percent, money, count or 2-3 decimals)."""
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if value != value:  # NaN
        return "n/a"
    if value in (float("inf"), float("-inf")):
        return "∞" if value > 0 else "−∞"
    if name in _COUNT_METRICS and float(value).is_integer():
        return f"{int(value):,}"
    if name in _PERCENT_METRICS or name.endswith("_return"):
        return f"{value:.2%}"
    if name in _MONEY_METRICS:
        return f"{value:,.2f}"
    return f"{value:.3f}"


def _kpi_table(outcome: BacktestOutcome) -> str:
    names = list(outcome.strategy_metrics)
    names += [n for n in outcome.baseline_metrics if n not in outcome.strategy_metrics]
    rows = [
        f"<tr><th>Metric</th><th>Strategy ({escape(outcome.result.strategy_id)})</th>"
        f"<th>Buy &amp; hold {escape(outcome.baseline_symbol)}</th></tr>"
    ]
    for n in names:
        s = format_metric(n, outcome.strategy_metrics[n]) if n in outcome.strategy_metrics else ""
        b = format_metric(n, outcome.baseline_metrics[n]) if n in outcome.baseline_metrics else ""
        rows.append(f"<tr><td>{escape(n)}</td><td>{escape(s)}</td><td>{escape(b)}</td></tr>")
    return '<table class="kpi">' + "".join(rows) + "</table>"


def _meta_table(outcome: BacktestOutcome) -> str:
    req, res = outcome.request, outcome.result
    params = json.dumps(dict(res.params), default=str, sort_keys=True)
    items = [
        ("Period", f"{res.start.isoformat()} → {res.end.isoformat()}"),
        ("Initial capital", f"{res.initial_capital:,}"),
        ("Costs", f"commission {req.commission_per_share} $/share, slippage {req.slippage}"),
        ("Parameters", params),
        ("Data fingerprint", outcome.data_fingerprint),
        ("Engine version", outcome.engine_version),
    ]
    rows = "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in items)
    return f'<table class="meta">{rows}</table>'


def _holding_weights(result: BacktestResult) -> list[tuple[str, list[float]]]:
    """End-of-day holdings as fractions of equity, per symbol ever held (sorted)."""
    held = sorted({s for snap in result.snapshots for s, q in snap.positions.items() if q})
    layers: list[tuple[str, list[float]]] = []
    for sym in held:
        ws: list[float] = []
        for snap in result.snapshots:
            qty = snap.positions.get(sym, 0)
            price = snap.prices.get(sym, Decimal(0))
            ws.append(float(qty * price / snap.equity) if qty and snap.equity else 0.0)
        layers.append((sym, ws))
    return layers


def _cell_states(result: BacktestResult) -> list[str | None]:
    out: list[str | None] = []
    for rec in result.decisions:
        v = rec.journal.get("cell")
        out.append(None if v is None else f"Cell {v}")
    return out


def _section(title: str, body: str) -> str:
    return f"<section><h2>{escape(title)}</h2>{body}</section>"


def render_report(outcome: BacktestOutcome) -> str:
    """The complete HTML document as text."""
    result = outcome.result
    rows = equity_rows(result, outcome.baseline_equity)
    dates: Sequence[dt.date] = [r.date for r in rows]
    equity = [float(r.equity) for r in rows]
    base: list[float | None] = [None if r.baseline_equity is None else float(r.baseline_equity) for r in rows]
    base_known = [b for b in base if b is not None]
    parts = [
        _section("Key figures", _kpi_table(outcome)),
        _section(
            "Equity vs baseline",
            svg.line_chart(
                "Equity vs baseline",
                dates,
                [(result.strategy_id, equity), (f"Buy & hold {outcome.baseline_symbol}", base)],
            ),
        ),
        _section(
            "Drawdown",
            svg.line_chart(
                "Drawdown",
                dates,
                [
                    (result.strategy_id, [r.drawdown for r in rows]),
                    (
                        f"Buy & hold {outcome.baseline_symbol}",
                        [
                            *([None] * (len(base) - len(base_known))),
                            *drawdown_series(base_known, result.initial_capital).tolist(),
                        ],
                    ),
                ],
                y_fmt=lambda v: f"{v:.0%}",
                fill_to_zero=True,
            ),
        ),
    ]
    monthly = monthly_returns(dates, equity, result.initial_capital)
    parts.append(
        _section("Monthly returns", svg.heatmap("Monthly returns", monthly.by_year, monthly.year_total))
    )
    parts.append(
        _section(
            "Allocation over time (end-of-day holdings; the rest is cash)",
            svg.stacked_area_chart("Allocation over time", dates, _holding_weights(result)),
        )
    )
    if "cell" in result.journal_columns:
        parts.append(
            _section(
                "Regime cell timeline",
                svg.timeline(
                    "Regime cell timeline",
                    [rec.date for rec in result.decisions],
                    _cell_states(result),
                    {f"Cell {k}": c for k, c in CELL_COLORS.items()},
                ),
            )
        )
    title = f"Backtest {result.strategy_id} {result.start.isoformat()} – {result.end.isoformat()}"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_CSS}</style></head>'
        f"<body><h1>{escape(title)}</h1>{_meta_table(outcome)}{''.join(parts)}"
        '<p class="muted">Generated by Jutsu Labs. Fractions shown as percents; drawdowns from the '
        "running peak of each curve.</p></body></html>\n"
    )
