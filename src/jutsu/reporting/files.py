"""The files of a backtest run: ``summary.json``, ``equity.csv``, ``trades.csv``,
``decisions.csv`` and ``report.html``.

Everything is rendered to text in memory first and only then written through
:func:`jutsu.reporting.atomic.write_files_atomically` (all temporary files first, then renames):
a failure while rendering or writing (a full disk) leaves ``--out`` as it was, and a reader
never sees half a file. Only these five names are (re)written in the directory;
other files a user keeps there are left alone.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from jutsu.backtest.models import BacktestOutcome, MetricValue
from jutsu.reporting.atomic import write_files_atomically
from jutsu.reporting.tables import equity_rows, weight_symbols

__all__ = [
    "DECISIONS_FILE",
    "EQUITY_COLUMNS",
    "EQUITY_FILE",
    "OUTPUT_FILES",
    "REPORT_FILE",
    "SUMMARY_FILE",
    "TRADES_COLUMNS",
    "TRADES_FILE",
    "build_summary",
    "decisions_columns",
    "json_default",
    "render_decisions_csv",
    "render_equity_csv",
    "render_outputs",
    "render_summary_json",
    "render_trades_csv",
    "write_outputs",
]

SUMMARY_FILE = "summary.json"
EQUITY_FILE = "equity.csv"
TRADES_FILE = "trades.csv"
DECISIONS_FILE = "decisions.csv"
REPORT_FILE = "report.html"
OUTPUT_FILES = (SUMMARY_FILE, EQUITY_FILE, TRADES_FILE, DECISIONS_FILE, REPORT_FILE)

EQUITY_COLUMNS = ("date", "equity", "cash", "baseline_equity", "drawdown")
TRADES_COLUMNS = ("date", "symbol", "side", "quantity", "price", "commission", "reason")


def _cell(value: object) -> str:
    """CSV text of one value: exact Decimals, shortest floats, empty for missing/NaN."""
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    if isinstance(value, Decimal):
        # exact, without storage padding: 3.864820000 (NUMERIC scale) and 3.86482 read the same
        return format(value.normalize(), "f") if value else "0"
    return str(value)


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return buf.getvalue()


def render_equity_csv(outcome: BacktestOutcome) -> str:
    """``date,equity,cash,baseline_equity,drawdown`` — one row per trading date >= start."""
    rows = equity_rows(outcome.result, outcome.baseline_equity)
    return _csv(
        EQUITY_COLUMNS,
        (
            (
                r.date.isoformat(),
                r.equity,
                r.cash,
                None if r.baseline_equity is None else _money6(r.baseline_equity),
                r.drawdown,
            )
            for r in rows
        ),
    )


def _money6(value: Decimal) -> Decimal:
    """Baseline values carry fractional shares; six places keep the file readable."""
    return value.quantize(Decimal("0.000001"))


def render_trades_csv(outcome: BacktestOutcome) -> str:
    """``date,symbol,side,quantity,price,commission,reason`` — one row per fill, in order."""
    return _csv(
        TRADES_COLUMNS,
        (
            (f.date.isoformat(), f.symbol, f.side, f.quantity, f.price, f.commission, f.reason)
            for f in outcome.result.fills
        ),
    )


def decisions_columns(outcome: BacktestOutcome) -> tuple[str, ...]:
    """``date``, the strategy's journal columns in order, then ``w_<SYMBOL>`` per symbol."""
    symbols = weight_symbols(outcome.result)
    return ("date", *outcome.result.journal_columns, *(f"w_{s}" for s in symbols))


def render_decisions_csv(outcome: BacktestOutcome) -> str:
    """One row per trading date: why (journal) and what (target weights; absent = 0)."""
    result = outcome.result
    symbols = weight_symbols(result)
    zero = Decimal(0)
    return _csv(
        decisions_columns(outcome),
        (
            (
                rec.date.isoformat(),
                *(rec.journal.get(c) for c in result.journal_columns),
                *(rec.weights.get(s, zero) for s in symbols),
            )
            for rec in result.decisions
        ),
    )


def _json_metrics(metrics: Mapping[str, MetricValue]) -> dict[str, MetricValue]:
    """JSON has no NaN/Infinity: such values (e.g. Sortino with no losing day) become null."""
    out: dict[str, MetricValue] = {}
    for key, value in metrics.items():
        if isinstance(value, float) and not math.isfinite(value):
            out[key] = None
        else:
            out[key] = value
    return out


def json_default(value: object) -> Any:
    """``json.dumps`` fallback shared by summary.json and the database row."""
    if isinstance(value, Decimal):
        # A number when the float reads back as the same decimal (0.1, 40, 1.25), else exact text.
        as_float = float(value)
        return as_float if Decimal(repr(as_float)) == value else str(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple | frozenset | set):
        return list(value)
    return str(value)


def build_summary(outcome: BacktestOutcome) -> dict[str, Any]:
    """The ``summary.json`` document (also stored as the run's summary in the database).

    Metric values are fractions (0.25 = 25 %), never percents.
    """
    req = outcome.request
    res = outcome.result
    return {
        "strategy_id": res.strategy_id,
        "strategy": _json_metrics(outcome.strategy_metrics),
        "baseline": _json_metrics(outcome.baseline_metrics),
        "baseline_symbol": outcome.baseline_symbol,
        "params": dict(res.params),
        "start": res.start.isoformat(),
        "end": res.end.isoformat(),
        "initial_capital": res.initial_capital,
        "commission_per_share": req.commission_per_share,
        "slippage": req.slippage,
        "data_fingerprint": outcome.data_fingerprint,
        "engine_version": outcome.engine_version,
    }


def render_summary_json(outcome: BacktestOutcome) -> str:
    """``summary.json`` text: strict JSON (no NaN), Decimals as numbers, stable key order."""
    text = json.dumps(build_summary(outcome), indent=2, default=json_default, allow_nan=False)
    return text + "\n"


def render_outputs(outcome: BacktestOutcome) -> dict[str, str]:
    """Every output file's name and full text, rendered before anything touches the disk."""
    from jutsu.reporting.html import render_report  # local: html imports the svg helpers

    return {
        SUMMARY_FILE: render_summary_json(outcome),
        EQUITY_FILE: render_equity_csv(outcome),
        TRADES_FILE: render_trades_csv(outcome),
        DECISIONS_FILE: render_decisions_csv(outcome),
        REPORT_FILE: render_report(outcome),
    }


def write_outputs(outcome: BacktestOutcome, out_dir: Path) -> list[Path]:
    """Render all files, then write them into ``out_dir`` (created if needed), all or nothing.

    Returns the written paths in :data:`OUTPUT_FILES` order. Raises ``OutputWriteError`` (one
    line naming the file) when the disk is full or the directory is not writable.
    """
    contents = render_outputs(outcome)
    return write_files_atomically(out_dir, {name: contents[name] for name in OUTPUT_FILES})
