"""Logging set-up: the YAML ``logging`` dictConfig (or a console default) plus password masking.

The console default is ``time | module | level | message`` for people, or one JSON object per line
(``LOG_FORMAT=json``) for log collectors (Loki, CloudWatch, ``docker logs | jq``), which would
otherwise have to parse a human format that changes whenever someone edits it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.config

from jutsu.config.masking import MaskingFormatter, install_masking, mask_secrets_in_text
from jutsu.config.settings import Settings

__all__ = ["DEFAULT_FORMAT", "JsonFormatter", "configure_logging"]

DEFAULT_FORMAT = "%(asctime)s | %(name)s | %(levelname)s | %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ``time`` (UTC, ISO 8601), ``level``, ``module``, ``message``.

    Passwords in URLs are masked in the message and the exception text before encoding, so the
    line always stays valid JSON.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "module": record.name,
            "message": mask_secrets_in_text(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = mask_secrets_in_text(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = mask_secrets_in_text(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(settings: Settings) -> None:
    """Apply ``settings.logging`` (a dictConfig document) or a console handler at ``LOG_LEVEL``.

    Every handler of the root logger then masks URL passwords, whatever the configuration says.
    """
    if settings.logging:
        logging.config.dictConfig(settings.logging)
    else:
        handler = logging.StreamHandler()
        formatter = JsonFormatter() if settings.log_format == "json" else MaskingFormatter(DEFAULT_FORMAT)
        handler.setFormatter(formatter)
        logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    logging.getLogger().setLevel(settings.log_level)
    install_masking()
