"""Alert builders for the events that notify (platform.md §5.11), so every caller words them alike.

Token-expiry alerts are built by :func:`jutsu.brokers.schwab_tokens.check_token_expiry`.
``dashboard_url`` (``DASHBOARD_URL``) becomes the alert's action link when given.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from jutsu.notify.base import Alert, Severity

__all__ = [
    "reconciliation_drift_alert",
    "run_failed_alert",
    "slippage_abort_alert",
    "trade_executed_alert",
]


def _details(dashboard_url: str | None, path: str, **fields: object) -> dict[str, object]:
    details: dict[str, object] = {
        k.replace("_", " ").capitalize(): v for k, v in fields.items() if v is not None
    }
    if dashboard_url:
        details["action_url"] = dashboard_url.rstrip("/") + path
    return details


def trade_executed_alert(
    strategy_id: str,
    mode: str,
    symbol: str,
    side: str,
    quantity: int,
    fill_price: Decimal,
    *,
    slippage_pct: Decimal | None = None,
    timestamp: datetime | None = None,
    dashboard_url: str | None = None,
) -> Alert:
    return Alert(
        "trade_executed",
        "info",
        f"{side} {quantity} {symbol} @ {fill_price:.2f} ({mode})",
        f"Strategy {strategy_id} {'bought' if side == 'BUY' else 'sold'} {quantity} {symbol} "
        f"at {fill_price:.4f}.",
        strategy_id=strategy_id,
        details=_details(
            dashboard_url,
            "/trades",
            mode=mode,
            symbol=symbol,
            side=side,
            quantity=quantity,
            fill_price=str(fill_price),
            slippage_pct=None if slippage_pct is None else str(slippage_pct),
        ),
        timestamp=timestamp,
    )


def run_failed_alert(
    strategy_id: str,
    mode: str,
    error: str,
    *,
    execution_id: str | None = None,
    timestamp: datetime | None = None,
    dashboard_url: str | None = None,
) -> Alert:
    return Alert(
        "run_failed",
        "critical",
        f"Trading run failed: {strategy_id} ({mode})",
        error,
        strategy_id=strategy_id,
        details=_details(dashboard_url, "/", mode=mode, execution_id=execution_id),
        timestamp=timestamp,
    )


def slippage_abort_alert(
    strategy_id: str,
    mode: str,
    symbol: str,
    target_price: Decimal,
    fill_price: Decimal,
    slippage_pct: Decimal,
    threshold_pct: Decimal,
    *,
    aborted: bool = True,
    timestamp: datetime | None = None,
    dashboard_url: str | None = None,
) -> Alert:
    """``aborted=True``: above the abort threshold, remaining orders stopped (CRITICAL);
    ``False``: above the max threshold only (WARNING)."""
    severity: Severity = "critical" if aborted else "warning"
    what = "remaining orders stopped" if aborted else "trade marked"
    return Alert(
        "slippage_abort",
        severity,
        f"Slippage {slippage_pct:.3f}% on {symbol}: {what} ({strategy_id})",
        f"{symbol} filled at {fill_price:.4f} against a target of {target_price:.4f}: "
        f"{slippage_pct:.3f} percentage points, above the {threshold_pct}% threshold.",
        strategy_id=strategy_id,
        details=_details(
            dashboard_url,
            "/trades",
            mode=mode,
            symbol=symbol,
            target_price=str(target_price),
            fill_price=str(fill_price),
            slippage_pct=str(slippage_pct),
        ),
        timestamp=timestamp,
    )


def reconciliation_drift_alert(
    strategy_id: str,
    drift: Mapping[str, Mapping[str, object]],
    *,
    critical: bool = False,
    discrepancies: int = 0,
    timestamp: datetime | None = None,
    dashboard_url: str | None = None,
) -> Alert:
    """``drift``: ``{symbol: {local, broker, diff, drift_pct}}`` as stored in ``reconciliation_reports``."""
    fields = {
        symbol: f"local {d.get('local')} / broker {d.get('broker')} ({d.get('drift_pct')}%)"
        for symbol, d in sorted(drift.items())
    }
    details: dict[str, object] = dict(fields)
    if discrepancies:
        details["Trade discrepancies"] = discrepancies
    if dashboard_url:
        details["action_url"] = dashboard_url.rstrip("/") + "/"
    return Alert(
        "reconciliation_drift",
        "critical" if critical else "warning",
        f"Reconciliation drift: {strategy_id}" + (" — trading blocked" if critical else ""),
        f"Local ledger and Schwab disagree on {len(drift)} position(s)"
        + (f" and {discrepancies} trade(s)" if discrepancies else "")
        + ("; the strategy is blocked until an admin acknowledges." if critical else "."),
        strategy_id=strategy_id,
        details=details,
        timestamp=timestamp,
    )
