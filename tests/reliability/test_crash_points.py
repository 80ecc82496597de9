"""Crash safety (issue #10, item 1), CI version: SIGKILL at >= 50 distinct points of the daily run
on SQLite — paper broker (three strategies) and the real schwab-py client against the fake Schwab
server — restart, resume, check. ``make reliability`` runs every point
(``bench/reliability/crash.py``)."""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

import pytest
from reliability_support import ROOT, full_campaign


def _crash_module() -> Any:
    spec = importlib.util.spec_from_file_location(
        "reliability_crash", ROOT / "bench" / "reliability" / "crash.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["reliability_crash"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def figures() -> dict[str, Any]:
    crash = _crash_module()
    if full_campaign():
        return dict(crash.run_campaign(None, None))
    return dict(crash.run_campaign(50, 12))


def test_at_least_50_points_killed_and_resumed(figures: dict[str, Any]) -> None:
    print(
        f"\ncrash points tested: {figures['points_tested']}, by category {figures['violations_by_category']}"
    )
    assert figures["points_tested"] >= 50
    for scenario in figures["scenarios"]:
        assert scenario["not_killed"] == [], scenario  # every chosen point was reached and killed
        assert scenario["points_available"] > 20


@pytest.mark.parametrize("category", ["duplicate_order", "reconciliation", "lost_trade"])
def test_no_duplicate_no_drift_no_lost_trade(figures: dict[str, Any], category: str) -> None:
    details = [
        v
        for s in figures["scenarios"]
        for v in s["violation_details"]
        if any(category in p for p in v["problems"])
    ]
    assert figures["violations_by_category"][category] == 0, details


def test_journal_complete_after_resume(figures: dict[str, Any]) -> None:
    details = [
        v
        for s in figures["scenarios"]
        for v in s["violation_details"]
        if any("journal" in p for p in v["problems"])
    ]
    assert figures["violations_by_category"]["journal"] == 0, details
