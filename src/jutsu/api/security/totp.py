"""TOTP secrets and backup codes (platform.md §4.3).

Secrets are Fernet-encrypted at rest (a value starting with ``gAAAAA`` is ciphertext; anything
else is legacy plaintext, still readable). Codes: RFC 6238, 6 digits, 30 s, window ±1 step.
Backup codes: 10 × ``XXXX-XXXX`` from an alphabet without look-alikes, stored as bcrypt hashes of
the normalized code (hyphen removed, upper case) and removed when used.
"""

from __future__ import annotations

import base64
import io
import secrets

import pyotp
import qrcode
import qrcode.image.svg
from cryptography.fernet import InvalidToken, MultiFernet

__all__ = [
    "BACKUP_ALPHABET",
    "BACKUP_CODE_COUNT",
    "ISSUER",
    "decrypt_secret",
    "encrypt_secret",
    "generate_backup_codes",
    "new_secret",
    "normalize_code",
    "provisioning_uri",
    "qr_code_data_uri",
    "verify_totp",
]

ISSUER = "Jutsu Labs"
BACKUP_CODE_COUNT = 10
BACKUP_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_code_data_uri(uri: str) -> str:
    """The provisioning URI as a QR code, an SVG ``data:`` URI the dashboard shows as an image
    (SVG: no imaging library needed, sharp at any size)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def verify_totp(secret: str, code: str) -> bool:
    """True for the current code or one step either side."""
    digits = code.strip().replace(" ", "")
    if len(digits) != 6 or not digits.isdigit():
        return False
    return bool(pyotp.TOTP(secret).verify(digits, valid_window=1))


def encrypt_secret(fernet: MultiFernet, secret: str) -> str:
    return fernet.encrypt(secret.encode("ascii")).decode("ascii")


def decrypt_secret(fernet: MultiFernet, stored: str) -> str | None:
    """The base32 secret; ``None`` if the ciphertext does not decrypt with any configured key."""
    if not stored.startswith("gAAAAA"):
        return stored  # legacy plaintext, re-encrypted on the next write
    try:
        return fernet.decrypt(stored.encode("ascii")).decode("ascii")
    except InvalidToken:
        return None


def generate_backup_codes(count: int = BACKUP_CODE_COUNT) -> list[str]:
    """Fresh ``XXXX-XXXX`` codes (shown once; store only their hashes)."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(BACKUP_ALPHABET) for _ in range(8))
        codes.append(f"{raw[:4]}-{raw[4:]}")
    return codes


def normalize_code(code: str) -> str:
    return code.strip().replace("-", "").replace(" ", "").upper()
