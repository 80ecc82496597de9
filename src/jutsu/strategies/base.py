"""The one Strategy interface used unchanged by backtests, research and live trading.

A strategy is a small state machine fed one trading date at a time. It declares typed,
validated parameters (a pydantic model with defaults and ranges, so YAML configs, the CLI
``--param`` flags, grid search and the dashboard's generated forms share one schema) and
returns a :class:`~jutsu.core.decision.Decision` for every date.

Interface version history:
    1 — initial: ``decide(ctx) -> Decision``, ``reset()``, ``symbols()``, ``warmup_bars()``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from jutsu.core.context import BarContext
from jutsu.core.decision import Decision

__all__ = ["Strategy", "StrategyParams"]


class StrategyParams(BaseModel):
    """Base of every strategy's parameter model: frozen, and unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


P = TypeVar("P", bound=StrategyParams)


class Strategy(ABC, Generic[P]):
    """Base class of all strategies.

    Subclasses set ``strategy_id`` (registry key), ``display_name``, ``Params`` and
    ``journal_columns`` (the stable journal keys, which become ``decisions.csv`` columns).
    The core does no I/O, reads no clock and no environment: everything arrives via ``ctx``.
    """

    INTERFACE_VERSION: ClassVar[int] = 1
    strategy_id: ClassVar[str]
    display_name: ClassVar[str]
    Params: ClassVar[type[StrategyParams]]
    journal_columns: ClassVar[tuple[str, ...]] = ()

    def __init__(self, params: P) -> None:
        self.params: P = params
        self.reset()

    @abstractmethod
    def symbols(self) -> tuple[str, ...]:
        """Every symbol whose bars the strategy reads or trades (data to load)."""

    @abstractmethod
    def warmup_bars(self) -> int:
        """Bars of history needed before the first real decision (sessions before start)."""

    def reset(self) -> None:
        """Forget all run state; called before every run so one object can run many times."""

    @abstractmethod
    def decide(self, ctx: BarContext) -> Decision:
        """Return the decision for trading date ``ctx.date``."""
