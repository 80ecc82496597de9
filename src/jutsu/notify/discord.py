"""Discord webhook: short ``content`` plus one embed (colour as an integer, ≤ 25 fields)."""

from __future__ import annotations

from typing import Any

from jutsu.notify.base import Alert
from jutsu.notify.delivery import DEFAULT_POLICY, RetryPolicy, post_json
from jutsu.notify.format import COLORS, LEVELS, action_url, alert_fields, alert_time

__all__ = ["DiscordNotifier", "discord_payload"]

MAX_FIELDS = 25


def discord_payload(alert: Alert) -> dict[str, Any]:
    level = LEVELS[alert.severity]
    embed: dict[str, Any] = {
        "title": alert.title[:256],
        "description": alert.message[:4096],
        "color": int(COLORS[level].lstrip("#"), 16),
        "timestamp": alert_time(alert).isoformat(),
        "footer": {"text": f"Jutsu Labs · {level}"},
        "fields": [
            {"name": k[:256], "value": (v or "-")[:1024], "inline": True}
            for k, v in alert_fields(alert, MAX_FIELDS)
        ],
    }
    link = action_url(alert)
    if link:
        embed["url"] = link
    return {"content": f"**[{level}]** {alert.title}"[:2000], "embeds": [embed]}


class DiscordNotifier:
    def __init__(self, url: str, policy: RetryPolicy = DEFAULT_POLICY) -> None:
        self._url = url
        self._policy = policy

    @property
    def name(self) -> str:
        return "discord"

    def send(self, alert: Alert) -> bool:
        return post_json(self.name, self._url, discord_payload(alert), self._policy)
