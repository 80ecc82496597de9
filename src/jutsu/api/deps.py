"""FastAPI dependencies: typed ``Annotated`` aliases over the per-app service container.

Use in routers::

    router = APIRouter(prefix="/api/trades", tags=["trades"])

    @router.get("", dependencies=[Depends(require_permission(Permission.TRADES_READ))])
    def list_trades(session: SessionDep) -> TradesPublic: ...

    @router.get("/me")                       # any logged-in user ("auth" in the catalogue)
    def me(user: CurrentUser) -> UserPublic: ...

Every non-public route MUST depend on ``require_permission(...)`` or ``CurrentUser``; the
all-routes authorisation test reads these dependencies to know what each route requires.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Annotated

import anyio
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from jutsu.api.container import Container
from jutsu.api.permissions import Permission, permissions_for
from jutsu.api.security.client_ip import client_ip
from jutsu.api.security.events import SecurityEventType
from jutsu.api.security.tokens import AuthMethod, TokenClaims, TokenError
from jutsu.config import Settings
from jutsu.data.repositories import tokens as token_repo
from jutsu.data.repositories.access import access_row
from jutsu.events import EventBus

__all__ = [
    "AuthenticatedUser",
    "ClientIp",
    "ContainerDep",
    "CurrentUser",
    "EventBusDep",
    "PermissionRequirement",
    "RateLimit",
    "SessionDep",
    "SettingsDep",
    "get_container",
    "get_current_user",
    "get_session",
    "rate_limit",
    "require_permission",
]

log = logging.getLogger(__name__)

_bearer = HTTPBearer(auto_error=False, description="Access token from POST /api/auth/login")


async def get_container(request: Request) -> Container:
    """The container built by the app's lifespan (503 if startup has not completed).

    Pure lookups like this one are ``async``: FastAPI runs sync dependencies in the thread
    pool, one hop per dependency per request, which under load cost more than the lookup.
    """
    container: Container | None = getattr(request.app.state, "container", None)
    if container is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "Service is starting")
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


async def get_settings(container: ContainerDep) -> Settings:
    return container.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_event_bus(container: ContainerDep) -> EventBus:
    return container.bus


EventBusDep = Annotated[EventBus, Depends(get_event_bus)]


async def get_session(container: ContainerDep) -> AsyncIterator[Session]:
    """One session per request; services commit, anything uncommitted is rolled back at the end.

    Opening a ``Session`` does no I/O (it connects on first use), so it is opened here on the
    event loop; only the close (which returns the connection to the pool, a rollback) goes to
    the thread pool — shielded, so a client that disconnects cannot leak the connection.
    """
    session = container.sessions()
    try:
        yield session
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(session.close)


SessionDep = Annotated[Session, Depends(get_session)]


async def get_client_ip(request: Request, container: ContainerDep) -> str:
    """The client address, honouring forwarding headers only from trusted proxies (§4.7)."""
    peer = request.client.host if request.client else None
    return client_ip(peer, request.headers, container.trusted_proxies)


ClientIp = Annotated[str, Depends(get_client_ip)]


@dataclass(frozen=True, slots=True)
class AuthenticatedUser:
    """The caller of a request: the database user (role read now) and the token it presented."""

    id: int | None
    username: str
    role: str
    email: str | None
    permissions: frozenset[Permission]
    auth_method: AuthMethod | None
    claims: TokenClaims | None
    token: str | None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


LOCAL_ADMIN = AuthenticatedUser(
    id=None,
    username="local-admin",
    role="admin",
    email=None,
    permissions=permissions_for("admin"),
    auth_method=None,
    claims=None,
    token=None,
)
"""The identity of every request when ``AUTH_REQUIRED=false`` (local development only)."""


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})


def get_current_user(
    request: Request,
    container: ContainerDep,
    session: SessionDep,
    ip: ClientIp,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> AuthenticatedUser:
    """Validate the bearer access token (§4.1) and load the user.

    The user, the blacklist entry of the token's ``jti`` and its session family are read in one
    indexed statement (:func:`~jutsu.data.repositories.access.access_row`), never cached, so a
    logout or a revoked session takes effect on the next request.

    Raises:
        HTTPException: 401 for a missing, forged, expired, revoked or wrong-type token, an
            unknown or disabled user, or a token older than the last password change.
    """
    if not container.settings.auth_required:
        return LOCAL_ADMIN
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("Not authenticated")
    user_agent = request.headers.get("user-agent")

    def reject(reason: str, username: str | None = None) -> HTTPException:
        kind = SecurityEventType.TOKEN_EXPIRED if reason == "expired" else SecurityEventType.TOKEN_INVALID
        container.security.record(
            kind, username=username, ip_address=ip, user_agent=user_agent, details={"reason": reason}
        )
        return _unauthorized("Token has expired" if reason == "expired" else "Could not validate credentials")

    try:
        claims = container.tokens.decode(credentials.credentials, "access")
    except TokenError as exc:
        raise reject(exc.reason) from None
    row = access_row(session, username=claims.sub, jti=claims.jti, family=claims.family)
    if row is None:  # unknown user: say "revoked" if it was (the reason only feeds the security log)
        raise reject(
            "revoked" if token_repo.is_blacklisted(session, claims.jti) else "inactive_or_unknown_user",
            claims.sub,
        )
    if row.token_revoked:
        raise reject("revoked", claims.sub)
    if not row.is_active:
        raise reject("inactive_or_unknown_user", claims.sub)
    if row.password_changed_at is not None and claims.iat < row.password_changed_at.timestamp():
        raise reject("issued_before_password_change", claims.sub)
    if claims.family is not None and (
        not row.family_found or row.family_revoked_at is not None or row.family_user_id != row.user_id
    ):
        raise reject("session_revoked", claims.sub)
    return AuthenticatedUser(
        id=row.user_id,
        username=row.username,
        role=row.role,
        email=row.email,
        permissions=permissions_for(row.role),
        auth_method=claims.auth_method,
        claims=claims,
        token=credentials.credentials,
    )


CurrentUser = Annotated[AuthenticatedUser, Depends(get_current_user)]


class PermissionRequirement:
    """Dependency checking that the caller holds ``permission`` (403 otherwise, §4.5).

    A class (not a closure) so tools and tests can read ``.permission`` off a route's dependencies.
    """

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(
        self, request: Request, user: CurrentUser, container: ContainerDep
    ) -> AuthenticatedUser:
        """``async``: the check is a set lookup; only a denial writes (in the thread pool)."""
        if self.permission not in user.permissions:
            peer = request.client.host if request.client else None
            await anyio.to_thread.run_sync(
                lambda: container.security.record(
                    SecurityEventType.ACCESS_DENIED,
                    username=user.username,
                    ip_address=client_ip(peer, request.headers, container.trusted_proxies),
                    user_agent=request.headers.get("user-agent"),
                    details={"permission": self.permission.value, "path": request.url.path},
                )
            )
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"Permission denied. Required: {self.permission.value}"
            )
        return user

    def __repr__(self) -> str:
        return f"require_permission({self.permission.value!r})"


@cache
def require_permission(permission: Permission) -> PermissionRequirement:
    """The dependency for ``permission`` (one instance per permission, so FastAPI caches it per request)."""
    return PermissionRequirement(permission)


class RateLimit:
    """Dependency counting a request against ``limit`` per client IP in ``scope`` (429 beyond).

    ``limit`` is a literal (``"5/minute"``) or a callable reading it from settings
    (``lambda s: s.login_rate_limit``) so the value stays configurable per app.
    """

    def __init__(
        self, scope: str, limit: str | Callable[[Settings], str], *, per_route: bool = False
    ) -> None:
        self.scope = scope
        self.limit = limit
        self.per_route = per_route

    def __call__(self, request: Request, container: ContainerDep, ip: ClientIp) -> None:
        limit = self.limit(container.settings) if callable(self.limit) else self.limit
        scope = self.scope
        if self.per_route:  # one budget per endpoint (route template, so ids cannot multiply it)
            route = request.scope.get("route")
            scope = f"{scope} {request.method} {getattr(route, 'path', request.url.path)}"
        if container.rate_limits.hit(limit, scope, ip):
            return
        container.security.record(
            SecurityEventType.RATE_LIMITED,
            ip_address=ip,
            user_agent=request.headers.get("user-agent"),
            details={"scope": self.scope, "limit": limit, "path": request.url.path},
        )
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, f"Rate limit exceeded: {limit}")


def rate_limit(scope: str, limit: str | Callable[[Settings], str], *, per_route: bool = False) -> RateLimit:
    """Shorthand: ``dependencies=[Depends(rate_limit("login", lambda s: s.login_rate_limit))]``.

    Routes sharing a ``scope`` share one budget unless ``per_route`` is set.
    """
    return RateLimit(scope, limit, per_route=per_route)


def utcnow() -> datetime:
    return datetime.now(UTC)
