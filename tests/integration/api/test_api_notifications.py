"""``/api/notifications``: configured channels with secrets masked, and a test alert through the
real fan-out to a local webhook receiver (127.0.0.1)."""

from __future__ import annotations

from pathlib import Path

from api_fixtures import Api, api_fixture, start_api  # noqa: F401
from sqlalchemy import Engine

from fakes.webhook_receiver import webhook_receiver
from jutsu.notify.delivery import RetryPolicy
from jutsu.notify.fanout import NotificationSettings

FAST = RetryPolicy(attempts=2, timeout_seconds=2.0, backoff_seconds=0.01, max_delay_seconds=0.05)
SLACK = "https://hooks.slack.com/services/T000/B000/very-secret-token"


def test_channels_mask_the_secret_and_need_an_admin(db_engine: Engine, tmp_path: Path) -> None:
    settings = NotificationSettings.from_env(env={"NOTIFICATION_WEBHOOK_URL": SLACK}, secrets_dir=tmp_path)
    for api in start_api(db_engine, tmp_path, {"notification_settings": settings}):
        r = api.get("/api/notifications/channels")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["enabled"] is True
        (channel,) = body["channels"]
        assert channel == {
            "name": "slack",
            "type": "slack",
            "enabled": True,
            "target": "https://hooks.slack.com/***",
        }
        assert "secret" not in r.text and "T000" not in r.text
        assert api.get("/api/notifications/channels", headers=api.viewer).status_code == 403
        assert api.post("/api/notifications/test", headers=api.viewer, json={}).status_code == 403


def test_test_alert_is_delivered_through_the_fan_out(db_engine: Engine, tmp_path: Path) -> None:
    with webhook_receiver() as rx:
        settings = NotificationSettings(url=rx.url("/hook/abc"), type="generic", enabled=True)
        extras = {"notification_settings": settings, "notification_policy": FAST}
        for api in start_api(db_engine, tmp_path, extras):
            channels = api.get("/api/notifications/channels").json()
            assert channels["channels"][0]["target"] == "http://127.0.0.1/***"
            r = api.post("/api/notifications/test", json={"message": "hello from the test"})
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["success"] is True
            assert body["results"] == [{"channel": "webhook", "delivered": True}]
            assert len(rx.bodies) == 1 and rx.paths == ["/hook/abc"]
            assert "hello from the test" in str(rx.bodies[0])
            # the receiver now fails every attempt: reported per channel, not raised
            rx.script.extend([(500, {}), (500, {})])
            failed = api.post("/api/notifications/test", json={}).json()
            assert failed["success"] is False
            assert failed["results"] == [{"channel": "webhook", "delivered": False}]
            assert "webhook" in failed["message"]


def test_no_channel_is_a_clear_409(db_engine: Engine, tmp_path: Path) -> None:
    extras = {"notification_settings": NotificationSettings()}
    for api in start_api(db_engine, tmp_path, extras):
        body = api.get("/api/notifications/channels").json()
        assert body["channels"] == [] and body["enabled"] is False
        assert "NOTIFICATION_WEBHOOK_URL" in body["message"]
        r = api.post("/api/notifications/test", json={"message": "x"})
        assert r.status_code == 409
        assert r.json()["detail"] == "Notifications are not configured: nothing to test"
    disabled = NotificationSettings(url=SLACK, type="slack", enabled=False)
    for api in start_api(db_engine, tmp_path, {"notification_settings": disabled}):
        assert api.get("/api/notifications/channels").json()["channels"][0]["enabled"] is False
        assert api.post("/api/notifications/test").json()["detail"].startswith("Notifications are disabled")
