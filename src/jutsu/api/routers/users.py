"""``/api/users`` (admin: users and invitations; self: password) and public ``/api/invitations`` (§3.6)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field, field_validator

from jutsu.api.deps import ContainerDep, CurrentUser, SessionDep, rate_limit, require_permission
from jutsu.api.permissions import Permission
from jutsu.api.routers.auth import RequestInfoDep
from jutsu.api.security.passwords import MAX_PASSWORD_BYTES, MIN_PASSWORD_LENGTH
from jutsu.api.services.users import UserService, invitation_status

__all__ = ["invitations_router", "router"]

router = APIRouter(prefix="/api/users", tags=["users"])
invitations_router = APIRouter(prefix="/api/invitations", tags=["invitations"])

MANAGE = Depends(require_permission(Permission.USERS_MANAGE))
INVITE_LIMIT = Depends(rate_limit("invitations", "10/minute", per_route=True))
Role = Literal["admin", "viewer"]
USERNAME_PATTERN = r"^[A-Za-z0-9_]{3,50}$"
TokenPath = Annotated[str, Path(min_length=1, max_length=128)]


def get_service(container: ContainerDep, session: SessionDep, info: RequestInfoDep) -> Iterator[UserService]:
    yield from UserService.scoped(container, session, info)


ServiceDep = Annotated[UserService, Depends(get_service)]


def _password(value: str) -> str:
    if len(value.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise ValueError(f"password must be at most {MAX_PASSWORD_BYTES} bytes")
    return value


class UserPublic(BaseModel):
    id: int
    username: str
    email: str | None
    role: str
    is_active: bool | None
    last_login: datetime | None
    created_at: datetime
    totp_enabled: bool | None
    locked_until: datetime | None = None


class UsersPublic(BaseModel):
    users: list[UserPublic]
    total: int
    limit: int


class UserUpdate(BaseModel):
    role: Role | None = None
    is_active: bool | None = None


class MessageResponse(BaseModel):
    message: str


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=MIN_PASSWORD_LENGTH)

    _check = field_validator("new_password")(_password)


class InvitationCreate(BaseModel):
    email: str | None = Field(None, max_length=255)
    role: Role = "viewer"


class InvitationCreated(BaseModel):
    token: str = Field(description="shown once")
    invite_url: str
    expires_at: datetime
    role: str


class InvitationPublic(BaseModel):
    id: int
    email: str | None
    role: str
    expires_at: datetime
    created_at: datetime
    accepted: bool
    accepted_at: datetime | None
    invited_by_username: str | None
    status: Literal["pending", "accepted", "expired"]


class InvitationsPublic(BaseModel):
    invitations: list[InvitationPublic]
    total: int


class InvitationCheck(BaseModel):
    valid: bool
    email: str | None
    role: str
    expires_at: datetime


class InvitationAccept(BaseModel):
    username: str = Field(pattern=USERNAME_PATTERN)
    password: str = Field(min_length=MIN_PASSWORD_LENGTH)
    email: str | None = Field(None, max_length=255)

    _check = field_validator("password")(_password)


class InvitationAccepted(BaseModel):
    success: bool
    username: str
    role: str
    message: str


def _user(u: object) -> UserPublic:
    return UserPublic.model_validate(u, from_attributes=True)


@router.get("", dependencies=[MANAGE], summary="List users")
def list_users(service: ServiceDep) -> UsersPublic:
    users, limit = service.list()
    return UsersPublic(users=[_user(u) for u in users], total=len(users), limit=limit)


@router.post("/invite", dependencies=[MANAGE], summary="Create an invitation")
def invite(
    body: InvitationCreate, user: CurrentUser, service: ServiceDep, container: ContainerDep
) -> InvitationCreated:
    token, inv = service.invite(user, body.email, body.role)
    origin = (container.settings.dashboard_url or "").rstrip("/")
    return InvitationCreated(
        token=token,
        invite_url=f"{origin}/accept-invitation?token={token}",
        expires_at=inv.expires_at,
        role=inv.role,
    )


@router.get("/invitations", dependencies=[MANAGE], summary="List invitations")
def list_invitations(service: ServiceDep) -> InvitationsPublic:
    now = datetime.now(UTC)
    items = [
        InvitationPublic(
            id=inv.id,
            email=inv.email,
            role=inv.role,
            expires_at=inv.expires_at,
            created_at=inv.created_at,
            accepted=inv.accepted_at is not None,
            accepted_at=inv.accepted_at,
            invited_by_username=inviter,
            status=invitation_status(inv, now),
        )
        for inv, inviter in service.list_invitations()
    ]
    return InvitationsPublic(invitations=items, total=len(items))


@router.delete("/invitations/{invitation_id}", dependencies=[MANAGE], summary="Revoke a pending invitation")
def revoke_invitation(invitation_id: int, user: CurrentUser, service: ServiceDep) -> MessageResponse:
    service.revoke_invitation(user, invitation_id)
    return MessageResponse(message="Invitation revoked")


@router.put(
    "/me/password",
    dependencies=[Depends(require_permission(Permission.SELF_PASSWORD))],
    summary="Change my password",
)
def change_password(body: PasswordChange, user: CurrentUser, service: ServiceDep) -> MessageResponse:
    service.change_password(user, body.current_password, body.new_password)
    return MessageResponse(message="Password changed; other sessions have been signed out")


@router.get("/{user_id}", dependencies=[MANAGE], summary="One user")
def get_user(user_id: int, service: ServiceDep) -> UserPublic:
    return _user(service.get(user_id))


@router.put("/{user_id}", dependencies=[MANAGE], summary="Change role or active flag")
def update_user(user_id: int, body: UserUpdate, user: CurrentUser, service: ServiceDep) -> UserPublic:
    return _user(service.update(user, user_id, body.role, body.is_active))


@router.delete("/{user_id}", dependencies=[MANAGE], summary="Delete a user")
def delete_user(user_id: int, user: CurrentUser, service: ServiceDep) -> MessageResponse:
    service.delete(user, user_id)
    return MessageResponse(message="User deleted")


@router.post("/{user_id}/unlock", dependencies=[MANAGE], summary="Clear a lockout")
def unlock_user(user_id: int, user: CurrentUser, service: ServiceDep) -> UserPublic:
    return _user(service.unlock(user, user_id))


@invitations_router.get("/{token}", dependencies=[INVITE_LIMIT], summary="Validate an invitation link")
def check_invitation(token: TokenPath, service: ServiceDep) -> InvitationCheck:
    inv = service.check_invitation(token)
    return InvitationCheck(valid=True, email=inv.email, role=inv.role, expires_at=inv.expires_at)


@invitations_router.post("/{token}/accept", dependencies=[INVITE_LIMIT], summary="Create the account")
def accept_invitation(token: TokenPath, body: InvitationAccept, service: ServiceDep) -> InvitationAccepted:
    user = service.accept(token, body.username, body.password, body.email)
    return InvitationAccepted(success=True, username=user.username, role=user.role, message="Account created")
