"""Shared helpers for the `jutsu backtest` end-to-end tests (a uniquely named module)."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner, Result

from jutsu.cli.main import app

PRICES = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "prices"


def run_cli(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, ["backtest", *args], env=env)


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        assert reader.fieldnames is not None
        return list(reader.fieldnames), rows
