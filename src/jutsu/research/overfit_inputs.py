"""The T×N returns matrix of a parameter search: from a stored grid run or a CSV file.

Stored grid (F2's storage, :mod:`jutsu.research.store`): every ``completed`` row of
``research_results`` of the run carries ``returns`` — a JSON list of daily returns, one per
session of the run's period — and ``research_runs.summary["return_dates"]`` lists those
sessions. Each row is one column of the matrix, named by its parameters.

CSV (``--matrix FILE``): a header row; an optional first column ``date``; every other column
is one trial's per-period returns (fractions), one row per period in time order.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine

from jutsu.errors import DataError
from jutsu.research.overfitting import validate_matrix

__all__ = ["ReturnsMatrix", "grid_returns_matrix", "read_matrix_csv"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ReturnsMatrix:
    """Rows = periods (oldest first), columns = trials."""

    names: list[str]
    values: FloatArray
    dates: list[str] | None
    source: str


def read_matrix_csv(path: Path) -> ReturnsMatrix:
    """Read ``--matrix FILE`` (see the module docstring); one-line :class:`DataError` on bad input."""
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{path}: cannot read ({exc})") from None
    if not rows:
        raise DataError(f"{path}: empty file (expected a header row)")
    header = [h.strip() for h in rows[0]]
    has_date = bool(header) and header[0].lower() == "date"
    names = header[1:] if has_date else header
    body = rows[1:]
    values = np.empty((len(body), len(names)))
    dates: list[str] = []
    for i, row in enumerate(body):
        if len(row) != len(header):
            raise DataError(f"{path}: line {i + 2} has {len(row)} fields, the header has {len(header)}")
        cells = row[1:] if has_date else row
        if has_date:
            dates.append(row[0].strip())
        for j, text in enumerate(cells):
            try:
                values[i, j] = float(text.strip()) if text.strip() else np.nan
            except ValueError:
                raise DataError(
                    f"{path}: line {i + 2}, column {names[j]!r}: {text!r} is not a number"
                ) from None
    return ReturnsMatrix(names, validate_matrix(values, str(path)), dates or None, str(path))


def grid_returns_matrix(engine: Engine, run_id: str) -> ReturnsMatrix:
    """The matrix of a stored grid run (its completed combinations with stored returns)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from jutsu.data.models import ResearchResult, ResearchRun

    with Session(engine) as session:
        run = session.get(ResearchRun, run_id)
        if run is None:
            raise DataError(f"no research run with id {run_id!r} in research_runs")
        if run.kind != "grid":
            raise DataError(f"research run {run_id} is a {run.kind} run, not a grid")
        summary = run.summary if isinstance(run.summary, dict) else {}
        stmt = (
            select(ResearchResult.combo_key, ResearchResult.params, ResearchResult.returns)
            .where(ResearchResult.run_id == run_id, ResearchResult.status == "completed")
            .order_by(ResearchResult.id)
        )
        rows = list(session.execute(stmt))
    with_returns = [r for r in rows if r.returns is not None]
    if len(with_returns) < 2:
        raise DataError(
            f"grid run {run_id}: {len(with_returns)} completed combination(s) with stored daily returns, "
            "at least 2 are needed (or pass a returns matrix with --matrix FILE)"
        )
    lengths = {len(r.returns) for r in with_returns}
    if len(lengths) != 1:
        raise DataError(
            f"grid run {run_id}: combinations have different numbers of returns ({sorted(lengths)})"
        )
    try:
        values = np.array([[float(v) for v in r.returns] for r in with_returns]).T
    except (TypeError, ValueError):
        raise DataError(f"grid run {run_id}: stored returns are not all numbers") from None
    names = [json.dumps(r.params, sort_keys=True, default=str) for r in with_returns]
    raw_dates = summary.get("return_dates")
    dates = (
        [str(d) for d in raw_dates]
        if isinstance(raw_dates, list) and len(raw_dates) == values.shape[0]
        else None
    )
    source = f"grid run {run_id}"
    return ReturnsMatrix(names, validate_matrix(values, source), dates, source)
