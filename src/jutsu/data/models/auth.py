"""Authentication tables (platform.md §2.3): users, passkeys, revoked tokens, invitations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, LargeBinary, String, false, text, true
from sqlalchemy.orm import Mapped, mapped_column

from jutsu.data.models.base import Base, in_list, now_column
from jutsu.data.types import JSONType, UTCDateTime

__all__ = ["ROLES", "BlacklistedToken", "Passkey", "User", "UserInvitation"]

ROLES = ("admin", "viewer")


class User(Base):
    """A dashboard/API user; ``role`` is ``admin`` or ``viewer``."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(in_list("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(50), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255), unique=True)
    is_active: Mapped[bool | None] = mapped_column(Boolean, server_default=true(), default=True)
    role: Mapped[str] = mapped_column(String(20), server_default="viewer", default="viewer", index=True)
    failed_login_count: Mapped[int | None] = mapped_column(Integer, server_default=text("0"), default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = now_column()
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    totp_enabled: Mapped[bool | None] = mapped_column(Boolean, server_default=false(), default=False)
    backup_codes: Mapped[Any | None] = mapped_column(JSONType)


class Passkey(Base):
    """A WebAuthn credential; deleted with its user."""

    __tablename__ = "passkeys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[bytes] = mapped_column(LargeBinary, unique=True, index=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(Integer, server_default=text("0"), default=0)
    device_name: Mapped[str | None] = mapped_column(String(100))
    aaguid: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = now_column()
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class BlacklistedToken(Base):
    """A revoked JWT, kept until its original expiry."""

    __tablename__ = "blacklisted_tokens"
    __table_args__ = (CheckConstraint(in_list("token_type", ("access", "refresh")), name="token_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    jti: Mapped[str] = mapped_column(String(36), unique=True, index=True)
    token_type: Mapped[str] = mapped_column(String(10))
    blacklisted_at: Mapped[datetime] = now_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))


class UserInvitation(Base):
    """A one-time invitation; ``token`` is the SHA-256 hex digest of the secret sent to the invitee."""

    __tablename__ = "user_invitations"
    __table_args__ = (CheckConstraint(in_list("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str | None] = mapped_column(String(255), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    role: Mapped[str] = mapped_column(String(20), server_default="viewer", default="viewer")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = now_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
