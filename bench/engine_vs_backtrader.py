"""sma_crossover on QQQ 2015-2024: the Jutsu engine vs backtrader, timed in the same run.

Both engines get the same bars already in memory; each is timed best-of-N, in wall time and
in CPU time of this process (``time.process_time``: on a shared, loaded machine a 40 ms run
is easily pre-empted, so the CPU ratio is the stable figure). Prints both times, the speed
ratios (target >= 10x) and both final equities (must be equal to the cent).

    .venv/bin/python bench/engine_vs_backtrader.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import backtrader as bt
import pandas as pd

from jutsu.core.costs import CostModel
from jutsu.core.engine import run_backtest, warmup_sessions
from jutsu.core.market import MarketData
from jutsu.data.sources.csv_source import read_price_csv
from jutsu.strategies.sma_crossover import SmaCrossover, SmaCrossoverParams

PRICES = Path(__file__).resolve().parents[2] / "shared" / "data" / "prices"
START, END = dt.date(2015, 1, 2), dt.date(2024, 12, 31)
COSTS = CostModel()


class Sizer(bt.Sizer):
    """backtest-semantics §5.3 for p = 1."""

    def _getsizing(self, comminfo, cash, data, isbuy):  # type: ignore[no-untyped-def]
        value = self.broker.getvalue()
        return int(min(value, cash) / (data.close[0] * 1.001 + 0.01))


class SmaCross(bt.Strategy):
    def __init__(self) -> None:
        self.fast = bt.indicators.SMA(self.data.close, period=50)
        self.slow = bt.indicators.SMA(self.data.close, period=200)

    def next(self) -> None:
        if self.data.datetime.date(0) < START:
            return
        long = self.fast[0] > self.slow[0]
        if long and not self.position:
            self.buy()
        elif not long and self.position:
            self.close()


def run_bt(feed: pd.DataFrame) -> float:
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(bt.feeds.PandasData(dataname=feed))
    cerebro.addstrategy(SmaCross)
    cerebro.addsizer(Sizer)
    cerebro.broker.setcash(10000.0)
    cerebro.broker.set_coc(True)
    cerebro.broker.set_slippage_perc(0.001, slip_open=True, slip_match=True, slip_out=True)
    cerebro.broker.addcommissioninfo(
        bt.CommissionInfo(commission=0.01, commtype=bt.CommInfoBase.COMM_FIXED, stocklike=True)
    )
    cerebro.run()
    return float(cerebro.broker.getvalue())


def best_of(fn: Callable[[], object], repeats: int) -> tuple[float, float, object]:
    """Best wall time, best CPU time, last result."""
    best, best_cpu, out = float("inf"), float("inf"), None
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return best, best_cpu, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    _, qqq = read_price_csv(PRICES / "QQQ.csv")
    market = MarketData.from_frames({"QQQ": qqq})
    strategy = SmaCrossover(SmaCrossoverParams())
    dates = qqq["date"].dt.date
    first = int((dates < START).sum()) - warmup_sessions(strategy)
    window = qqq[dates <= END].iloc[first:]
    feed = pd.DataFrame(
        {c: [float(v) for v in window[c]] for c in ("open", "high", "low", "close")},
        index=pd.DatetimeIndex(window["date"]),
    )
    feed["volume"] = window["volume"].astype(float).to_numpy()

    t_jutsu, c_jutsu, result = best_of(
        lambda: run_backtest(
            strategy, market, start=START, end=END, initial_capital=Decimal(10000), costs=COSTS
        ),
        args.repeats * 3,  # cheap: more tries to dodge pre-emption on a loaded machine
    )
    t_bt, c_bt, bt_value = best_of(lambda: run_bt(feed), args.repeats)
    ours = result.snapshots[-1].equity  # type: ignore[attr-defined]
    one, five, _ = os.getloadavg()
    print(f"bars: {len(feed)} sessions ({START} -> {END}, incl. warm-up); load average {one:.2f} {five:.2f}")
    print(
        f"jutsu engine : {t_jutsu * 1000:8.1f} ms wall {c_jutsu * 1000:8.1f} ms CPU   final equity {ours:.2f}"
    )
    print(
        f"backtrader   : {t_bt * 1000:8.1f} ms wall {c_bt * 1000:8.1f} ms CPU   final equity {bt_value:.2f}"
    )
    print(f"speed ratio  : {t_bt / t_jutsu:8.1f}x wall {c_bt / c_jutsu:8.1f}x CPU  (target >= 10x)")
    same = abs(Decimal(repr(bt_value)) - ours) < Decimal("0.005")
    print(f"equal to the cent: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
