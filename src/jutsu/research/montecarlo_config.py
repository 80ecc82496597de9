"""The Monte Carlo YAML config (``config/research/*.yaml``) and its strict validation.

Key names follow backtest-semantics §13 where it names them (``input_file``,
``output_directory``, ``iterations``, ``initial_capital``, ``random_seed``, ``percentiles``,
``confidence_level``, ``risk_of_ruin_thresholds``); thresholds are **fractions** (0.3 = a 30 %
drawdown, the Recommended unit), not the reference's percents. Unknown keys are an error, so a
typo never silently falls back to a default. Relative paths are relative to the working
directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from jutsu.config.yaml_io import load_yaml_file
from jutsu.errors import ConfigError
from jutsu.research.montecarlo import MonteCarloSpec

__all__ = ["MonteCarloConfig", "config_from_flags", "load_montecarlo_config"]


class MonteCarloConfig(BaseModel):
    """One Monte Carlo study: exactly one input (file, backtest directory or stored run)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input_file: Path | None = None
    returns_column: str | None = None
    backtest_dir: Path | None = None
    run_id: str | None = None
    returns_unit: Literal["daily", "trades"] = "daily"
    method: Literal["bootstrap", "block", "shuffle"] = "bootstrap"
    iterations: int = Field(10_000, ge=1)
    random_seed: int | None = Field(None, ge=0)
    block_size: int = Field(20, ge=1)
    initial_capital: float = Field(10_000.0, gt=0)
    horizon: int | None = Field(None, ge=2)
    periods_per_year: int = Field(252, ge=1)
    percentiles: list[float] = Field(default_factory=lambda: [5.0, 25.0, 50.0, 75.0, 95.0], min_length=1)
    confidence_level: float = Field(0.95, gt=0, lt=1)
    risk_of_ruin_thresholds: list[float] = Field(default_factory=lambda: [0.30, 0.40, 0.50])
    ruin_level: float = Field(0.5, gt=0, lt=1)
    workers: int = Field(1, ge=1, le=64)
    output_directory: Path | None = None

    @model_validator(mode="after")
    def _one_input(self) -> MonteCarloConfig:
        given = [k for k in ("input_file", "backtest_dir", "run_id") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"give one input, not {' and '.join(given)}")
        if any(not 0 < t < 1 for t in self.risk_of_ruin_thresholds):
            raise ValueError("risk_of_ruin_thresholds are drawdown fractions in (0, 1), e.g. 0.3 for 30 %")
        if any(not 0 <= p <= 100 for p in self.percentiles):
            raise ValueError("percentiles must lie in [0, 100]")
        return self

    @property
    def has_input(self) -> bool:
        return any(v is not None for v in (self.input_file, self.backtest_dir, self.run_id))

    def spec(self) -> MonteCarloSpec:
        """The simulation spec (the input's capital is not read here: the config's is used)."""
        return MonteCarloSpec(
            method=self.method,
            iterations=self.iterations,
            seed=self.random_seed,
            block_size=self.block_size,
            initial_capital=self.initial_capital,
            horizon=self.horizon,
            periods_per_year=self.periods_per_year,
            percentiles=tuple(sorted(self.percentiles)),
            confidence_level=self.confidence_level,
            drawdown_thresholds=tuple(self.risk_of_ruin_thresholds),
            ruin_level=self.ruin_level,
        )


def _first_error(path: Path, exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        allowed = ", ".join(MonteCarloConfig.model_fields)
        return f"{path}: unknown key {loc!r} (allowed: {allowed})"
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{path}: {loc + ': ' if loc else ''}{msg}"


def load_montecarlo_config(path: Path, overrides: dict[str, Any] | None = None) -> MonteCarloConfig:
    """Read and validate ``path``; ``overrides`` (CLI flags) replace keys before validation."""
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    raw = load_yaml_file(path)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of keys to values at the top level")
    data = {**raw, **(overrides or {})}
    try:
        return MonteCarloConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_first_error(path, exc)) from None


def config_from_flags(overrides: dict[str, Any]) -> MonteCarloConfig:
    """A config from CLI flags only (``jutsu montecarlo --run ID``)."""
    try:
        return MonteCarloConfig.model_validate(overrides)
    except ValidationError as exc:
        raise ConfigError(_first_error(Path("command line"), exc)) from None
