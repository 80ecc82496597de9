"""Dashboard weight: the built bundle's JS and CSS, raw and gzipped, against the 500 kB budget.

The other figure, first load → first chart drawn (target ≤ 1 s), needs the seeded server and a
browser; the end-to-end run prints it (``pytest tests/e2e -s -k report``). Run ``make web`` first.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

DIST = Path(__file__).resolve().parents[1] / "web" / "dist"
BUDGET_KB = 500.0


def main() -> int:
    assets = sorted((DIST / "assets").glob("*.*")) if DIST.is_dir() else []
    if not assets:
        print("web/dist is missing: run `make web` first", file=sys.stderr)
        return 1
    total_js = 0
    print(f"{'file':40} {'raw kB':>9} {'gzip kB':>9}")
    for path in assets:
        raw = path.read_bytes()
        gz = len(gzip.compress(raw, 9))
        if path.suffix == ".js":
            total_js += gz
        print(f"{path.name:40} {len(raw) / 1024:9.1f} {gz / 1024:9.1f}")
    kb = total_js / 1024
    print(f"initial JS gzipped: {kb:.1f} kB = {kb / BUDGET_KB:.0%} of the {BUDGET_KB:.0f} kB budget")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
