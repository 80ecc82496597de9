"""Deliver one JSON payload to a webhook with bounded retries; never raise (platform.md §5.11).

Policy: up to ``attempts`` POSTs with a ``timeout`` each. A 2xx is success. A 429 waits for its
``Retry-After`` (seconds or an HTTP date, capped at ``max_delay``) before the next attempt; a 5xx or
a network error waits ``backoff × 2^(attempt-1)`` (capped). Any other 4xx is the payload's or the
URL's fault and retrying cannot help, so it stops at once. Failures are logged with the channel
name and status, never with the URL (it embeds a secret token for Slack and Discord).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

__all__ = ["DEFAULT_POLICY", "RetryPolicy", "post_json"]

log = logging.getLogger("jutsu.notify")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 3
    timeout_seconds: float = 10.0
    backoff_seconds: float = 1.0
    max_delay_seconds: float = 30.0


DEFAULT_POLICY = RetryPolicy()


def _retry_after(response: httpx.Response, fallback: float) -> float:
    raw = response.headers.get("Retry-After", "").strip()
    if not raw:
        return fallback
    try:
        return max(float(raw), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return fallback
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def post_json(
    channel: str,
    url: str,
    payload: Mapping[str, Any],
    policy: RetryPolicy = DEFAULT_POLICY,
    *,
    sleep: Callable[[float], None] = time.sleep,
    client: httpx.Client | None = None,
) -> bool:
    """POST ``payload`` to ``url``; True once delivered, False after the last failed attempt."""
    own = client is None
    http = client or httpx.Client(timeout=policy.timeout_seconds)
    try:
        for attempt in range(1, max(policy.attempts, 1) + 1):
            delay = min(policy.backoff_seconds * 2 ** (attempt - 1), policy.max_delay_seconds)
            try:
                response = http.post(url, json=payload, timeout=policy.timeout_seconds)
            except httpx.HTTPError as exc:
                log.warning("%s notification attempt %d failed: %s", channel, attempt, type(exc).__name__)
            except Exception as exc:  # a notifier must never break the caller
                log.error("%s notification failed unexpectedly: %s", channel, type(exc).__name__)
                return False
            else:
                status = response.status_code
                if 200 <= status < 300:
                    return True
                if status == 429:
                    delay = min(_retry_after(response, delay), policy.max_delay_seconds)
                elif 400 <= status < 500:
                    log.error("%s notification refused (HTTP %d); not retried", channel, status)
                    return False
                log.warning("%s notification attempt %d got HTTP %d", channel, attempt, status)
            if attempt < policy.attempts:
                sleep(delay)
        log.error("%s notification not delivered after %d attempts", channel, policy.attempts)
        return False
    finally:
        if own:
            http.close()
