"""Generic JSON webhook: the message model as a flat JSON object, for any receiver."""

from __future__ import annotations

from typing import Any

from jutsu.notify.base import Alert
from jutsu.notify.delivery import DEFAULT_POLICY, RetryPolicy, post_json
from jutsu.notify.format import LEVELS, action_url, alert_time

__all__ = ["WebhookNotifier", "webhook_payload"]


def webhook_payload(alert: Alert) -> dict[str, Any]:
    return {
        "source": "jutsu-labs",
        "kind": alert.kind,
        "level": LEVELS[alert.severity],
        "title": alert.title,
        "message": alert.message,
        "strategy_id": alert.strategy_id,
        "fields": {str(k): _plain(v) for k, v in alert.details.items() if k != "action_url"},
        "action_url": action_url(alert),
        "timestamp": alert_time(alert).isoformat(),
    }


class WebhookNotifier:
    def __init__(self, url: str, policy: RetryPolicy = DEFAULT_POLICY) -> None:
        self._url = url
        self._policy = policy

    @property
    def name(self) -> str:
        return "webhook"

    def send(self, alert: Alert) -> bool:
        return post_json(self.name, self._url, webhook_payload(alert), self._policy)


def _plain(value: object) -> object:
    """JSON-safe value: numbers, strings, booleans and None as-is, anything else (Decimal…) as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
