"""Server-side session state for the API (added for issue #5; not in platform.md §2.3).

* ``token_families`` — one row per login session; every rotated refresh token and every access
  token carries the family id, so revoking the family (logout everywhere, refresh-token reuse)
  ends the whole session at once (§4.1).
* ``refresh_tokens`` — each refresh token issued; ``used_at`` is set when it is rotated, so a
  second presentation is detected as reuse.
* ``auth_challenges`` — short-lived single-use server state: login tickets and WebAuthn
  challenges (§4.4: stored server-side, 5 minutes, bound to the user and ticket, deleted after use).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from jutsu.data.models.base import Base, in_list, now_column
from jutsu.data.types import UTCDateTime

__all__ = ["CHALLENGE_KINDS", "AuthChallenge", "RefreshToken", "TokenFamily"]

CHALLENGE_KINDS = ("login_ticket", "passkey_register", "passkey_auth")


class TokenFamily(Base):
    """A login session: the chain of rotated refresh tokens and their access tokens."""

    __tablename__ = "token_families"
    __table_args__ = (CheckConstraint(in_list("auth_method", ("password", "passkey")), name="auth_method"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    auth_method: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = now_column()
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(32))


class RefreshToken(Base):
    """One issued refresh token (by ``jti``); ``used_at`` marks it rotated."""

    __tablename__ = "refresh_tokens"

    jti: Mapped[str] = mapped_column(String(36), primary_key=True)
    family_id: Mapped[str] = mapped_column(ForeignKey("token_families.id", ondelete="CASCADE"), index=True)
    issued_at: Mapped[datetime] = now_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuthChallenge(Base):
    """A single-use, expiring secret bound to a user (login ticket or WebAuthn challenge)."""

    __tablename__ = "auth_challenges"
    __table_args__ = (CheckConstraint(in_list("kind", CHALLENGE_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(128), unique=True, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    challenge: Mapped[bytes | None] = mapped_column(LargeBinary)
    ticket_jti: Mapped[str | None] = mapped_column(String(36))
    device_name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = now_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
