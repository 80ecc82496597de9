"""Pure parts of the preview and notification services: session choice, URL masking, channel
listing from the environment, the regime read from a journal row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from jutsu.api.services.backtest_regimes import regime_of_journal
from jutsu.api.services.notifications import list_channels, mask_url
from jutsu.api.services.preview import preview_session
from jutsu.data.calendar import ET, is_session
from jutsu.notify.fanout import NotificationSettings


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (dt.datetime(2025, 1, 2, 10, 0), dt.date(2025, 1, 2)),  # a Thursday session
        (dt.datetime(2025, 1, 4, 10, 0), dt.date(2025, 1, 6)),  # Saturday → Monday
        (dt.datetime(2024, 12, 25, 9, 0), dt.date(2024, 12, 26)),  # Christmas → next day
        (dt.datetime(2025, 1, 2, 23, 30), dt.date(2025, 1, 2)),  # late evening ET is still that day
    ],
)
def test_preview_session_is_today_or_the_next_session(local: dt.datetime, expected: dt.date) -> None:
    now = local.replace(tzinfo=ET).astimezone(dt.UTC)
    assert preview_session(now) == expected
    assert is_session(expected)


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.slack.com/services/T0/B0/secret-token",
        "https://discord.com/api/webhooks/123/secret-token",
        "https://user:secret-token@example.com:8443/hook?key=secret-token#secret-token",
    ],
)
def test_mask_url_never_shows_credentials(url: str) -> None:
    masked = mask_url(url)
    assert "secret" not in masked
    assert masked.startswith("https://") and masked.endswith("/***")


def test_channels_from_the_environment(tmp_path: Path) -> None:
    env = {
        "NOTIFICATION_WEBHOOK_URL": "https://discord.com/api/webhooks/1/tok",
        "NOTIFICATION_TRADE_SUMMARY": "true",
    }
    listed = list_channels(NotificationSettings.from_env(env=env, secrets_dir=tmp_path))
    assert listed.enabled and listed.trade_summary
    assert [(c.name, c.type, c.target) for c in listed.channels] == [
        ("discord", "discord", "https://discord.com/***")
    ]
    secret = tmp_path / "notification_webhook_url"
    secret.write_text("https://example.org/generic/tok\n", encoding="utf-8")
    listed = list_channels(
        NotificationSettings.from_env(env={"NOTIFICATION_ENABLED": "false"}, secrets_dir=tmp_path)
    )
    assert [(c.name, c.enabled) for c in listed.channels] == [("webhook", False)]
    assert "disabled" in listed.message


def test_regime_of_journal_keeps_only_valid_cells() -> None:
    assert regime_of_journal({"cell": 4, "trend_state": "Sideways", "vol_state": "High"}) == {
        "strategy_cell": 4,
        "trend_state": "Sideways",
        "vol_state": "High",
    }
    for bad in (None, True, 0, 7, "x"):
        assert regime_of_journal({"cell": bad})["strategy_cell"] is None
    assert regime_of_journal({}) == {"strategy_cell": None, "trend_state": None, "vol_state": None}
