"""``/api/passkey``: WebAuthn registration, login, list, rename and revoke (§3.5)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from jutsu.api.deps import ContainerDep, CurrentUser, SessionDep, rate_limit, require_permission
from jutsu.api.permissions import Permission
from jutsu.api.routers.auth import AuthServiceDep, RequestInfoDep, TokenResponse, token_response
from jutsu.api.services.passkey_service import PasskeyService

__all__ = ["router"]

router = APIRouter(prefix="/api/passkey", tags=["passkey"])

SELF_PASSKEY = Depends(require_permission(Permission.SELF_PASSKEY))
LIMIT = Depends(rate_limit("passkey", "5/minute", per_route=True))


def get_service(
    container: ContainerDep, session: SessionDep, info: RequestInfoDep
) -> Iterator[PasskeyService]:
    yield from PasskeyService.scoped(container, session, info)


ServiceDep = Annotated[PasskeyService, Depends(get_service)]


class PasskeyStatus(BaseModel):
    available: bool
    count: int
    message: str


class PasskeyPublic(BaseModel):
    id: int
    device_name: str | None
    created_at: datetime
    last_used_at: datetime | None


class PasskeysPublic(BaseModel):
    passkeys: list[PasskeyPublic]
    count: int


class RegisterOptionsRequest(BaseModel):
    device_name: str | None = Field(None, max_length=100)


class OptionsResponse(BaseModel):
    options: str = Field(description="WebAuthn options as a JSON string")
    message: str


class RegisterRequest(BaseModel):
    credential: str = Field(
        min_length=2, max_length=65536, description="JSON from navigator.credentials.create"
    )
    device_name: str | None = Field(None, max_length=100)


class RegisterResponse(BaseModel):
    success: bool
    passkey_id: int
    message: str


class RenameRequest(BaseModel):
    device_name: str = Field(min_length=1, max_length=100)


class SuccessResponse(BaseModel):
    success: bool
    message: str


class AuthOptionsRequest(BaseModel):
    login_ticket: str = Field(min_length=1, max_length=2048)


class AuthOptionsResponse(BaseModel):
    options: str | None
    has_passkeys: bool
    message: str


class AuthenticateRequest(BaseModel):
    login_ticket: str = Field(min_length=1, max_length=2048)
    credential: str = Field(min_length=2, max_length=65536)


def _public(p: object) -> PasskeyPublic:
    return PasskeyPublic.model_validate(p, from_attributes=True)


@router.get("/status", dependencies=[SELF_PASSKEY], summary="Server support and my passkey count")
def passkey_status(user: CurrentUser, service: ServiceDep) -> PasskeyStatus:
    count = len(service.list(user))
    return PasskeyStatus(available=True, count=count, message=f"{count} passkey(s) registered")


@router.get("/list", dependencies=[SELF_PASSKEY], summary="My passkeys")
def list_passkeys(user: CurrentUser, service: ServiceDep) -> PasskeysPublic:
    keys = [_public(p) for p in service.list(user)]
    return PasskeysPublic(passkeys=keys, count=len(keys))


@router.post("/register-options", dependencies=[SELF_PASSKEY, LIMIT], summary="Begin registration")
def register_options(body: RegisterOptionsRequest, user: CurrentUser, service: ServiceDep) -> OptionsResponse:
    options = service.register_options(user, body.device_name)
    return OptionsResponse(options=options, message="Call navigator.credentials.create with these options")


@router.post("/register", dependencies=[SELF_PASSKEY, LIMIT], summary="Finish registration")
def register(body: RegisterRequest, user: CurrentUser, service: ServiceDep) -> RegisterResponse:
    passkey = service.register(user, body.credential, body.device_name)
    return RegisterResponse(success=True, passkey_id=passkey.id, message="Passkey registered")


@router.post("/authenticate-options", dependencies=[LIMIT], summary="Challenge after the password step")
def authenticate_options(body: AuthOptionsRequest, auth: AuthServiceDep) -> AuthOptionsResponse:
    options, has = auth.passkey_options_for_ticket(body.login_ticket)
    return AuthOptionsResponse(
        options=options,
        has_passkeys=has,
        message="Passkey challenge issued" if has else "No passkeys registered",
    )


@router.post("/authenticate", dependencies=[LIMIT], summary="Verify an assertion and issue tokens")
def authenticate(
    body: AuthenticateRequest, auth: AuthServiceDep, container: ContainerDep, response: Response
) -> TokenResponse:
    return token_response(container, auth.login_passkey(body.login_ticket, body.credential), response)


@router.patch("/{passkey_id}", dependencies=[SELF_PASSKEY, LIMIT], summary="Rename one of my passkeys")
def rename_passkey(
    passkey_id: int, body: RenameRequest, user: CurrentUser, service: ServiceDep
) -> PasskeyPublic:
    return _public(service.rename(user, passkey_id, body.device_name))


@router.delete("/{passkey_id}", dependencies=[SELF_PASSKEY, LIMIT], summary="Revoke one of my passkeys")
def revoke_passkey(passkey_id: int, user: CurrentUser, service: ServiceDep) -> SuccessResponse:
    service.revoke(user, passkey_id)
    return SuccessResponse(success=True, message="Passkey revoked")
