"""Token level thresholds (platform.md §5.9): 6.5-day life, ≤5 d / ≤2 d / ≤1 d / ≤12 h, expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jutsu.brokers.schwab_tokens import TOKEN_LIFETIME, token_status

CREATED = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("remaining", "level"),
    [
        (timedelta(days=6), "ok"),
        (timedelta(days=5, seconds=1), "ok"),
        (timedelta(days=5), "notice"),
        (timedelta(days=2, seconds=1), "notice"),
        (timedelta(days=2), "warning"),
        (timedelta(days=1), "urgent"),
        (timedelta(hours=12, seconds=1), "urgent"),
        (timedelta(hours=12), "critical"),
        (timedelta(seconds=1), "critical"),
        (timedelta(0), "expired"),
        (timedelta(days=-3), "expired"),
    ],
)
def test_levels(remaining: timedelta, level: str) -> None:
    now = CREATED + TOKEN_LIFETIME - remaining
    status = token_status(CREATED, now)
    assert status.level == level
    assert status.expires_at == CREATED + timedelta(seconds=561_600)
    assert status.remaining == remaining
    assert status.valid is (level != "expired")
    assert status.expires_in_days == pytest.approx(remaining.total_seconds() / 86_400)


def test_missing() -> None:
    status = token_status(None, CREATED)
    assert status.level == "missing" and not status.exists and not status.valid
    assert "jutsu broker login" in status.message
