"""Logging set-up: the YAML ``logging`` dictConfig (or a console default) plus password masking."""

from __future__ import annotations

import logging
import logging.config

from jutsu.config.masking import MaskingFormatter, install_masking
from jutsu.config.settings import Settings

__all__ = ["configure_logging"]

DEFAULT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(settings: Settings) -> None:
    """Apply ``settings.logging`` (a dictConfig document) or a console handler at ``LOG_LEVEL``.

    Every handler of the root logger then masks URL passwords, whatever the configuration says.
    """
    if settings.logging:
        logging.config.dictConfig(settings.logging)
    else:
        handler = logging.StreamHandler()
        handler.setFormatter(MaskingFormatter(DEFAULT_FORMAT))
        logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    logging.getLogger().setLevel(settings.log_level)
    install_masking()
