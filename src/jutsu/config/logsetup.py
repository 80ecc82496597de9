"""Logging set-up: the YAML ``logging`` dictConfig (or a console default) plus secret masking.

The console default is ``time | module | level | message`` for people, or one JSON object per line
(``LOG_FORMAT=json``) for log collectors (Loki, CloudWatch, ``docker logs | jq``), which would
otherwise have to parse a human format that changes whenever someone edits it.

``httpx`` and ``httpcore`` are set to WARNING unless the dictConfig names them: at INFO httpx logs
every request's full URL, and a webhook's URL *is* its secret; the request lines are noise for an
operator anyway (the notifier logs each failed attempt itself). Masking (see
:mod:`jutsu.config.masking`) still covers anything that gets through, at any level, including the
configured ``NOTIFICATION_WEBHOOK_URL`` literally, whatever its shape.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.config
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from jutsu.config.masking import (
    MaskingFormatter,
    install_masking,
    mask_secrets_in_text,
    url_secret_literals,
)
from jutsu.config.settings import Settings

__all__ = [
    "DEFAULT_FORMAT",
    "QUIET_LIBRARY_LOGGERS",
    "JsonFormatter",
    "configure_logging",
    "configured_secret_literals",
]

DEFAULT_FORMAT = "%(asctime)s | %(name)s | %(levelname)s | %(message)s"
QUIET_LIBRARY_LOGGERS = ("httpx", "httpcore")
"""HTTP client loggers held at WARNING by default (they log full request URLs at INFO/DEBUG)."""
_SECRETS_DIR = Path("/run/secrets")


def configured_secret_literals(
    env: Mapping[str, str] | None = None, secrets_dir: Path = _SECRETS_DIR
) -> list[str]:
    """Literal secrets to mask that are configured as whole values: the notification webhook URL
    (``NOTIFICATION_WEBHOOK_URL``, ``NOTIFICATION_WEBHOOK_URL_FILE`` or the Docker secret file).

    Reading the same sources as the notifier keeps the masking independent of the URL's shape: a
    generic webhook may hide its secret anywhere in the path.
    """
    environ = os.environ if env is None else env
    urls = [environ.get("NOTIFICATION_WEBHOOK_URL", "")]
    file_var = environ.get("NOTIFICATION_WEBHOOK_URL_FILE", "").strip()
    for path in (secrets_dir / "notification_webhook_url", Path(file_var) if file_var else None):
        try:
            if path is not None and path.is_file():
                urls.append(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue  # unreadable here means unusable by the notifier too: nothing to hide
    return [literal for url in urls for literal in url_secret_literals(url)]


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ``time`` (UTC, ISO 8601), ``level``, ``module``, ``message``.

    Secrets are masked in the message and the exception text before encoding, so the line always
    stays valid JSON.
    """

    def __init__(self, literals: Iterable[str] = ()) -> None:
        super().__init__()
        self.literals: tuple[str, ...] = tuple(literals)

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "module": record.name,
            "message": mask_secrets_in_text(record.getMessage(), self.literals),
        }
        if record.exc_info:
            entry["exception"] = mask_secrets_in_text(self.formatException(record.exc_info), self.literals)
        if record.stack_info:
            entry["stack"] = mask_secrets_in_text(self.formatStack(record.stack_info), self.literals)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(
    settings: Settings, secrets: Iterable[str] | None = None, env: Mapping[str, str] | None = None
) -> None:
    """Apply ``settings.logging`` (a dictConfig document) or a console handler at ``LOG_LEVEL``.

    Every handler of the root logger then masks URL secrets, whatever the configuration says, plus
    the literal ``secrets`` (default: :func:`configured_secret_literals` of ``env``, the process
    environment when ``None``). ``httpx``/``httpcore`` go to WARNING unless the dictConfig's
    ``loggers`` section names them.
    """
    literals = list(configured_secret_literals(env) if secrets is None else secrets)
    if settings.logging:
        logging.config.dictConfig(settings.logging)
    else:
        handler = logging.StreamHandler()
        formatter: logging.Formatter = (
            JsonFormatter(literals)
            if settings.log_format == "json"
            else MaskingFormatter(DEFAULT_FORMAT, literals=literals)
        )
        handler.setFormatter(formatter)
        logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    logging.getLogger().setLevel(settings.log_level)
    configured = (settings.logging or {}).get("loggers") or {}
    for name in QUIET_LIBRARY_LOGGERS:
        if name not in configured:
            logging.getLogger(name).setLevel(logging.WARNING)
    install_masking(literals=literals)
