"""Kill switch actions: the flatten run sells every position of the affected strategies (reason
``Kill switch``) even while the switch blocks the daily run, never twice; the CLI toggles it."""

from __future__ import annotations

from pathlib import Path

import pytest
from live_helpers import REGISTRY, Clock, context, full_bar, job
from sqlalchemy import Engine, select
from test_live_pipeline import DAY
from typer.testing import CliRunner

from jutsu.cli.live import app
from jutsu.data.database import create_db_engine
from jutsu.data.migrate import upgrade
from jutsu.data.models import LiveTrade
from jutsu.data.repositories.live_engine_state import read_engine_state, set_kill_switch
from jutsu.data.repositories.live_ledger import read_book
from jutsu.live.flatten import flatten
from jutsu.live.pipeline import run_strategy


def test_flatten_sells_everything_once_while_the_switch_is_on(db_engine: Engine) -> None:
    clock = Clock(DAY)
    ctx, notifier, _ = context(db_engine, clock, today_bar=full_bar)
    assert run_strategy(ctx, job("v3_5b"), session=DAY, trigger="manual").status == "success"
    before = read_book(db_engine, "v3_5b", "paper")
    assert before is not None and before.quantities()
    set_kill_switch(db_engine, active=True, reason="panic")
    blocked = run_strategy(ctx, job("v3_5b"), session=DAY, trigger="manual", force=True)
    assert blocked.status == "skipped" and "kill switch" in blocked.message

    (result,) = flatten(ctx, [job("v3_5b")], session=DAY)
    assert result.error is None
    assert {r.symbol: r.filled_quantity for r in result.sold} == before.quantities()
    assert all(r.side == "SELL" and r.status == "filled" for r in result.sold)
    after = read_book(db_engine, "v3_5b", "paper")
    assert after is not None and after.quantities() == {}
    with db_engine.connect() as conn:
        reasons = (
            conn.execute(select(LiveTrade.reason).where(LiveTrade.action == "SELL").order_by(LiveTrade.id))
            .scalars()
            .all()
        )
    assert reasons and set(reasons) == {"Kill switch"}
    assert any(a.kind == "kill_switch" and a.severity == "critical" for a in notifier.alerts)

    (again,) = flatten(ctx, [job("v3_5b")], session=DAY)  # nothing left: no second sell
    assert again.sold == ()
    with db_engine.connect() as conn:
        assert len(conn.execute(select(LiveTrade.id).where(LiveTrade.action == "SELL")).all()) == len(reasons)


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = create_db_engine(url)
    upgrade(engine)
    monkeypatch.setenv("DATABASE_URL", url)
    return engine


def test_cli_kill_switch_on_off_and_per_strategy(cli_db: Engine) -> None:
    runner = CliRunner()
    on = runner.invoke(app, ["kill-switch", "on", "--reason", "market chaos", "--registry", str(REGISTRY)])
    assert on.exit_code == 0, on.output
    state = read_engine_state(cli_db)
    assert state.is_halted and state.halt_reason == "market chaos"
    off = runner.invoke(app, ["kill-switch", "off", "--registry", str(REGISTRY)])
    assert off.exit_code == 0 and not read_engine_state(cli_db).is_halted
    one = runner.invoke(
        app, ["kill-switch", "on", "--strategy", "v3_5b", "--reason", "review", "--registry", str(REGISTRY)]
    )
    assert one.exit_code == 0, one.output
    assert read_engine_state(cli_db).blocks("v3_5b") is not None
    assert read_engine_state(cli_db).blocks("sma_crossover") is None


def test_cli_kill_switch_bad_input_is_one_line(cli_db: Engine) -> None:
    runner = CliRunner()
    no_reason = runner.invoke(app, ["kill-switch", "on", "--registry", str(REGISTRY)])
    assert no_reason.exit_code == 1 and "--reason" in no_reason.output and "Traceback" not in no_reason.output
    bad = runner.invoke(app, ["kill-switch", "maybe", "--reason", "x", "--registry", str(REGISTRY)])
    assert bad.exit_code == 1 and "expected 'on' or 'off'" in bad.output
    assert not read_engine_state(cli_db).is_halted
