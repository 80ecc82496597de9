"""API test fixtures: the real app on a migrated SQLite/PostgreSQL database, admin and viewer tokens.

Import ``api_fixture`` to use the ``api`` fixture.

``api`` yields an :class:`Api` helper: a started ``TestClient`` (lifespan ran), the container,
and bearer headers for an admin and a viewer. Seeding helpers write through the ORM, as the
live pipeline and the EOD job will.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from jutsu.api.app import create_app
from jutsu.api.container import Container
from jutsu.config import load_settings
from jutsu.data.models import DailyPerformance, LiveTrade
from jutsu.data.repositories import users as user_repo
from jutsu.events import EventBus

ADMIN_PASSWORD = "correct-horse-battery-staple"


@dataclass
class Api:
    client: TestClient
    container: Container
    admin: dict[str, str]
    viewer: dict[str, str]
    bus: EventBus

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, headers=kw.pop("headers", self.admin), **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.client.post(path, headers=kw.pop("headers", self.admin), **kw)


def make_settings(tmp_path: Path) -> Any:
    env = {
        "SECRET_KEY": "k" * 48,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "JUTSU_STATE_DIR": str(tmp_path / "state"),
        "BCRYPT_ROUNDS": "4",
    }
    return load_settings(env=env)


def _synthetic_sources() -> dict[str, Any]:
    from jutsu.data.sources import SyntheticSource

    return {"synthetic": SyntheticSource}


def start_api(engine: Engine, tmp_path: Path, extras: dict[str, Any] | None = None) -> Iterator[Api]:
    bus = EventBus()

    def hook(_app: Any, container: Container) -> None:
        container.extras.setdefault("data_sources", _synthetic_sources())  # never dial out in tests
        container.extras.update(extras or {})

    app = create_app(make_settings(tmp_path), engine=engine, event_bus=bus, startup_hooks=())
    # Our hook must run before the platform is built: put it first in the app's hook list.
    import jutsu.api.app as app_module

    original = app_module._core_startup_hooks
    app_module._core_startup_hooks = lambda: [hook, *original()]  # type: ignore[assignment]
    try:
        with TestClient(app) as client:
            container: Container = app.state.container
            with container.sessions.begin() as session:
                if user_repo.get_user_by_username(session, "viewer1") is None:
                    user_repo.create_user(
                        session,
                        username="viewer1",
                        password_hash=container.passwords.hash("viewer-pass-1"),
                        role="viewer",
                    )
            admin = container.tokens.issue_access("admin", "password").token
            viewer = container.tokens.issue_access("viewer1", "password").token
            yield Api(
                client=client,
                container=container,
                admin={"Authorization": f"Bearer {admin}"},
                viewer={"Authorization": f"Bearer {viewer}"},
                bus=bus,
            )
    finally:
        app_module._core_startup_hooks = original  # type: ignore[assignment]


@pytest.fixture(name="api")
def api_fixture(db_engine: Engine, tmp_path: Path) -> Iterator[Api]:
    yield from start_api(db_engine, tmp_path)


def seed_daily(
    container: Container,
    strategy_id: str,
    days: int,
    *,
    mode: str = "dry_run",
    start: dt.date = dt.date(2024, 1, 2),
    baseline: str | None = "QQQ",
    growth: float = 0.001,
) -> list[dt.date]:
    """Weekday rows with alternating-sign returns, a regime cell cycle and a baseline series."""
    rows: list[DailyPerformance] = []
    dates: list[dt.date] = []
    day = start
    equity = Decimal("10000")
    base = Decimal("10000")
    hwm = equity
    i = 0
    while len(dates) < days:
        if day.weekday() < 5:
            r = Decimal(str(growth if i % 3 else -growth / 2))
            prev = equity
            equity = (equity * (1 + r)).quantize(Decimal("0.000001"))
            hwm = max(hwm, equity)
            cell = 1 + i % 3
            rows.append(
                DailyPerformance(
                    trading_date=day,
                    entity_type="strategy",
                    entity_id=strategy_id,
                    mode=mode,
                    total_equity=equity,
                    cash=Decimal("1000"),
                    positions_value=equity - 1000,
                    positions_json=json.dumps(
                        [{"symbol": "QQQ", "quantity": 10, "value": float(equity - 1000)}]
                    ),
                    daily_return=(equity / prev - 1).quantize(Decimal("0.000001")),
                    cumulative_return=(equity / Decimal("10000") - 1).quantize(Decimal("0.000001")),
                    drawdown=(equity / hwm - 1).quantize(Decimal("0.000001")),
                    sharpe_ratio=Decimal("0") if i == 0 else Decimal("1.5"),
                    max_drawdown=Decimal("-0.01"),
                    strategy_cell=cell,
                    trend_state="BullStrong" if cell != 3 else "Sideways",
                    vol_state="Low",
                    initial_capital=Decimal("10000"),
                    high_water_mark=hwm,
                    trading_days_count=i + 1,
                    is_first_day=i == 0,
                )
            )
            if baseline:
                base_prev = base
                base = (base * Decimal("1.0005")).quantize(Decimal("0.000001"))
                rows.append(
                    DailyPerformance(
                        trading_date=day,
                        entity_type="baseline",
                        entity_id=baseline,
                        mode=mode,
                        total_equity=base,
                        positions_value=base,
                        daily_return=Decimal(0)
                        if i == 0
                        else (base / base_prev - 1).quantize(Decimal("0.000001")),
                        cumulative_return=(base / Decimal("10000") - 1).quantize(Decimal("0.000001")),
                    )
                )
            dates.append(day)
            i += 1
        day += dt.timedelta(days=1)
    with container.sessions.begin() as session:
        session.add_all(rows)
    return dates


def seed_trades(container: Container, strategy_id: str, n: int, *, mode: str = "dry_run") -> None:
    """Alternating BUY/SELL fills of QQQ and TQQQ, one per day."""
    base = dt.datetime(2024, 1, 2, 20, 55, tzinfo=dt.UTC)
    rows = []
    for i in range(n):
        ts = base + dt.timedelta(days=i)
        price = Decimal("100") + i
        qty = 10
        rows.append(
            LiveTrade(
                symbol="QQQ" if i % 2 == 0 or i % 4 == 1 else "TQQQ",
                timestamp=ts,
                trading_date=ts.date(),
                action="BUY" if i % 2 == 0 else "SELL",
                quantity=qty,
                filled_quantity=qty,
                target_price=price,
                fill_price=price,
                fill_value=price * qty,
                commission=Decimal(0),
                slippage_pct=Decimal("0.01") * (i % 3),
                status="filled",
                client_order_id=f"{strategy_id}-{mode}-{i}",
                reason="Rebalance",
                mode=mode,
                strategy_id=strategy_id,
                execution_id=f"exec-{i}",
            )
        )
    with container.sessions.begin() as session:
        session.add_all(rows)
