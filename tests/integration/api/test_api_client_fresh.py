"""The committed OpenAPI schema and TypeScript client must match the app.

Always: ``web/openapi.json`` == ``scripts/export_openapi.py``'s output. When ``web/node_modules``
holds ``openapi-typescript`` (after ``npm ci`` in ``web/``; ``make install`` does not run npm,
which needs the network), the ``.d.ts`` is regenerated and compared too. To refresh both:
``python scripts/export_openapi.py && (cd web && npm run gen:client)``.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
WEB = ROOT / "web"
STALE = "run: python scripts/export_openapi.py && (cd web && npm run gen:client)"


def _exporter():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("export_openapi", ROOT / "scripts" / "export_openapi.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_openapi_json_is_fresh() -> None:
    exporter = _exporter()
    committed = (WEB / "openapi.json").read_text(encoding="utf-8")
    assert exporter.render(exporter.openapi_schema()) == committed, f"web/openapi.json is stale; {STALE}"


def test_typescript_client_is_fresh(tmp_path: Path) -> None:
    tool = WEB / "node_modules" / ".bin" / "openapi-typescript"
    if not tool.exists() or shutil.which("node") is None:
        pytest.skip("web/node_modules not installed (npm ci in web/); openapi.json is still compared")
    out = tmp_path / "schema.d.ts"
    subprocess.run(
        [str(tool), str(WEB / "openapi.json"), "--output", str(out)],
        cwd=WEB,
        check=True,
        capture_output=True,
        timeout=120,
    )
    committed = (WEB / "src" / "client" / "schema.d.ts").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == committed, f"web/src/client/schema.d.ts is stale; {STALE}"
