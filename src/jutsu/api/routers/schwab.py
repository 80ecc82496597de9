"""``/api/schwab``: broker OAuth for admins (``broker:manage``, platform.md §3.15 and §5.9).

A thin shell over :class:`~jutsu.brokers.schwab_oauth.SchwabOAuthFlow` and the token store; it
records the OAuth security events. Settings come from the environment
(:meth:`SchwabConfig.from_env`) unless a startup hook put a ``SchwabConfig`` in
``container.extras["schwab_config"]`` (tests point it at the fake Schwab server).
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel

from jutsu.api.container import Container
from jutsu.api.deps import ClientIp, ContainerDep, CurrentUser, require_permission
from jutsu.api.permissions import Permission
from jutsu.api.security.events import SecurityEventType
from jutsu.brokers.schwab_client import SchwabConfig
from jutsu.brokers.schwab_oauth import SchwabOAuthFlow
from jutsu.brokers.schwab_tokens import SchwabTokenStore, TokenCipher, token_status
from jutsu.errors import BrokerError, ConfigError

__all__ = ["router"]

router = APIRouter(
    prefix="/api/schwab",
    tags=["schwab"],
    dependencies=[Depends(require_permission(Permission.BROKER_MANAGE))],
)


class SchwabAuthStatus(BaseModel):
    authenticated: bool
    token_exists: bool
    token_valid: bool
    token_age_days: float | None
    expires_in_days: float | None
    message: str
    callback_url: str


class InitiateResponse(BaseModel):
    authorization_url: str
    callback_url: str
    state: str
    instructions: str


class CallbackRequest(BaseModel):
    callback_url: str


class CallbackResponse(BaseModel):
    success: bool
    message: str
    token_created: datetime | None = None


class DeleteResponse(BaseModel):
    success: bool
    message: str


def _config(container: Container) -> SchwabConfig:
    config = container.extras.get("schwab_config")
    return config if isinstance(config, SchwabConfig) else SchwabConfig.from_env()


def _store(container: Container, config: SchwabConfig) -> SchwabTokenStore:
    try:
        return SchwabTokenStore(container.engine, TokenCipher(config.encryption_keys))
    except ConfigError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None


@router.get("/status", summary="Schwab token health")
def get_status(container: ContainerDep) -> SchwabAuthStatus:
    config = _config(container)
    now = datetime.now(UTC)
    try:
        stored = _store(container, config).load()
        health = token_status(None if stored is None else stored.created_at, now)
        message = health.message
    except BrokerError as exc:  # undecryptable token: report it, do not fail the page
        health, message = token_status(None, now), str(exc)
    age = health.age_days(now)
    return SchwabAuthStatus(
        authenticated=health.valid,
        token_exists=health.exists,
        token_valid=health.valid,
        token_age_days=None if age is None else round(age, 6),
        expires_in_days=None if health.expires_in_days is None else round(health.expires_in_days, 6),
        message=message,
        callback_url=config.callback_url,
    )


@router.post("/initiate", summary="Start the Schwab OAuth flow")
def initiate(request: Request, container: ContainerDep, user: CurrentUser, ip: ClientIp) -> InitiateResponse:
    config = _config(container)
    try:
        start = SchwabOAuthFlow(config, container.engine, _store(container, config)).initiate()
    except ConfigError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
    container.security.record(
        SecurityEventType.OAUTH_INITIATED,
        username=user.username,
        ip_address=ip,
        user_agent=request.headers.get("user-agent"),
        details={"provider": "schwab"},
    )
    return InitiateResponse(**{k: getattr(start, k) for k in InitiateResponse.model_fields})


@router.post("/callback", summary="Finish the Schwab OAuth flow with the pasted redirect URL")
def callback(
    body: CallbackRequest, request: Request, container: ContainerDep, user: CurrentUser, ip: ClientIp
) -> CallbackResponse:
    config = _config(container)
    agent = request.headers.get("user-agent")
    try:
        created = SchwabOAuthFlow(config, container.engine, _store(container, config)).complete(
            body.callback_url, created_by=user.id
        )
    except (BrokerError, ConfigError) as exc:
        container.security.record(
            SecurityEventType.OAUTH_FAILED,
            username=user.username,
            ip_address=ip,
            user_agent=agent,
            details={"provider": "schwab", "reason": type(exc).__name__},
        )
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
    container.security.record(
        SecurityEventType.OAUTH_COMPLETED,
        username=user.username,
        ip_address=ip,
        user_agent=agent,
        details={"provider": "schwab"},
    )
    return CallbackResponse(success=True, message="Schwab token stored", token_created=created)


@router.delete("/token", summary="Delete the stored Schwab token (forces re-authorisation)")
def delete_token(
    request: Request, container: ContainerDep, user: CurrentUser, ip: ClientIp
) -> DeleteResponse:
    config = _config(container)
    if not _store(container, config).delete():
        return DeleteResponse(success=True, message="No token stored")
    container.security.record(
        SecurityEventType.OAUTH_TOKEN_DELETED,
        username=user.username,
        ip_address=ip,
        user_agent=request.headers.get("user-agent"),
        details={"provider": "schwab"},
    )
    return DeleteResponse(success=True, message="Schwab token deleted")
