"""Roles and permissions (platform.md §4.5): the single map the server enforces.

The role is read from the database on every request (never trusted from a token claim), then
expanded here. The dashboard mirrors this map only to hide controls.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ADMIN_ONLY", "ROLE_PERMISSIONS", "VIEWER_PERMISSIONS", "Permission", "permissions_for"]


class Permission(StrEnum):
    """Every permission name of §4.5; the value is the wire name used in 403 messages."""

    DASHBOARD_READ = "dashboard:read"
    PERFORMANCE_READ = "performance:read"
    TRADES_READ = "trades:read"
    CONFIG_READ = "config:read"
    INDICATORS_READ = "indicators:read"
    REGIME_READ = "regime:read"
    STATUS_READ = "status:read"
    SELF_PASSWORD = "self:password"  # noqa: S105 - a permission name, not a password
    SELF_2FA = "self:2fa"
    SELF_PASSKEY = "self:passkey"
    TRADES_EXECUTE = "trades:execute"
    ENGINE_CONTROL = "engine:control"
    SCHEDULER_CONTROL = "scheduler:control"
    CONFIG_WRITE = "config:write"
    USERS_MANAGE = "users:manage"
    BROKER_MANAGE = "broker:manage"
    DATA_WRITE = "data:write"
    BACKTEST_RUN = "backtest:run"
    SECURITY_READ = "security:read"


VIEWER_PERMISSIONS: frozenset[Permission] = frozenset(
    {
        Permission.DASHBOARD_READ,
        Permission.PERFORMANCE_READ,
        Permission.TRADES_READ,
        Permission.CONFIG_READ,
        Permission.INDICATORS_READ,
        Permission.REGIME_READ,
        Permission.STATUS_READ,
        Permission.SELF_PASSWORD,
        Permission.SELF_2FA,
        Permission.SELF_PASSKEY,
    }
)
ADMIN_ONLY: frozenset[Permission] = frozenset(Permission) - VIEWER_PERMISSIONS

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "admin": frozenset(Permission),
    "viewer": VIEWER_PERMISSIONS,
}


def permissions_for(role: str) -> frozenset[Permission]:
    """The permissions of ``role``; an unknown role has none (fail closed)."""
    return ROLE_PERMISSIONS.get(role, frozenset())
