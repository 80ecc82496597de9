"""TOTP enrolment, disabling, validation and backup codes (platform.md §3.4, §4.3)."""

from __future__ import annotations

from fastapi import HTTPException, status

from jutsu.api.deps import AuthenticatedUser
from jutsu.api.security import totp
from jutsu.api.security.events import SecurityEventType as E
from jutsu.api.services.audit import AuditedService
from jutsu.api.services.auth import AuthService
from jutsu.data.models import User
from jutsu.data.repositories import users as user_repo

__all__ = ["Enrolment", "TwoFactorService"]


def _bad_request(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_400_BAD_REQUEST, detail)


class Enrolment:
    def __init__(self, secret: str, uri: str) -> None:
        self.secret = secret
        self.uri = uri


class TwoFactorService(AuditedService):
    """Self-service 2FA for the calling user."""

    def _user(self, caller: AuthenticatedUser) -> User:
        user = user_repo.get_user(self.session, caller.id) if caller.id is not None else None
        if user is None:
            raise _bad_request("Two-factor authentication needs a real user account (AUTH_REQUIRED=false)")
        return user

    def status(self, caller: AuthenticatedUser) -> bool:
        return bool(self._user(caller).totp_enabled)

    def setup(self, caller: AuthenticatedUser) -> Enrolment:
        user = self._user(caller)
        if user.totp_enabled:
            raise _bad_request("Two-factor authentication is already enabled")
        secret = totp.new_secret()
        user_repo.update_user(self.session, user, totp_secret=totp.encrypt_secret(self.c.totp_fernet, secret))
        self.session.commit()
        return Enrolment(secret, totp.provisioning_uri(secret, user.username))

    def verify(self, caller: AuthenticatedUser, code: str) -> list[str]:
        """Turn 2FA on with a first valid code; returns the 10 plaintext backup codes (shown once)."""
        user = self._user(caller)
        if user.totp_enabled or not user.totp_secret:
            raise _bad_request("No pending two-factor setup; call /api/2fa/setup first")
        secret = totp.decrypt_secret(self.c.totp_fernet, user.totp_secret)
        if secret is None or not totp.verify_totp(secret, code):
            self.event(E.TWO_FA_FAILURE, user.username, step="verify")
            raise _bad_request("Invalid authentication code")
        codes = self._new_codes(user)
        user_repo.update_user(self.session, user, totp_enabled=True)
        self.session.commit()
        self.event(E.TWO_FA_ENABLED, user.username)
        return codes

    def disable(self, caller: AuthenticatedUser, password: str, code: str) -> None:
        user = self._user(caller)
        if not self.c.passwords.verify(password, user.password_hash):
            self.event(E.LOGIN_FAILURE, user.username, reason="wrong_password_2fa_disable")
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid password")
        if not user.totp_enabled:
            raise _bad_request("Two-factor authentication is not enabled")
        if not AuthService(self.c, self.session, self.info).check_code(user, code, allow_backup=False):
            self.event(E.TWO_FA_FAILURE, user.username, step="disable")
            raise _bad_request("Invalid authentication code")
        user_repo.update_user(self.session, user, totp_enabled=False, totp_secret=None, backup_codes=None)
        self.session.commit()
        self.event(E.TWO_FA_DISABLED, user.username)

    def regenerate(self, caller: AuthenticatedUser, code: str) -> list[str]:
        user = self._user(caller)
        if not user.totp_enabled:
            raise _bad_request("Two-factor authentication is not enabled")
        if not AuthService(self.c, self.session, self.info).check_code(user, code, allow_backup=False):
            self.event(E.TWO_FA_FAILURE, user.username, step="backup_codes")
            raise _bad_request("Invalid authentication code")
        codes = self._new_codes(user)
        self.session.commit()
        return codes

    def validate(self, username: str, code: str) -> bool:
        """Public helper: never reveals whether the user exists; consumes a matching backup code."""
        user = user_repo.get_user_by_username(self.session, username)
        if user is None or not user.totp_enabled or not user.is_active:
            self.c.passwords.dummy_verify()
            self.event(E.TWO_FA_FAILURE, username, step="validate")
            return False
        ok = AuthService(self.c, self.session, self.info).check_code(user, code, allow_backup=True)
        self.session.commit()
        self.event(E.TWO_FA_SUCCESS if ok else E.TWO_FA_FAILURE, username, step="validate")
        return ok

    def _new_codes(self, user: User) -> list[str]:
        codes = totp.generate_backup_codes()
        hashes = [self.c.passwords.hash(totp.normalize_code(c)) for c in codes]
        user_repo.update_user(self.session, user, backup_codes=hashes)
        return codes
