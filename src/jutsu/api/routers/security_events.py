"""``/api/security/events``: the security journal for admins (``security:read``), filtered and paged."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from jutsu.api.deps import SessionDep, require_permission
from jutsu.api.permissions import Permission
from jutsu.data.repositories.security_events import SecurityEventFilter, list_security_events

__all__ = ["router"]

router = APIRouter(prefix="/api/security", tags=["security"])


class SecurityEventPublic(BaseModel):
    id: int
    timestamp: datetime
    event_type: str
    severity: str
    username: str | None
    ip_address: str | None
    user_agent: str | None
    details: dict[str, Any] | None


class SecurityEventsPublic(BaseModel):
    events: list[SecurityEventPublic]
    total: int
    page: int
    page_size: int
    total_pages: int


@router.get(
    "/events",
    dependencies=[Depends(require_permission(Permission.SECURITY_READ))],
    summary="Security events, newest first",
)
def list_events(
    session: SessionDep,
    event_type: Annotated[str | None, Query(max_length=32)] = None,
    severity: Annotated[str | None, Query(max_length=10)] = None,
    username: Annotated[str | None, Query(max_length=50)] = None,
    ip_address: Annotated[str | None, Query(max_length=45)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> SecurityEventsPublic:
    flt = SecurityEventFilter(
        event_type=event_type,
        severity=severity,
        username=username,
        ip_address=ip_address,
        since=since,
        until=until,
    )
    rows, total = list_security_events(session, flt, offset=(page - 1) * page_size, limit=page_size)
    return SecurityEventsPublic(
        events=[SecurityEventPublic.model_validate(r, from_attributes=True) for r in rows],
        total=total,
        page=page,
        page_size=page_size,
        total_pages=math.ceil(total / page_size) if total else 0,
    )
