"""Hand-made backtest outcomes for the writer and report tests (no engine needed).

A uniquely named module (not a conftest) so test files import it without clashing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jutsu.backtest.models import BacktestOutcome, BacktestRequest
from jutsu.core.result import BacktestResult, DaySnapshot, DecisionRecord, Fill

REGIME_COLUMNS = (
    "cell",
    "trend_state",
    "vol_state",
    "t_norm",
    "sma_fast",
    "sma_slow",
    "z_score",
    "vol_crush",
    "bond_trend",
)


def _business_days(start: dt.date, n: int) -> list[dt.date]:
    out: list[dt.date] = []
    d = start
    while len(out) < n:
        if d.weekday() < 5:
            out.append(d)
        d += dt.timedelta(days=1)
    return out


def build_outcome(*, regime: bool = False, days: int = 300) -> BacktestOutcome:
    """A small but consistent run: buys QQQ on day 0, rotates half into TQQQ on day 100,
    sells TQQQ on day 200; prices follow a deterministic zig-zag."""
    dates = _business_days(dt.date(2020, 1, 2), days)
    capital = Decimal("10000")
    cash = capital
    pos: dict[str, int] = {}
    snaps: list[DaySnapshot] = []
    fills: list[Fill] = []
    decisions: list[DecisionRecord] = []
    baseline: dict[dt.date, Decimal] = {}
    q0 = Decimal("100")
    for i, d in enumerate(dates):
        wiggle = Decimal((i * 37) % 11 - 5) / 10
        prices = {"QQQ": Decimal("100") + Decimal(i) / 10 + wiggle, "TQQQ": Decimal("50") + wiggle * 3}
        traded: list[str] = []
        if i in (0, 100, 200):
            plan = {
                0: [("QQQ", "BUY", 60)],
                100: [("QQQ", "SELL", 30), ("TQQQ", "BUY", 60)],
                200: [("TQQQ", "SELL", 60)],
            }[i]
            for sym, side, qty in plan:
                price = prices[sym] * (Decimal("1.001") if side == "BUY" else Decimal("0.999"))
                comm = Decimal("0.01") * qty
                if side == "BUY":
                    cash -= price * qty + comm
                    pos[sym] = pos.get(sym, 0) + qty
                else:
                    cash += price * qty - comm
                    pos[sym] -= qty
                fills.append(Fill(d, sym, side, qty, price, comm, f"rebalance day {i}"))  # type: ignore[arg-type]
                traded.append(sym)
        pos = {s: q for s, q in pos.items() if q}
        equity = cash + sum((q * prices[s] for s, q in pos.items()), Decimal(0))
        snaps.append(DaySnapshot(d, cash, dict(pos), dict(prices), equity))
        weights = {
            "QQQ": Decimal("0.6") if i < 100 else Decimal("0.3"),
            "TQQQ": Decimal("0.3") if 100 <= i < 200 else Decimal(0),
        }
        journal: dict[str, float | int | str | bool | None] = {}
        if regime:
            journal = {
                "cell": 1 + (i // 50) % 6,
                "trend_state": "BullStrong",
                "vol_state": "Low",
                "t_norm": 0.25,
                "sma_fast": float(prices["QQQ"]),
                "sma_slow": None,
                "z_score": -0.5,
                "vol_crush": i % 2 == 0,
                "bond_trend": "Bull",
            }
        decisions.append(DecisionRecord(d, weights, tuple(traded), journal))
        if i == 0:
            q0 = prices["QQQ"]
        baseline[d] = capital / q0 * prices["QQQ"]
    result = BacktestResult(
        strategy_id="v3_5b" if regime else "sma_crossover",
        params={"sma_fast": 40, "upper_thresh_z": Decimal("1.0")},
        start=dates[0],
        end=dates[-1],
        initial_capital=capital,
        snapshots=tuple(snaps),
        fills=tuple(fills),
        decisions=tuple(decisions),
        journal_columns=REGIME_COLUMNS if regime else (),
        symbols=("QQQ", "TQQQ"),
    )
    request = BacktestRequest(result.strategy_id, dates[0], dates[-1])
    metrics = {
        "final_value": float(snaps[-1].equity),
        "total_return": float(snaps[-1].equity / capital - 1),
        "sharpe": 0.5,
        "sortino": float("inf"),
        "max_drawdown": -0.1,
        "closed_trades": 2,
    }
    return BacktestOutcome(
        request=request,
        result=result,
        baseline_symbol="QQQ",
        baseline_equity=baseline,
        strategy_metrics=metrics,
        baseline_metrics={
            "final_value": float(baseline[dates[-1]]),
            "total_return": 0.3,
            "sharpe": 0.7,
            "sortino": 1.1,
            "max_drawdown": -0.05,
        },
        data_fingerprint="ab" * 32,
        engine_version="test-1",
    )
