"""One typed ``Settings`` object, resolved from every source in a fixed order.

Precedence, highest first (platform.md §8.6, as settled for this project):

1. environment variables (``POSTGRES_HOST`` ...);
2. Docker secrets: ``<secrets_dir>/<lower-case NAME>``, then the file named by ``NAME_FILE``;
3. database overrides (a mapping handed in by the caller; not stored anywhere yet);
4. ``config/config.yaml`` (``${VAR}`` references resolved from the environment);
5. code defaults.

``load_settings`` takes every input as a parameter (no module-level singleton, no hidden reads of
``os.environ`` when ``env`` is given), so tests and tools can build settings deterministically.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from jutsu.config.sections import (
    ApiConfig,
    ApplicationConfig,
    BacktestingConfig,
    DatabaseConfig,
    DataSourcesConfig,
    PerformanceConfig,
)
from jutsu.config.yaml_source import DEFAULT_YAML, load_yaml_config
from jutsu.errors import ConfigError

__all__ = ["ENV_VARIABLES", "Settings", "load_settings"]

log = logging.getLogger(__name__)

LogLevel = Literal["CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"]

# (path in Settings, environment names — first is canonical, the rest aliases —, is a secret)
ENV_VARIABLES: tuple[tuple[tuple[str, ...], tuple[str, ...], bool], ...] = (
    (("database", "type"), ("DATABASE_TYPE",), False),
    (("database", "url"), ("DATABASE_URL",), True),
    (("database", "sqlite", "database"), ("SQLITE_PATH", "SQLITE_DATABASE"), False),
    (("database", "postgresql", "host"), ("POSTGRES_HOST",), False),
    (("database", "postgresql", "port"), ("POSTGRES_PORT",), False),
    (("database", "postgresql", "user"), ("POSTGRES_USER",), False),
    (("database", "postgresql", "password"), ("POSTGRES_PASSWORD",), True),
    (("database", "postgresql", "database"), ("POSTGRES_DB", "POSTGRES_DATABASE"), False),
    (("secret_key",), ("SECRET_KEY",), True),
    (("admin_password",), ("ADMIN_PASSWORD",), True),
    (("schwab_api_key",), ("SCHWAB_API_KEY", "SCHWAB_APP_KEY"), True),
    (("schwab_app_secret",), ("SCHWAB_APP_SECRET", "SCHWAB_API_SECRET"), True),
    (("auth_required",), ("AUTH_REQUIRED",), False),
    (("disable_docs",), ("DISABLE_DOCS",), False),
    (("log_level",), ("LOG_LEVEL",), False),
    (("log_format",), ("LOG_FORMAT",), False),
    # API security (platform.md §4, §8.5)
    (("access_token_expire_minutes",), ("ACCESS_TOKEN_EXPIRE_MINUTES",), False),
    (("refresh_token_expire_days",), ("REFRESH_TOKEN_EXPIRE_DAYS",), False),
    (("passkey_token_expire_minutes",), ("PASSKEY_TOKEN_EXPIRE_MINUTES",), False),
    (("totp_encryption_key",), ("TOTP_ENCRYPTION_KEY",), True),
    (("bcrypt_rounds",), ("BCRYPT_ROUNDS",), False),
    (("max_request_size",), ("MAX_REQUEST_SIZE",), False),
    (("trusted_proxies",), ("TRUSTED_PROXIES",), False),
    (("login_rate_limit",), ("LOGIN_RATE_LIMIT",), False),
    (("api_rate_limit",), ("API_RATE_LIMIT",), False),
    (("cors_origins",), ("CORS_ORIGINS",), False),
    (("webauthn_rp_id",), ("WEBAUTHN_RP_ID",), False),
    (("webauthn_rp_name",), ("WEBAUTHN_RP_NAME",), False),
    (("webauthn_origin",), ("WEBAUTHN_ORIGIN",), False),
    (("max_users",), ("MAX_USERS",), False),
    (("invitation_expiry_hours",), ("INVITATION_EXPIRY_HOURS",), False),
    (("dashboard_url",), ("DASHBOARD_URL", "API_BASE_URL"), False),
    (("use_secure_cookies",), ("USE_SECURE_COOKIES",), False),
    (("cookie_secure",), ("COOKIE_SECURE",), False),
    (("cookie_samesite",), ("COOKIE_SAMESITE",), False),
    (("cookie_domain",), ("COOKIE_DOMAIN",), False),
    (("state_dir",), ("JUTSU_STATE_DIR",), False),
)


class Settings(BaseSettings):
    """Every platform setting, validated and immutable. Build it with :func:`load_settings`."""

    model_config = SettingsConfigDict(extra="forbid", frozen=True)

    application: ApplicationConfig = ApplicationConfig()
    database: DatabaseConfig = DatabaseConfig()
    data_sources: DataSourcesConfig = DataSourcesConfig()
    backtesting: BacktestingConfig = BacktestingConfig()
    performance: PerformanceConfig = PerformanceConfig()
    api: ApiConfig = ApiConfig()
    logging: dict[str, Any] | None = None

    secret_key: SecretStr | None = None
    admin_password: SecretStr | None = None
    schwab_api_key: SecretStr | None = None
    schwab_app_secret: SecretStr | None = None
    auth_required: bool = True
    disable_docs: bool = False
    log_level: LogLevel = "INFO"
    log_format: Literal["text", "json"] = "text"
    """``text``: ``time | module | level | message``; ``json``: one JSON object per line."""

    # API security (platform.md §4, §8.5); comma-separated lists stay strings, parsed by jutsu.api.
    access_token_expire_minutes: int = Field(15, ge=1)
    refresh_token_expire_days: int = Field(7, ge=1)
    passkey_token_expire_minutes: int = Field(420, ge=1)
    totp_encryption_key: SecretStr | None = None
    bcrypt_rounds: int = Field(12, ge=4, le=31)
    max_request_size: int = Field(10 * 1024 * 1024, ge=1)
    trusted_proxies: str = "127.0.0.1/32"
    login_rate_limit: str = "5/minute"
    api_rate_limit: str = "100/minute"
    cors_origins: str | None = None
    webauthn_rp_id: str = "localhost"
    webauthn_rp_name: str = "Jutsu Trading"
    webauthn_origin: str = "https://localhost"
    max_users: int = Field(20, ge=1)
    invitation_expiry_hours: int = Field(48, ge=1)
    dashboard_url: str | None = None
    use_secure_cookies: bool = False
    cookie_secure: bool = True
    cookie_samesite: Literal["lax", "strict", "none"] = "lax"
    cookie_domain: str | None = None
    state_dir: Path = Path("data")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # load_settings merges every source itself (with our precedence); never read os.environ here.
        return (init_settings,)

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL: ``DATABASE_URL`` if set, else PostgreSQL parts, else the SQLite file."""
        db = self.database
        if db.url is not None:
            return db.url.get_secret_value()
        if db.type == "postgresql":
            pg = db.postgresql
            user = quote(pg.user, safe="")
            auth = user if pg.password is None else f"{user}:{quote(pg.password.get_secret_value(), safe='')}"
            return f"postgresql+psycopg://{auth}@{pg.host}:{pg.port}/{quote(pg.database, safe='')}"
        return f"sqlite:///{db.sqlite.database}"

    @property
    def database_echo(self) -> bool:
        """SQL echo flag of the selected engine."""
        db = self.database
        return db.postgresql.echo if db.type == "postgresql" and db.url is None else db.sqlite.echo


def load_settings(
    env: Mapping[str, str] | None = None,
    yaml_path: Path | None = None,
    secrets_dir: Path = Path("/run/secrets"),
    *,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Resolve settings from ``env`` (default ``os.environ``), secrets, ``overrides``, YAML, defaults.

    ``yaml_path=None`` reads ``config/config.yaml`` when present (else the ``.example`` with a
    warning, else nothing). ``overrides`` maps dotted paths (``"backtesting.defaults.initial_capital"``)
    to values; it is the hook for database overrides. Any problem raises :class:`ConfigError`.
    """
    environ: Mapping[str, str] = os.environ if env is None else env
    data: dict[str, Any] = load_yaml_config(_pick_yaml(yaml_path), environ)
    for dotted, value in (overrides or {}).items():
        _set_path(data, tuple(dotted.split(".")), value)
    origin: dict[tuple[str, ...], str] = {}
    for path, names, secret in ENV_VARIABLES:
        found = _lookup(names, secret, environ, secrets_dir)
        if found is not None:
            value, source = found
            _set_path(data, path, value)
            origin[path] = source
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, origin)) from None


def _pick_yaml(yaml_path: Path | None) -> Path | None:
    if yaml_path is not None:
        if not yaml_path.is_file():
            raise ConfigError(f"config file {yaml_path} not found")
        return yaml_path
    if DEFAULT_YAML.is_file():
        return DEFAULT_YAML
    example = DEFAULT_YAML.with_name(DEFAULT_YAML.name + ".example")
    if example.is_file():
        log.warning("%s not found; using %s", DEFAULT_YAML, example)
        return example
    return None


def _lookup(
    names: tuple[str, ...], secret: bool, environ: Mapping[str, str], secrets_dir: Path
) -> tuple[str, str] | None:
    """First value among: env (any alias), then for secrets ``secrets_dir/<name>``, then ``NAME_FILE``."""
    for name in names:
        value = environ.get(name)
        if value is not None and value != "":
            return value, f"environment variable {name}"
    if not secret:
        return None
    for name in names:
        path = secrets_dir / name.lower()
        if path.is_file():
            try:
                return path.read_text(encoding="utf-8").strip(), f"secret file {path}"
            except OSError as exc:  # logged without content (§8.6)
                log.warning("secret file %s is unreadable (%s); ignored", path, exc.strerror)
    for name in names:
        file_var = f"{name}_FILE"
        target = environ.get(file_var)
        if target:
            try:
                return Path(target).read_text(encoding="utf-8").strip(), f"file named by {file_var}"
            except OSError as exc:
                raise ConfigError(f"{file_var}={target}: cannot read the file ({exc.strerror})") from None
    return None


def _set_path(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = data
    for key in path[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {} if child is None else _as_dict(child)
            node[key] = child
        node = child
    node[path[-1]] = value


def _as_dict(value: Any) -> dict[str, Any]:
    if hasattr(value, "model_dump"):
        dumped: dict[str, Any] = value.model_dump()
        return dumped
    raise ConfigError(f"cannot set a nested setting inside a non-mapping value {value!r}")


def _describe(exc: ValidationError, origin: Mapping[tuple[str, ...], str]) -> str:
    """One line per problem, naming the variable or setting at fault, never the secret value."""
    problems = []
    for error in exc.errors():
        loc = tuple(str(p) for p in error["loc"])
        where = origin.get(loc, "setting " + ".".join(loc))
        problems.append(f"{where}: {error['msg']}")
    return "invalid settings: " + "; ".join(problems)
