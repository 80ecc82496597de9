"""The only code that reads or writes ``user_invitations`` (platform.md §2.3, §4.6)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from jutsu.data.models import User, UserInvitation

__all__ = [
    "create_invitation",
    "delete_invitation",
    "get_by_token_hash",
    "get_invitation",
    "list_invitations",
]


def create_invitation(
    session: Session,
    *,
    token_hash: str,
    email: str | None,
    role: str,
    created_by: int | None,
    expires_at: datetime,
) -> UserInvitation:
    row = UserInvitation(
        token=token_hash, email=email, role=role, created_by=created_by, expires_at=expires_at
    )
    session.add(row)
    session.flush()
    return row


def get_by_token_hash(session: Session, token_hash: str) -> UserInvitation | None:
    return session.scalar(select(UserInvitation).where(UserInvitation.token == token_hash))


def get_invitation(session: Session, invitation_id: int) -> UserInvitation | None:
    return session.get(UserInvitation, invitation_id)


def list_invitations(session: Session) -> Sequence[tuple[UserInvitation, str | None]]:
    """Every invitation with the inviting admin's username, newest first."""
    inviter = aliased(User)
    rows = session.execute(
        select(UserInvitation, inviter.username)
        .outerjoin(inviter, inviter.id == UserInvitation.created_by)
        .order_by(UserInvitation.created_at.desc(), UserInvitation.id.desc())
    ).all()
    return [(inv, name) for inv, name in rows]


def delete_invitation(session: Session, invitation: UserInvitation) -> None:
    session.delete(invitation)
    session.flush()
