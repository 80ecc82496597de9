"""The per-request access check in one round trip: user, token revocation and session family.

Why one query: every authenticated request must see a logout, a revoked session or a disabled
user at once (platform.md §4.1), so nothing here may be cached. Done as three ORM lookups it cost
three round trips and three ORM loads per request — the largest fixed cost of a cheap endpoint.
This is a single Core ``SELECT`` over ``users`` (unique index on ``username``), with the
blacklist as an ``EXISTS`` on the unique ``jti`` index and the token family as a ``LEFT JOIN``
on its primary key. Read-only; the tables keep their owning repositories for writes
(:mod:`~jutsu.data.repositories.users`, :mod:`~jutsu.data.repositories.tokens`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session

from jutsu.data.models import BlacklistedToken, TokenFamily, User

__all__ = ["AccessRow", "access_row"]


@dataclass(frozen=True, slots=True)
class AccessRow:
    """What the access check needs of the token's user and session, read in one statement."""

    user_id: int
    username: str
    role: str
    email: str | None
    is_active: bool
    password_changed_at: dt.datetime | None
    token_revoked: bool
    """The token's ``jti`` is in ``blacklisted_tokens``."""
    family_found: bool
    """A ``token_families`` row with the token's family id exists (``False`` when none was asked)."""
    family_user_id: int | None
    family_revoked_at: dt.datetime | None


_ACCESS = (
    select(
        User.id,
        User.username,
        User.role,
        User.email,
        User.is_active,
        User.password_changed_at,
        exists().where(BlacklistedToken.jti == bindparam("jti")).label("token_revoked"),
        TokenFamily.id,
        TokenFamily.user_id,
        TokenFamily.revoked_at,
    )
    .select_from(User)
    .outerjoin(TokenFamily, TokenFamily.id == bindparam("family"))
    .where(User.username == bindparam("username"))
)


def access_row(session: Session, *, username: str, jti: str, family: str | None) -> AccessRow | None:
    """The user named ``username`` with the revocation state of token ``jti`` in ``family``.

    ``None`` when no such user exists (the caller then cannot tell a revoked token of a deleted
    user from an unknown user; both are rejected). Runs on the session's connection, so it is
    part of the request's transaction.
    """
    row = session.connection().execute(_ACCESS, {"username": username, "jti": jti, "family": family}).first()
    if row is None:
        return None
    return AccessRow(
        user_id=row[0],
        username=row[1],
        role=row[2],
        email=row[3],
        is_active=bool(row[4]),
        password_changed_at=row[5],
        token_revoked=bool(row[6]),
        family_found=row[7] is not None,
        family_user_id=row[8],
        family_revoked_at=row[9],
    )
