"""Every bad input: one `error:` line on stderr, exit 1, no traceback, nothing in --out."""

from __future__ import annotations

from pathlib import Path

import pytest
from backtest_cli_helpers import PRICES, run_cli


@pytest.fixture(autouse=True)
def _no_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'absent' / 'jutsu.db'}")


def _base(strategy: str = "sma_crossover", start: str = "2015-01-02", end: str = "2015-12-31") -> list[str]:
    return [strategy, "--start", start, "--end", end, "--data-dir", str(PRICES)]


CASES = [
    pytest.param(_base("no_such_strategy"), "no_such_strategy", id="unknown-strategy"),
    pytest.param([*_base(), "--param", "no_such_param=3"], "no_such_param", id="unknown-param"),
    pytest.param([*_base(), "--param", "fast=0"], "fast", id="param-out-of-range"),
    pytest.param([*_base(), "--param", "fast=abc"], "fast", id="param-wrong-type"),
    pytest.param([*_base(), "--param", "fast"], "KEY=VALUE", id="param-without-equals"),
    pytest.param(_base(start="2016-01-04", end="2015-01-02"), "before", id="end-before-start"),
    pytest.param(_base(start="1990-01-02", end="1990-12-31"), "1990", id="range-without-data"),
    pytest.param(_base(start="2015-02-30"), "--start", id="invalid-start-date"),
    pytest.param(_base(end="31/12/2015"), "--end", id="invalid-end-date"),
    pytest.param([*_base(), "--param", "symbol=ZZZZ"], "ZZZZ", id="missing-symbol-file"),
    pytest.param([*_base(), "--capital", "-5"], "capital", id="negative-capital"),
    pytest.param([*_base(), "--slippage", "lots"], "--slippage", id="non-numeric-slippage"),
]


@pytest.mark.parametrize(("args", "needle"), CASES)
def test_bad_input(tmp_path: Path, args: list[str], needle: str) -> None:
    out = tmp_path / "out"
    result = run_cli(*args, "--out", str(out))
    assert result.exit_code == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert needle in lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert not out.exists()


def test_missing_data_dir(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["sma_crossover", "--start", "2015-01-02", "--end", "2015-12-31"]
    result = run_cli(*args, "--data-dir", str(tmp_path / "nope"), "--out", str(out))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and "nope" in result.stderr
    assert not out.exists()


def test_existing_out_dir_is_left_untouched_on_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    result = run_cli(*_base(start="2016-01-04", end="2015-01-02"), "--out", str(out))
    assert result.exit_code == 1
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
