"""Dashboard status, authoritative regime, positions and indicator values (platform.md §3.7).

Regime authority (§1.5): the current regime comes from the latest *scheduler* snapshot or the
latest execution run of that strategy and mode — never from refresh snapshots.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from jutsu.api.schemas.status import (
    IndicatorDescriptions,
    IndicatorHistory,
    IndicatorHistoryPoint,
    IndicatorsPublic,
    IndicatorValue,
    PortfolioInfo,
    PositionPublic,
    PositionsPublic,
    RegimeInfo,
    SystemStatus,
)
from jutsu.api.services.engine import EngineService, normalize_mode
from jutsu.api.services.errors import Invalid, Unavailable
from jutsu.api.services.sessions import SessionSource
from jutsu.api.services.strategies import StrategyCatalog
from jutsu.data.repositories import trading

__all__ = ["INDICATOR_DESCRIPTIONS", "StatusService", "indicator_signal"]

INDICATOR_DESCRIPTIONS: dict[str, str] = {
    "current_cell": "Regime cell 1-6 chosen from trend state x volatility state",
    "trend_state": "Trend classification: BullStrong, Sideways or BearStrong",
    "vol_state": "Volatility classification: Low or High",
    "t_norm": "Normalized Kalman trend strength of the signal symbol",
    "z_score": "Z-score of realized volatility against its history",
    "sma_fast": "Fast simple moving average of the signal symbol",
    "sma_slow": "Slow simple moving average of the signal symbol",
    "vol_crush_triggered": "Volatility-crush override forcing the Low state",
    "bond_sma_fast": "Fast SMA of TLT (treasury trend)",
    "bond_sma_slow": "Slow SMA of TLT (treasury trend)",
    "bond_trend": "Treasury trend: Bull (fast above slow) or Bear",
    "cell1_exit_pending_days": "Days the Cell-1 exit condition has held (v3.5d)",
}
_SNAPSHOT_FIELDS = ("t_norm", "z_score", "sma_fast", "sma_slow")


def _f(value: Decimal | float | int | None) -> float | None:
    return None if value is None else round(float(value), 6)


def indicator_signal(name: str, value: object) -> str | None:
    """Human label of one indicator value (platform.md §3.7 signal labels)."""
    if value is None:
        return None
    if name == "t_norm" and isinstance(value, int | float):
        return (
            "Strong Bull"
            if value > 0.5
            else "Weak Bull"
            if value > 0
            else "Weak Bear"
            if value > -0.5
            else "Strong Bear"
        )
    if name == "z_score" and isinstance(value, int | float):
        return (
            "Extreme High Vol"
            if value > 2
            else "High Vol"
            if value > 1
            else "Normal Vol"
            if value > -1
            else "Low Vol"
        )
    if name == "current_cell":
        return f"Cell {value}"
    if name == "vol_crush_triggered":
        return "ACTIVE" if value else "Inactive"
    return None


class StatusService:
    """Read-only views of one strategy's book and regime."""

    def __init__(self, sessions: SessionSource, catalog: StrategyCatalog, engine: EngineService):
        self._sessions = sessions
        self._catalog = catalog
        self._engine = engine

    def resolve(self, strategy_id: str | None, mode: str | None) -> tuple[str, str]:
        """Registered strategy id (default primary) and mode (default its configured mode)."""
        sid = self._catalog.require(strategy_id)
        return sid, normalize_mode(mode) if mode is not None else self._engine.strategy_mode(sid)

    def _regime(self, session: Session, sid: str, mode: str) -> RegimeInfo | None:
        snap = trading.latest_snapshot(session, sid, mode, source="scheduler")
        run = trading.latest_execution_run(session, sid, mode)
        signals: dict[str, Any] = (
            run.signals_json if run is not None and isinstance(run.signals_json, dict) else {}
        )
        if run is not None and signals and (snap is None or run.started_at >= snap.timestamp):
            cell = signals.get("current_cell", signals.get("strategy_cell", signals.get("cell")))
            return RegimeInfo(
                cell=int(cell) if isinstance(cell, int | float) else None,
                trend_state=signals.get("trend_state"),
                vol_state=signals.get("vol_state"),
                t_norm=_num(signals.get("t_norm")),
                z_score=_num(signals.get("z_score")),
                as_of=run.started_at,
            )
        if snap is None:
            return None
        return RegimeInfo(
            cell=snap.strategy_cell,
            trend_state=snap.trend_state,
            vol_state=snap.vol_state,
            t_norm=_f(snap.t_norm),
            z_score=_f(snap.z_score),
            as_of=snap.timestamp,
        )

    def _positions(self, session: Session, sid: str, mode: str) -> tuple[PositionsPublic, Decimal | None]:
        rows = trading.list_positions(session, sid, mode)
        state = trading.strategy_state(session, sid, mode)
        cash = state.cash if state is not None else None
        value = sum((p.market_value or Decimal(0) for p in rows), Decimal(0))
        total = None if cash is None and not rows else (cash or Decimal(0)) + value
        positions = []
        for p in rows:
            weight = (
                float(p.market_value / total) if total and p.market_value is not None and total != 0 else None
            )
            positions.append(
                PositionPublic(
                    symbol=p.symbol,
                    quantity=p.quantity,
                    avg_cost=_f(p.avg_cost),
                    market_value=_f(p.market_value),
                    unrealized_pnl=_f(p.unrealized_pnl),
                    weight=None if weight is None else round(weight, 6),
                    weight_pct=None if weight is None else round(weight * 100, 4),
                )
            )
        as_of = max((p.last_updated for p in rows), default=state.updated_at if state is not None else None)
        public = PositionsPublic(
            strategy_id=sid,
            mode=mode,
            positions=positions,
            cash=_f(cash),
            total_equity=_f(total),
            as_of=as_of,
        )
        return public, value

    def status(self, strategy_id: str | None, mode: str | None) -> SystemStatus:
        sid, md = self.resolve(strategy_id, mode)
        engine = self._engine.read()
        now = dt.datetime.now(dt.UTC)
        with self._sessions() as session:
            regime = self._regime(session, sid, md)
            positions, value = self._positions(session, sid, md)
            run = trading.latest_execution_run(session, sid, md)
        return SystemStatus(
            strategy_id=sid,
            mode=md,
            is_running=engine.state == "running",
            engine_state=engine.state,
            last_execution=engine.last_execution or (run.started_at if run is not None else None),
            next_execution=engine.next_execution,
            regime=regime,
            portfolio=PortfolioInfo(
                total_equity=positions.total_equity,
                cash=positions.cash,
                positions_value=_f(value),
                positions=positions.positions,
            ),
            uptime_seconds=round(engine.uptime_seconds(now), 3),
            error=engine.error,
        )

    def regime(self, strategy_id: str | None, mode: str | None) -> RegimeInfo:
        sid, md = self.resolve(strategy_id, mode)
        with self._sessions() as session:
            regime = self._regime(session, sid, md)
        if regime is None:
            raise Unavailable(f"No trading run has happened yet for {sid} ({md})")
        return regime

    def positions(self, strategy_id: str | None, mode: str | None) -> PositionsPublic:
        sid, md = self.resolve(strategy_id, mode)
        with self._sessions() as session:
            return self._positions(session, sid, md)[0]

    def indicators(self, strategy_id: str | None, mode: str | None) -> IndicatorsPublic:
        sid, md = self.resolve(strategy_id, mode)
        cls = self._catalog.strategy_class(sid)
        symbol = _signal_symbol(cls)
        with self._sessions() as session:
            run = trading.latest_execution_run(session, sid, md)
            snap = trading.latest_snapshot(session, sid, md, source="scheduler")
        values: dict[str, Any] = {}
        when: dt.datetime | None = None
        target: dict[str, float] = {}
        if snap is not None:
            values.update({"current_cell": snap.strategy_cell, "trend_state": snap.trend_state})
            values.update({"vol_state": snap.vol_state})
            values.update({k: _f(getattr(snap, k)) for k in _SNAPSHOT_FIELDS})
            when = snap.timestamp
        if (
            run is not None
            and isinstance(run.signals_json, dict)
            and (when is None or run.started_at >= when)
        ):
            values.update(run.signals_json)
            when = run.started_at
        if run is not None and isinstance(run.target_weights_json, dict):
            target = {str(k): round(float(v), 6) for k, v in run.target_weights_json.items()}
        indicators = [
            IndicatorValue(
                name=name,
                value=_jsonable(value),
                signal=indicator_signal(name, value),
                description=INDICATOR_DESCRIPTIONS.get(name),
            )
            for name, value in values.items()
        ]
        return IndicatorsPublic(
            strategy_id=sid,
            mode=md,
            timestamp=when,
            symbol=symbol,
            indicators=indicators,
            target_allocation=target,
            source="scheduler",
        )

    def indicator_history(self, indicator: str, days: int, strategy_id: str | None) -> IndicatorHistory:
        if indicator not in (*_SNAPSHOT_FIELDS, "strategy_cell", "current_cell"):
            known = ", ".join((*_SNAPSHOT_FIELDS, "current_cell"))
            raise Invalid(f"Unknown indicator {indicator!r}; history exists for: {known}")
        sid, md = self.resolve(strategy_id, None)
        since = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
        column = "strategy_cell" if indicator in ("strategy_cell", "current_cell") else indicator
        with self._sessions() as session:
            snaps = trading.scheduler_snapshots_since(session, sid, md, since)
        points = [IndicatorHistoryPoint(date=s.timestamp.date(), value=_f(getattr(s, column))) for s in snaps]
        return IndicatorHistory(indicator=indicator, days=days, data=points)

    @staticmethod
    def descriptions() -> IndicatorDescriptions:
        return IndicatorDescriptions(indicators=dict(INDICATOR_DESCRIPTIONS))


def _num(value: object) -> float | None:
    return round(float(value), 6) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _jsonable(value: object) -> float | int | str | bool | None:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float | Decimal):
        return round(float(value), 6)
    return str(value)


def _signal_symbol(cls: type) -> str:
    params = getattr(cls, "Params", None)
    fields = getattr(params, "model_fields", {})
    for name in ("signal_symbol", "symbol"):
        if name in fields:
            default = fields[name].default
            if isinstance(default, str):
                return default
    return "QQQ"
