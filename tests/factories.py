"""Builders shared by tests (a plain module: ``tests/`` is on ``sys.path``)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def one_strategy_registry(directory: Path, *, baseline: str = "QQQ") -> Path:
    """A registry file with ``sma_crossover`` as its only (primary, active, dry-run) strategy —
    the smallest valid registry, so first-run and scheduler tests stay fast."""
    path = directory / "registry.yaml"
    path.write_text(
        "version: '1.0'\n"
        "strategies:\n"
        "  sma_crossover:\n"
        "    display_name: SMA crossover\n"
        "    strategy_class: sma_crossover\n"
        f"    config_file: {ROOT / 'config/strategies/sma_crossover.yaml'}\n"
        "    is_primary: true\n"
        "    is_active: true\n"
        "    mode: dry_run\n"
        f"    baseline_symbol: {baseline}\n"
        "execution_order: [sma_crossover]\n"
    )
    return path
