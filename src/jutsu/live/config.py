"""Live execution limits of one strategy: registry defaults (spec §8.3) overridden by its file.

Plain frozen values so the pipeline, the preview and the tests share one definition of
"rebalance threshold", "slippage warning/abort" and "fill timeout".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from jutsu.strategies.registry import ExecutionSection

__all__ = ["ExecutionLimits"]


@dataclass(frozen=True, slots=True)
class ExecutionLimits:
    """Percentages are percentage points (0.3 = 0.3 %)."""

    rebalance_threshold_pct: Decimal = Decimal("5.0")
    slippage_warning_pct: Decimal = Decimal("0.3")
    max_slippage_pct: Decimal = Decimal("0.5")
    slippage_abort_pct: Decimal = Decimal("1.0")
    fill_timeout_seconds: float = 60.0
    poll_interval_seconds: float = 1.0
    max_quote_age_seconds: float = 300.0

    @classmethod
    def from_section(cls, section: ExecutionSection | None) -> ExecutionLimits:
        """Defaults of ``live_trading_config.yaml`` overridden by a strategy's ``execution:``."""
        limits = cls()
        if section is None:
            return limits
        changes: dict[str, object] = {}
        for name in (
            "rebalance_threshold_pct",
            "slippage_warning_pct",
            "max_slippage_pct",
            "slippage_abort_pct",
        ):
            value = getattr(section, name)
            if value is not None:
                changes[name] = Decimal(str(value))
        if section.fill_timeout_seconds is not None:
            changes["fill_timeout_seconds"] = float(section.fill_timeout_seconds)
        if section.retry_delay_seconds is not None:
            changes["poll_interval_seconds"] = float(section.retry_delay_seconds)
        return replace(limits, **changes)  # type: ignore[arg-type]
