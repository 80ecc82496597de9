"""The only code that reads or writes revoked tokens, token families, refresh tokens and
single-use auth challenges (``blacklisted_tokens``, ``token_families``, ``refresh_tokens``,
``auth_challenges``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from jutsu.data.models import AuthChallenge, BlacklistedToken, RefreshToken, TokenFamily

__all__ = [
    "add_challenge",
    "add_refresh_token",
    "blacklist",
    "create_family",
    "delete_challenge",
    "find_challenge",
    "get_family",
    "get_refresh_token",
    "is_blacklisted",
    "mark_refresh_used",
    "purge_expired",
    "revoke_family",
    "revoke_user_families",
    "take_challenge",
]


def is_blacklisted(session: Session, jti: str) -> bool:
    return session.scalar(select(BlacklistedToken.id).where(BlacklistedToken.jti == jti)) is not None


def blacklist(
    session: Session, *, jti: str, token_type: str, expires_at: datetime, user_id: int | None
) -> None:
    """Revoke one token by ``jti`` until its expiry (idempotent)."""
    if not is_blacklisted(session, jti):
        session.add(BlacklistedToken(jti=jti, token_type=token_type, expires_at=expires_at, user_id=user_id))
        session.flush()


def create_family(session: Session, *, family_id: str, user_id: int, auth_method: str) -> TokenFamily:
    family = TokenFamily(id=family_id, user_id=user_id, auth_method=auth_method)
    session.add(family)
    session.flush()
    return family


def get_family(session: Session, family_id: str) -> TokenFamily | None:
    return session.get(TokenFamily, family_id)


def revoke_family(session: Session, family_id: str, *, at: datetime, reason: str) -> None:
    session.execute(
        update(TokenFamily)
        .where(TokenFamily.id == family_id, TokenFamily.revoked_at.is_(None))
        .values(revoked_at=at, revoked_reason=reason)
    )


def revoke_user_families(session: Session, user_id: int, *, at: datetime, reason: str) -> None:
    """End every session of a user (password change, disable, admin action)."""
    session.execute(
        update(TokenFamily)
        .where(TokenFamily.user_id == user_id, TokenFamily.revoked_at.is_(None))
        .values(revoked_at=at, revoked_reason=reason)
    )


def add_refresh_token(session: Session, *, jti: str, family_id: str, expires_at: datetime) -> None:
    session.add(RefreshToken(jti=jti, family_id=family_id, expires_at=expires_at))
    session.flush()


def get_refresh_token(session: Session, jti: str) -> RefreshToken | None:
    return session.get(RefreshToken, jti)


def mark_refresh_used(session: Session, jti: str, *, at: datetime) -> bool:
    """Mark a refresh token rotated; ``False`` if it already was (a concurrent reuse)."""
    result = session.execute(
        update(RefreshToken).where(RefreshToken.jti == jti, RefreshToken.used_at.is_(None)).values(used_at=at)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def add_challenge(
    session: Session,
    *,
    kind: str,
    key: str,
    user_id: int,
    expires_at: datetime,
    challenge: bytes | None = None,
    ticket_jti: str | None = None,
    device_name: str | None = None,
) -> AuthChallenge:
    """Store a single-use challenge; an older one of the same kind for the same ticket is replaced."""
    if ticket_jti is not None:
        session.execute(
            delete(AuthChallenge).where(AuthChallenge.kind == kind, AuthChallenge.ticket_jti == ticket_jti)
        )
    row = AuthChallenge(
        kind=kind,
        key=key,
        user_id=user_id,
        expires_at=expires_at,
        challenge=challenge,
        ticket_jti=ticket_jti,
        device_name=device_name,
    )
    session.add(row)
    session.flush()
    return row


def take_challenge(
    session: Session,
    *,
    kind: str,
    now: datetime,
    key: str | None = None,
    user_id: int | None = None,
    ticket_jti: str | None = None,
) -> AuthChallenge | None:
    """Find, delete and return the newest matching unexpired challenge (single use)."""
    query = select(AuthChallenge).where(AuthChallenge.kind == kind)
    if key is not None:
        query = query.where(AuthChallenge.key == key)
    if user_id is not None:
        query = query.where(AuthChallenge.user_id == user_id)
    if ticket_jti is not None:
        query = query.where(AuthChallenge.ticket_jti == ticket_jti)
    row = session.scalars(query.order_by(AuthChallenge.id.desc()).limit(1)).first()
    if row is None:
        return None
    session.delete(row)
    session.flush()
    return row if row.expires_at > now else None


def purge_expired(session: Session, *, now: datetime) -> None:
    """Drop expired challenges and blacklist rows (they can no longer matter)."""
    session.execute(delete(AuthChallenge).where(AuthChallenge.expires_at <= now))
    session.execute(delete(BlacklistedToken).where(BlacklistedToken.expires_at <= now))


def find_challenge(session: Session, *, kind: str, key: str, now: datetime) -> AuthChallenge | None:
    """An unexpired challenge by key, left in place (the caller deletes it on success)."""
    row = session.scalar(select(AuthChallenge).where(AuthChallenge.kind == kind, AuthChallenge.key == key))
    return row if row is not None and row.expires_at > now else None


def delete_challenge(session: Session, row: AuthChallenge) -> None:
    session.delete(row)
    session.flush()
