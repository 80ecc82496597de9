"""User administration, invitations and password change (platform.md §3.6, §4.6, §5.8)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from fastapi import HTTPException, status

from jutsu.api.deps import AuthenticatedUser
from jutsu.api.security.events import SecurityEventType as E
from jutsu.api.services.audit import AuditedService
from jutsu.data.models import User, UserInvitation
from jutsu.data.repositories import invitations as invitation_repo
from jutsu.data.repositories import tokens as token_repo
from jutsu.data.repositories import users as user_repo

__all__ = ["UserService", "hash_invitation_token", "invitation_status"]


def _bad(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_400_BAD_REQUEST, detail)


def hash_invitation_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invitation_status(inv: UserInvitation, now: datetime) -> str:
    if inv.accepted_at is not None:
        return "accepted"
    return "expired" if inv.expires_at <= now else "pending"


class UserService(AuditedService):
    # -- admin ----------------------------------------------------------------------------

    def list(self) -> tuple[Sequence[User], int]:
        return user_repo.list_users(self.session), self.c.settings.max_users

    def get(self, user_id: int) -> User:
        user = user_repo.get_user(self.session, user_id)
        if user is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "User not found")
        return user

    def update(
        self, caller: AuthenticatedUser, user_id: int, role: str | None, is_active: bool | None
    ) -> User:
        user = self.get(user_id)
        demotes = (role is not None and role != "admin") or is_active is False
        if demotes and user.id == caller.id:
            raise _bad("You cannot demote or deactivate yourself")
        if (
            demotes
            and user.role == "admin"
            and user.is_active
            and user_repo.count_active_admins(self.session) <= 1
        ):
            raise _bad("At least one active admin must remain")
        values: dict[str, object] = {}
        if role is not None:
            values["role"] = role
        if is_active is not None:
            values["is_active"] = is_active
        user_repo.update_user(self.session, user, **values)
        if is_active is False:
            token_repo.revoke_user_families(self.session, user.id, at=datetime.now(UTC), reason="disabled")
        self.session.commit()
        self.event(E.USER_UPDATED, caller.username, target=user.username, role=role, is_active=is_active)
        return user

    def delete(self, caller: AuthenticatedUser, user_id: int) -> None:
        user = self.get(user_id)
        if user.id == caller.id:
            raise _bad("You cannot delete yourself")
        if user.role == "admin" and user.is_active and user_repo.count_active_admins(self.session) <= 1:
            raise _bad("The last admin cannot be deleted")
        user_repo.delete_user(self.session, user)
        self.session.commit()
        self.event(E.USER_DELETED, caller.username, target=user.username)

    def unlock(self, caller: AuthenticatedUser, user_id: int) -> User:
        user = self.get(user_id)
        user_repo.update_user(self.session, user, failed_login_count=0, locked_until=None)
        self.session.commit()
        self.event(E.USER_UPDATED, caller.username, target=user.username, action="unlock")
        return user

    # -- self -----------------------------------------------------------------------------

    def change_password(self, caller: AuthenticatedUser, current: str, new: str) -> None:
        user = user_repo.get_user(self.session, caller.id) if caller.id is not None else None
        if user is None:
            raise _bad("Password change needs a real user account")
        if not self.c.passwords.verify(current, user.password_hash):
            self.event(E.ACCESS_DENIED, user.username, reason="wrong_current_password")
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Current password is incorrect")
        now = datetime.now(UTC)
        user_repo.update_user(
            self.session, user, password_hash=self.c.passwords.hash(new), password_changed_at=now
        )
        token_repo.revoke_user_families(self.session, user.id, at=now, reason="password_changed")
        self.session.commit()
        self.event(E.PASSWORD_CHANGED, user.username)

    # -- invitations ----------------------------------------------------------------------

    def invite(self, caller: AuthenticatedUser, email: str | None, role: str) -> tuple[str, UserInvitation]:
        if user_repo.count_users(self.session) >= self.c.settings.max_users:
            raise _bad(f"User limit reached ({self.c.settings.max_users} users)")
        token = secrets.token_urlsafe(32)
        inv = invitation_repo.create_invitation(
            self.session,
            token_hash=hash_invitation_token(token),
            email=email,
            role=role,
            created_by=caller.id,
            expires_at=datetime.now(UTC) + timedelta(hours=self.c.settings.invitation_expiry_hours),
        )
        self.session.commit()
        self.event(E.USER_INVITED, caller.username, invitation_id=inv.id, role=role)
        return token, inv

    def list_invitations(self) -> Sequence[tuple[UserInvitation, str | None]]:
        return invitation_repo.list_invitations(self.session)

    def revoke_invitation(self, caller: AuthenticatedUser, invitation_id: int) -> None:
        inv = invitation_repo.get_invitation(self.session, invitation_id)
        if inv is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "Invitation not found")
        if inv.accepted_at is not None:
            raise _bad("An accepted invitation cannot be revoked")
        invitation_repo.delete_invitation(self.session, inv)
        self.session.commit()
        self.event(E.USER_UPDATED, caller.username, action="invitation_revoked", invitation_id=invitation_id)

    def check_invitation(self, token: str) -> UserInvitation:
        inv = invitation_repo.get_by_token_hash(self.session, hash_invitation_token(token))
        if inv is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "Invalid invitation link")
        state = invitation_status(inv, datetime.now(UTC))
        if state == "accepted":
            raise _bad("This invitation has already been used")
        if state == "expired":
            raise _bad("This invitation has expired")
        return inv

    def accept(self, token: str, username: str, password: str, email: str | None) -> User:
        """Create the account and mark the invitation used, in one transaction."""
        inv = self.check_invitation(token)
        if user_repo.count_users(self.session) >= self.c.settings.max_users:
            raise _bad(f"User limit reached ({self.c.settings.max_users} users)")
        if user_repo.get_user_by_username(self.session, username) is not None:
            raise _bad("Username is already taken")
        address = email or inv.email
        if address and user_repo.email_taken(self.session, address):
            raise _bad("Email is already in use")
        now = datetime.now(UTC)
        user = user_repo.create_user(
            self.session,
            username=username,
            password_hash=self.c.passwords.hash(password),
            role=inv.role,
            email=address,
            password_changed_at=now,
        )
        inv.accepted_at = now
        inv.accepted_by = user.id
        self.session.commit()
        self.event(E.USER_CREATED, username, role=inv.role, invitation_id=inv.id)
        return user
