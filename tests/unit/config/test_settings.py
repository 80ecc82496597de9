"""Settings resolution: precedence, aliases, secrets, database URL, strict YAML."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from jutsu.config import Settings, load_settings
from jutsu.errors import ConfigError


@pytest.fixture
def no_secrets(tmp_path: Path) -> Path:
    d = tmp_path / "secrets"
    d.mkdir()
    return d


@pytest.fixture(autouse=True)
def _no_repo_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # config/config.yaml is looked up relative to the working dir


def _yaml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_give_the_embedded_sqlite_database(no_secrets: Path) -> None:
    s = load_settings({}, secrets_dir=no_secrets)
    assert s.database_url == "sqlite:///data/jutsu.db"
    assert s.auth_required is True
    assert s.disable_docs is False
    assert s.database.postgresql.pool_size == 10
    assert s.backtesting.defaults.initial_capital == Decimal("100000")
    assert s.secret_key is None
    assert not (Path.cwd() / "data").exists()  # nothing created at load time


def test_postgresql_url_from_parts_encodes_the_password(no_secrets: Path) -> None:
    env = {
        "DATABASE_TYPE": "postgresql",
        "POSTGRES_HOST": "db",
        "POSTGRES_PORT": "5433",
        "POSTGRES_USER": "trader",
        "POSTGRES_PASSWORD": "p@ss/w:rd%",
        "POSTGRES_DB": "labs",
    }
    s = load_settings(env, secrets_dir=no_secrets)
    parts = urlsplit(s.database_url)
    assert parts.scheme == "postgresql+psycopg"
    assert (parts.hostname, parts.port, parts.path) == ("db", 5433, "/labs")
    assert parts.username == "trader"
    assert parts.password is not None and unquote(parts.password) == "p@ss/w:rd%"
    assert "p@ss" not in repr(s)  # secrets never show in reprs


def test_postgres_database_alias(no_secrets: Path) -> None:
    s = load_settings(
        {"DATABASE_TYPE": "postgresql", "POSTGRES_DATABASE": "old_name"}, secrets_dir=no_secrets
    )
    assert s.database_url.endswith("/old_name")
    both = load_settings(
        {"DATABASE_TYPE": "postgresql", "POSTGRES_DB": "new", "POSTGRES_DATABASE": "old"},
        secrets_dir=no_secrets,
    )
    assert both.database_url.endswith("/new")


def test_database_url_wins_over_parts(no_secrets: Path) -> None:
    env = {"DATABASE_TYPE": "postgresql", "DATABASE_URL": "sqlite:////tmp/x.db", "POSTGRES_HOST": "db"}
    assert load_settings(env, secrets_dir=no_secrets).database_url == "sqlite:////tmp/x.db"


def test_sqlite_path(no_secrets: Path) -> None:
    assert (
        load_settings({"SQLITE_PATH": "var/j.db"}, secrets_dir=no_secrets).database_url
        == "sqlite:///var/j.db"
    )


def test_schwab_secret_alias_and_flags(no_secrets: Path) -> None:
    s = load_settings(
        {"SCHWAB_API_SECRET": "sss", "SCHWAB_API_KEY": "kkk", "AUTH_REQUIRED": "false", "DISABLE_DOCS": "1"},
        secrets_dir=no_secrets,
    )
    assert s.schwab_app_secret is not None and s.schwab_app_secret.get_secret_value() == "sss"
    assert s.schwab_api_key is not None and s.schwab_api_key.get_secret_value() == "kkk"
    assert s.auth_required is False
    assert s.disable_docs is True


def test_precedence_env_over_secret_dir_over_file_var(tmp_path: Path, no_secrets: Path) -> None:
    (no_secrets / "secret_key").write_text("from-docker-secret\n", encoding="utf-8")
    file_var = tmp_path / "sk.txt"
    file_var.write_text("from-file-var\n", encoding="utf-8")
    (no_secrets / "postgres_password").write_text("pw-docker", encoding="utf-8")

    def key(env: dict[str, str], secrets: Path) -> str:
        value = load_settings(env, secrets_dir=secrets).secret_key
        assert value is not None
        return value.get_secret_value()

    assert key({"SECRET_KEY": "from-env", "SECRET_KEY_FILE": str(file_var)}, no_secrets) == "from-env"
    assert key({"SECRET_KEY_FILE": str(file_var)}, no_secrets) == "from-docker-secret"
    assert key({"SECRET_KEY_FILE": str(file_var)}, tmp_path / "none") == "from-file-var"
    pw = load_settings({}, secrets_dir=no_secrets).database.postgresql.password
    assert pw is not None and pw.get_secret_value() == "pw-docker"


def test_missing_file_var_is_a_config_error(tmp_path: Path, no_secrets: Path) -> None:
    with pytest.raises(ConfigError, match="ADMIN_PASSWORD_FILE"):
        load_settings({"ADMIN_PASSWORD_FILE": str(tmp_path / "missing")}, secrets_dir=no_secrets)


def test_precedence_env_over_overrides_over_yaml(tmp_path: Path, no_secrets: Path) -> None:
    path = _yaml(
        tmp_path,
        """
database:
  type: postgresql
  postgresql:
    host: yaml-host
    port: 6000
    pool_size: 3
backtesting:
  defaults:
    initial_capital: 25000
    commission_per_share: 0.005
""",
    )
    s = load_settings({}, yaml_path=path, secrets_dir=no_secrets)
    assert s.database_url == "postgresql+psycopg://jutsu@yaml-host:6000/jutsu_labs"
    assert s.database.postgresql.pool_size == 3
    assert s.backtesting.defaults.commission_per_share == Decimal("0.005")

    over = load_settings(
        {"POSTGRES_HOST": "env-host"},
        yaml_path=path,
        secrets_dir=no_secrets,
        overrides={"backtesting.defaults.initial_capital": "30000", "database.postgresql.host": "db-host"},
    )
    assert over.database.postgresql.host == "env-host"  # env beats the database override
    assert over.backtesting.defaults.initial_capital == Decimal("30000")  # override beats YAML
    assert over.database.postgresql.port == 6000


def test_yaml_unknown_key_names_key_file_and_line(tmp_path: Path, no_secrets: Path) -> None:
    path = _yaml(tmp_path, "application:\n  name: x\nbacktesting:\n  defaults:\n    initial_capitol: 5\n")
    with pytest.raises(ConfigError) as info:
        load_settings({}, yaml_path=path, secrets_dir=no_secrets)
    message = str(info.value)
    assert "backtesting.defaults.initial_capitol" in message
    assert str(path) in message
    assert "line 5" in message


def test_yaml_unknown_top_level_section(tmp_path: Path, no_secrets: Path) -> None:
    path = _yaml(tmp_path, "databse:\n  type: sqlite\n")
    with pytest.raises(ConfigError, match="unknown key 'databse'"):
        load_settings({}, yaml_path=path, secrets_dir=no_secrets)


def test_yaml_bad_value_is_a_config_error(tmp_path: Path, no_secrets: Path) -> None:
    path = _yaml(tmp_path, "api:\n  port: not-a-port\n")
    with pytest.raises(ConfigError, match=r"api\.port"):
        load_settings({}, yaml_path=path, secrets_dir=no_secrets)


def test_yaml_env_references(tmp_path: Path, no_secrets: Path) -> None:
    path = _yaml(tmp_path, "database:\n  postgresql:\n    password: ${PGPW}\n    host: ${PGH}-1\n")
    s = load_settings({"PGPW": "x y", "PGH": "db"}, yaml_path=path, secrets_dir=no_secrets)
    assert s.database.postgresql.host == "db-1"
    pw = s.database.postgresql.password
    assert pw is not None and pw.get_secret_value() == "x y"
    with pytest.raises(ConfigError, match=r"PGPW.*not set|not set.*PGPW"):
        load_settings({"PGH": "db"}, yaml_path=path, secrets_dir=no_secrets)


def test_yaml_syntax_error(tmp_path: Path, no_secrets: Path) -> None:
    path = _yaml(tmp_path, "api:\n  port: [8000\n")
    with pytest.raises(ConfigError, match="invalid YAML"):
        load_settings({}, yaml_path=path, secrets_dir=no_secrets)


def test_explicit_missing_yaml_is_an_error(tmp_path: Path, no_secrets: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings({}, yaml_path=tmp_path / "nope.yaml", secrets_dir=no_secrets)


def test_default_yaml_location_and_example_fallback(tmp_path: Path, no_secrets: Path) -> None:
    (tmp_path / "config").mkdir()
    example = tmp_path / "config" / "config.yaml.example"
    example.write_text("api:\n  port: 9001\n", encoding="utf-8")
    assert load_settings({}, secrets_dir=no_secrets).api.port == 9001
    (tmp_path / "config" / "config.yaml").write_text("api:\n  port: 9002\n", encoding="utf-8")
    assert load_settings({}, secrets_dir=no_secrets).api.port == 9002


def test_bad_env_value_names_the_variable(no_secrets: Path) -> None:
    with pytest.raises(ConfigError, match="POSTGRES_PORT"):
        load_settings({"POSTGRES_PORT": "abc"}, secrets_dir=no_secrets)
    with pytest.raises(ConfigError, match="DATABASE_TYPE"):
        load_settings({"DATABASE_TYPE": "mysql"}, secrets_dir=no_secrets)


def test_secret_values_are_not_in_error_messages(no_secrets: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings({"POSTGRES_PORT": "hunter2"}, secrets_dir=no_secrets)
    assert "POSTGRES_PORT" in str(info.value)
    assert "hunter2" not in str(info.value)


def test_settings_are_immutable(no_secrets: Path) -> None:
    s = load_settings({}, secrets_dir=no_secrets)
    with pytest.raises(Exception, match="frozen"):
        s.log_level = "DEBUG"  # type: ignore[misc]
    assert isinstance(s, Settings)
