"""Serve the built dashboard (``web/dist``) from the API process, with an SPA fallback.

Why a fallback *after* routing instead of a catch-all route: every API route, ``/docs`` and
``/metrics`` keeps priority, and an unknown ``/api/...`` path still answers the JSON 404 of the
error handlers. Only a GET/HEAD that nothing else answered (404) and that is not an API path gets
a file from ``dist`` or ``index.html`` (client-side routes such as ``/performance``). ``/`` itself
is the API banner for JSON clients and the dashboard for browsers (``Accept: text/html``).

Nothing happens when ``dist/index.html`` does not exist (API-only deployments, tests).
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SpaFallbackMiddleware", "default_dist_dir", "spa_dist_dir"]

API_PREFIXES = ("/api", "/ws", "/docs", "/redoc", "/openapi.json", "/metrics")


def default_dist_dir() -> Path:
    """``JUTSU_WEB_DIST`` when set, else ``web/dist`` of the source checkout."""
    env = os.environ.get("JUTSU_WEB_DIST")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "web" / "dist"


def spa_dist_dir(dist_dir: Path | None = None) -> Path | None:
    """The dist directory if it holds a built dashboard, else ``None``."""
    dist = dist_dir if dist_dir is not None else default_dist_dir()
    return dist if (dist / "index.html").is_file() else None


def _is_api(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in API_PREFIXES)


def _wants_html(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"accept":
            return b"text/html" in value
    return False


class SpaFallbackMiddleware:
    """Answer with a file of ``dist`` (or ``index.html``) where the app would answer 404."""

    def __init__(self, app: ASGIApp, dist_dir: Path) -> None:
        self.app = app
        self.dist = dist_dir.resolve()

    def _file_for(self, path: str) -> Path:
        candidate = (self.dist / path.lstrip("/")).resolve()
        if candidate.is_file() and candidate.is_relative_to(self.dist):
            return candidate
        return self.dist / "index.html"

    async def _send_file(self, scope: Scope, send: Send, file: Path) -> None:
        body = file.read_bytes()
        ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        # Hashed assets never change; index.html must always be revalidated to pick up new builds.
        cache = b"public, max-age=31536000, immutable" if "/assets/" in str(file) else b"no-cache"
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", ctype.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"cache-control", cache),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path == "/" and _wants_html(scope):
            await self._send_file(scope, send, self.dist / "index.html")
            return
        if _is_api(path):
            await self.app(scope, receive, send)
            return

        not_found = False

        async def capture(message: Message) -> None:
            nonlocal not_found
            if message["type"] == "http.response.start":
                if message["status"] == 404:
                    not_found = True
                    return
            elif not_found:
                return
            await send(message)

        await self.app(scope, receive, capture)
        if not_found:
            await self._send_file(scope, send, self._file_for(path))
