"""Where Monte Carlo returns come from: a returns CSV, a backtest output directory, a stored run.

All readers return fractions (0.01 = 1 %) and raise a one-line :class:`DataError` naming the
file and row at fault; nothing is simulated before the input is known to be good.

Units:

``daily``   one return per trading date of ``equity.csv``; the first is measured against the
            run's initial capital (DECISIONS 4) when ``summary.json`` (or the database row)
            gives it, otherwise the first date only serves as the base.
``trades``  one return per closed round trip of ``trades.csv`` (average-cost ledger of
            :func:`jutsu.core.metrics.round_trips`): its PnL divided by the equity at the
            close of the previous trading date — the input of a trade-order shuffle.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine

from jutsu.core.metrics import daily_returns, round_trips
from jutsu.core.result import Fill
from jutsu.errors import DataError
from jutsu.research.montecarlo import validate_returns

__all__ = [
    "ReturnsUnit",
    "backtest_dir_returns",
    "read_returns_csv",
    "stored_run_returns",
]

FloatArray = npt.NDArray[np.float64]
ReturnsUnit = Literal["daily", "trades"]
_RETURN_COLUMNS = ("return", "returns", "daily_return", "portfolio_return")


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            rows = list(reader)
            header = list(reader.fieldnames or [])
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{path}: cannot read ({exc})") from None
    if not header:
        raise DataError(f"{path}: empty file (expected a header row)")
    return header, rows


def _number(path: Path, line: int, column: str, text: str | None) -> float:
    try:
        return float((text or "").strip())
    except ValueError:
        raise DataError(f"{path}: line {line}, column {column!r}: {text!r} is not a number") from None


def read_returns_csv(path: Path, column: str | None = None) -> FloatArray:
    """Returns (fractions) from one column of a CSV with a header row.

    ``column`` defaults to the first of ``return``, ``returns``, ``daily_return``,
    ``portfolio_return`` present (case-insensitive), or the only non-``date`` column.
    """
    header, rows = _rows(path)
    by_name = {h.strip().lower(): h for h in header}
    if column is not None:
        if column.strip().lower() not in by_name:
            raise DataError(f"{path}: no column {column!r} (columns: {', '.join(header)})")
        key = by_name[column.strip().lower()]
    else:
        found = next((by_name[c] for c in _RETURN_COLUMNS if c in by_name), None)
        others = [h for h in header if h.strip().lower() != "date"]
        if found is None and len(others) == 1:
            found = others[0]
        if found is None:
            raise DataError(
                f"{path}: cannot tell which column holds the returns (columns: {', '.join(header)}); "
                "name it 'return' or set returns_column"
            )
        key = found
    values = [_number(path, i + 2, key.strip(), row.get(key)) for i, row in enumerate(rows)]
    return validate_returns(values, str(path))


def _equity(path: Path) -> tuple[list[dt.date], list[float]]:
    header, rows = _rows(path)
    for col in ("date", "equity"):
        if col not in header:
            raise DataError(f"{path}: no {col!r} column (expected a backtest equity.csv)")
    dates: list[dt.date] = []
    values: list[float] = []
    for i, row in enumerate(rows):
        try:
            dates.append(dt.date.fromisoformat(row["date"].strip()))
        except ValueError:
            raise DataError(f"{path}: line {i + 2}: {row['date']!r} is not a date") from None
        values.append(_number(path, i + 2, "equity", row["equity"]))
    return dates, values


def _capital_from_summary(out_dir: Path) -> float | None:
    summary = out_dir / "summary.json"
    if not summary.is_file():
        return None
    try:
        value = json.loads(summary.read_text(encoding="utf-8")).get("initial_capital")
        return None if value is None else float(value)
    except (OSError, ValueError, TypeError, AttributeError):
        raise DataError(f"{summary}: not a backtest summary (initial_capital unreadable)") from None


def _fills(path: Path) -> list[Fill]:
    header, rows = _rows(path)
    need = ("date", "symbol", "side", "quantity", "price", "commission")
    missing = [c for c in need if c not in header]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)} (expected a backtest trades.csv)")
    fills: list[Fill] = []
    for i, row in enumerate(rows):
        try:
            side = row["side"].strip().upper()
            if side not in ("BUY", "SELL"):
                raise ValueError(side)
            fills.append(
                Fill(
                    date=dt.date.fromisoformat(row["date"].strip()),
                    symbol=row["symbol"].strip(),
                    side=side,  # type: ignore[arg-type]
                    quantity=int(row["quantity"]),
                    price=Decimal(row["price"]),
                    commission=Decimal(row["commission"] or "0"),
                )
            )
        except (ValueError, InvalidOperation):
            raise DataError(f"{path}: line {i + 2} is not a valid fill") from None
    return fills


def backtest_dir_returns(
    out_dir: Path, unit: ReturnsUnit = "daily", initial_capital: float | None = None
) -> FloatArray:
    """Returns of a ``jutsu backtest`` output directory (see the module docstring for units)."""
    if not out_dir.is_dir():
        raise DataError(f"{out_dir}: backtest output directory not found")
    dates, equity = _equity(out_dir / "equity.csv")
    capital = initial_capital if initial_capital is not None else _capital_from_summary(out_dir)
    if unit == "daily":
        if capital is not None:
            r = daily_returns(equity, capital)
        else:
            r = daily_returns(equity[1:], equity[0]) if len(equity) > 1 else np.zeros(0)
        return validate_returns(r, str(out_dir / "equity.csv"))
    trips = round_trips(_fills(out_dir / "trades.csv"))
    out: list[float] = []
    for trip in trips:
        k = bisect.bisect_left(dates, trip.date)  # dates strictly before the close
        prior = equity[k - 1] if k > 0 else capital
        if prior is None or prior <= 0:
            raise DataError(f"{out_dir}: no equity before the trade closed on {trip.date} to scale it")
        out.append(float(trip.pnl) / prior)
    return validate_returns(out, str(out_dir / "trades.csv") + " (closed round trips)")


def stored_run_returns(engine: Engine, run_id: str, unit: ReturnsUnit = "daily") -> tuple[FloatArray, float]:
    """Returns and initial capital of a run recorded in ``backtest_runs`` (its output files)."""
    from sqlalchemy.orm import Session

    from jutsu.data.models import BacktestRun

    with Session(engine) as session:
        row = session.get(BacktestRun, run_id)
        if row is None:
            raise DataError(f"no backtest run with id {run_id!r} in backtest_runs")
        out_dir, capital, status = row.out_dir, float(row.initial_capital), row.status
    if status != "completed":
        raise DataError(f"backtest run {run_id} is {status}, not completed")
    if not out_dir or not Path(out_dir).is_dir():
        raise DataError(
            f"backtest run {run_id}: its output directory {out_dir or '(none recorded)'} is gone; "
            "re-run the backtest or pass its equity as a returns CSV"
        )
    return backtest_dir_returns(Path(out_dir), unit, capital), capital
