"""The only code that reads or writes ``users`` (platform.md §2.3)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jutsu.data.models import User

__all__ = [
    "count_active_admins",
    "count_users",
    "create_user",
    "delete_user",
    "email_taken",
    "get_user",
    "get_user_by_username",
    "list_users",
    "update_user",
]


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def get_user_by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def email_taken(session: Session, email: str) -> bool:
    return session.scalar(select(func.count()).select_from(User).where(User.email == email)) != 0


def count_users(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(User)) or 0)


def count_active_admins(session: Session) -> int:
    query = select(func.count()).select_from(User).where(User.role == "admin", User.is_active.is_(True))
    return int(session.scalar(query) or 0)


def list_users(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.id)).all()


def create_user(
    session: Session,
    *,
    username: str,
    password_hash: str,
    role: str,
    email: str | None = None,
    password_changed_at: datetime | None = None,
) -> User:
    """Add a user and flush so ``id`` is known (the caller commits)."""
    user = User(
        username=username,
        password_hash=password_hash,
        role=role,
        email=email,
        is_active=True,
        failed_login_count=0,
        totp_enabled=False,
        password_changed_at=password_changed_at,
    )
    session.add(user)
    session.flush()
    return user


def update_user(session: Session, user: User, **values: Any) -> User:
    """Set attributes of ``user`` (only known columns) and flush."""
    for name, value in values.items():
        if not hasattr(User, name):
            raise AttributeError(f"users has no column {name}")
        setattr(user, name, value)
    session.flush()
    return user


def delete_user(session: Session, user: User) -> None:
    session.delete(user)
    session.flush()
