"""``/api/notifications``: the configured alert channels and a test send (admins, ``config:write``).

Channel settings belong to the deployment (env or ``/run/secrets``, spec §5.11), so they are
read-only here. Tests and embedders may put a :class:`NotificationSettings` in
``container.extras["notification_settings"]`` (and a ``RetryPolicy`` in
``["notification_policy"]``); otherwise the environment is read on each request, so a changed
secret file shows without a restart.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from jutsu.api.container import Container
from jutsu.api.deps import AuthenticatedUser, ContainerDep, require_permission
from jutsu.api.permissions import Permission
from jutsu.api.schemas.notifications import ChannelsPublic, TestAlertRequest, TestAlertResult
from jutsu.api.services.notifications import list_channels, send_test_alert
from jutsu.notify.delivery import DEFAULT_POLICY, RetryPolicy
from jutsu.notify.fanout import NotificationSettings

__all__ = ["router"]

router = APIRouter(prefix="/api/notifications", tags=["notifications"])
ADMIN = require_permission(Permission.CONFIG_WRITE)

SETTINGS_KEY = "notification_settings"
POLICY_KEY = "notification_policy"


def _settings(container: Container) -> NotificationSettings:
    given = container.extras.get(SETTINGS_KEY)
    return given if isinstance(given, NotificationSettings) else NotificationSettings.from_env()


@router.get("/channels", dependencies=[Depends(ADMIN)])
def channels(container: ContainerDep) -> ChannelsPublic:
    """Configured channels with their webhook URLs masked."""
    return list_channels(_settings(container))


@router.post("/test", responses={409: {"description": "No channel configured or notifications disabled"}})
def test_alert(
    container: ContainerDep,
    user: Annotated[AuthenticatedUser, Depends(ADMIN)],
    body: TestAlertRequest | None = None,
) -> TestAlertResult:
    """Send an INFO test alert through the fan-out; the result per channel."""
    policy = container.extras.get(POLICY_KEY)
    return send_test_alert(
        _settings(container),
        (body or TestAlertRequest()).message,
        username=user.username,
        policy=policy if isinstance(policy, RetryPolicy) else DEFAULT_POLICY,
    )
