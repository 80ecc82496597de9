"""``/api/auth``: login (password, then TOTP or passkey), refresh rotation, logout, me (§3.3)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Cookie, Depends, Form, Request, Response
from pydantic import BaseModel, Field

from jutsu.api.container import Container
from jutsu.api.deps import ClientIp, ContainerDep, CurrentUser, SessionDep, rate_limit
from jutsu.api.services.audit import RequestInfo, request_info_of
from jutsu.api.services.auth import AuthService, LoginChallenge, TokenPair
from jutsu.data.repositories import users as user_repo

__all__ = ["AuthServiceDep", "LoginResponse", "RequestInfoDep", "TokenResponse", "router", "token_response"]

router = APIRouter(prefix="/api/auth", tags=["auth"])

REFRESH_COOKIE = "refresh_token"
login_limit = rate_limit("login", lambda s: s.login_rate_limit)


def request_info(request: Request, ip: ClientIp) -> RequestInfo:
    return request_info_of(request, ip)


RequestInfoDep = Annotated[RequestInfo, Depends(request_info)]


def get_auth_service(
    container: ContainerDep, session: SessionDep, info: RequestInfoDep
) -> Iterator[AuthService]:
    yield from AuthService.scoped(container, session, info)


AuthServiceDep = Annotated[AuthService, Depends(get_auth_service)]


class AuthStatus(BaseModel):
    auth_required: bool
    jwt_available: bool
    message: str


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str | None = Field(
        None, description="null when the refresh token is in the HTTP-only cookie"
    )
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int
    refresh_expires_in: int


class LoginResponse(BaseModel):
    access_token: str | None = None
    refresh_token: str | None = None
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int | None = None
    refresh_expires_in: int | None = None
    requires_2fa: bool = False
    requires_passkey: bool = False
    passkey_options: str | None = Field(None, description="WebAuthn request options (JSON string)")
    username: str | None = None
    login_ticket: str | None = Field(None, description="single-use, 5 minutes; proves the password step")


class Login2faRequest(BaseModel):
    login_ticket: str | None = Field(None, max_length=2048)
    username: str | None = Field(None, max_length=50)
    password: str | None = Field(None, max_length=1024)
    totp_code: str = Field(min_length=1, max_length=32)


class RefreshRequest(BaseModel):
    refresh_token: str | None = Field(None, max_length=4096)


class MessageResponse(BaseModel):
    message: str


class MePublic(BaseModel):
    username: str
    email: str | None
    is_admin: bool
    role: str
    last_login: datetime | None
    permissions: list[str]
    auth_method: str | None


def token_response(container: Container, pair: TokenPair, response: Response) -> TokenResponse:
    """The JSON body, or the cookie + body without the refresh token in cookie mode (§4.1)."""
    settings = container.settings
    refresh: str | None = pair.refresh.token
    if settings.use_secure_cookies:
        response.set_cookie(
            REFRESH_COOKIE,
            pair.refresh.token,
            max_age=container.tokens.refresh_seconds,
            path="/api/auth",
            secure=settings.cookie_secure,
            httponly=True,
            samesite=settings.cookie_samesite,
            domain=settings.cookie_domain,
        )
        refresh = None
    return TokenResponse(
        access_token=pair.access.token,
        refresh_token=refresh,
        expires_in=pair.access.expires_in,
        refresh_expires_in=pair.refresh.expires_in,
    )


def _login_response(
    container: Container, outcome: TokenPair | LoginChallenge, response: Response
) -> LoginResponse:
    if isinstance(outcome, LoginChallenge):
        return LoginResponse(
            requires_2fa=outcome.requires_2fa,
            requires_passkey=outcome.requires_passkey,
            passkey_options=outcome.passkey_options,
            username=outcome.username,
            login_ticket=outcome.login_ticket,
        )
    return LoginResponse(**token_response(container, outcome, response).model_dump())


@router.get("/status", summary="Whether login is required")
def auth_status(container: ContainerDep) -> AuthStatus:
    required = container.settings.auth_required
    message = "Authentication required" if required else "Authentication disabled (local development)"
    return AuthStatus(auth_required=required, jwt_available=True, message=message)


@router.post("/login", dependencies=[Depends(login_limit)], summary="Password step of login")
def login(
    username: Annotated[str, Form(max_length=50)],
    password: Annotated[str, Form(max_length=1024)],
    service: AuthServiceDep,
    container: ContainerDep,
    response: Response,
) -> LoginResponse:
    return _login_response(container, service.login(username, password), response)


@router.post("/login-2fa", dependencies=[Depends(login_limit)], summary="Second step: TOTP or backup code")
def login_2fa(
    body: Login2faRequest, service: AuthServiceDep, container: ContainerDep, response: Response
) -> LoginResponse:
    pair = service.login_second_factor(
        code=body.totp_code, ticket=body.login_ticket, username=body.username, password=body.password
    )
    return _login_response(container, pair, response)


@router.post("/refresh", summary="Rotate the refresh token and get a new access token")
def refresh(
    service: AuthServiceDep,
    container: ContainerDep,
    response: Response,
    body: Annotated[RefreshRequest | None, Body()] = None,
    refresh_cookie: Annotated[str | None, Cookie(alias=REFRESH_COOKIE)] = None,
) -> TokenResponse:
    token = body.refresh_token if body and body.refresh_token else None
    if token is None and container.settings.use_secure_cookies:
        token = refresh_cookie
    if not token:
        from jutsu.api.services.auth import unauthorized

        raise unauthorized("Refresh token required")
    return token_response(container, service.refresh(token), response)


@router.post("/logout", summary="Revoke the current session")
def logout(
    user: CurrentUser,
    service: AuthServiceDep,
    container: ContainerDep,
    response: Response,
    body: Annotated[RefreshRequest | None, Body()] = None,
    refresh_cookie: Annotated[str | None, Cookie(alias=REFRESH_COOKIE)] = None,
) -> MessageResponse:
    token = body.refresh_token if body and body.refresh_token else refresh_cookie
    service.logout(user.username, user.id, user.claims, token)
    if container.settings.use_secure_cookies:
        response.delete_cookie(REFRESH_COOKIE, path="/api/auth", domain=container.settings.cookie_domain)
    return MessageResponse(message="Logged out")


@router.get("/me", summary="The current user")
def me(user: CurrentUser, session: SessionDep) -> MePublic:
    row = user_repo.get_user(session, user.id) if user.id is not None else None
    return MePublic(
        username=user.username,
        email=user.email,
        is_admin=user.is_admin,
        role=user.role,
        last_login=row.last_login if row else None,
        permissions=sorted(p.value for p in user.permissions),
        auth_method=user.auth_method,
    )
