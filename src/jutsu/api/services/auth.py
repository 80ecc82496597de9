"""Login, second factor, refresh rotation and logout (platform.md §4.1–4.4, §5.6–5.7).

The service owns the transaction: it commits counters (failures, lockout) *before* answering
401, so an attacker cannot roll them back by failing the request. Every outcome is a security
event. Errors are ``HTTPException`` with the spec's messages; nothing here echoes a secret.
"""

# ruff: noqa: S106  (token_type="refresh" names a kind of token, not a password)

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import HTTPException, status

from jutsu.api.container import Container
from jutsu.api.security import lockout, totp
from jutsu.api.security import passkeys as webauthn
from jutsu.api.security.events import SecurityEventType as E
from jutsu.api.security.tokens import AuthMethod, IssuedToken, TokenClaims, TokenError
from jutsu.api.services.audit import AuditedService, RequestInfo
from jutsu.data.models import User
from jutsu.data.repositories import passkeys as passkey_repo
from jutsu.data.repositories import tokens as token_repo
from jutsu.data.repositories import users as user_repo

__all__ = ["AuthService", "LoginChallenge", "RequestInfo", "TokenPair", "relying_party", "unauthorized"]

INVALID_CREDENTIALS = "Invalid username or password"
CHALLENGE_TTL = timedelta(minutes=5)


def unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})


def relying_party(container: Container) -> webauthn.RelyingParty:
    s = container.settings
    return webauthn.RelyingParty(rp_id=s.webauthn_rp_id, rp_name=s.webauthn_rp_name, origin=s.webauthn_origin)


def _utc(moment: float) -> datetime:
    return datetime.fromtimestamp(moment, UTC)


@dataclass(frozen=True, slots=True)
class TokenPair:
    access: IssuedToken
    refresh: IssuedToken


@dataclass(frozen=True, slots=True)
class LoginChallenge:
    """The password step passed; a second factor is needed (§5.6 steps 3–4)."""

    username: str
    login_ticket: str
    requires_2fa: bool
    requires_passkey: bool
    passkey_options: str | None


class AuthService(AuditedService):
    """One request's view of authentication (container + the request's session)."""

    # -- password step --------------------------------------------------------------------

    def login(self, username: str, password: str) -> TokenPair | LoginChallenge:
        """§5.6 steps 1–5."""
        now = datetime.now(UTC)
        user = user_repo.get_user_by_username(self.session, username)
        if user is None:
            self.c.passwords.dummy_verify()
            self.event(E.LOGIN_FAILURE, username, reason="user_not_found")
            raise unauthorized(INVALID_CREDENTIALS)
        self._refuse_if_locked(user, now)
        if not self.c.passwords.verify(password, user.password_hash):
            self._fail(user, now, "invalid_password")
        if not user.is_active:
            self.event(E.LOGIN_FAILURE, username, reason="account_disabled")
            raise unauthorized("Account is disabled")
        keys = passkey_repo.list_passkeys(self.session, user.id)
        if keys or user.totp_enabled:
            return self._challenge(user, [k.credential_id for k in keys], now)
        return self._success(user, "password", now)

    def _refuse_if_locked(self, user: User, now: datetime) -> None:
        state = lockout.lock_state(user.failed_login_count, user.locked_until, now)
        if state.locked_until is not None:
            self.c.passwords.dummy_verify()
            self.event(E.LOGIN_FAILURE, user.username, reason="account_locked")
            raise unauthorized(lockout.locked_message(state.locked_until, now))

    def _fail(self, user: User, now: datetime, reason: str) -> None:
        """Count a failure (commit it), maybe start a lockout, and answer 401."""
        state = lockout.register_failure(user.failed_login_count, user.locked_until, now)
        user_repo.update_user(
            self.session, user, failed_login_count=state.failed_login_count, locked_until=state.locked_until
        )
        self.session.commit()
        self.event(E.LOGIN_FAILURE, user.username, reason=reason, failed_attempts=state.failed_login_count)
        if state.just_locked and state.locked_until is not None:
            self.event(E.ACCOUNT_LOCKED, user.username, locked_until=state.locked_until.isoformat())
            raise unauthorized(lockout.locked_message(state.locked_until, now))
        raise unauthorized(
            "Invalid authentication code" if reason == "invalid_2fa_code" else INVALID_CREDENTIALS
        )

    def _challenge(self, user: User, credentials: list[bytes], now: datetime) -> LoginChallenge:
        ticket = self.c.tokens.issue_login_ticket(user.username)
        token_repo.add_challenge(
            self.session,
            kind="login_ticket",
            key=ticket.claims.jti,
            user_id=user.id,
            expires_at=_utc(ticket.claims.exp),
        )
        options = self._passkey_options(user, credentials, ticket.claims.jti, now) if credentials else None
        self.session.commit()
        return LoginChallenge(
            username=user.username,
            login_ticket=ticket.token,
            requires_2fa=bool(user.totp_enabled),
            requires_passkey=bool(credentials),
            passkey_options=options,
        )

    def _passkey_options(self, user: User, credentials: list[bytes], ticket_jti: str, now: datetime) -> str:
        options, challenge = webauthn.authentication_options(relying_party(self.c), credentials)
        token_repo.add_challenge(
            self.session,
            kind="passkey_auth",
            key=base64.urlsafe_b64encode(challenge).decode("ascii"),
            user_id=user.id,
            challenge=challenge,
            ticket_jti=ticket_jti,
            expires_at=now + CHALLENGE_TTL,
        )
        return options

    def _success(self, user: User, method: AuthMethod, now: datetime) -> TokenPair:
        user_repo.update_user(self.session, user, failed_login_count=0, locked_until=None, last_login=now)
        pair = self.issue_session(user, method)
        self.session.commit()
        self.event(E.LOGIN_SUCCESS, user.username, auth_method=method)
        return pair

    def issue_session(self, user: User, method: AuthMethod, family: str | None = None) -> TokenPair:
        """New access + refresh tokens; a new family unless rotating within ``family``."""
        refresh = self.c.tokens.issue_refresh(user.username, method, family)
        fam = refresh.claims.family
        assert fam is not None
        if family is None:
            token_repo.create_family(self.session, family_id=fam, user_id=user.id, auth_method=method)
        token_repo.add_refresh_token(
            self.session, jti=refresh.claims.jti, family_id=fam, expires_at=_utc(refresh.claims.exp)
        )
        access = self.c.tokens.issue_access(user.username, method, family=fam)
        for issued in (access, refresh):
            self.event(E.TOKEN_CREATED, user.username, token_type=issued.claims.type)
        return TokenPair(access=access, refresh=refresh)

    # -- second step ----------------------------------------------------------------------

    def _ticket_user(self, ticket: str) -> tuple[User, TokenClaims]:
        try:
            claims = self.c.tokens.decode(ticket, "login_ticket")
        except TokenError:
            self.event(E.TOKEN_INVALID, None, reason="login_ticket")
            raise unauthorized("Login ticket is invalid or expired") from None
        row = token_repo.find_challenge(
            self.session, kind="login_ticket", key=claims.jti, now=datetime.now(UTC)
        )
        user = user_repo.get_user_by_username(self.session, claims.sub)
        if row is None or user is None or row.user_id != user.id:
            self.event(E.TOKEN_INVALID, claims.sub, reason="login_ticket_used")
            raise unauthorized("Login ticket is invalid or expired")
        return user, claims

    def _consume_ticket(self, claims: TokenClaims) -> None:
        row = token_repo.find_challenge(
            self.session, kind="login_ticket", key=claims.jti, now=datetime.now(UTC)
        )
        if row is not None:
            token_repo.delete_challenge(self.session, row)

    def login_second_factor(
        self, *, code: str, ticket: str | None, username: str | None, password: str | None
    ) -> TokenPair:
        """§5.6 step 6: TOTP or a backup code after the password step."""
        now = datetime.now(UTC)
        claims: TokenClaims | None = None
        if ticket is not None:
            user, claims = self._ticket_user(ticket)
            self._refuse_if_locked(user, now)
        elif username is not None and password is not None:
            found = user_repo.get_user_by_username(self.session, username)
            if found is None:
                self.c.passwords.dummy_verify()
                self.event(E.LOGIN_FAILURE, username, reason="user_not_found")
                raise unauthorized(INVALID_CREDENTIALS)
            user = found
            self._refuse_if_locked(user, now)
            if not self.c.passwords.verify(password, user.password_hash):
                self._fail(user, now, "invalid_password")
        else:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "Provide login_ticket, or username and password")
        if not user.is_active:
            self.event(E.LOGIN_FAILURE, user.username, reason="account_disabled")
            raise unauthorized("Account is disabled")
        if not user.totp_enabled or not self.check_code(user, code, allow_backup=True):
            self.event(E.TWO_FA_FAILURE, user.username)
            self._fail(user, now, "invalid_2fa_code")
        self.event(E.TWO_FA_SUCCESS, user.username)
        if claims is not None:
            self._consume_ticket(claims)
        return self._success(user, "password", now)

    def check_code(self, user: User, code: str, *, allow_backup: bool) -> bool:
        """TOTP (decrypted first) or, when allowed, a backup code (consumed). Flushes, no commit."""
        if user.totp_secret:
            secret = totp.decrypt_secret(self.c.totp_fernet, user.totp_secret)
            if secret is not None and totp.verify_totp(secret, code):
                return True
        if not allow_backup:
            return False
        normalized = totp.normalize_code(code)
        hashes = list(user.backup_codes or [])
        for index, hashed in enumerate(hashes):
            if isinstance(hashed, str) and self.c.passwords.verify(normalized, hashed, allow_plaintext=True):
                del hashes[index]
                user_repo.update_user(self.session, user, backup_codes=hashes)
                return True
        return False

    # -- passkey login --------------------------------------------------------------------

    def passkey_options_for_ticket(self, ticket: str) -> tuple[str | None, bool]:
        user, claims = self._ticket_user(ticket)
        keys = passkey_repo.list_passkeys(self.session, user.id)
        if not keys:
            return None, False
        options = self._passkey_options(user, [k.credential_id for k in keys], claims.jti, datetime.now(UTC))
        self.session.commit()
        return options, True

    def login_passkey(self, ticket: str, credential: str) -> TokenPair:
        """Verify an assertion bound to the ticket's challenge; tokens with ``auth_method=passkey``."""
        now = datetime.now(UTC)
        user, claims = self._ticket_user(ticket)
        row = token_repo.take_challenge(self.session, kind="passkey_auth", now=now, ticket_jti=claims.jti)
        self.session.commit()  # a challenge is single use, even when verification fails
        failure = "Passkey authentication failed"
        if row is None or row.challenge is None or not user.is_active:
            self.event(E.PASSKEY_AUTH_FAILED, user.username, reason="no_challenge")
            raise unauthorized(failure)
        try:
            cred_id = webauthn.credential_id_of(credential)
        except webauthn.PasskeyError:
            self.event(E.PASSKEY_AUTH_FAILED, user.username, reason="malformed")
            raise unauthorized(failure) from None
        passkey = passkey_repo.get_by_credential(self.session, cred_id, user.id)
        if passkey is None:
            self.event(E.PASSKEY_AUTH_FAILED, user.username, reason="unknown_credential")
            raise unauthorized(failure)
        try:
            count = webauthn.verify_authentication(
                relying_party(self.c),
                credential,
                row.challenge,
                public_key=passkey.public_key,
                sign_count=passkey.sign_count,
            )
        except webauthn.PasskeyError:
            self.event(E.PASSKEY_AUTH_FAILED, user.username, reason="verification_failed")
            raise unauthorized(failure) from None
        passkey_repo.record_use(self.session, passkey, sign_count=count, at=now)
        self._consume_ticket(claims)
        self.event(E.PASSKEY_AUTHENTICATED, user.username, passkey_id=passkey.id)
        return self._success(user, "passkey", now)

    # -- refresh and logout ---------------------------------------------------------------

    def refresh(self, token: str) -> TokenPair:
        """Rotate: a new pair in the same family; reuse of a rotated token revokes the family."""
        now = datetime.now(UTC)
        try:
            claims = self.c.tokens.decode(token, "refresh")
        except TokenError as exc:
            self.event(E.TOKEN_INVALID, None, reason=f"refresh_{exc.reason}")
            raise unauthorized("Invalid or expired refresh token") from None
        stored = token_repo.get_refresh_token(self.session, claims.jti)
        family = token_repo.get_family(self.session, claims.family or "")
        user = user_repo.get_user_by_username(self.session, claims.sub)
        if stored is None or family is None or user is None or family.user_id != user.id:
            self.event(E.TOKEN_INVALID, claims.sub, reason="refresh_unknown")
            raise unauthorized("Invalid or expired refresh token")
        if stored.used_at is not None or token_repo.is_blacklisted(self.session, claims.jti):
            self._reuse_detected(family.id, claims.sub, now)
        if family.revoked_at is not None:
            self.event(E.TOKEN_INVALID, claims.sub, reason="refresh_revoked")
            raise unauthorized("Session has been revoked")
        if not user.is_active or (
            user.password_changed_at is not None and claims.iat < user.password_changed_at.timestamp()
        ):
            self.event(E.TOKEN_INVALID, claims.sub, reason="refresh_user_state")
            raise unauthorized("Invalid or expired refresh token")
        if not token_repo.mark_refresh_used(self.session, claims.jti, at=now):
            self.session.rollback()
            self._reuse_detected(family.id, claims.sub, now)
        token_repo.blacklist(
            self.session, jti=claims.jti, token_type="refresh", expires_at=_utc(claims.exp), user_id=user.id
        )
        pair = self.issue_session(user, claims.auth_method, family=family.id)
        self.session.commit()
        self.event(E.TOKEN_REFRESHED, user.username)
        return pair

    def _reuse_detected(self, family_id: str, username: str, now: datetime) -> None:
        token_repo.revoke_family(self.session, family_id, at=now, reason="refresh_reuse")
        self.session.commit()
        self.event(E.SUSPICIOUS_ACTIVITY, username, reason="refresh_token_reuse", family=family_id)
        raise unauthorized("Refresh token has already been used; the session has been revoked")

    def logout(
        self, username: str, user_id: int | None, access: TokenClaims | None, refresh: str | None
    ) -> None:
        """Blacklist the access token, end its session family, and revoke a supplied refresh token."""
        now = datetime.now(UTC)
        if access is not None:
            token_repo.blacklist(
                self.session,
                jti=access.jti,
                token_type="access",
                expires_at=_utc(access.exp),
                user_id=user_id,
            )
            if access.family:
                token_repo.revoke_family(self.session, access.family, at=now, reason="logout")
        if refresh:
            try:
                claims = self.c.tokens.decode(refresh, "refresh")
            except TokenError:
                claims = None
            if claims is not None and claims.sub == username:
                token_repo.blacklist(
                    self.session,
                    jti=claims.jti,
                    token_type="refresh",
                    expires_at=_utc(claims.exp),
                    user_id=user_id,
                )
                if claims.family:
                    token_repo.revoke_family(self.session, claims.family, at=now, reason="logout")
        self.session.commit()
        self.event(E.TOKEN_REVOKED, username)
        self.event(E.LOGOUT, username)
