"""The data layer's guarantees on real SQLite and real PostgreSQL (platform.md §2.1-2.3)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool, StaticPool

from jutsu.data.database import create_db_engine, session_factory
from jutsu.data.models import (
    BacktestRun,
    ConfigOverride,
    DailyPerformance,
    DataAuditLog,
    EodJobStatus,
    ExecutionRun,
    LiveTrade,
    MarketData,
    Passkey,
    Position,
    ResearchResult,
    ResearchRun,
    StrategyState,
    SystemState,
    User,
    UserInvitation,
)

T0 = datetime(2024, 3, 15, 20, 0, tzinfo=UTC)


def _bar(ts: datetime = T0, symbol: str = "QQQ", **over: Any) -> MarketData:
    values: dict[str, Any] = {
        "symbol": symbol,
        "timeframe": "1D",
        "timestamp": ts,
        "open": Decimal("440.100000"),
        "high": Decimal("445.250000"),
        "low": Decimal("438.000001"),
        "close": Decimal("444.999999"),
        "volume": 51_234_567_890,
        "data_source": "csv",
    }
    values.update(over)
    return MarketData(**values)


def _trade(**over: Any) -> LiveTrade:
    values: dict[str, Any] = {
        "symbol": "TQQQ",
        "timestamp": T0,
        "trading_date": date(2024, 3, 15),
        "action": "BUY",
        "quantity": 10,
        "target_price": Decimal("60.5"),
        "status": "intent",
        "client_order_id": f"{uuid.uuid4()}:TQQQ:BUY",
        "mode": "paper",
        "strategy_id": "v3_5b",
    }
    values.update(over)
    return LiveTrade(**values)


def _run(trigger: str, *, day: date = date(2024, 3, 15), strategy: str = "v3_5b") -> ExecutionRun:
    return ExecutionRun(
        execution_id=str(uuid.uuid4()),
        strategy_id=strategy,
        mode="paper",
        trading_date=day,
        trigger=trigger,
        status="success",
        started_at=T0,
    )


def _commit(engine: Engine, *rows: Any) -> None:
    with Session(engine) as session:
        session.add_all(rows)
        session.commit()


def _rejected(engine: Engine, *rows: Any) -> None:
    """The rows must be refused by the database (unique key, CHECK or FK)."""
    with Session(engine) as session:
        session.add_all(rows)
        with pytest.raises(IntegrityError):
            session.commit()


# --- timestamps ------------------------------------------------------------------------------


def test_naive_datetime_is_rejected_on_write(db_engine: Engine) -> None:
    with Session(db_engine) as session:
        session.add(_bar(ts=datetime(2024, 3, 15, 20, 0)))
        with pytest.raises(StatementError) as info:
            session.commit()
    assert isinstance(info.value.orig, ValueError)
    assert "naive" in str(info.value.orig)


def test_aware_datetime_is_stored_as_the_same_instant_and_read_back_in_utc(db_engine: Engine) -> None:
    eastern = timezone(timedelta(hours=-4))
    _commit(db_engine, _bar(ts=datetime(2024, 3, 15, 16, 0, tzinfo=eastern)))
    with Session(db_engine) as session:
        if db_engine.dialect.name == "postgresql":  # the session zone must not leak into results
            session.execute(text("SET TIME ZONE 'Asia/Tokyo'"))
        stored = session.scalars(select(MarketData.timestamp)).one()
    assert stored == T0
    assert stored.tzinfo is UTC
    assert stored.utcoffset() == timedelta(0)


def test_server_default_now_is_aware_utc(db_engine: Engine) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    _commit(db_engine, DataAuditLog(operation="sync", status="success"))
    with Session(db_engine) as session:
        stamp = session.scalars(select(DataAuditLog.timestamp)).one()
    assert stamp.tzinfo is UTC
    assert before <= stamp <= datetime.now(UTC) + timedelta(seconds=5)


def test_range_query_with_aware_bounds_finds_rows(db_engine: Engine) -> None:
    _commit(db_engine, *(_bar(ts=T0 + timedelta(days=i)) for i in range(5)))
    tokyo = timezone(timedelta(hours=9))
    lo = (T0 + timedelta(days=1)).astimezone(tokyo)
    with Session(db_engine) as session:
        found = session.scalars(
            select(MarketData.timestamp).where(MarketData.timestamp >= lo).order_by(MarketData.timestamp)
        ).all()
    assert found == [T0 + timedelta(days=i) for i in range(1, 5)]


# --- money -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["0.000001", "444.999999", "99999999.999999", "-12345.678901", "10000", "0"]
)
def test_numeric_round_trips_decimal_exactly(db_engine: Engine, value: str) -> None:
    amount = Decimal(value)
    _commit(
        db_engine,
        StrategyState(
            strategy_id="v3_5b",
            mode="paper",
            cash=amount,
            initial_capital=Decimal("10000"),
            inception_date=date(2024, 1, 2),
        ),
    )
    with Session(db_engine) as session:
        cash = session.scalars(select(StrategyState.cash)).one()
    assert isinstance(cash, Decimal)
    assert cash == amount


def test_sum_of_money_is_exact(db_engine: Engine) -> None:
    _commit(db_engine, *(_trade(commission=Decimal("0.1")) for _ in range(10)))
    with Session(db_engine) as session:
        total = session.scalar(select(func.sum(LiveTrade.commission)))
    assert Decimal(str(total)) == Decimal("1")


def test_json_column_round_trips(db_engine: Engine) -> None:
    payload = {"QQQ": 0.6, "TQQQ": 0.4, "nested": {"cell": 1, "ok": True, "list": [1, "a", None]}}
    _commit(
        db_engine,
        BacktestRun(
            id=str(uuid.uuid4()),
            strategy_id="v3_5b",
            params=payload,
            start_date=date(2020, 1, 2),
            end_date=date(2021, 1, 4),
            initial_capital=Decimal("10000"),
        ),
    )
    with Session(db_engine) as session:
        run = session.scalars(select(BacktestRun)).one()
        assert run.params == payload
        assert run.status == "queued"
        assert run.created_at.tzinfo is UTC


# --- unique keys ------------------------------------------------------------------------------


def test_market_data_unique_symbol_timeframe_timestamp(db_engine: Engine) -> None:
    _commit(db_engine, _bar(), _bar(symbol="SPY"), _bar(timeframe="1H"))
    _rejected(db_engine, _bar())


def test_positions_unique_per_symbol_mode_strategy(db_engine: Engine) -> None:
    def pos(**over: Any) -> Position:
        values: dict[str, Any] = {"symbol": "QQQ", "quantity": 3, "mode": "paper", "strategy_id": "v3_5b"}
        values.update(over)
        return Position(**values)

    _commit(db_engine, pos(), pos(mode="live"), pos(strategy_id="v3_5d"))
    _rejected(db_engine, pos(quantity=7))


def test_client_order_id_is_unique(db_engine: Engine) -> None:
    _commit(db_engine, _trade(client_order_id="run1:QQQ:BUY"))
    _rejected(db_engine, _trade(client_order_id="run1:QQQ:BUY"))


def test_research_result_unique_per_run_and_combo(db_engine: Engine) -> None:
    run_id = str(uuid.uuid4())
    _commit(db_engine, ResearchRun(id=run_id, kind="grid", config={"grid": {"sma_fast": [10, 20]}}))

    def result(key: str) -> ResearchResult:
        return ResearchResult(run_id=run_id, combo_key=key, params={}, status="completed")

    _commit(db_engine, result("a" * 64), result("b" * 64))
    _rejected(db_engine, result("a" * 64))


# --- CHECK constraints ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: _trade(action="HOLD"),
        lambda: _trade(quantity=0),
        lambda: _trade(mode="backtest"),
        lambda: _trade(status="done"),
        lambda: _bar(close=Decimal("0")),
        lambda: _bar(volume=-1),
        lambda: User(username="bob", password_hash="x", role="root"),
        lambda: EodJobStatus(job_date=date(2024, 3, 15), status="done"),
        lambda: ResearchRun(id="r1", kind="genetic", config={}),
        lambda: ResearchRun(id="r2", kind="grid", config={}, progress=Decimal("1.5")),
        lambda: DailyPerformance(
            trading_date=date(2024, 3, 15),
            entity_type="index",
            entity_id="QQQ",
            mode="paper",
            total_equity=Decimal(1),
            daily_return=Decimal(0),
            cumulative_return=Decimal(0),
        ),
    ],
    ids=[
        "trade-action",
        "trade-quantity",
        "trade-mode",
        "trade-status",
        "bar-price",
        "bar-volume",
        "user-role",
        "eod-status",
        "research-kind",
        "research-progress",
        "daily-entity-type",
    ],
)
def test_check_constraints_refuse_bad_rows(db_engine: Engine, make: Callable[[], Any]) -> None:
    _rejected(db_engine, make())


# --- partial unique indexes -------------------------------------------------------------------


def test_only_one_scheduled_run_per_strategy_mode_and_day(db_engine: Engine) -> None:
    _commit(db_engine, _run("scheduled"))
    _rejected(db_engine, _run("scheduled"))
    # manual and kill-switch runs may repeat; other days and strategies are independent
    _commit(
        db_engine,
        _run("manual"),
        _run("manual"),
        _run("kill_switch"),
        _run("scheduled", day=date(2024, 3, 18)),
        _run("scheduled", strategy="v3_5d"),
    )
    with Session(db_engine) as session:
        assert session.scalar(select(func.count()).select_from(ExecutionRun)) == 6


def test_only_one_active_override_per_parameter_and_strategy(db_engine: Engine) -> None:
    def override(active: bool, strategy: str = "v3_5b") -> ConfigOverride:
        return ConfigOverride(
            parameter_name="sma_fast",
            override_value="20",
            value_type="int",
            strategy_id=strategy,
            is_active=active,
        )

    _commit(db_engine, override(True), override(False), override(False), override(True, "v3_5d"))
    _rejected(db_engine, override(True))
    with Session(db_engine) as session:
        active = session.scalars(select(ConfigOverride).where(ConfigOverride.is_active.is_(True))).all()
    assert sorted(o.strategy_id for o in active) == ["v3_5b", "v3_5d"]


# --- foreign keys -----------------------------------------------------------------------------


def test_deleting_a_user_cascades_passkeys_and_nulls_invitations(db_engine: Engine) -> None:
    factory = session_factory(db_engine)
    with factory() as session:
        admin = User(username="admin", password_hash="x", role="admin")
        session.add(admin)
        session.flush()
        session.add(Passkey(user_id=admin.id, credential_id=b"\x01\x02", public_key=b"k"))
        session.add(UserInvitation(token="f" * 64, created_by=admin.id, expires_at=T0))
        session.commit()
        session.execute(delete(User).where(User.id == admin.id))
        session.commit()
        assert session.scalar(select(func.count()).select_from(Passkey)) == 0
        invitation = session.scalars(select(UserInvitation)).one()
        session.refresh(invitation)
        assert invitation.created_by is None
        assert invitation.role == "viewer"


def test_foreign_keys_are_enforced(db_engine: Engine) -> None:
    _rejected(db_engine, Passkey(user_id=424242, credential_id=b"\x09", public_key=b"k"))


def test_session_factory_keeps_objects_readable_after_commit(db_engine: Engine) -> None:
    factory = session_factory(db_engine)
    with factory() as session:
        row = SystemState(key="engine", value='{"state": "stopped"}', value_type="json")
        session.add(row)
        session.commit()
    assert row.key == "engine"
    assert row.updated_at.tzinfo is UTC


# --- engine options ---------------------------------------------------------------------------


def test_sqlite_file_has_wal_and_foreign_keys_on_every_connection(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'jutsu.db'}")
    try:
        assert (tmp_path / "nested" / "dir").is_dir()  # parent created lazily by the factory
        connections = [engine.connect(), engine.connect()]  # two distinct pooled connections
        for conn in connections:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        for conn in connections:
            conn.close()
    finally:
        engine.dispose()


def test_sqlite_memory_is_one_shared_database() -> None:
    engine = create_db_engine("sqlite://")
    try:
        assert isinstance(engine.pool, StaticPool)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT x FROM t").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_engine_options(db_url: str) -> None:
    if db_url.startswith("sqlite"):
        engine = create_db_engine(db_url)
        try:  # check_same_thread=False: a connection may be used by another thread (thread pools)
            with engine.connect() as conn, ThreadPoolExecutor(1) as pool:
                assert pool.submit(lambda: conn.exec_driver_sql("SELECT 1").scalar()).result() == 1
        finally:
            engine.dispose()
        return
    plain = db_url.replace("postgresql+psycopg://", "postgresql://", 1)
    engine = create_db_engine(plain)
    try:
        assert engine.dialect.driver == "psycopg"
        assert isinstance(engine.pool, QueuePool)
        assert engine.pool.size() == 10
        assert engine.pool._pre_ping is True
        assert engine.pool._recycle == 3600
        with engine.connect() as conn:
            params = conn.connection.dbapi_connection.info.get_parameters()  # type: ignore[union-attr]
        assert params["connect_timeout"] == "10"
        assert params["keepalives"] == "1"
        assert params["keepalives_idle"] == "60"
        assert params["keepalives_interval"] == "10"
        assert params["keepalives_count"] == "5"
    finally:
        engine.dispose()
