# syntax=docker/dockerfile:1
# Jutsu Labs image (platform.md §9.1): dashboard built with Node 20, served with the API by one
# Python 3.11 process running as the non-root user `jutsu` (uid 1000).
#
#   docker build -t jutsu-labs .
#   docker compose up -d            # app + PostgreSQL 15 (see docs/operations.md)

# --- 1. dashboard: web/ -> web/dist ------------------------------------------------------------
FROM node:20-alpine AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

# --- 2. Python dependencies and the package, in a virtualenv copied whole into the runtime ------
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
COPY pyproject.toml README.md ./
COPY src ./src
RUN /opt/venv/bin/pip install .

# --- 3. runtime -----------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PATH=/opt/venv/bin:$PATH \
    TZ=America/New_York \
    JUTSU_HOME=/app \
    JUTSU_HOST=0.0.0.0 \
    JUTSU_PORT=8000
# curl: HEALTHCHECK; postgresql-client-15: pg_dump/pg_restore for `jutsu db backup|restore`
# (bookworm ships 15, the server version of docker-compose.yml); tzdata: America/New_York.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl tzdata postgresql-client-15 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 1000 jutsu \
 && useradd --uid 1000 --gid 1000 --home-dir /app --no-create-home --shell /usr/sbin/nologin jutsu
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY config/ /app/config/
COPY config/ /app/config.default/
COPY --from=web /web/dist /app/web/dist
COPY deploy/entrypoint.sh /usr/local/bin/jutsu-entrypoint
RUN chmod 0755 /usr/local/bin/jutsu-entrypoint \
 && mkdir -p /app/data/backups /app/logs \
 && chown -R jutsu:jutsu /app/data /app/logs
USER jutsu
VOLUME ["/app/data", "/app/logs"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=40s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${JUTSU_PORT}/api/status/health" || exit 1
# Waits for the database, runs `jutsu db upgrade` (refuses to start if it fails), then
# `jutsu serve --host $JUTSU_HOST --port $JUTSU_PORT`. Arguments replace the server command:
#   docker compose run --rm app jutsu db backup
ENTRYPOINT ["/usr/local/bin/jutsu-entrypoint"]
