"""Send one alert to every configured channel, isolating failures; build channels from settings.

``NOTIFICATION_WEBHOOK_URL`` (secret: env, ``/run/secrets/notification_webhook_url`` or
``NOTIFICATION_WEBHOOK_URL_FILE``), ``NOTIFICATION_WEBHOOK_TYPE`` (``slack``/``discord``/``generic``;
unset or ``auto`` → detected from the URL's host and path), ``NOTIFICATION_ENABLED`` (default: on
when a URL is set). A trading run must never fail because a chat service is down, so
:meth:`Notifiers.send` never raises.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from jutsu.errors import ConfigError
from jutsu.notify.base import Alert, Notifier
from jutsu.notify.delivery import DEFAULT_POLICY, RetryPolicy
from jutsu.notify.discord import DiscordNotifier
from jutsu.notify.slack import SlackNotifier
from jutsu.notify.webhook import WebhookNotifier

__all__ = ["NotificationSettings", "Notifiers", "build_notifiers", "detect_webhook_type"]

log = logging.getLogger("jutsu.notify")

WebhookType = Literal["slack", "discord", "generic"]
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class Notifiers:
    """A fan-out `Notifier`: ``send`` is True when every channel delivered (and there is one)."""

    def __init__(self, channels: Sequence[Notifier]) -> None:
        self._channels = tuple(channels)

    @property
    def name(self) -> str:
        return "+".join(c.name for c in self._channels) or "none"

    @property
    def channels(self) -> tuple[Notifier, ...]:
        return self._channels

    def send_all(self, alert: Alert) -> dict[str, bool]:
        results: dict[str, bool] = {}
        for channel in self._channels:
            try:
                results[channel.name] = bool(channel.send(alert))
            except Exception as exc:  # a broken channel must not stop the others
                log.error("%s channel raised %s; alert not delivered there", channel.name, type(exc).__name__)
                results[channel.name] = False
        return results

    def send(self, alert: Alert) -> bool:
        results = self.send_all(alert)
        return bool(results) and all(results.values())


def detect_webhook_type(url: str) -> WebhookType:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host == "hooks.slack.com":
        return "slack"
    if host in ("discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com") and (
        parts.path.startswith("/api/webhooks")
    ):
        return "discord"
    return "generic"


@dataclass(frozen=True, slots=True)
class NotificationSettings:
    url: str | None = None
    type: WebhookType | None = None
    enabled: bool = False
    trade_summary: bool = False

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, secrets_dir: Path = Path("/run/secrets")
    ) -> NotificationSettings:
        environ: Mapping[str, str] = os.environ if env is None else env
        url = environ.get("NOTIFICATION_WEBHOOK_URL", "").strip() or None
        if url is None:
            secret = secrets_dir / "notification_webhook_url"
            file_var = environ.get("NOTIFICATION_WEBHOOK_URL_FILE", "").strip()
            for path in (secret, Path(file_var) if file_var else None):
                if path is not None and path.is_file():
                    url = path.read_text(encoding="utf-8").strip() or None
                    if url:
                        break
        if url is not None and urlsplit(url).scheme not in ("http", "https"):
            raise ConfigError("NOTIFICATION_WEBHOOK_URL must be an http(s) URL")
        raw_type = environ.get("NOTIFICATION_WEBHOOK_TYPE", "").strip().lower()
        kind: WebhookType | None
        if raw_type in ("", "auto"):
            kind = None if url is None else detect_webhook_type(url)
        elif raw_type in ("slack", "discord", "generic"):
            kind = raw_type  # type: ignore[assignment]
        else:
            raise ConfigError(
                f"NOTIFICATION_WEBHOOK_TYPE: expected slack, discord, generic or auto, got {raw_type!r}"
            )
        return cls(
            url=url,
            type=kind,
            enabled=_flag(environ, "NOTIFICATION_ENABLED", default=url is not None),
            trade_summary=_flag(environ, "NOTIFICATION_TRADE_SUMMARY", default=False),
        )


def _flag(environ: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = environ.get(name, "").strip().lower()
    if raw in ("", "auto"):
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ConfigError(f"{name}: expected true or false, got {raw!r}")


def build_notifiers(settings: NotificationSettings, policy: RetryPolicy = DEFAULT_POLICY) -> Notifiers:
    """The configured channels (none when disabled or no URL is set)."""
    if not settings.enabled or settings.url is None:
        return Notifiers([])
    kind = settings.type or detect_webhook_type(settings.url)
    channel: Notifier
    if kind == "slack":
        channel = SlackNotifier(settings.url, policy)
    elif kind == "discord":
        channel = DiscordNotifier(settings.url, policy)
    else:
        channel = WebhookNotifier(settings.url, policy)
    return Notifiers([channel])
