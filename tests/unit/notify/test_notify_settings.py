from __future__ import annotations

from pathlib import Path

import pytest

from jutsu.errors import ConfigError
from jutsu.notify.discord import DiscordNotifier
from jutsu.notify.fanout import NotificationSettings, build_notifiers, detect_webhook_type
from jutsu.notify.slack import SlackNotifier
from jutsu.notify.webhook import WebhookNotifier


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://hooks.slack.com/services/T0/B0/xyz", "slack"),
        ("https://discord.com/api/webhooks/1/abc", "discord"),
        ("https://discordapp.com/api/webhooks/1/abc", "discord"),
        ("https://discord.com/channels/1", "generic"),
        ("https://example.com/hooks.slack.com", "generic"),
        ("http://127.0.0.1:9000/hook", "generic"),
    ],
)
def test_detect_type(url: str, kind: str) -> None:
    assert detect_webhook_type(url) == kind


def test_settings_from_env(tmp_path: Path) -> None:
    none = NotificationSettings.from_env({}, secrets_dir=tmp_path)
    assert not none.enabled and build_notifiers(none).channels == ()
    slack = NotificationSettings.from_env(
        {"NOTIFICATION_WEBHOOK_URL": "https://hooks.slack.com/services/x"}, tmp_path
    )
    assert slack.enabled and isinstance(build_notifiers(slack).channels[0], SlackNotifier)
    forced = NotificationSettings.from_env(
        {
            "NOTIFICATION_WEBHOOK_URL": "https://hooks.slack.com/services/x",
            "NOTIFICATION_WEBHOOK_TYPE": "generic",
        },
        tmp_path,
    )
    assert isinstance(build_notifiers(forced).channels[0], WebhookNotifier)
    off = NotificationSettings.from_env(
        {"NOTIFICATION_WEBHOOK_URL": "https://discord.com/api/webhooks/1/a", "NOTIFICATION_ENABLED": "false"},
        tmp_path,
    )
    assert build_notifiers(off).channels == ()
    (tmp_path / "notification_webhook_url").write_text("https://discord.com/api/webhooks/2/b\n")
    secret = NotificationSettings.from_env({}, tmp_path)
    assert isinstance(build_notifiers(secret).channels[0], DiscordNotifier)


@pytest.mark.parametrize(
    "env",
    [
        {"NOTIFICATION_WEBHOOK_URL": "ftp://x"},
        {"NOTIFICATION_WEBHOOK_URL": "https://x", "NOTIFICATION_WEBHOOK_TYPE": "teams"},
        {"NOTIFICATION_WEBHOOK_URL": "https://x", "NOTIFICATION_ENABLED": "maybe"},
    ],
)
def test_bad_settings_are_config_errors(env: dict[str, str], tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        NotificationSettings.from_env(env, tmp_path)
