"""Dry-run broker: journals the orders a strategy would place and places none (DECISIONS 2).

Its hypothetical book fills every order immediately at the decision price (the order's
``reference_price``, the quote used to size it) with zero slippage and zero commission, so the
journal shows what the signals would have done without pretending to model execution.
"""

from __future__ import annotations

from decimal import Decimal

from jutsu.brokers.base import OrderRequest
from jutsu.brokers.simulated import SimulatedBroker

__all__ = ["DryRunBroker"]


class DryRunBroker(SimulatedBroker):
    """The `Broker` of a strategy in ``dry_run`` mode; nothing leaves the process."""

    mode = "dry_run"

    def fill_terms(self, order: OrderRequest) -> tuple[Decimal, Decimal]:
        return order.reference_price, Decimal(0)
