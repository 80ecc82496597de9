"""Grid expansion and the identity of one evaluated combination.

A combination is keyed by a sha256 of everything that can change its result — strategy id,
the full validated parameter set (defaults included), the data fingerprint, the engine
version, the period and capital/costs — so an interrupted run can skip what is already
stored and a changed input can never be mistaken for a finished one.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from jutsu.errors import ConfigError
from jutsu.research.config import ResearchConfig
from jutsu.strategies.base import Strategy, StrategyParams
from jutsu.strategies.catalog import get_strategy_class
from jutsu.strategies.registry import build_params

__all__ = ["Combo", "Grid", "combo_key", "expand_grid", "stable_hash"]


@dataclass(frozen=True, slots=True)
class Combo:
    """One point of the grid: ``index`` in expansion order, the varied values and the full set."""

    index: int
    varied: Mapping[str, Any]
    """The varied parameters as JSON values (Decimals as text), file order."""
    params: Mapping[str, Any]
    """Every parameter of the strategy (JSON mode), what a worker rebuilds the strategy from."""


@dataclass(frozen=True, slots=True)
class Grid:
    """The expanded grid: valid combinations, and how many violated a parameter relation."""

    strategy_id: str
    strategy_class: type[Strategy[Any]]
    combos: tuple[Combo, ...]
    skipped: int
    varied_names: tuple[str, ...]


def stable_hash(data: object) -> str:
    """sha256 of canonical JSON (sorted keys, Decimals as text)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def combo_key(
    strategy_id: str,
    params: Mapping[str, Any],
    data_fingerprint: str,
    engine_version: str,
    *,
    context: Mapping[str, Any] | None = None,
) -> str:
    """The combination's identity; ``context`` adds period, capital and costs."""
    return stable_hash(
        {
            "strategy": strategy_id,
            "params": dict(params),
            "data": data_fingerprint,
            "engine": engine_version,
            "context": dict(context or {}),
        }
    )


def _json_value(value: object) -> object:
    return str(value) if isinstance(value, Decimal) else value


def _check_names(strategy_id: str, params_cls: type[StrategyParams], names: list[str]) -> None:
    fields = params_cls.model_fields
    for name in names:
        if name not in fields:
            known = ", ".join(sorted(fields))
            raise ConfigError(
                f"strategy {strategy_id}: unknown parameter {name!r}; valid parameters: {known}"
            )


def expand_grid(config: ResearchConfig) -> Grid:
    """Cartesian product of the parameter lists (file order, last parameter fastest).

    Every combination is validated by the strategy's Params model: a value of the wrong type
    or out of range is an error naming the parameter; a combination that only violates a
    relation between parameters (e.g. fast >= slow) is skipped and counted.

    Raises:
        ConfigError: unknown strategy or parameter name, bad value, or no valid combination.
    """
    cls = get_strategy_class(config.strategy)
    params_cls = cls.Params
    lists = config.value_lists()
    _check_names(config.strategy, params_cls, [*lists, *config.fixed])
    names = list(lists)
    combos: list[Combo] = []
    skipped = 0
    source = f"strategy {config.strategy}"
    total = 1
    for value_list in lists.values():
        total *= len(value_list)
    if total > 1_000_000:
        raise ConfigError(f"{source}: the grid has {total:,} combinations (limit 1,000,000)")
    for values in itertools.product(*lists.values()):
        raw = dict(config.fixed)
        raw.update(zip(names, values, strict=True))
        try:
            params = params_cls.model_validate(raw)
        except ValidationError as exc:
            if any(not e["loc"] for e in exc.errors()):
                skipped += 1  # a relation between parameters: not a point of this strategy
                continue
            build_params(params_cls, raw, source=source)  # raises the one-line message
            raise  # pragma: no cover - build_params always raises for invalid values
        full = params.model_dump(mode="json")
        varied = {n: full.get(n, _json_value(v)) for n, v in zip(names, values, strict=True)}
        combos.append(Combo(index=len(combos), varied=varied, params=full))
    if not combos:
        why = f" ({skipped} violated a relation between parameters)" if skipped else ""
        raise ConfigError(f"{source}: the grid has zero valid combinations{why}")
    return Grid(
        strategy_id=config.strategy,
        strategy_class=cls,
        combos=tuple(combos),
        skipped=skipped,
        varied_names=tuple(names),
    )
