"""Per-client-IP rate limits (platform.md §4.7) on slowapi's limiter, one instance per app.

slowapi's ``@limiter.limit`` decorator needs a module-level limiter; the platform forbids
module-level state, so the app factory builds a :class:`RateLimits` (wrapping a slowapi
``Limiter`` and its moving-window backend) and routes ask for a hit through a dependency
(``jutsu.api.deps.rate_limit``). The moving window makes "the 6th attempt within any 60 s" exact.
"""

from __future__ import annotations

from limits import RateLimitItem, parse
from slowapi import Limiter
from starlette.requests import Request

from jutsu.errors import ConfigError

__all__ = ["RateLimits"]


def _unused_key(_request: Request) -> str:  # slowapi requires a key function; we pass keys explicitly
    return "unused"


class RateLimits:
    """In-memory, per-process counters keyed by (scope, client IP)."""

    def __init__(self, *, enabled: bool = True) -> None:
        self._limiter = Limiter(
            key_func=_unused_key, storage_uri="memory://", strategy="moving-window", enabled=enabled
        )
        self._items: dict[str, RateLimitItem] = {}
        self.enabled = enabled

    def item(self, limit: str) -> RateLimitItem:
        """Parse ``limit`` (``"5/minute"``) once.

        Raises:
            ConfigError: the text is not a rate limit.
        """
        cached = self._items.get(limit)
        if cached is None:
            try:
                cached = parse(limit)
            except ValueError:
                raise ConfigError(f"invalid rate limit {limit!r} (expected e.g. '5/minute')") from None
            self._items[limit] = cached
        return cached

    def hit(self, limit: str, scope: str, key: str) -> bool:
        """Count one request of ``key`` in ``scope``; ``False`` when over ``limit``."""
        if not self.enabled:
            return True
        return bool(self._limiter.limiter.hit(self.item(limit), scope, key))

    def reset(self) -> None:
        """Forget every counter (admin tooling and tests)."""
        self._limiter.reset()
