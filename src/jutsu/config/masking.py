"""Secret masking for anything that may reach a log line or a terminal.

Secrets travel inside URLs, and libraries log URLs (httpx writes ``HTTP Request: POST <url>`` at
INFO; drivers echo connection strings). Every log record passes through :class:`MaskingFilter`,
which rewrites, in the final message and the exception text, whatever logger or format produced
them:

* ``scheme://user:secret@``                → ``scheme://user:****@`` (database and broker URLs);
* ``hooks.slack.com/services/T/B/secret``  → ``hooks.slack.com/services/****`` (Slack webhooks:
  the whole path is the credential);
* ``/api/webhooks/<id>/<token>``           → ``/api/webhooks/<id>/****`` (Discord);
* ``/hooks/<secret>``, ``/webhook(s)/<secret>`` on any host → ``/hooks/****`` (generic webhooks,
  whose path is the only secret they have);
* ``?token=…``, ``&access_token=…``, ``api_key``, ``secret``, ``signature``… → ``?token=****``;
* any literal secret the caller hands over (the configured ``NOTIFICATION_WEBHOOK_URL``, whatever
  its shape) → ``****``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Literal
from urllib.parse import urlsplit

__all__ = [
    "MASK",
    "MaskingFilter",
    "MaskingFormatter",
    "install_masking",
    "mask_secrets_in_text",
    "url_secret_literals",
]

MASK = "****"

# scheme://user:password@ — the password runs to the last '@' before the host (it may hold '@').
_URL_CREDENTIALS = re.compile(r"(?P<prefix>[A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s]*:)[^\s/]*@")
# Characters that end a URL inside a log line (space, quotes, brackets a repr or JSON adds).
_URL_CHAR = r"[^\s\"'<>\\`]"
_SLACK = re.compile(rf"(?P<prefix>hooks\.slack(?:-gov)?\.com/(?:services|workflows|triggers)/){_URL_CHAR}+")
_DISCORD = re.compile(r"(?P<prefix>/api(?:/v\d+)?/webhooks/\d+/)[^\s\"'<>\\`/?#]+")
_GENERIC_HOOK = re.compile(
    r"(?P<prefix>/(?:hooks|webhooks?)/)(?!\*{4}|\d+/\*{4})[^\s\"'<>\\`?#]+", re.IGNORECASE
)
_QUERY_SECRET = re.compile(
    r"(?P<prefix>[?&;](?:token|access_token|refresh_token|id_token|api[_-]?key|key|secret|client_secret"
    r"|password|passwd|pwd|signature|sig|auth|code)=)[^&;#\s\"'<>\\`]+",
    re.IGNORECASE,
)
_PATTERNS = (_URL_CREDENTIALS, _SLACK, _DISCORD, _GENERIC_HOOK, _QUERY_SECRET)
_MIN_LITERAL = 8
"""Shorter literals (``/``, ``/api``) would mask ordinary words, and hide nothing worth hiding."""


def _mask_match(match: re.Match[str]) -> str:
    prefix = match.group("prefix")
    return f"{prefix}{MASK}@" if match.re is _URL_CREDENTIALS else f"{prefix}{MASK}"


def mask_secrets_in_text(text: str, literals: Iterable[str] = ()) -> str:
    """``text`` with every URL secret above, and every string of ``literals``, replaced by ``****``.

    Literals go first and longest first, so a configured URL is hidden whole before the patterns
    look at what is left.
    """
    for literal in sorted(literals, key=len, reverse=True):
        if literal and literal in text:
            text = text.replace(literal, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(_mask_match, text)
    return text


def url_secret_literals(url: str) -> list[str]:
    """What to mask for a secret URL: the URL itself and its path-and-query, when that is long
    enough to be a credential (httpx may print the URL re-encoded, but the path survives)."""
    url = url.strip()
    if not url:
        return []
    parts = urlsplit(url)
    tail = parts.path + (f"?{parts.query}" if parts.query else "")
    literals = [url]
    if len(parts.path.strip("/")) >= _MIN_LITERAL:
        literals += [tail, parts.path]
    return [x for x in literals if len(x) >= _MIN_LITERAL]


class MaskingFilter(logging.Filter):
    """Logging filter that masks secrets in the formatted message and the exception text of every
    record, so even a formatter of a user's ``dictConfig`` writes masked lines."""

    def __init__(self, literals: Iterable[str] = ()) -> None:
        super().__init__()
        self.literals: tuple[str, ...] = tuple(x for x in literals if x)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets_in_text(message, self.literals)
        if masked != message:
            record.msg = masked
            record.args = None
        if record.exc_info and not record.exc_text:
            # Formatter.format reuses a cached exc_text: render it once here, masked.
            record.exc_text = mask_secrets_in_text(
                logging.Formatter().formatException(record.exc_info), self.literals
            )
        elif record.exc_text:
            record.exc_text = mask_secrets_in_text(record.exc_text, self.literals)
        return True


class MaskingFormatter(logging.Formatter):
    """Formatter that masks secrets in the whole output line (message, exception and stack text)."""

    def __init__(
        self,
        fmt: str | None = None,
        datefmt: str | None = None,
        style: Literal["%", "{", "$"] = "%",
        validate: bool = True,
        *,
        literals: Iterable[str] = (),
    ) -> None:
        super().__init__(fmt, datefmt, style, validate)
        self.literals: tuple[str, ...] = tuple(x for x in literals if x)

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets_in_text(super().format(record), self.literals)


def install_masking(logger: logging.Logger | None = None, literals: Iterable[str] = ()) -> None:
    """Give every handler of ``logger`` (default: the root logger) one :class:`MaskingFilter`.

    Filters on handlers see records from all child loggers, unlike filters on a logger. A filter
    installed earlier is replaced, so the latest set of ``literals`` is the one in force.
    """
    target = logger if logger is not None else logging.getLogger()
    secrets = tuple(literals)
    for handler in target.handlers:
        for old in [f for f in handler.filters if isinstance(f, MaskingFilter)]:
            handler.removeFilter(old)
        handler.addFilter(MaskingFilter(secrets))
