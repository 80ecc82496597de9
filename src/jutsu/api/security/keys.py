"""Signing and encryption keys: validated, or generated once and persisted (platform.md §4.10).

``SECRET_KEY`` signs JWTs. When unset, a random key is generated on first start and written to
``<state_dir>/secret_key`` (mode 0600) so restarts keep sessions valid (DECISIONS 5). The TOTP
Fernet key follows the same rule (``<state_dir>/totp_key``) so the one-command quick start can enrol
2FA; production sets ``TOTP_ENCRYPTION_KEY``. Several comma-separated Fernet keys give rotation:
the first encrypts, all decrypt.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, MultiFernet

from jutsu.errors import ConfigError

__all__ = ["PLACEHOLDER_SECRETS", "load_or_create_secret_key", "load_or_create_totp_fernet", "parse_fernet"]

log = logging.getLogger(__name__)

PLACEHOLDER_SECRETS = frozenset(
    {
        "default-dev-secret-change-in-production",
        "change-this-in-production",
        "your_secret_key_for_jwt_tokens_here",
    }
)
MIN_SECRET_BYTES = 32


def load_or_create_secret_key(configured: str | None, state_dir: Path) -> str:
    """The JWT signing key: ``configured`` (checked), else the persisted one, else a new one.

    Raises:
        ConfigError: the configured key is a known placeholder or shorter than 32 bytes.
    """
    if configured is not None:
        if configured in PLACEHOLDER_SECRETS:
            raise ConfigError("SECRET_KEY is a published placeholder value; set a random key")
        if len(configured.encode("utf-8")) < MIN_SECRET_BYTES:
            raise ConfigError(f"SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes long")
        return configured
    path = state_dir / "secret_key"
    stored = _read(path)
    if stored is not None and len(stored.encode("utf-8")) >= MIN_SECRET_BYTES:
        return stored
    key = secrets.token_urlsafe(48)
    _write_private(path, key)
    log.warning(
        "SECRET_KEY is not set: generated one and stored it in %s (set SECRET_KEY in production)", path
    )
    return key


def load_or_create_totp_fernet(configured: str | None, state_dir: Path) -> MultiFernet:
    """The Fernet used for TOTP secrets: ``configured`` keys, else a persisted generated key."""
    if configured is not None:
        return parse_fernet(configured, "TOTP_ENCRYPTION_KEY")
    path = state_dir / "totp_key"
    stored = _read(path)
    if stored is None:
        stored = Fernet.generate_key().decode("ascii")
        _write_private(path, stored)
        log.warning("TOTP_ENCRYPTION_KEY is not set: generated one and stored it in %s", path)
    return parse_fernet(stored, f"key file {path}")


def parse_fernet(keys: str, origin: str) -> MultiFernet:
    """A ``MultiFernet`` over comma-separated urlsafe-base64 keys (first one encrypts)."""
    parts = [k.strip() for k in keys.split(",") if k.strip()]
    if not parts:
        raise ConfigError(f"{origin}: no Fernet key given")
    try:
        return MultiFernet([Fernet(k) for k in parts])
    except ValueError:
        raise ConfigError(f"{origin}: not a valid Fernet key (32 url-safe base64-encoded bytes)") from None


def _read(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    return text or None


def _write_private(path: Path, value: str) -> None:
    """Create ``path`` with mode 0600 from the start (never world-readable, even briefly)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(value + "\n")
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from None
