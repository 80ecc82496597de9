"""The CSV/JSON writers: exact columns, exact values, strict JSON, nothing half-written."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from reporting_builders import REGIME_COLUMNS, build_outcome

from jutsu.reporting import OUTPUT_FILES, write_outputs
from jutsu.reporting.files import (
    render_decisions_csv,
    render_equity_csv,
    render_summary_json,
    render_trades_csv,
)


def _rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    assert reader.fieldnames is not None
    return list(reader.fieldnames), rows


def test_equity_csv_columns_and_values() -> None:
    outcome = build_outcome()
    header, rows = _rows(render_equity_csv(outcome))
    assert header == ["date", "equity", "cash", "baseline_equity", "drawdown"]
    snaps = outcome.result.snapshots
    assert len(rows) == len(snaps)
    for row, snap in zip(rows, snaps, strict=True):
        assert row["date"] == snap.date.isoformat()
        assert Decimal(row["equity"]) == snap.equity
        assert Decimal(row["cash"]) == snap.cash
        assert abs(Decimal(row["baseline_equity"]) - outcome.baseline_equity[snap.date]) < Decimal("1e-6")
    # drawdown is against the running peak (the initial capital counts as the first peak)
    peak = float(outcome.result.initial_capital)
    for row in rows:
        eq = float(row["equity"])
        peak = max(peak, eq)
        assert float(row["drawdown"]) == pytest.approx(eq / peak - 1)
        assert float(row["drawdown"]) <= 0


def test_trades_csv_replays_to_final_cash() -> None:
    outcome = build_outcome()
    header, rows = _rows(render_trades_csv(outcome))
    assert header == ["date", "symbol", "side", "quantity", "price", "commission", "reason"]
    assert len(rows) == len(outcome.result.fills)
    cash = outcome.result.initial_capital
    for row in rows:
        amount = int(row["quantity"]) * Decimal(row["price"])
        if row["side"] == "BUY":
            cash -= amount + Decimal(row["commission"])
        else:
            assert row["side"] == "SELL"
            cash += amount - Decimal(row["commission"])
    assert cash == outcome.result.snapshots[-1].cash


@pytest.mark.parametrize("regime", [False, True])
def test_decisions_csv_columns(regime: bool) -> None:
    outcome = build_outcome(regime=regime)
    header, rows = _rows(render_decisions_csv(outcome))
    journal = list(REGIME_COLUMNS) if regime else []
    assert header == ["date", *journal, "w_QQQ", "w_TQQQ"]
    assert len(rows) == len(outcome.result.decisions)
    for row, rec in zip(rows, outcome.result.decisions, strict=True):
        assert row["date"] == rec.date.isoformat()
        assert Decimal(row["w_QQQ"]) == rec.weights["QQQ"]
        if regime:
            assert int(row["cell"]) == rec.journal["cell"]
            assert row["sma_slow"] == ""  # None journal values are empty cells


def test_summary_json_is_strict_and_complete() -> None:
    outcome = build_outcome()
    text = render_summary_json(outcome)
    doc = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))
    for key in ("strategy", "baseline", "params", "start", "end", "data_fingerprint", "engine_version"):
        assert key in doc
    assert doc["strategy"]["sortino"] is None  # +inf in the metrics -> null, never Infinity
    assert doc["strategy"]["final_value"] == float(outcome.result.snapshots[-1].equity)
    assert doc["params"] == {"sma_fast": 40, "upper_thresh_z": 1.0}
    assert doc["start"] == outcome.result.start.isoformat()
    assert doc["baseline_symbol"] == "QQQ"


def test_write_outputs_writes_exactly_the_five_files(tmp_path: Path) -> None:
    out = tmp_path / "nested" / "run"
    keep = tmp_path / "nested" / "run" / "notes.txt"
    keep.parent.mkdir(parents=True)
    keep.write_text("mine")
    written = write_outputs(build_outcome(regime=True), out)
    assert [p.name for p in written] == list(OUTPUT_FILES)
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUT_FILES, "notes.txt"])
    assert keep.read_text() == "mine"
