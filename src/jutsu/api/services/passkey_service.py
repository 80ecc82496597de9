"""Passkey registration, listing and revocation for the calling user (platform.md §3.5, §5.7)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from fastapi import HTTPException, status

from jutsu.api.deps import AuthenticatedUser
from jutsu.api.security import passkeys as webauthn
from jutsu.api.security.events import SecurityEventType as E
from jutsu.api.services.audit import AuditedService
from jutsu.api.services.auth import relying_party
from jutsu.data.models import Passkey, User
from jutsu.data.repositories import passkeys as passkey_repo
from jutsu.data.repositories import tokens as token_repo
from jutsu.data.repositories import users as user_repo

__all__ = ["PasskeyService"]

CHALLENGE_TTL = timedelta(minutes=5)


class PasskeyService(AuditedService):
    def _user(self, caller: AuthenticatedUser) -> User:
        user = user_repo.get_user(self.session, caller.id) if caller.id is not None else None
        if user is None:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "Passkeys need a real user account")
        return user

    def list(self, caller: AuthenticatedUser) -> Sequence[Passkey]:
        return passkey_repo.list_passkeys(self.session, self._user(caller).id)

    def register_options(self, caller: AuthenticatedUser, device_name: str | None) -> str:
        user = self._user(caller)
        existing = [k.credential_id for k in passkey_repo.list_passkeys(self.session, user.id)]
        options, challenge = webauthn.registration_options(
            relying_party(self.c), user_id=user.id, username=user.username, exclude=existing
        )
        token_repo.take_challenge(
            self.session, kind="passkey_register", now=datetime.now(UTC), user_id=user.id
        )
        token_repo.add_challenge(
            self.session,
            kind="passkey_register",
            key=base64.urlsafe_b64encode(challenge).decode("ascii"),
            user_id=user.id,
            challenge=challenge,
            device_name=device_name,
            expires_at=datetime.now(UTC) + CHALLENGE_TTL,
        )
        self.session.commit()
        return options

    def register(self, caller: AuthenticatedUser, credential: str, device_name: str | None) -> Passkey:
        user = self._user(caller)
        row = token_repo.take_challenge(
            self.session, kind="passkey_register", now=datetime.now(UTC), user_id=user.id
        )
        self.session.commit()  # single use, even on failure
        if row is None or row.challenge is None:
            raise HTTPException(
                status.HTTP_400_BAD_REQUEST, "No pending passkey registration; request options first"
            )
        try:
            verified = webauthn.verify_registration(relying_party(self.c), credential, row.challenge)
        except webauthn.PasskeyError as exc:
            self.event(E.PASSKEY_AUTH_FAILED, user.username, step="register")
            raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
        if passkey_repo.get_by_credential(self.session, verified.credential_id, user.id) is not None:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "This passkey is already registered")
        passkey = passkey_repo.add_passkey(
            self.session,
            user_id=user.id,
            credential_id=verified.credential_id,
            public_key=verified.public_key,
            sign_count=verified.sign_count,
            aaguid=verified.aaguid,
            device_name=device_name or row.device_name,
        )
        self.session.commit()
        self.event(E.PASSKEY_REGISTERED, user.username, passkey_id=passkey.id)
        return passkey

    def rename(self, caller: AuthenticatedUser, passkey_id: int, device_name: str) -> Passkey:
        user = self._user(caller)
        passkey = self._mine(user, passkey_id)
        passkey.device_name = device_name
        self.session.commit()
        return passkey

    def revoke(self, caller: AuthenticatedUser, passkey_id: int) -> None:
        user = self._user(caller)
        passkey = self._mine(user, passkey_id)
        passkey_repo.delete_passkey(self.session, passkey)
        self.session.commit()
        self.event(E.PASSKEY_REVOKED, user.username, passkey_id=passkey_id)

    def _mine(self, user: User, passkey_id: int) -> Passkey:
        passkey = passkey_repo.get_passkey(self.session, passkey_id, user.id)
        if passkey is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "Passkey not found")
        return passkey
