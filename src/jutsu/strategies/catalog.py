"""The explicit map from strategy id to strategy class.

An explicit dict (never a dynamic import of a module path taken from a config file) keeps
the set of runnable code closed: a YAML file or an API request can only *name* a strategy
that ships with the platform. Adding a strategy = one import and one line here.
"""

from __future__ import annotations

from typing import Any

from jutsu.errors import ConfigError
from jutsu.strategies.base import Strategy
from jutsu.strategies.buy_and_hold import BuyAndHold
from jutsu.strategies.hierarchical_adaptive import HierarchicalAdaptiveV35b, HierarchicalAdaptiveV35d
from jutsu.strategies.sma_crossover import SmaCrossover

__all__ = ["STRATEGY_CLASSES", "get_strategy_class"]

STRATEGY_CLASSES: dict[str, type[Strategy[Any]]] = {
    BuyAndHold.strategy_id: BuyAndHold,
    SmaCrossover.strategy_id: SmaCrossover,
    HierarchicalAdaptiveV35b.strategy_id: HierarchicalAdaptiveV35b,
    HierarchicalAdaptiveV35d.strategy_id: HierarchicalAdaptiveV35d,
}


def get_strategy_class(strategy_id: str) -> type[Strategy[Any]]:
    """Return the class registered under ``strategy_id``.

    Raises:
        ConfigError: the id is unknown; the message lists the known ids.
    """
    try:
        return STRATEGY_CLASSES[strategy_id]
    except KeyError:
        known = ", ".join(sorted(STRATEGY_CLASSES))
        raise ConfigError(f"unknown strategy {strategy_id!r}; known strategies: {known}") from None
