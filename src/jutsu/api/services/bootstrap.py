"""First start (DECISIONS 5, platform.md §4.2): create the initial admin on an empty ``users`` table.

With ``ADMIN_PASSWORD`` unset a random 20-character password is generated and shown once (a
WARNING log line); it is never stored in clear or shown again. ``ADMIN_PASSWORD=admin`` is refused.
"""

from __future__ import annotations

import logging
import secrets
import string
from datetime import UTC, datetime

from fastapi import FastAPI

from jutsu.api.container import Container
from jutsu.data.repositories import users as user_repo
from jutsu.errors import ConfigError

__all__ = ["INITIAL_ADMIN", "bootstrap_startup", "ensure_initial_admin", "generate_password"]

log = logging.getLogger(__name__)

INITIAL_ADMIN = "admin"
_ALPHABET = string.ascii_letters + string.digits


def generate_password(length: int = 20) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def ensure_initial_admin(container: Container) -> str | None:
    """Create ``admin`` when no user exists and auth is on; returns the generated password, if any.

    Raises:
        ConfigError: ``ADMIN_PASSWORD`` is the literal ``admin`` or longer than bcrypt accepts.
    """
    settings = container.settings
    configured = settings.admin_password.get_secret_value() if settings.admin_password else None
    if configured == "admin":
        raise ConfigError("ADMIN_PASSWORD must not be 'admin'; choose another password")
    if not settings.auth_required:
        log.warning("AUTH_REQUIRED=false: every request acts as an admin. Use only on a local machine.")
        return None
    with container.sessions() as session, session.begin():
        if user_repo.count_users(session) > 0:
            return None
        password = configured or generate_password()
        try:
            hashed = container.passwords.hash(password)
        except ValueError:
            raise ConfigError("ADMIN_PASSWORD is longer than 72 bytes") from None
        user_repo.create_user(
            session,
            username=INITIAL_ADMIN,
            password_hash=hashed,
            role="admin",
            password_changed_at=datetime.now(UTC),
        )
    if configured is None:
        log.warning(
            "Created the initial admin user %r with the generated password %s (shown only once; "
            "set ADMIN_PASSWORD to choose it, change it after logging in)",
            INITIAL_ADMIN,
            password,
        )
        return password
    log.warning("Created the initial admin user %r from ADMIN_PASSWORD", INITIAL_ADMIN)
    return None


def bootstrap_startup(app: FastAPI, container: Container) -> None:
    """Startup hook wrapper for :func:`ensure_initial_admin`."""
    ensure_initial_admin(container)
