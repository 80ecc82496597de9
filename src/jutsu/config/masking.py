"""Password masking for anything that may reach a log line or a terminal.

Connection URLs carry passwords (``postgresql://user:secret@host/db``). Every log record passes
through :class:`MaskingFilter`, which rewrites ``scheme://user:secret@`` to ``scheme://user:****@``
in the final message, whatever logger or format produced it.
"""

from __future__ import annotations

import logging
import re

__all__ = ["MaskingFilter", "MaskingFormatter", "install_masking", "mask_secrets_in_text"]

# scheme://user:password@ — the password runs to the last '@' before the host (it may hold '@').
_URL_CREDENTIALS = re.compile(r"(?P<prefix>[A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s]*:)[^\s/]*@")


def mask_secrets_in_text(text: str) -> str:
    """Replace the password of every ``scheme://user:password@host`` in ``text`` with ``****``."""
    return _URL_CREDENTIALS.sub(_mask_match, text)


def _mask_match(match: re.Match[str]) -> str:
    return f"{match.group('prefix')}****@"


class MaskingFilter(logging.Filter):
    """Logging filter that masks URL passwords in the fully formatted message of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets_in_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True


class MaskingFormatter(logging.Formatter):
    """Formatter that masks URL passwords in the whole output line (message, exception text)."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets_in_text(super().format(record))


def install_masking(logger: logging.Logger | None = None) -> None:
    """Attach :class:`MaskingFilter` to every handler of ``logger`` (default: the root logger).

    Filters on handlers see records from all child loggers, unlike filters on a logger.
    """
    target = logger if logger is not None else logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())
