"""The research config file (``config/research/*.yaml``): one schema for grid search and WFO.

One schema for every entry point, unknown keys failing (backtest-semantics §6 Recommended):
``jutsu grid`` and ``jutsu wfo`` read the same file shape, the WFO simply requires the
``walk_forward`` section. Capital and costs use the names of ``jutsu backtest`` so the same
numbers mean the same thing everywhere, and WFO in-sample and out-of-sample runs share them.

Example::

    strategy: sma_crossover
    start: 2015-01-01
    end: 2020-12-31
    initial_capital: 10000
    commission_per_share: 0.01
    slippage: 0.001
    objective: {metric: sharpe, direction: maximize}
    parameters:
      fast: [10, 20, 50]
      slow: {start: 100, stop: 200, step: 50}   # stop is inclusive
    fixed: {symbol: QQQ}
    walk_forward: {mode: rolling, unit: sessions, in_sample: 504, out_of_sample: 126, step: 126}
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from jutsu.config.yaml_io import load_yaml_file
from jutsu.core.metrics import METRIC_KEYS
from jutsu.errors import ConfigError

__all__ = [
    "MAX_COMBINATIONS",
    "Objective",
    "ParamRange",
    "ResearchConfig",
    "WalkForwardSection",
    "load_research_config",
    "parse_research_config",
]

MAX_COMBINATIONS = 1_000_000
"""Hard limit of one grid: beyond it the file is almost certainly a typo (a tiny step)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ParamRange(_Strict):
    """``{start, stop, step}``: start, start+step, ... up to and including ``stop``."""

    start: Decimal
    stop: Decimal
    step: Decimal

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.step <= 0:
            raise ValueError(f"step must be > 0, got {self.step}")
        if self.stop < self.start:
            raise ValueError(f"stop ({self.stop}) is below start ({self.start})")
        if (self.stop - self.start) / self.step >= MAX_COMBINATIONS:
            raise ValueError(f"range {self.start}..{self.stop} step {self.step} has too many values")
        return self

    def values(self) -> list[int | Decimal]:
        """The values, exact (Decimal arithmetic): ints when start and step are integers."""
        count = int((self.stop - self.start) / self.step) + 1
        out = [self.start + i * self.step for i in range(count)]
        if self.start == self.start.to_integral_value() and self.step == self.step.to_integral_value():
            return [int(v) for v in out]
        return [v.normalize() if v != 0 else Decimal(0) for v in out]


class Objective(_Strict):
    """The metric to rank combinations by (a key of ``compute_metrics``) and its direction."""

    metric: str = "sharpe"
    direction: Literal["maximize", "minimize"] = "maximize"

    @model_validator(mode="after")
    def _known_metric(self) -> Self:
        if self.metric not in METRIC_KEYS:
            raise ValueError(f"unknown metric {self.metric!r}; metrics are {', '.join(METRIC_KEYS)}")
        return self


class WalkForwardSection(_Strict):
    """Window geometry. ``unit`` sessions: counts of trading sessions; years: 365.25-day years."""

    mode: Literal["rolling", "anchored"] = "rolling"
    unit: Literal["sessions", "years"] = "years"
    in_sample: Decimal = Field(gt=0)
    out_of_sample: Decimal = Field(gt=0)
    step: Decimal | None = Field(default=None, gt=0)
    """Default: ``out_of_sample`` (consecutive OOS periods)."""

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.unit == "sessions":
            for name in ("in_sample", "out_of_sample", "step"):
                value = getattr(self, name)
                if value is not None and value != value.to_integral_value():
                    raise ValueError(f"{name} must be a whole number of sessions, got {value}")
        if self.effective_step < self.out_of_sample:
            raise ValueError(
                f"step ({self.effective_step}) is shorter than out_of_sample ({self.out_of_sample}): "
                "out-of-sample periods would overlap and the stitched curve would count days twice"
            )
        return self

    @property
    def effective_step(self) -> Decimal:
        return self.out_of_sample if self.step is None else self.step


class ResearchConfig(_Strict):
    """A validated research file. Parameter names are checked against the strategy later
    (:func:`jutsu.research.combos.expand_grid`), where the strategy's schema is known."""

    strategy: str = Field(min_length=1)
    start: dt.date
    end: dt.date
    initial_capital: Decimal = Field(Decimal("10000"), gt=0)
    commission_per_share: Decimal = Field(Decimal("0.01"), ge=0)
    slippage: Decimal = Field(Decimal("0.001"), ge=0, lt=1)
    baseline_symbol: str | None = None
    objective: Objective = Field(default_factory=Objective)
    parameters: dict[str, list[Any] | ParamRange]
    fixed: dict[str, Any] = Field(default_factory=dict)
    top_n: int = Field(10, ge=1, le=1000)
    heatmaps: list[tuple[str, str]] | None = None
    """Parameter pairs to draw; default: every pair of parameters with more than one value."""
    walk_forward: WalkForwardSection | None = None
    path: Path | None = Field(default=None, exclude=True)

    @field_validator("parameters", mode="before")
    @classmethod
    def _ranges(cls, value: Any) -> Any:
        """Validate ``{start, stop, step}`` entries here so errors name the parameter."""
        if not isinstance(value, dict):
            return value
        out: dict[str, Any] = {}
        for name, spec in value.items():
            if isinstance(spec, dict):
                try:
                    spec = ParamRange.model_validate(spec)
                except ValidationError as exc:
                    err = exc.errors()[0]
                    where = ".".join(str(p) for p in err["loc"])
                    msg = str(err["msg"]).removeprefix("Value error, ")
                    if err["type"] == "extra_forbidden":
                        msg = "unknown key (a range has start, stop, step)"
                    raise ValueError(f"parameter {name!r}: {where + ': ' if where else ''}{msg}") from None
            elif not isinstance(spec, list):
                raise ValueError(f"parameter {name!r}: expected a list of values or {{start, stop, step}}")
            out[name] = spec
        return out

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        if not self.parameters:
            raise ValueError("parameters: at least one parameter to vary is required")
        for name, spec in self.parameters.items():
            if isinstance(spec, list) and not spec:
                raise ValueError(f"parameter {name!r} has an empty list of values")
        both = sorted(set(self.parameters) & set(self.fixed))
        if both:
            raise ValueError(f"parameter {both[0]!r} is both varied and fixed")
        return self

    def value_lists(self) -> dict[str, list[Any]]:
        """Every varied parameter's values, in file order."""
        return {k: v.values() if isinstance(v, ParamRange) else list(v) for k, v in self.parameters.items()}

    def canonical(self) -> dict[str, Any]:
        """The config as JSON-able data (stored with the run; hashed to recognise a re-run)."""
        data: dict[str, Any] = json.loads(self.model_dump_json())
        return data


def _message(source: str, exc: ValidationError) -> str:
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"]) or "(top level)"
    more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
    if err["type"] == "extra_forbidden":
        return f"{source}: unknown key {key!r}{more}"
    if err["type"] == "missing":
        return f"{source}: missing required key {key!r}{more}"
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{source}: {key}: {msg}{more}"


def parse_research_config(data: object, *, source: str = "research config") -> ResearchConfig:
    """Validate already-parsed data (API bodies use this; files go through the loader).

    Raises:
        ConfigError: one line naming the key at fault.
    """
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level, got {type(data).__name__}")
    try:
        return ResearchConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_message(source, exc)) from None


def load_research_config(path: Path) -> ResearchConfig:
    """Read and validate a research YAML file.

    Raises:
        ConfigError: missing/unreadable file, invalid YAML, unknown keys, bad values.
    """
    data = load_yaml_file(path)
    config = parse_research_config(data, source=str(path))
    return config.model_copy(update={"path": path})
