"""What every channel shows for an `Alert`: level name and colour, fields and the action link.

``Alert.details`` carries the optional ``fields``; the key ``action_url`` is the link (e.g.
``<DASHBOARD_URL>/config``) rather than a field (platform.md §5.11 message model).
"""

from __future__ import annotations

from datetime import UTC, datetime

from jutsu.notify.base import Alert

__all__ = ["COLORS", "LEVELS", "action_url", "alert_fields", "alert_time"]

LEVELS = {"info": "INFO", "warning": "WARNING", "critical": "CRITICAL"}
COLORS = {"INFO": "#36a64f", "WARNING": "#ffcc00", "CRITICAL": "#ff0000"}


def action_url(alert: Alert) -> str | None:
    value = alert.details.get("action_url")
    return str(value) if value else None


def alert_fields(alert: Alert, limit: int) -> list[tuple[str, str]]:
    """``(name, value)`` pairs for the channel: strategy first, then details, at most ``limit``."""
    fields: list[tuple[str, str]] = []
    if alert.strategy_id:
        fields.append(("Strategy", alert.strategy_id))
    fields.extend((str(k), str(v)) for k, v in alert.details.items() if k != "action_url")
    return fields[:limit]


def alert_time(alert: Alert) -> datetime:
    return (alert.timestamp or datetime.now(UTC)).astimezone(UTC)
