"""``/api/strategies`` (registry, platform.md §3.12) and ``/api/v1/strategies`` (classes, §3.13)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field, ValidationError

from jutsu.api.deps import require_permission
from jutsu.api.permissions import Permission
from jutsu.api.platform import Platform, PlatformDep
from jutsu.api.services.strategies import params_schema
from jutsu.data.repositories import trading as trading_repo
from jutsu.strategies.catalog import STRATEGY_CLASSES

__all__ = ["classes_router", "router"]

READ = [Depends(require_permission(Permission.DASHBOARD_READ))]
router = APIRouter(prefix="/api/strategies", tags=["strategies"], dependencies=READ)
classes_router = APIRouter(prefix="/api/v1/strategies", tags=["strategy-classes"], dependencies=READ)
StrategyPath = Annotated[str, Path(min_length=1, max_length=50)]


class StrategyPublic(BaseModel):
    id: str
    display_name: str
    strategy_class: str
    is_primary: bool
    is_active: bool
    mode: str
    paper_trading: bool
    description: str
    config_file: str
    baseline_symbol: str


class RegistrySettingsPublic(BaseModel):
    isolate_failures: bool
    execution_timeout: int
    shared_data_fetch: bool


class StrategiesPublic(BaseModel):
    strategies: list[StrategyPublic]
    primary_id: str
    execution_order: list[str]
    settings: RegistrySettingsPublic


class StrategyRunStatus(BaseModel):
    display_name: str
    is_primary: bool
    mode: str
    last_run: str | None
    vol_state: str | None
    trend_state: str | None
    strategy_cell: int | None
    account_equity: float | None
    position_count: int


class StrategiesStatusPublic(BaseModel):
    strategies: dict[str, StrategyRunStatus]
    primary_id: str


class RuntimeState(BaseModel):
    last_run: str | None
    vol_state: str | None
    trend_state: str | None
    strategy_cell: int | None
    current_positions: dict[str, int]
    cash: float | None
    account_equity: float | None
    last_allocation: dict[str, Any] | None
    baseline_initial_price: float | None
    inception_date: str | None


class StrategyStatePublic(BaseModel):
    strategy_id: str
    mode: str
    display_name: str
    is_primary: bool
    state: RuntimeState


class StrategyDetail(StrategyPublic):
    config: dict[str, Any]
    params_schema: dict[str, Any]


class StrategyInfo(BaseModel):
    name: str
    display_name: str
    description: str
    parameters: dict[str, dict[str, Any]]
    params_schema: dict[str, Any]


class ValidateRequest(BaseModel):
    strategy_name: str = Field(min_length=1, max_length=50)
    parameters: dict[str, Any] = Field(default_factory=dict)


class ValidateResponse(BaseModel):
    valid: bool
    errors: list[str]


def _entry(platform: Platform, sid: str) -> StrategyPublic:
    e = platform.catalog.registry().strategies[sid]
    mode = platform.engine.strategy_mode(sid)
    return StrategyPublic(
        id=sid,
        display_name=e.display_name,
        strategy_class=e.strategy_class,
        is_primary=e.is_primary,
        is_active=e.is_active,
        mode=mode,
        paper_trading=mode != "live",
        description=e.description,
        config_file=e.config_file,
        baseline_symbol=e.baseline_symbol,
    )


def _state(platform: Platform, sid: str, mode: str | None) -> StrategyStatePublic:
    sid, md = platform.status.resolve(sid, mode)
    e = platform.catalog.registry().strategies[sid]
    with platform.sessions() as session:
        st = trading_repo.strategy_state(session, sid, md)
        positions = trading_repo.list_positions(session, sid, md)
    value = sum(float(p.market_value or 0) for p in positions)
    state = RuntimeState(
        last_run=None if st is None or st.last_run_at is None else st.last_run_at.isoformat(),
        vol_state=None if st is None else st.vol_state,
        trend_state=None if st is None else st.trend_state,
        strategy_cell=None if st is None else st.strategy_cell,
        current_positions={p.symbol: p.quantity for p in positions},
        cash=None if st is None else float(st.cash),
        account_equity=None if st is None else round(float(st.cash) + value, 6),
        last_allocation=st.last_allocation_json
        if st is not None and isinstance(st.last_allocation_json, dict)
        else None,
        baseline_initial_price=None
        if st is None or st.baseline_initial_price is None
        else float(st.baseline_initial_price),
        inception_date=None if st is None else st.inception_date.isoformat(),
    )
    return StrategyStatePublic(
        strategy_id=sid, mode=md, display_name=e.display_name, is_primary=e.is_primary, state=state
    )


@router.get("")
def list_strategies(platform: PlatformDep, active_only: bool = True) -> StrategiesPublic:
    reg = platform.catalog.registry()
    ids = reg.active_ids() if active_only else list(reg.strategies)
    s = reg.settings
    return StrategiesPublic(
        strategies=[_entry(platform, sid) for sid in ids],
        primary_id=reg.primary_id,
        execution_order=list(reg.execution_order),
        settings=RegistrySettingsPublic(
            isolate_failures=s.isolate_failures,
            execution_timeout=s.execution_timeout,
            shared_data_fetch=s.shared_data_fetch,
        ),
    )


@router.get("/status")
def strategies_status(platform: PlatformDep) -> StrategiesStatusPublic:
    reg = platform.catalog.registry()
    out: dict[str, StrategyRunStatus] = {}
    for sid in reg.active_ids():
        st = _state(platform, sid, None)
        out[sid] = StrategyRunStatus(
            display_name=st.display_name,
            is_primary=st.is_primary,
            mode=st.mode,
            last_run=st.state.last_run,
            vol_state=st.state.vol_state,
            trend_state=st.state.trend_state,
            strategy_cell=st.state.strategy_cell,
            account_equity=st.state.account_equity,
            position_count=len(st.state.current_positions),
        )
    return StrategiesStatusPublic(strategies=out, primary_id=reg.primary_id)


@router.get("/primary/state")
def primary_state(platform: PlatformDep) -> StrategyStatePublic:
    return _state(platform, platform.catalog.registry().primary_id, None)


@router.get("/{strategy_id}")
def strategy_detail(platform: PlatformDep, strategy_id: StrategyPath) -> StrategyDetail:
    sid = platform.catalog.require(strategy_id)
    base = _entry(platform, sid)
    cls = platform.catalog.strategy_class(sid)
    return StrategyDetail(
        **base.model_dump(),
        config=platform.catalog.effective_parameters(sid),
        params_schema=params_schema(cls),
    )


@router.get("/{strategy_id}/state")
def strategy_state(
    platform: PlatformDep, strategy_id: StrategyPath, mode: Annotated[str | None, Query(max_length=20)] = None
) -> StrategyStatePublic:
    return _state(platform, strategy_id, mode)


def _info(name: str) -> StrategyInfo:
    cls = STRATEGY_CLASSES[name]
    schema = params_schema(cls)
    props: dict[str, dict[str, Any]] = schema.get("properties", {})
    parameters = {
        k: {
            "type": v.get("type"),
            "default": v.get("default"),
            "min": v.get("minimum", v.get("exclusiveMinimum")),
            "max": v.get("maximum", v.get("exclusiveMaximum")),
        }
        for k, v in props.items()
    }
    return StrategyInfo(
        name=name,
        display_name=cls.display_name,
        description=(cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else "",
        parameters=parameters,
        params_schema=schema,
    )


@classes_router.get("")
def list_strategy_classes() -> list[StrategyInfo]:
    """Strategy classes with their parameter JSON schema (drives the backtest form)."""
    return [_info(name) for name in sorted(STRATEGY_CLASSES)]


@classes_router.post("/validate")
def validate_parameters(platform: PlatformDep, body: ValidateRequest) -> ValidateResponse:
    cls = platform.catalog.catalog_class(body.strategy_name)
    try:
        cls.Params.model_validate(body.parameters)
    except ValidationError as exc:
        errors = [f"{'.'.join(str(p) for p in e['loc']) or 'parameters'}: {e['msg']}" for e in exc.errors()]
        return ValidateResponse(valid=False, errors=errors)
    return ValidateResponse(valid=True, errors=[])


@classes_router.get("/{name}")
def get_strategy_class(platform: PlatformDep, name: StrategyPath) -> StrategyInfo:
    platform.catalog.catalog_class(name)
    return _info(name)
