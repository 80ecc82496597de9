"""The SPA fallback: files and client routes from dist, API 404s stay JSON, routes keep priority."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient

from jutsu.api.spa import SpaFallbackMiddleware, spa_dist_dir


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>", encoding="utf-8")
    (tmp_path / "assets" / "app-123.js").write_text("console.log(1)", encoding="utf-8")
    (tmp_path.parent / "secret.txt").write_text("nope", encoding="utf-8")
    return tmp_path


@pytest.fixture
def client(dist: Path) -> TestClient:
    app = FastAPI()

    @app.get("/")
    def banner() -> dict[str, str]:
        return {"name": "api"}

    @app.get("/api/thing")
    def thing() -> dict[str, int]:
        return {"n": 1}

    @app.get("/api/missing")
    def missing() -> None:
        raise HTTPException(404, "Thing not found")

    app.add_middleware(SpaFallbackMiddleware, dist_dir=dist)
    return TestClient(app)


def test_no_dist_means_no_spa(tmp_path: Path) -> None:
    assert spa_dist_dir(tmp_path) is None
    (tmp_path / "index.html").write_text("x", encoding="utf-8")
    assert spa_dist_dir(tmp_path) == tmp_path


def test_root_is_the_banner_for_json_clients_and_the_dashboard_for_browsers(client: TestClient) -> None:
    assert client.get("/", headers={"Accept": "application/json"}).json() == {"name": "api"}
    html = client.get("/", headers={"Accept": "text/html,application/xhtml+xml"})
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert "id=root" in html.text


def test_client_routes_get_index_and_assets_are_served(client: TestClient) -> None:
    page = client.get("/performance")
    assert page.status_code == 200 and "id=root" in page.text
    assert page.headers["cache-control"] == "no-cache"
    js = client.get("/assets/app-123.js")
    assert js.text == "console.log(1)"
    assert "javascript" in js.headers["content-type"]
    assert "immutable" in js.headers["cache-control"]


def test_api_paths_keep_json_404s_and_routes(client: TestClient) -> None:
    assert client.get("/api/thing").json() == {"n": 1}
    unknown = client.get("/api/nope")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/json")
    gone = client.get("/api/missing")
    assert gone.status_code == 404 and gone.json() == {"detail": "Thing not found"}


def test_no_path_traversal_and_no_fallback_for_writes(client: TestClient) -> None:
    r = client.get("/../secret.txt")
    assert "nope" not in r.text
    assert client.post("/performance").status_code in (404, 405)
