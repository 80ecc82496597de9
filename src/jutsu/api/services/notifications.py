"""Notification channels for the Settings page: what is configured, and a test alert through it.

Channels come from the same settings the trading run uses (:class:`NotificationSettings`,
env or ``/run/secrets``), and the test goes through the same fan-out (:func:`build_notifiers`),
so a green test means the run's alerts will arrive. Webhook URLs embed their secret token
(Slack, Discord), so only scheme and host are ever returned.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from jutsu.api.schemas.notifications import ChannelPublic, ChannelResult, ChannelsPublic, TestAlertResult
from jutsu.api.services.errors import Conflict
from jutsu.notify.base import Alert
from jutsu.notify.delivery import DEFAULT_POLICY, RetryPolicy
from jutsu.notify.fanout import NotificationSettings, build_notifiers, detect_webhook_type

__all__ = ["list_channels", "mask_url", "send_test_alert"]

_CHANNEL_NAME = {"slack": "slack", "discord": "discord", "generic": "webhook"}


def mask_url(url: str) -> str:
    """``https://hooks.slack.com/services/T0/B0/secret`` → ``https://hooks.slack.com/***``.

    User info, port, path, query and fragment can all carry credentials; none is shown.
    """
    parts = urlsplit(url)
    host = parts.hostname or "?"
    return f"{parts.scheme or 'https'}://{host}/***"


def list_channels(settings: NotificationSettings) -> ChannelsPublic:
    """The configured channels (at most one webhook today, spec §5.11)."""
    if settings.url is None:
        return ChannelsPublic(
            enabled=False,
            trade_summary=settings.trade_summary,
            channels=[],
            message="No channel configured: set NOTIFICATION_WEBHOOK_URL (env or /run/secrets)",
        )
    kind = settings.type or detect_webhook_type(settings.url)
    channel = ChannelPublic(
        name=_CHANNEL_NAME[kind],
        type=kind,
        enabled=settings.enabled,
        target=mask_url(settings.url),
    )
    state = "enabled" if settings.enabled else "disabled (NOTIFICATION_ENABLED=false)"
    return ChannelsPublic(
        enabled=settings.enabled,
        trade_summary=settings.trade_summary,
        channels=[channel],
        message=f"1 {kind} channel, {state}",
    )


def send_test_alert(
    settings: NotificationSettings,
    message: str,
    *,
    username: str,
    policy: RetryPolicy = DEFAULT_POLICY,
    now: dt.datetime | None = None,
) -> TestAlertResult:
    """Send one INFO alert to every enabled channel and report each channel's delivery.

    Raises:
        Conflict: (409) no channel is configured or notifications are disabled.
    """
    notifiers = build_notifiers(settings, policy)
    if not notifiers.channels:
        reason = "disabled" if settings.url is not None else "not configured"
        raise Conflict(f"Notifications are {reason}: nothing to test")
    when = now or dt.datetime.now(dt.UTC)
    alert = Alert(
        "info",
        "info",
        "Jutsu Labs test alert",
        message,
        details={"requested_by": username},
        timestamp=when,
    )
    results = notifiers.send_all(alert)
    delivered = [name for name, ok in results.items() if ok]
    failed = [name for name, ok in results.items() if not ok]
    text = (
        f"Delivered to {', '.join(delivered)}"
        if not failed
        else f"Not delivered to {', '.join(failed)} (see the server log)"
    )
    return TestAlertResult(
        success=not failed,
        results=[ChannelResult(channel=n, delivered=ok) for n, ok in results.items()],
        message=text,
        timestamp=when,
    )
