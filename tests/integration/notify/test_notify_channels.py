"""Channels deliver real HTTP to a local receiver: payload shapes, retries, Retry-After, failures."""

from __future__ import annotations

import logging
import socket
import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from fakes.webhook_receiver import webhook_receiver
from jutsu.notify.alerts import (
    reconciliation_drift_alert,
    run_failed_alert,
    slippage_abort_alert,
    trade_executed_alert,
)
from jutsu.notify.base import Alert
from jutsu.notify.delivery import RetryPolicy
from jutsu.notify.discord import DiscordNotifier
from jutsu.notify.fanout import Notifiers
from jutsu.notify.slack import SlackNotifier
from jutsu.notify.webhook import WebhookNotifier

FAST = RetryPolicy(attempts=3, timeout_seconds=2.0, backoff_seconds=0.01, max_delay_seconds=2.0)
STAMP = datetime(2025, 3, 3, 20, 55, tzinfo=UTC)


def _alert(n_fields: int = 3, severity: str = "critical") -> Alert:
    details: dict[str, object] = {f"field{i}": i for i in range(n_fields)}
    details["action_url"] = "https://jutsu.example/config"
    return Alert("run_failed", severity, "Run failed", "boom", strategy_id="v3_5b",  # type: ignore[arg-type]
                 details=details, timestamp=STAMP)  # fmt: skip


def test_slack_payload_shape_delivered() -> None:
    with webhook_receiver() as rx:
        assert SlackNotifier(rx.url(), FAST).send(_alert(n_fields=14))
    (body,) = rx.bodies
    assert "Run failed" in body["text"] and "CRITICAL" in body["text"]
    attachment = body["attachments"][0]
    assert attachment["color"] == "#ff0000"
    blocks = attachment["blocks"]
    assert blocks[0]["type"] == "header" and blocks[0]["text"]["text"] == "Run failed"
    fields = next(b for b in blocks if "fields" in b)["fields"]
    assert len(fields) == 10  # Slack allows at most 10 fields per section
    assert "*Strategy*\nv3_5b" in [f["text"] for f in fields]
    button = next(b for b in blocks if b["type"] == "actions")["elements"][0]
    assert button["url"] == "https://jutsu.example/config"


def test_discord_payload_shape_delivered() -> None:
    with webhook_receiver() as rx:
        assert DiscordNotifier(rx.url(), FAST).send(_alert(n_fields=30, severity="warning"))
    (body,) = rx.bodies
    assert "Run failed" in body["content"]
    (embed,) = body["embeds"]
    assert embed["color"] == 0xFFCC00
    assert embed["title"] == "Run failed" and embed["description"] == "boom"
    assert len(embed["fields"]) == 25
    assert embed["url"] == "https://jutsu.example/config"
    assert datetime.fromisoformat(embed["timestamp"]) == STAMP


def test_generic_webhook_payload_with_decimal_details() -> None:
    alert = trade_executed_alert("v3_5b", "live", "QQQ", "BUY", 10, Decimal("500.12"), timestamp=STAMP,
                                 dashboard_url="https://jutsu.example/")  # fmt: skip
    with webhook_receiver() as rx:
        assert WebhookNotifier(rx.url(), FAST).send(alert)
    (body,) = rx.bodies
    assert body["kind"] == "trade_executed" and body["level"] == "INFO"
    assert body["fields"]["Fill price"] == "500.12" and body["fields"]["Quantity"] == 10
    assert body["action_url"] == "https://jutsu.example/trades"
    assert body["strategy_id"] == "v3_5b"


def test_retry_after_5xx_then_success() -> None:
    with webhook_receiver() as rx:
        rx.script = [(500, {}), (502, {})]
        assert WebhookNotifier(rx.url(), FAST).send(_alert())
    assert len(rx.bodies) == 3


def test_429_waits_for_retry_after() -> None:
    policy = RetryPolicy(attempts=2, timeout_seconds=2.0, backoff_seconds=0.0, max_delay_seconds=5.0)
    with webhook_receiver() as rx:
        rx.script = [(429, {"Retry-After": "1"})]
        started = time.monotonic()
        assert SlackNotifier(rx.url(), policy).send(_alert())
        elapsed = time.monotonic() - started
    assert len(rx.bodies) == 2
    assert elapsed >= 0.95  # honoured the header although the backoff was 0


def test_4xx_is_not_retried(caplog: pytest.LogCaptureFixture) -> None:
    with webhook_receiver() as rx:
        rx.script = [(404, {})]
        with caplog.at_level(logging.ERROR, logger="jutsu.notify"):
            assert not DiscordNotifier(rx.url(), FAST).send(_alert())
    assert len(rx.bodies) == 1
    assert "HTTP 404" in caplog.text


def test_endpoint_down_returns_false_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/hook"
    with caplog.at_level(logging.WARNING, logger="jutsu.notify"):
        assert SlackNotifier(url, FAST).send(_alert()) is False
    assert "not delivered after 3 attempts" in caplog.text
    assert url not in caplog.text  # the URL carries the webhook secret


class _Exploding:
    name = "exploding"

    def send(self, alert: Alert) -> bool:
        raise RuntimeError("bug in a channel")


def test_fanout_isolates_failures() -> None:
    with webhook_receiver() as rx:
        fan = Notifiers(
            [_Exploding(), WebhookNotifier(rx.url("/a"), FAST), SlackNotifier(rx.url("/b"), FAST)]
        )
        results = fan.send_all(_alert())
    assert results == {"exploding": False, "webhook": True, "slack": True}
    assert rx.paths == ["/a", "/b"]
    assert Notifiers([]).send(_alert()) is False


def test_event_alert_builders_deliver() -> None:
    alerts = [
        run_failed_alert("v3_5b", "live", "no quote for QQQ", execution_id="e1"),
        slippage_abort_alert(
            "v3_5b", "live", "TQQQ", Decimal("50"), Decimal("50.9"), Decimal("1.8"), Decimal("1.0")
        ),
        reconciliation_drift_alert(
            "v3_5b", {"QQQ": {"local": 10, "broker": 12, "diff": 2, "drift_pct": 20}}, critical=True
        ),
    ]
    with webhook_receiver() as rx:
        assert all(WebhookNotifier(rx.url(), FAST).send(a) for a in alerts)
    kinds = [(b["kind"], b["level"]) for b in rx.bodies]
    assert kinds == [
        ("run_failed", "CRITICAL"),
        ("slippage_abort", "CRITICAL"),
        ("reconciliation_drift", "CRITICAL"),
    ]
    assert rx.bodies[2]["fields"]["QQQ"] == "local 10 / broker 12 (20%)"
