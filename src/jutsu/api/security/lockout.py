"""Account lockout rules (platform.md §4.2): 10 consecutive failures lock for 30 minutes.

Pure functions over the user's counters, so the rule is testable without a database; the
caller persists the result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["LOCK_DURATION", "MAX_FAILURES", "LockState", "lock_state", "locked_message", "register_failure"]

MAX_FAILURES = 10
LOCK_DURATION = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class LockState:
    """Counters after an event; ``just_locked`` is true when this failure started a lockout."""

    failed_login_count: int
    locked_until: datetime | None
    just_locked: bool = False


def lock_state(failed: int | None, locked_until: datetime | None, now: datetime) -> LockState:
    """Current counters; an expired lockout starts a fresh count."""
    if locked_until is not None and locked_until <= now:
        return LockState(0, None)
    return LockState(failed or 0, locked_until)


def register_failure(failed: int | None, locked_until: datetime | None, now: datetime) -> LockState:
    """Counters after one more failed attempt."""
    current = lock_state(failed, locked_until, now)
    count = current.failed_login_count + 1
    if count >= MAX_FAILURES:
        return LockState(count, now + LOCK_DURATION, just_locked=current.locked_until is None)
    return LockState(count, current.locked_until)


def locked_message(locked_until: datetime, now: datetime) -> str:
    minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
    return (
        f"Account is locked due to too many failed login attempts until {locked_until.isoformat()}. "
        f"Try again in {minutes} minutes."
    )
