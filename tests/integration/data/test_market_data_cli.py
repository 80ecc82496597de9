"""``jutsu data ...`` end to end on SQLite and PostgreSQL (CliRunner, real database, real files)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from jutsu.cli import data as data_cli
from jutsu.cli.main import app
from jutsu.data.models import MarketData
from jutsu.data.repositories.market_data import audit_rows, load_bars

PRICES = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "prices"
NINE = sorted(PRICES.glob("*.csv"))

# shared/data/README.md, table "Files": first, last, rows.
README = {
    "QQQ": ("1999-03-10", "2026-08-20", 6905),
    "SPY": ("1993-01-29", "2026-08-20", 8447),
    "TQQQ": ("2010-02-11", "2026-08-20", 4156),
    "TLT": ("2010-01-04", "2025-06-27", 3895),
    "TMF": ("2010-01-04", "2025-06-27", 3895),
    "TMV": ("2010-01-04", "2025-06-27", 3895),
    "PSQ": ("2013-01-10", "2026-07-13", 3395),
    "ORCL": ("1995-01-03", "2014-12-31", 5036),
    "NVDA": ("1999-01-22", "2014-12-31", 4012),
}


@pytest.fixture
def cli(db_engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A runner whose commands use the migrated test database."""
    monkeypatch.setattr(data_cli, "database_url", lambda: db_url)
    yield CliRunner()


def _rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(MarketData)).scalar_one())


def test_import_the_nine_shared_files_list_them_and_reimport_changes_nothing(
    cli: CliRunner, db_engine: Engine
) -> None:
    result = cli.invoke(app, ["data", "import", *map(str, NINE)])
    assert result.exit_code == 0, result.output
    listed = cli.invoke(app, ["data", "list", "--json"])
    assert listed.exit_code == 0
    got = {row["symbol"]: row for row in json.loads(listed.stdout)}
    assert set(got) == set(README)
    for symbol, (first, last, rows) in README.items():
        assert (got[symbol]["first"], got[symbol]["last"], got[symbol]["rows"]) == (first, last, rows)
        assert got[symbol]["missing_sessions"] == 0
        assert got[symbol]["source"] == "csv"
    total = _rows(db_engine)
    again = cli.invoke(app, ["data", "import", *map(str, NINE)])
    assert again.exit_code == 0
    assert "0 inserted" in again.stdout and _rows(db_engine) == total
    table = cli.invoke(app, ["data", "list"])
    assert table.exit_code == 0 and "TQQQ" in table.stdout


def test_a_bad_file_fails_alone_with_one_line(cli: CliRunner, db_engine: Engine, tmp_path: Path) -> None:
    bad = tmp_path / "TQQQ.csv"
    lines = (PRICES / "TQQQ.csv").read_text().splitlines()
    cells = lines[40].split(",")
    cells[4] = "-1"  # close of file row 41
    lines[40] = ",".join(cells)
    bad.write_text("\n".join(lines) + "\n")
    result = cli.invoke(app, ["data", "import", str(bad), str(PRICES / "PSQ.csv")])
    assert result.exit_code == 1
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1
    assert errors[0].startswith("error: ") and str(bad) in errors[0]
    assert "row 41" in errors[0] and "field 'close'" in errors[0]
    assert "Traceback" not in result.output
    assert load_bars(db_engine, "TQQQ").empty  # nothing of the bad file
    assert len(load_bars(db_engine, "PSQ")) == 3395  # the good file still went in


def test_changed_close_is_refused_then_accepted_with_correct(
    cli: CliRunner, db_engine: Engine, tmp_path: Path
) -> None:
    assert cli.invoke(app, ["data", "import", str(PRICES / "PSQ.csv")]).exit_code == 0
    lines = (PRICES / "PSQ.csv").read_text().splitlines()
    day, o, h, lo, c, adj, vol = lines[100].split(",")
    new_close = lo  # still inside [low, high], but different from the stored close
    assert new_close != c
    lines[100] = ",".join([day, o, h, lo, new_close, adj, vol])
    copy = tmp_path / "PSQ_edited.csv"
    copy.write_text("\n".join(lines) + "\n")
    before = load_bars(db_engine, "PSQ")

    refused = cli.invoke(app, ["data", "import", str(copy)])
    assert refused.exit_code == 1
    assert f"PSQ {day}: close" in refused.stderr and "--correct" in refused.stderr
    assert load_bars(db_engine, "PSQ").equals(before)
    errors = [r for r in audit_rows(db_engine, "PSQ") if r["status"] == "error"]
    assert len(errors) == 1 and day in errors[0]["message"]

    accepted = cli.invoke(app, ["data", "import", str(copy), "--correct"])
    assert accepted.exit_code == 0, accepted.output
    assert "1 corrected" in accepted.stdout
    after = load_bars(db_engine, "PSQ")
    assert str(after.loc[after["date"] == day, "close"].item()) == f"{float(new_close):.6f}"
    corrections = [r for r in audit_rows(db_engine, "PSQ") if r["operation"] == "correct"]
    assert len(corrections) == 1
    assert f"close {float(c):.6f} -> {float(new_close):.6f}" in corrections[0]["message"]


def test_delete_asks_for_confirmation(cli: CliRunner, db_engine: Engine) -> None:
    assert cli.invoke(app, ["data", "import", str(PRICES / "TMF.csv")]).exit_code == 0
    declined = cli.invoke(app, ["data", "delete", "--symbol", "TMF"], input="n\n")
    assert declined.exit_code == 1 and len(load_bars(db_engine, "TMF")) == 3895
    done = cli.invoke(app, ["data", "delete", "--symbol", "TMF", "--yes"])
    assert done.exit_code == 0 and "3895" in done.stdout
    assert load_bars(db_engine, "TMF").empty
    assert [r["operation"] for r in audit_rows(db_engine, "TMF")][-1] == "delete"


def test_synth_stores_labelled_synthetic_bars(cli: CliRunner) -> None:
    args = ["data", "synth", "--symbols", "QQQ", "TQQQ", "--start", "2020-01-01", "--end", "2020-06-30"]
    result = cli.invoke(app, [*args, "--seed", "5"])
    assert result.exit_code == 0, result.output
    listed = {r["symbol"]: r for r in json.loads(cli.invoke(app, ["data", "list", "--json"]).stdout)}
    assert set(listed) == {"QQQ", "TQQQ"}
    assert listed["QQQ"]["source"] == "synthetic" and listed["QQQ"]["missing_sessions"] == 0
    assert listed["QQQ"]["first"] == "2020-01-02" and listed["QQQ"]["last"] == "2020-06-30"
    assert cli.invoke(app, [*args, "--seed", "5"]).exit_code == 0  # same seed: identical, no-op
    clash = cli.invoke(app, [*args, "--seed", "6"])
    assert clash.exit_code == 1 and clash.stderr.startswith("error: QQQ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["data", "import", "/nonexistent/QQQ.csv"], "file not found"),
        (["data", "import", str(PRICES / "QQQ.csv"), str(PRICES / "SPY.csv"), "--symbol", "X"], "one file"),
        (["data", "sync", "--symbols", "QQQ", "--source", "bloomberg"], "--source"),
        (["data", "sync", "--symbols", "QQQ", "--start", "2020-13-01"], "--start"),
        (["data", "sync", "--start", "2020-01-01"], "at least one ticker"),
        (["data", "delete", "--symbol", "not a ticker", "--yes"], "not a ticker"),
    ],
)
def test_user_errors_are_one_line_without_traceback(cli: CliRunner, args: list[str], message: str) -> None:
    result = cli.invoke(app, args)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
