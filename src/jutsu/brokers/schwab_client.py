"""Schwab settings and the factory that builds a real ``schwab-py`` client from the stored token.

Why a factory instead of ``easy_client``: the server must never fall back to schwab-py's
interactive browser login (it blocks forever headless, platform.md §5.9), and the token must go
through the encrypted database store, not a plaintext file. ``client_from_access_functions`` takes
read/write callables; the Authlib session inside refreshes the 30-minute access token itself and
writes every new token back through the write callable.

``SCHWAB_BASE_URL`` (tests only): schwab-py hard-codes ``https://api.schwabapi.com``. An httpx
request hook on the client's session rewrites scheme/host/port of every request, including the
token-refresh POST, to the given base; paths and queries are kept (fixtures README, "Redirection
point that works").
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import authlib.deprecate  # noqa: F401 - installs Authlib's "always" filter first, so ours wins
import httpx

from jutsu.errors import BrokerError, ConfigError

with warnings.catch_warnings():  # Authlib 1.9 warns about its httpx integration on import; harmless
    warnings.simplefilter("ignore")
    from schwab.auth import client_from_access_functions
    from schwab.client import Client

__all__ = [
    "DEFAULT_CALLBACK_URL",
    "SCHWAB_HOST",
    "SchwabConfig",
    "make_schwab_client",
    "redirect_hook",
]

log = logging.getLogger(__name__)

SCHWAB_HOST = "api.schwabapi.com"
DEFAULT_CALLBACK_URL = "https://127.0.0.1:8182"

TokenReader = Callable[[], dict[str, Any]]
TokenWriter = Callable[..., None]


@dataclass(frozen=True, slots=True)
class SchwabConfig:
    """Everything the Schwab integration reads from the environment (platform.md §8.5).

    Secrets (``SCHWAB_API_KEY``, ``SCHWAB_API_SECRET``, ``BROKER_TOKEN_ENCRYPTION_KEY``) are
    resolved like :func:`jutsu.config.load_settings` resolves its secrets: environment variable,
    then Docker secret file ``/run/secrets/<name>``, then the file named by ``NAME_FILE``.
    """

    api_key: str | None = None
    app_secret: str | None = None
    callback_url: str = DEFAULT_CALLBACK_URL
    account_number: str | None = None
    base_url: str | None = None
    encryption_keys: str | None = None
    dashboard_url: str | None = None
    timeout_seconds: float = 30.0
    stale_quote_seconds: float = 120.0

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, secrets_dir: Path = Path("/run/secrets")
    ) -> SchwabConfig:
        environ: Mapping[str, str] = os.environ if env is None else env

        def plain(*names: str) -> str | None:
            for name in names:
                value = environ.get(name, "").strip()
                if value:
                    return value
            return None

        def number(name: str, default: float) -> float:
            raw = plain(name)
            if raw is None:
                return default
            try:
                value = float(raw)
            except ValueError:
                raise ConfigError(f"environment variable {name}: not a number: {raw!r}") from None
            if value <= 0:
                raise ConfigError(f"environment variable {name}: must be > 0, got {raw}")
            return value

        return cls(
            api_key=_secret(environ, secrets_dir, "SCHWAB_API_KEY", "SCHWAB_APP_KEY"),
            app_secret=_secret(environ, secrets_dir, "SCHWAB_API_SECRET", "SCHWAB_APP_SECRET"),
            callback_url=plain("SCHWAB_CALLBACK_URL") or DEFAULT_CALLBACK_URL,
            account_number=plain("SCHWAB_ACCOUNT_NUMBER"),
            base_url=plain("SCHWAB_BASE_URL"),
            encryption_keys=_secret(environ, secrets_dir, "BROKER_TOKEN_ENCRYPTION_KEY"),
            dashboard_url=plain("DASHBOARD_URL", "API_BASE_URL"),
            timeout_seconds=number("SCHWAB_TIMEOUT_SECONDS", 30.0),
            stale_quote_seconds=number("SCHWAB_STALE_QUOTE_SECONDS", 120.0),
        )

    def require_credentials(self) -> tuple[str, str]:
        """``(api_key, app_secret)`` or a :class:`ConfigError` naming the missing variable."""
        missing = [
            name
            for name, value in (("SCHWAB_API_KEY", self.api_key), ("SCHWAB_API_SECRET", self.app_secret))
            if not value
        ]
        if missing:
            raise ConfigError(f"{' and '.join(missing)} not set: the Schwab app credentials are required")
        assert self.api_key is not None and self.app_secret is not None
        return self.api_key, self.app_secret


def _secret(environ: Mapping[str, str], secrets_dir: Path, name: str, *aliases: str) -> str | None:
    value = environ.get(name, "").strip()
    if value:
        return value
    for alias in aliases:
        value = environ.get(alias, "").strip()
        if value:
            log.warning("%s is deprecated; set %s instead", alias, name)
            return value
    for candidate in (name, *aliases):
        path = secrets_dir / candidate.lower()
        if path.is_file():
            try:
                return path.read_text(encoding="utf-8").strip() or None
            except OSError as exc:
                log.warning("secret file %s is unreadable (%s); ignored", path, exc.strerror)
    target = environ.get(f"{name}_FILE", "").strip()
    if target:
        try:
            return Path(target).read_text(encoding="utf-8").strip() or None
        except OSError as exc:
            raise ConfigError(f"{name}_FILE={target}: cannot read the file ({exc.strerror})") from None
    return None


def redirect_hook(base_url: str) -> Callable[[httpx.Request], None]:
    """An httpx request hook sending every ``api.schwabapi.com`` request to ``base_url`` instead."""
    base = httpx.URL(base_url)
    if base.scheme not in ("http", "https") or not base.host:
        raise ConfigError(f"SCHWAB_BASE_URL: not an http(s) URL: {base_url!r}")

    def hook(request: httpx.Request) -> None:
        if request.url.host == SCHWAB_HOST:
            request.url = request.url.copy_with(scheme=base.scheme, host=base.host, port=base.port)

    return hook


def install_redirect(session: httpx.Client, base_url: str | None) -> None:
    """Add :func:`redirect_hook` to ``session`` when ``base_url`` is set (no-op otherwise)."""
    if base_url:
        hooks = session.event_hooks
        hooks["request"] = [*hooks.get("request", []), redirect_hook(base_url)]
        session.event_hooks = hooks


def make_schwab_client(config: SchwabConfig, read_token: TokenReader, write_token: TokenWriter) -> Client:
    """A synchronous schwab-py ``Client`` over the token callables, with timeout and redirect set.

    ``read_token`` returns schwab-py's wrapped token (``{"creation_timestamp", "token"}``);
    ``write_token(wrapped_token, *args, **kwargs)`` persists a refreshed one.
    """
    api_key, app_secret = config.require_credentials()
    try:
        client: Client = client_from_access_functions(api_key, app_secret, read_token, write_token)
    except ValueError as exc:  # schwab-py: token without creation_timestamp (old format)
        raise BrokerError(f"stored Schwab token is unusable ({exc}); run `jutsu broker login`") from None
    client.set_timeout(config.timeout_seconds)
    install_redirect(client.session, config.base_url)
    return client
