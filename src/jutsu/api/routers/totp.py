"""``/api/2fa``: TOTP status, enrolment, disabling, validation and backup codes (§3.4)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from jutsu.api.deps import ContainerDep, CurrentUser, SessionDep, rate_limit, require_permission
from jutsu.api.permissions import Permission
from jutsu.api.routers.auth import RequestInfoDep
from jutsu.api.security.totp import qr_code_data_uri
from jutsu.api.services.two_factor import TwoFactorService

__all__ = ["router"]

router = APIRouter(prefix="/api/2fa", tags=["2fa"])

SELF_2FA = Depends(require_permission(Permission.SELF_2FA))
LIMIT = Depends(rate_limit("2fa", "5/minute", per_route=True))


def get_service(
    container: ContainerDep, session: SessionDep, info: RequestInfoDep
) -> Iterator[TwoFactorService]:
    yield from TwoFactorService.scoped(container, session, info)


ServiceDep = Annotated[TwoFactorService, Depends(get_service)]


class TwoFactorStatus(BaseModel):
    enabled: bool
    available: bool
    message: str


class SetupResponse(BaseModel):
    secret: str = Field(description="base32 secret, shown once")
    qr_code: str | None = Field(
        None, description="the provisioning URI as a QR code (data:image/svg+xml;base64,...)"
    )
    provisioning_uri: str
    message: str


class CodeRequest(BaseModel):
    code: str = Field(min_length=1, max_length=32)


class VerifyResponse(BaseModel):
    success: bool
    backup_codes: list[str]
    message: str


class DisableRequest(BaseModel):
    password: str = Field(min_length=1, max_length=1024)
    code: str = Field(min_length=1, max_length=32)


class SuccessResponse(BaseModel):
    success: bool
    message: str


class ValidateRequest(BaseModel):
    username: str = Field(min_length=1, max_length=50)
    code: str = Field(min_length=1, max_length=32)


class ValidateResponse(BaseModel):
    valid: bool
    message: str


class BackupCodesResponse(BaseModel):
    backup_codes: list[str]
    message: str


@router.get("/status", dependencies=[SELF_2FA], summary="Is 2FA on for me")
def two_factor_status(user: CurrentUser, service: ServiceDep) -> TwoFactorStatus:
    enabled = service.status(user)
    return TwoFactorStatus(
        enabled=enabled, available=True, message="2FA is enabled" if enabled else "2FA is not enabled"
    )


@router.post("/setup", dependencies=[SELF_2FA], summary="Start enrolment")
def setup(user: CurrentUser, service: ServiceDep) -> SetupResponse:
    enrolment = service.setup(user)
    return SetupResponse(
        secret=enrolment.secret,
        qr_code=qr_code_data_uri(enrolment.uri),
        provisioning_uri=enrolment.uri,
        message="Scan the code with your authenticator app, then confirm with /api/2fa/verify",
    )


@router.post("/verify", dependencies=[SELF_2FA, LIMIT], summary="Confirm enrolment; turns 2FA on")
def verify(body: CodeRequest, user: CurrentUser, service: ServiceDep) -> VerifyResponse:
    codes = service.verify(user, body.code)
    return VerifyResponse(
        success=True, backup_codes=codes, message="2FA enabled; store the backup codes safely"
    )


@router.post("/disable", dependencies=[SELF_2FA, LIMIT], summary="Turn 2FA off")
def disable(body: DisableRequest, user: CurrentUser, service: ServiceDep) -> SuccessResponse:
    service.disable(user, body.password, body.code)
    return SuccessResponse(success=True, message="2FA disabled")


@router.post("/validate", dependencies=[LIMIT], summary="Check a code for a user (public)")
def validate(body: ValidateRequest, service: ServiceDep) -> ValidateResponse:
    ok = service.validate(body.username, body.code)
    return ValidateResponse(valid=ok, message="Code is valid" if ok else "Invalid code")


@router.post("/backup-codes", dependencies=[SELF_2FA, LIMIT], summary="Replace all backup codes")
def backup_codes(body: CodeRequest, user: CurrentUser, service: ServiceDep) -> BackupCodesResponse:
    return BackupCodesResponse(
        backup_codes=service.regenerate(user, body.code), message="New backup codes issued"
    )
