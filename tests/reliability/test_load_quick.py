"""20 users for 20 s against ``jutsu serve`` on PostgreSQL (the CI version of the load campaign;
``make reliability`` runs the same code for 10 minutes): no error, the server alive, a WebSocket
per user answering pings, the server's memory steady."""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

from reliability_support import ROOT, full_campaign


def _load_module() -> Any:
    spec = importlib.util.spec_from_file_location(
        "reliability_load", ROOT / "bench" / "reliability" / "load.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["reliability_load"] = module
    spec.loader.exec_module(module)
    return module


def test_twenty_users_no_errors() -> None:
    load = _load_module()
    figures = load.run_load(seconds=600.0 if full_campaign() else 20.0, users=20)
    print(f"\nload: {figures}")
    assert figures["errors"] == 0, figures["error_kinds"]
    assert figures["server_alive_at_end"]
    assert figures["requests"] > 100
    assert figures["ws_pongs"] >= 20  # every user's socket answered at least one ping
    assert figures["memory_steady"], figures
