"""Runs the dashboard's component tests (vitest, ``npm test`` in ``web/``) inside ``make test``.

The Makefile's ``test`` target installs the node dependencies from the committed lock first
(``make web``), so these always run in CI; without ``web/node_modules`` (a Python-only checkout)
the test is skipped with the command that enables it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"


def test_vitest_component_suite() -> None:
    if not (WEB / "node_modules" / ".bin" / "vitest").exists() or shutil.which("npm") is None:
        if os.environ.get("CI"):
            pytest.fail("web/node_modules missing in CI: `make web` must run before the tests")
        pytest.skip("web/node_modules missing: run `make web` (npm ci) to enable the dashboard tests")
    env = {**os.environ, "CI": "1", "NO_COLOR": "1", "FORCE_COLOR": "0"}
    proc = subprocess.run(
        ["npm", "test", "--silent"],
        cwd=WEB,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    match = re.search(r"Tests\s+(\d+) passed", out)
    assert match and int(match.group(1)) >= 40, out[-2000:]
