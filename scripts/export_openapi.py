"""Write the API's OpenAPI schema to ``web/openapi.json`` deterministically (sorted keys).

The dashboard's TypeScript client (``web/src/client/schema.d.ts``) is generated from this file
with ``npm run gen:client`` in ``web/``; ``tests/integration/api/test_api_client_fresh.py``
fails when either committed file is stale. Usage: ``python scripts/export_openapi.py [OUT]``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "web" / "openapi.json"


def openapi_schema() -> dict[str, Any]:
    """The schema of an app built with default settings (docs enabled); no database needed."""
    from jutsu.api.app import create_app
    from jutsu.config import load_settings

    settings = load_settings(env={"DISABLE_DOCS": "false"}, yaml_path=None)
    schema: dict[str, Any] = create_app(settings).openapi()
    return schema


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(openapi_schema()), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
