"""Static checks of the deployment files against the code they deploy.

No Docker engine runs here, so these tests read ``docker-compose.yml``, ``Dockerfile``,
``deploy/nginx.conf`` and ``.env.example`` and cross-check them with the settings and routes the
code really has: a renamed route or setting must break a test, not a production deploy.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from fastapi.routing import APIRoute

from jutsu.api.app import routers
from jutsu.config import load_settings
from jutsu.config.settings import ENV_VARIABLES

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()
NGINX = (ROOT / "deploy" / "nginx.conf").read_text()
ENV_EXAMPLE = (ROOT / ".env.example").read_text()

SECRET_NAMES = {name for _, names, secret in ENV_VARIABLES if secret for name in names}
ALL_NAMES = {name for _, names, _ in ENV_VARIABLES for name in names}


def _route_paths() -> set[str]:
    return {route.path for router in routers() for route in router.routes if isinstance(route, APIRoute)}


def _health_path_of(command: str) -> str:
    match = re.search(r"http://127\.0\.0\.1:[^/\s\"]+(/[\w/]+)", command)
    assert match, command
    return match.group(1)


def test_compose_services_volumes_and_healthchecks() -> None:
    services = COMPOSE["services"]
    assert set(services) == {"app", "db", "nginx"}
    db = services["db"]
    assert db["image"] == "postgres:15"
    assert "pgdata:/var/lib/postgresql/data" in db["volumes"]
    assert "pgdata" in COMPOSE["volumes"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])

    app = services["app"]
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["environment"]["DATABASE_TYPE"] == "postgresql"
    assert app["environment"]["POSTGRES_HOST"] == "db"
    assert _health_path_of(" ".join(app["healthcheck"]["test"])) in _route_paths()
    for volume in app["volumes"]:
        source = volume.split(":")[0]
        assert source.startswith("./") or source in COMPOSE["volumes"], volume

    nginx = services["nginx"]
    assert nginx["profiles"] == ["nginx"]
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in nginx["volumes"]


def test_compose_environment_and_secrets_are_settings_the_code_reads() -> None:
    app = COMPOSE["services"]["app"]
    entrypoint_only = {"TZ"}
    assert set(app["environment"]) - entrypoint_only <= ALL_NAMES
    for secret in app["secrets"]:
        assert secret in COMPOSE["secrets"]
        assert secret.upper() in SECRET_NAMES, f"{secret}: no secret setting reads /run/secrets/{secret}"
    db = COMPOSE["services"]["db"]
    assert db["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"


def test_only_the_bundled_nginx_is_a_trusted_proxy() -> None:
    nginx_ip = COMPOSE["services"]["nginx"]["networks"]["jutsu"]["ipv4_address"]
    assert COMPOSE["services"]["app"]["environment"]["TRUSTED_PROXIES"] == f"{nginx_ip}/32"
    subnet = COMPOSE["networks"]["jutsu"]["ipam"]["config"][0]["subnet"]
    assert f"allow {subnet};" in NGINX  # /metrics reachable from the compose network only


def test_docker_secrets_files_are_honoured(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    for name in COMPOSE["services"]["app"]["secrets"]:
        (secrets / name).write_text(f"from-{name}-file\n")
    env = {k: str(v) for k, v in COMPOSE["services"]["app"]["environment"].items() if not v.startswith("$")}
    settings = load_settings(env=env, yaml_path=None, secrets_dir=secrets)
    assert settings.database_url.startswith("postgresql+psycopg://jutsu:from-postgres_password-file@db:5432/")
    assert settings.secret_key is not None
    assert settings.secret_key.get_secret_value() == "from-secret_key-file"

    pw_file = tmp_path / "pw.txt"
    pw_file.write_text("via-FILE-variable\n")
    settings = load_settings(
        env={**env, "POSTGRES_PASSWORD_FILE": str(pw_file)}, yaml_path=None, secrets_dir=tmp_path / "none"
    )
    assert ":via-FILE-variable@" in settings.database_url


def test_dockerfile_stages_user_healthcheck_and_entrypoint() -> None:
    froms = re.findall(r"^FROM\s+(\S+)", DOCKERFILE, re.MULTILINE)
    assert froms[0].startswith("node:20")
    assert all(image.startswith("python:3.11-slim") for image in froms[1:])
    users = re.findall(r"^USER\s+(\S+)", DOCKERFILE, re.MULTILINE)
    assert users
    assert users[-1] not in ("root", "0")
    health = re.search(r"^HEALTHCHECK .*?CMD (.+?)$", DOCKERFILE, re.MULTILINE | re.DOTALL)
    assert health
    assert _health_path_of(health.group(1)) in _route_paths()
    assert "COPY deploy/entrypoint.sh /usr/local/bin/jutsu-entrypoint" in DOCKERFILE
    assert 'ENTRYPOINT ["/usr/local/bin/jutsu-entrypoint"]' in DOCKERFILE
    assert "npm run build" in DOCKERFILE
    assert "/web/dist" in DOCKERFILE


def test_env_example_lists_every_setting_and_nothing_stale() -> None:
    listed = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE, re.MULTILINE))
    canonical = {names[0] for _, names, _ in ENV_VARIABLES}
    assert canonical - listed == set(), "settings missing from .env.example"
    # Variables read outside Settings: notifications and the Schwab client.
    for module, prefix in (("notify/fanout.py", "NOTIFICATION_"), ("brokers/schwab_client.py", "SCHWAB_")):
        source = (ROOT / "src" / "jutsu" / module).read_text()
        read = set(re.findall(rf'"({prefix}[A-Z_]+)"', source)) - {
            "NOTIFICATION_WEBHOOK_URL_FILE",
            "SCHWAB_HOST",
        }
        aliases = {"SCHWAB_APP_KEY", "SCHWAB_API_SECRET"}
        assert read - aliases <= listed, module
    assert "BROKER_TOKEN_ENCRYPTION_KEY" in listed
    readers = "\n".join(
        [
            *(p.read_text() for p in (ROOT / "src").rglob("*.py")),
            (ROOT / "deploy" / "entrypoint.sh").read_text(),
            (ROOT / "docker-compose.yml").read_text(),
            DOCKERFILE,
        ]
    )
    stale = {name for name in listed if name not in readers}
    assert stale == set(), "listed in .env.example but read nowhere"


def test_nginx_rate_limits_headers_and_websocket() -> None:
    assert re.search(r"limit_req_zone \$binary_remote_addr zone=login:\S+ rate=5r/m;", NGINX)
    login = re.search(r"location ~ \^/api/auth/login[^{]*\{([^}]*)\}", NGINX)
    assert login
    assert "limit_req zone=login" in login.group(1)
    for header in (
        "Strict-Transport-Security",
        "X-Content-Type-Options",
        "X-Frame-Options",
        "Content-Security",
    ):
        assert f"add_header {header}" in NGINX
    ws = re.search(r"location /ws \{([^}]*)\}", NGINX)
    assert ws
    assert "proxy_set_header Upgrade $http_upgrade" in ws.group(1)
    assert "proxy_set_header X-Real-IP $remote_addr;" in NGINX
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in NGINX
    assert "ssl_certificate " in NGINX


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx not installed (apt-get install nginx-light)")
def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    certs = tmp_path / "certs"
    certs.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-keyout", str(certs / "privkey.pem"), "-out", str(certs / "fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        NGINX.replace("server app:8000", "server 127.0.0.1:8000").replace("/etc/nginx/certs", str(certs))
    )
    result = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(conf), "-e", "stderr"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
