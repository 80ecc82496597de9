"""Platform settings: one typed ``Settings`` built by ``load_settings`` (no global singleton)."""

from __future__ import annotations

from jutsu.config.logsetup import configure_logging
from jutsu.config.masking import MaskingFilter, MaskingFormatter, install_masking, mask_secrets_in_text
from jutsu.config.settings import ENV_VARIABLES, Settings, load_settings

__all__ = [
    "ENV_VARIABLES",
    "MaskingFilter",
    "MaskingFormatter",
    "Settings",
    "configure_logging",
    "install_masking",
    "load_settings",
    "mask_secrets_in_text",
]
