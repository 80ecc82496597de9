"""Slack incoming webhook: ``text`` (notification fallback) + a coloured attachment of blocks."""

from __future__ import annotations

from typing import Any

from jutsu.notify.base import Alert
from jutsu.notify.delivery import DEFAULT_POLICY, RetryPolicy, post_json
from jutsu.notify.format import COLORS, LEVELS, action_url, alert_fields, alert_time

__all__ = ["SlackNotifier", "slack_payload"]

MAX_FIELDS = 10


def slack_payload(alert: Alert) -> dict[str, Any]:
    level = LEVELS[alert.severity]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": alert.title[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": alert.message[:3000] or " "}},
    ]
    fields = alert_fields(alert, MAX_FIELDS)
    if fields:
        blocks.append(
            {
                "type": "section",
                "fields": [{"type": "mrkdwn", "text": f"*{k}*\n{v}"[:2000]} for k, v in fields],
            }
        )
    link = action_url(alert)
    if link:
        blocks.append(
            {
                "type": "actions",
                "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Open"}, "url": link}],
            }
        )
    stamp = alert_time(alert).strftime("%Y-%m-%d %H:%M:%S UTC")
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"{level} · Jutsu Labs · {stamp}"}]}
    )
    return {
        "text": f"[{level}] {alert.title}: {alert.message}"[:3000],
        "attachments": [{"color": COLORS[level], "blocks": blocks}],
    }


class SlackNotifier:
    def __init__(self, url: str, policy: RetryPolicy = DEFAULT_POLICY) -> None:
        self._url = url
        self._policy = policy

    @property
    def name(self) -> str:
        return "slack"

    def send(self, alert: Alert) -> bool:
        return post_json(self.name, self._url, slack_payload(alert), self._policy)
