"""Strategy registry and strategy files: YAML in, validated objects and ready strategies out.

This is the I/O edge of the strategies package (the strategy modules themselves stay pure):
it reads ``config/strategies_registry.yaml`` (platform spec §8.2) and
``config/strategies/<id>.yaml`` (§8.3), validates both with pydantic models that reject
unknown keys, and builds a :class:`~jutsu.strategies.base.Strategy` from a file plus CLI
``--param k=v`` overrides. Every problem becomes one :class:`~jutsu.errors.ConfigError`
line naming the file, the key and (when known) the line — never a stack trace.

Class names in the registry resolve only through the explicit catalog
(:mod:`jutsu.strategies.catalog`), never by importing a module path from a file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.fields import FieldInfo

from jutsu.config.yaml_io import parse_yaml_with_nodes, read_config_text
from jutsu.errors import ConfigError
from jutsu.strategies.base import Strategy, StrategyParams

__all__ = [
    "DEFAULT_REGISTRY_PATH",
    "ExecutionSection",
    "PortfolioSection",
    "Registry",
    "RegistrySettings",
    "StrategyEntry",
    "StrategyFile",
    "StrategySection",
    "build_params",
    "build_strategy",
    "load_registry",
    "load_strategy_file",
    "parse_param_overrides",
    "resolve_strategy_class",
]

DEFAULT_REGISTRY_PATH = Path("config/strategies_registry.yaml")
_NO_OVERRIDES: Mapping[str, str] = MappingProxyType({})
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- models ---------------------------------------------------------------------------------


class StrategyEntry(_Strict):
    """One strategy of the registry."""

    display_name: str = Field(min_length=1)
    strategy_class: str = Field(min_length=1)
    config_file: str = Field(min_length=1)
    is_primary: bool = False
    is_active: bool = True
    mode: Literal["dry_run", "paper", "live"] = "dry_run"
    baseline_symbol: str = Field("QQQ", min_length=1)
    description: str = ""

    @model_validator(mode="before")
    @classmethod
    def _legacy_paper_trading(cls, data: Any) -> Any:
        """Reference files say ``paper_trading: true/false``; it maps to dry_run/live."""
        if isinstance(data, dict) and "paper_trading" in data:
            data = dict(data)
            legacy = data.pop("paper_trading")
            data.setdefault("mode", "dry_run" if legacy else "live")
        return data


class RegistrySettings(_Strict):
    """Run-wide settings of the multi-strategy runner."""

    isolate_failures: bool = True
    execution_timeout: int = Field(300, gt=0)
    detailed_timing_logs: bool = True
    shared_data_fetch: bool = True


class Registry(_Strict):
    """The validated registry. ``warnings`` carries non-fatal findings (e.g. primary not first)."""

    version: str = "1.0"
    strategies: dict[str, StrategyEntry]
    execution_order: list[str] = Field(default_factory=list)
    settings: RegistrySettings = Field(default_factory=RegistrySettings)
    path: Path | None = Field(default=None, exclude=True)
    warnings: tuple[str, ...] = Field(default=(), exclude=True)

    @property
    def primary_id(self) -> str:
        return next(sid for sid, e in self.strategies.items() if e.is_primary)

    def active_ids(self) -> list[str]:
        """Active strategies in execution order (those not listed follow, in file order)."""
        order = [s for s in self.execution_order if s in self.strategies]
        order += [s for s in self.strategies if s not in order]
        return [s for s in order if self.strategies[s].is_active]

    def config_path(self, strategy_id: str) -> Path:
        """The strategy's config file, resolved against the project root (see module docs)."""
        return _resolve(Path(self.strategies[strategy_id].config_file), self.path)


class StrategySection(_Strict):
    name: str = Field(min_length=1)
    parameters: dict[str, Any] = Field(default_factory=dict)


class ExecutionSection(_Strict):
    """Live-execution thresholds overriding ``live_trading_config.yaml`` ``execution.*``."""

    rebalance_threshold_pct: float | None = Field(None, ge=0)
    max_slippage_pct: float | None = Field(None, ge=0)
    slippage_warning_pct: float | None = Field(None, ge=0)
    slippage_abort_pct: float | None = Field(None, ge=0)
    max_order_retries: int | None = Field(None, ge=0)
    retry_delay_seconds: float | None = Field(None, ge=0)
    fill_timeout_seconds: float | None = Field(None, gt=0)
    max_buying_power_pct: float | None = Field(None, gt=0, le=100)


class PortfolioSection(_Strict):
    initial_capital: float = Field(10000, gt=0)


class StrategyFile(_Strict):
    """``config/strategies/<id>.yaml`` (platform spec §8.3)."""

    strategy_id: str = Field(min_length=1)
    version: str = "1.0"
    strategy: StrategySection
    execution: ExecutionSection = Field(default_factory=ExecutionSection)
    portfolio: PortfolioSection = Field(default_factory=PortfolioSection)
    path: Path | None = Field(default=None, exclude=True)


# -- YAML reading ---------------------------------------------------------------------------


def _read_yaml(path: Path, environ: Mapping[str, str] | None) -> tuple[Any, yaml.Node | None]:
    """Parse ``path`` (data and node tree for line numbers), substituting ``${VAR}``."""
    text = read_config_text(path)
    env = os.environ if environ is None else environ
    for lineno, line in enumerate(text.splitlines(), start=1):
        for name in _ENV_REF.findall(line.split("#", 1)[0]):
            if name not in env:
                raise ConfigError(f"{path}:{lineno}: environment variable ${{{name}}} is not set")
    text = _ENV_REF.sub(lambda m: env[m.group(1)], text)
    data, node = parse_yaml_with_nodes(text, path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    return data, node


def _line_of(node: yaml.Node | None, loc: Sequence[int | str]) -> int | None:
    """1-based line of the key at ``loc`` in the composed YAML tree (deepest match found)."""
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((kv for kv in node.value if kv[0].value == part), None)
            if match is None:
                break
            line = match[0].start_mark.line + 1
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _validation_message(path: Path, node: yaml.Node | None, exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = [p for p in err["loc"] if isinstance(p, int | str)]
    key = ".".join(str(p) for p in loc) or "(top level)"
    line = _line_of(node, loc)
    where = f"{path}:{line}" if line else str(path)
    if err["type"] == "extra_forbidden":
        return f"{where}: unknown key {key!r}"
    if err["type"] == "missing":
        return f"{where}: missing required key {key!r}"
    more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
    return f"{where}: {key}: {err['msg']}{more}"


def _resolve(path: Path, registry_path: Path | None) -> Path:
    """Relative config paths are relative to the project root: the parent of ``config/``."""
    if path.is_absolute() or registry_path is None:
        return path
    base = registry_path.resolve().parent
    if base.name == "config":
        base = base.parent
    return base / path


# -- loaders --------------------------------------------------------------------------------


def resolve_strategy_class(name: str) -> type[Strategy[Any]]:
    """The catalog class named ``name``: by catalog id, ``class_name`` attribute or class name.

    Raises:
        ConfigError: no shipped strategy has that name.
    """
    from jutsu.strategies.catalog import STRATEGY_CLASSES  # late: the catalog imports strategies

    for sid, cls in STRATEGY_CLASSES.items():
        if name in (sid, getattr(cls, "class_name", None), cls.__name__):
            return cls
    known = ", ".join(sorted(STRATEGY_CLASSES))
    raise ConfigError(f"unknown strategy class {name!r}; known strategies: {known}")


def load_registry(
    path: Path = DEFAULT_REGISTRY_PATH, *, environ: Mapping[str, str] | None = None
) -> Registry:
    """Read and validate the strategy registry (platform spec §8.2).

    Raises:
        ConfigError: unreadable/invalid YAML, unknown or missing keys, no strategy, not exactly
            one primary, an inactive primary, an unknown id in ``execution_order``, a class that
            is not in the catalog, or a missing config file of an active strategy.
    """
    data, node = _read_yaml(path, environ)
    try:
        reg = Registry.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_validation_message(path, node, exc)) from None
    if not reg.strategies:
        raise ConfigError(f"{path}: the registry lists no strategy")
    primaries = [sid for sid, e in reg.strategies.items() if e.is_primary]
    if len(primaries) != 1:
        found = ", ".join(primaries) or "none"
        raise ConfigError(f"{path}: exactly one strategy must have is_primary: true (found: {found})")
    primary = primaries[0]
    if not reg.strategies[primary].is_active:
        raise ConfigError(f"{path}: the primary strategy {primary!r} must be active")
    for sid in reg.execution_order:
        if sid not in reg.strategies:
            line = _line_of(node, ["execution_order"])
            raise ConfigError(f"{path}:{line}: execution_order names unknown strategy {sid!r}")
    warnings: list[str] = []
    if reg.execution_order and reg.execution_order[0] != primary:
        warnings.append(f"{path}: the primary strategy {primary!r} should be first in execution_order")
    reg = reg.model_copy(update={"path": path, "warnings": tuple(warnings)})
    for sid, entry in reg.strategies.items():
        try:
            resolve_strategy_class(entry.strategy_class)
        except ConfigError as exc:
            line = _line_of(node, ["strategies", sid, "strategy_class"])
            raise ConfigError(f"{path}:{line}: strategy {sid!r}: {exc}") from None
        if entry.is_active and not reg.config_path(sid).is_file():
            line = _line_of(node, ["strategies", sid, "config_file"])
            raise ConfigError(
                f"{path}:{line}: strategy {sid!r}: config file {entry.config_file} not found "
                f"(looked for {reg.config_path(sid)})"
            )
    return reg


def load_strategy_file(path: Path, *, environ: Mapping[str, str] | None = None) -> StrategyFile:
    """Read and validate one strategy file (platform spec §8.3); parameters are checked later.

    Raises:
        ConfigError: unreadable/invalid YAML, unknown or missing keys, or out-of-range values.
    """
    data, node = _read_yaml(path, environ)
    data.pop("state", None)  # obsolete reference block (state lives in the database now)
    try:
        parsed = StrategyFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_validation_message(path, node, exc)) from None
    return parsed.model_copy(update={"path": path})


def parse_param_overrides(pairs: Iterable[str]) -> dict[str, str]:
    """``["k=v", ...]`` (CLI ``--param``) → ``{"k": "v"}``.

    Raises:
        ConfigError: an item without ``=`` or with an empty name.
    """
    out: dict[str, str] = {}
    for item in pairs:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ConfigError(f"--param {item!r}: expected NAME=VALUE")
        out[name] = value.strip()
    return out


def _range_text(name: str, info: FieldInfo) -> str:
    lo = hi = None
    for meta in info.metadata:
        for attr, sym in (("ge", "≤"), ("gt", "<")):
            if getattr(meta, attr, None) is not None:
                lo = f"{getattr(meta, attr)} {sym} "
        for attr, sym in (("le", "≤"), ("lt", "<")):
            if getattr(meta, attr, None) is not None:
                hi = f" {sym} {getattr(meta, attr)}"
    if lo is None and hi is None:
        return ""
    return f" (allowed: {lo or ''}{name}{hi or ''})"


def build_params(
    params_cls: type[StrategyParams], values: Mapping[str, Any], *, source: str
) -> StrategyParams:
    """Validate ``values`` with ``params_cls``; every failure names the parameter and its range.

    Raises:
        ConfigError: an unknown parameter, a wrong type, an out-of-range value or a violated
            relation between parameters (e.g. ``sma_fast`` ≥ ``sma_slow``).
    """
    fields = params_cls.model_fields
    unknown = [k for k in values if k not in fields]
    if unknown:
        known = ", ".join(sorted(fields))
        raise ConfigError(f"{source}: unknown parameter {unknown[0]!r}; known parameters: {known}")
    try:
        return params_cls.model_validate(dict(values))
    except ValidationError as exc:
        err = exc.errors()[0]
        if not err["loc"]:
            msg = str(err["msg"]).removeprefix("Value error, ")
            raise ConfigError(f"{source}: invalid parameters: {msg}") from None
        name = str(err["loc"][0])
        given = values.get(name)
        rng = _range_text(name, fields[name]) if name in fields else ""
        raise ConfigError(f"{source}: parameter {name}={given!r}: {err['msg']}{rng}") from None


def build_strategy(
    strategy_id: str,
    *,
    config_file: Path | None = None,
    overrides: Mapping[str, str] = _NO_OVERRIDES,
    registry_path: Path = DEFAULT_REGISTRY_PATH,
) -> Strategy[Any]:
    """Build the strategy ``strategy_id`` from its config file plus ``overrides``.

    The class comes from the registry entry (when the registry exists and lists the id) or
    else the catalog; the config file is ``config_file`` if given, else the registry's. With
    neither, the class defaults are used. ``overrides`` (CLI ``--param`` strings) win over
    the file and are validated by the strategy's Params model.

    Raises:
        ConfigError: unknown strategy, unreadable/invalid files, bad parameters.
    """
    registry = load_registry(registry_path) if registry_path.is_file() else None
    entry = registry.strategies.get(strategy_id) if registry is not None else None
    if entry is not None:
        cls = resolve_strategy_class(entry.strategy_class)
    else:
        from jutsu.strategies.catalog import get_strategy_class

        cls = get_strategy_class(strategy_id)
    path = config_file
    if path is None and registry is not None and entry is not None:
        path = registry.config_path(strategy_id)
    values: dict[str, Any] = {}
    source = f"strategy {strategy_id}"
    if path is not None:
        values.update(load_strategy_file(path).strategy.parameters)
        source = str(path)
    values.update(overrides)
    params = build_params(cls.Params, values, source=source if not overrides else f"{source} (with --param)")
    return cls(params)
