"""The only code that reads or writes ``passkeys`` (platform.md §2.3)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jutsu.data.models import Passkey

__all__ = [
    "add_passkey",
    "count_passkeys",
    "delete_passkey",
    "get_by_credential",
    "get_passkey",
    "list_passkeys",
    "record_use",
]


def list_passkeys(session: Session, user_id: int) -> Sequence[Passkey]:
    return session.scalars(select(Passkey).where(Passkey.user_id == user_id).order_by(Passkey.id)).all()


def count_passkeys(session: Session, user_id: int) -> int:
    return int(
        session.scalar(select(func.count()).select_from(Passkey).where(Passkey.user_id == user_id)) or 0
    )


def get_passkey(session: Session, passkey_id: int, user_id: int) -> Passkey | None:
    """A passkey only if it belongs to ``user_id`` (no cross-user access)."""
    return session.scalar(select(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == user_id))


def get_by_credential(session: Session, credential_id: bytes, user_id: int) -> Passkey | None:
    return session.scalar(
        select(Passkey).where(Passkey.credential_id == credential_id, Passkey.user_id == user_id)
    )


def add_passkey(
    session: Session,
    *,
    user_id: int,
    credential_id: bytes,
    public_key: bytes,
    sign_count: int,
    aaguid: str | None,
    device_name: str | None,
) -> Passkey:
    row = Passkey(
        user_id=user_id,
        credential_id=credential_id,
        public_key=public_key,
        sign_count=sign_count,
        aaguid=aaguid,
        device_name=device_name,
    )
    session.add(row)
    session.flush()
    return row


def record_use(session: Session, passkey: Passkey, *, sign_count: int, at: datetime) -> None:
    passkey.sign_count = sign_count
    passkey.last_used_at = at
    session.flush()


def delete_passkey(session: Session, passkey: Passkey) -> None:
    session.delete(passkey)
    session.flush()
