"""The `Notifier` protocol and the alert record every channel receives.

Channels (Slack, Discord, generic JSON webhook) implement `Notifier`; a fan-out sends one
alert to all of them and never lets a failing channel stop the caller (a trading run must
not fail because Slack is down).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

__all__ = ["Alert", "AlertKind", "Notifier", "Severity"]

AlertKind = Literal[
    "trade_executed",
    "run_failed",
    "slippage_abort",
    "reconciliation_drift",
    "token_expiry",
    "kill_switch",
    "info",
]
Severity = Literal["info", "warning", "critical"]


@dataclass(frozen=True, slots=True)
class Alert:
    kind: AlertKind
    severity: Severity
    title: str
    message: str
    strategy_id: str | None = None
    details: Mapping[str, object] = field(default_factory=dict)
    timestamp: dt.datetime | None = None


class Notifier(Protocol):
    """One alert channel. ``send`` returns True when delivered; it must not raise for
    delivery failures (it retries with backoff, then reports False)."""

    @property
    def name(self) -> str: ...

    def send(self, alert: Alert) -> bool: ...
