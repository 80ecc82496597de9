"""Password hashing with bcrypt, called directly (platform.md §4.2; passlib is incompatible).

Cost is ``BCRYPT_ROUNDS`` (default 12). bcrypt only reads 72 bytes, so longer passwords are
rejected by the request models instead of being silently truncated. ``dummy_verify`` spends the
same time as a real check so an unknown username is not revealed by a faster answer.
"""

from __future__ import annotations

import hmac

import bcrypt

__all__ = ["MAX_PASSWORD_BYTES", "MIN_PASSWORD_LENGTH", "PasswordHasher"]

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_BYTES = 72


class PasswordHasher:
    """bcrypt hashing at a fixed cost (one instance per app)."""

    def __init__(self, rounds: int = 12) -> None:
        self.rounds = rounds
        self._dummy = bcrypt.hashpw(b"dummy-password-for-timing", bcrypt.gensalt(rounds))

    def hash(self, password: str) -> str:
        """The bcrypt hash of ``password``.

        Raises:
            ValueError: longer than 72 bytes in UTF-8.
        """
        raw = password.encode("utf-8")
        if len(raw) > MAX_PASSWORD_BYTES:
            raise ValueError(f"password longer than {MAX_PASSWORD_BYTES} bytes")
        return bcrypt.hashpw(raw, bcrypt.gensalt(self.rounds)).decode("ascii")

    def verify(self, password: str, hashed: str, *, allow_plaintext: bool = False) -> bool:
        """True when ``password`` matches ``hashed``; malformed hashes and long input never match.

        ``allow_plaintext`` accepts a legacy plaintext entry (backup codes only, §4.3), compared
        in constant time.
        """
        raw = password.encode("utf-8")
        if len(raw) > MAX_PASSWORD_BYTES:
            self.dummy_verify()
            return False
        if not hashed.startswith("$2"):
            return allow_plaintext and hmac.compare_digest(raw, hashed.encode("utf-8"))
        try:
            return bcrypt.checkpw(raw, hashed.encode("ascii"))
        except ValueError:
            return False

    def dummy_verify(self) -> None:
        """Spend one bcrypt check's worth of time (unknown users, locked accounts)."""
        bcrypt.checkpw(b"not-the-password", self._dummy)
