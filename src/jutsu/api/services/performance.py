"""Performance V2: EOD-finalized daily rows, KPIs over a range, baseline side by side.

Reads only ``daily_performance`` (written by the EOD job, platform.md §5.4). Period metrics use
the live KPI variant settled by DECISIONS.md 1 (empyrical definitions, 252 periods a year,
risk-free 0); ``annualized_return`` uses calendar days (365.25) as §3.8 specifies.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Hashable, Sequence
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from jutsu.api.schemas.performance import (
    BaselineSummary,
    ComparisonEntry,
    ComparisonPublic,
    DailyPerformanceData,
    DailyPublic,
    EODStatus,
    HistoryPublic,
    Holding,
    MonthlyReturn,
    MonthlyReturnsPublic,
    PeriodMetrics,
    RegimeBreakdownPublic,
    RegimeStats,
)
from jutsu.api.services.errors import Invalid, NotFound
from jutsu.api.services.finalized_cache import FinalizedCache
from jutsu.api.services.sessions import SessionSource
from jutsu.api.services.status import StatusService
from jutsu.data.models import DailyPerformance
from jutsu.data.repositories import performance as repo
from jutsu.data.repositories.trades import TradeFilter, iter_trades

__all__ = ["PerformanceService", "TimeRange", "period_metrics", "resolve_range"]

ET = ZoneInfo("America/New_York")
TimeRange = Literal["1M", "3M", "YTD", "1Y", "All"]
_ANNUAL = 252


def _f(value: Decimal | float | None) -> float | None:
    return None if value is None else round(float(value), 6)


def resolve_range(
    latest: dt.date,
    *,
    days: int | None,
    time_range: TimeRange | None,
    start: dt.date | None,
    end: dt.date | None,
) -> tuple[dt.date | None, dt.date | None]:
    """``(start, end)`` of the requested window; explicit dates win, then ``range``, then ``days``.

    Ranges count back from the newest finalized date, not the wall clock, so a range always
    has data. ``None`` means unbounded (``All`` / ``days=0``).
    """
    if start is not None or end is not None:
        if start is not None and end is not None and end < start:
            raise Invalid(f"end_date {end} is before start_date {start}")
        return start, end
    if time_range is not None:
        if time_range == "All":
            return None, None
        if time_range == "YTD":
            return dt.date(latest.year, 1, 1), None
        months = {"1M": 1, "3M": 3, "1Y": 12}[time_range]
        return _months_back(latest, months), None
    if days is None or days == 0:
        return (None, None) if days == 0 else (latest - dt.timedelta(days=29), None)
    return latest - dt.timedelta(days=days - 1), None


def _months_back(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last = [
        31,
        29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ]
    return dt.date(year, month, min(day.day, last[month - 1])) + dt.timedelta(days=1)


def _sharpe(returns: Sequence[float]) -> float | None:
    n = len(returns)
    if n < 2:
        return None
    mean = sum(returns) / n
    var = sum((r - mean) ** 2 for r in returns) / (n - 1)
    if var <= 0:
        return None
    return mean / math.sqrt(var) * math.sqrt(_ANNUAL)


def _max_drawdown(equity: Sequence[float]) -> float | None:
    if not equity:
        return None
    peak, worst = equity[0], 0.0
    for value in equity:
        peak = max(peak, value)
        if peak > 0:
            worst = min(worst, value / peak - 1)
    return worst


def _annualize(period_return: float | None, days: int) -> float | None:
    if period_return is None or days <= 0 or period_return <= -1:
        return None
    return float((1 + period_return) ** (365.25 / days) - 1)


def period_metrics(
    rows: Sequence[DailyPerformance],
    anchor_equity: Decimal | None,
    anchor_date: dt.date | None,
    baseline_rows: Sequence[DailyPerformance],
    baseline_anchor: Decimal | None,
) -> PeriodMetrics:
    """KPIs over exactly ``rows`` (oldest first), anchored on the equity before the range."""
    if not rows:
        return PeriodMetrics(
            start_date=None,
            end_date=None,
            calendar_days=0,
            period_return=None,
            annualized_return=None,
            sharpe_ratio=None,
            max_drawdown=None,
            baseline_period_return=None,
            baseline_annualized_return=None,
            alpha=None,
        )
    first, last = rows[0], rows[-1]
    start_equity = (
        anchor_equity if anchor_equity is not None else (first.initial_capital or first.total_equity)
    )
    since = anchor_date or first.trading_date
    days = (last.trading_date - since).days or 1
    pr = float(last.total_equity / start_equity - 1) if start_equity else None
    equity = [float(start_equity or first.total_equity)] + [float(r.total_equity) for r in rows]
    returns = [float(r.daily_return) for r in rows]
    ann = _annualize(pr, days)
    bpr = bann = None
    if baseline_rows:
        b_start = baseline_anchor if baseline_anchor is not None else baseline_rows[0].total_equity
        bpr = float(baseline_rows[-1].total_equity / b_start - 1) if b_start else None
        bann = _annualize(bpr, days)
    return PeriodMetrics(
        start_date=first.trading_date,
        end_date=last.trading_date,
        calendar_days=days,
        period_return=_f(pr),
        annualized_return=_f(ann),
        sharpe_ratio=_f(_sharpe(returns)),
        max_drawdown=_f(_max_drawdown(equity)),
        baseline_period_return=_f(bpr),
        baseline_annualized_return=_f(bann),
        alpha=_f(ann - bann) if ann is not None and bann is not None else None,
    )


def _holdings(row: DailyPerformance) -> tuple[list[Holding], float | None]:
    holdings: list[Holding] = []
    if row.positions_json:
        try:
            items = json.loads(row.positions_json)
        except ValueError:
            items = []
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict) or "symbol" not in item:
                continue
            value = item.get("value")
            weight = item.get("weight")
            if weight is None and value is not None and row.total_equity:
                weight = float(value) / float(row.total_equity)
            holdings.append(
                Holding(
                    symbol=str(item["symbol"]),
                    quantity=_num(item.get("quantity")),
                    value=_num(value),
                    weight=_num(weight),
                )
            )
    cash_weight = float(row.cash / row.total_equity) if row.cash is not None and row.total_equity else None
    return holdings, _f(cash_weight)


def _num(value: object) -> float | None:
    try:
        return None if value is None else round(float(str(value)), 6)
    except ValueError:
        return None


def to_data(
    row: DailyPerformance, baseline: DailyPerformance | None, baseline_base: Decimal | None
) -> DailyPerformanceData:
    """One API row; ``baseline_return`` is re-based to the strategy's inception."""
    holdings, cash_weight = _holdings(row)
    base_ret = (
        float(baseline.total_equity / baseline_base - 1) if baseline is not None and baseline_base else None
    )
    return DailyPerformanceData(
        trading_date=row.trading_date,
        total_equity=float(round(row.total_equity, 6)),
        cash=_f(row.cash),
        positions_value=_f(row.positions_value),
        daily_return=float(round(row.daily_return, 6)),
        cumulative_return=float(round(row.cumulative_return, 6)),
        drawdown=_f(row.drawdown),
        sharpe_ratio=_f(row.sharpe_ratio),
        sortino_ratio=_f(row.sortino_ratio),
        calmar_ratio=_f(row.calmar_ratio),
        max_drawdown=_f(row.max_drawdown),
        volatility=_f(row.volatility),
        cagr=_f(row.cagr),
        strategy_cell=row.strategy_cell,
        trend_state=row.trend_state,
        vol_state=row.vol_state,
        t_norm=_f(row.t_norm),
        z_score=_f(row.z_score),
        sma_fast=_f(row.sma_fast),
        sma_slow=_f(row.sma_slow),
        trading_days_count=row.trading_days_count,
        is_first_day=row.is_first_day,
        days_since_previous=row.days_since_previous,
        positions_json=row.positions_json,
        holdings=holdings,
        cash_weight=cash_weight,
        total_trades=row.total_trades,
        winning_trades=row.winning_trades,
        losing_trades=row.losing_trades,
        win_rate=_f(row.win_rate),
        high_water_mark=_f(row.high_water_mark),
        initial_capital=_f(row.initial_capital),
        baseline_value=_f(baseline.total_equity) if baseline is not None else None,
        baseline_return=_f(base_ret),
        baseline_daily_return=_f(baseline.daily_return) if baseline is not None else None,
        is_finalized=True,
    )


class PerformanceService:
    """Read-only performance views of one strategy and mode."""

    def __init__(
        self, sessions: SessionSource, status: StatusService, cache: FinalizedCache | None = None
    ) -> None:
        self._sessions = sessions
        self._status = status
        self._cache = cache

    # --- serialized (JSON) views, cached by request + data version -------------------------
    # The routers answer with these bytes directly: a warm request costs the version reads
    # below instead of loading and serializing hundreds of rows.

    def _version(self, sid: str, mode: str, baseline_symbol: str) -> Hashable:
        with self._sessions() as session:
            return (
                repo.entity_version(session, "strategy", sid, mode),
                repo.entity_version(session, "baseline", baseline_symbol, mode),
            )

    def _cached(self, key: Hashable, build: Callable[[], bytes]) -> bytes:
        return build() if self._cache is None else self._cache.get_or_build(key, build)

    def daily_json(self, strategy_id: str, mode: str | None, baseline_symbol: str) -> bytes:
        """:meth:`daily` as JSON bytes."""
        sid, md = self._status.resolve(strategy_id, mode)
        key = ("daily", sid, md, baseline_symbol, self._version(sid, md, baseline_symbol))
        return self._cached(key, lambda: self.daily(sid, md, baseline_symbol).model_dump_json().encode())

    def history_json(
        self,
        strategy_id: str,
        mode: str | None,
        *,
        days: int | None,
        time_range: TimeRange | None,
        start: dt.date | None,
        end: dt.date | None,
        baseline_symbol: str,
    ) -> bytes:
        """:meth:`history` as JSON bytes."""
        sid, md = self._status.resolve(strategy_id, mode)
        version = self._version(sid, md, baseline_symbol)
        key = ("history", sid, md, days, time_range, start, end, baseline_symbol, version)

        def build() -> bytes:
            result = self.history(
                sid,
                md,
                days=days,
                time_range=time_range,
                start=start,
                end=end,
                baseline_symbol=baseline_symbol,
            )
            return result.model_dump_json().encode()

        return self._cached(key, build)

    def comparison_json(self, strategies: list[str], mode: str | None, baseline_symbol: str) -> bytes:
        """:meth:`comparison` as JSON bytes."""
        parts: list[Hashable] = []
        for sid in strategies:
            try:
                rid, md = self._status.resolve(sid, mode)
            except (NotFound, Invalid):  # reported per entry by comparison()
                parts.append((sid, None))
                continue
            parts.append((rid, md, self._version(rid, md, baseline_symbol)))
        key = ("comparison", mode, baseline_symbol, tuple(parts))
        return self._cached(
            key, lambda: self.comparison(strategies, mode, baseline_symbol).model_dump_json().encode()
        )

    def monthly_returns_json(self, strategy_id: str, mode: str | None, baseline_symbol: str) -> bytes:
        """:meth:`monthly_returns` as JSON bytes."""
        sid, md = self._status.resolve(strategy_id, mode)
        key = ("monthly", sid, md, baseline_symbol, self._version(sid, md, baseline_symbol))
        return self._cached(
            key, lambda: self.monthly_returns(sid, md, baseline_symbol).model_dump_json().encode()
        )

    # --- models ----------------------------------------------------------------------------

    def _baseline_base(self, session: Session, symbol: str, mode: str, inception: dt.date) -> Decimal | None:
        row = repo.latest_daily_row(session, "baseline", symbol, mode, on_or_before=inception)
        if row is None:
            row = repo.first_daily_row(session, "baseline", symbol, mode)
        return None if row is None else row.total_equity

    def _inception(self, session: Session, sid: str, mode: str) -> dt.date | None:
        row = repo.first_daily_row(session, "strategy", sid, mode)
        return None if row is None else row.trading_date

    def daily(self, strategy_id: str, mode: str | None, baseline_symbol: str) -> DailyPublic:
        sid, md = self._status.resolve(strategy_id, mode)
        with self._sessions() as session:
            row = repo.latest_daily_row(session, "strategy", sid, md)
            if row is None:
                raise NotFound(f"No daily performance for {sid} ({md})")
            base = repo.latest_daily_row(
                session, "baseline", baseline_symbol, md, on_or_before=row.trading_date
            )
            base = base if base is not None and base.trading_date == row.trading_date else None
            inception = self._inception(session, sid, md) or row.trading_date
            base0 = self._baseline_base(session, baseline_symbol, md, inception)
            data = to_data(row, base, base0)
        return DailyPublic(
            strategy_id=sid,
            mode=md,
            data=data,
            baseline=_baseline_summary(baseline_symbol, base),
            is_finalized=True,
            data_as_of=row.trading_date,
            finalized_at=row.finalized_at,
        )

    def history(
        self,
        strategy_id: str,
        mode: str | None,
        *,
        days: int | None,
        time_range: TimeRange | None,
        start: dt.date | None,
        end: dt.date | None,
        baseline_symbol: str,
    ) -> HistoryPublic:
        sid, md = self._status.resolve(strategy_id, mode)
        with self._sessions() as session:
            latest = repo.latest_daily_row(session, "strategy", sid, md)
            if latest is None:
                raise NotFound(f"No daily performance for {sid} ({md})")
            lo, hi = resolve_range(
                latest.trading_date, days=days, time_range=time_range, start=start, end=end
            )
            rows = repo.daily_rows(session, "strategy", sid, md, start=lo, end=hi)
            anchor = repo.row_before(session, "strategy", sid, md, rows[0].trading_date) if rows else None
            base_rows = repo.daily_rows(session, "baseline", baseline_symbol, md, start=lo, end=hi)
            base_anchor = (
                repo.row_before(session, "baseline", baseline_symbol, md, rows[0].trading_date)
                if rows
                else None
            )
            inception = self._inception(session, sid, md)
            base0 = self._baseline_base(session, baseline_symbol, md, inception) if inception else None
        by_date = {b.trading_date: b for b in base_rows}
        metrics = period_metrics(
            rows,
            anchor.total_equity if anchor is not None else None,
            anchor.trading_date if anchor is not None else None,
            [b for b in base_rows if rows and b.trading_date >= rows[0].trading_date],
            base_anchor.total_equity if base_anchor is not None else None,
        )
        history = [to_data(r, by_date.get(r.trading_date), base0) for r in reversed(rows)]
        return HistoryPublic(
            strategy_id=sid,
            mode=md,
            count=len(history),
            history=history,
            baseline_symbol=baseline_symbol,
            period_metrics=metrics,
        )

    def comparison(self, strategies: list[str], mode: str | None, baseline_symbol: str) -> ComparisonPublic:
        entries: list[ComparisonEntry] = []
        dates: list[dt.date] = []
        used_mode = None
        for sid in strategies:
            try:
                daily = self.daily(sid, mode, baseline_symbol)
            except (NotFound, Invalid) as exc:
                entries.append(ComparisonEntry(strategy_id=sid, data=None, error=str(exc.detail)))
                continue
            used_mode = used_mode or daily.mode
            dates.append(daily.data_as_of)
            entries.append(ComparisonEntry(strategy_id=sid, data=daily.data, is_finalized=True))
        as_of = min(dates) if dates else None
        baseline = None
        if as_of is not None and used_mode is not None:
            with self._sessions() as session:
                row = repo.latest_daily_row(
                    session, "baseline", baseline_symbol, used_mode, on_or_before=as_of
                )
            baseline = _baseline_summary(baseline_symbol, row)
        return ComparisonPublic(
            mode=used_mode or mode, data_as_of=as_of, strategies=entries, baseline=baseline
        )

    def regime_breakdown(
        self,
        strategy_id: str,
        mode: str | None,
        *,
        days: int | None,
        start: dt.date | None,
        end: dt.date | None,
    ) -> RegimeBreakdownPublic:
        sid, md = self._status.resolve(strategy_id, mode)
        with self._sessions() as session:
            latest = repo.latest_daily_row(session, "strategy", sid, md)
            if latest is None:
                raise NotFound(f"No daily performance for {sid} ({md})")
            lo, hi = resolve_range(latest.trading_date, days=days, time_range=None, start=start, end=end)
            rows = repo.daily_rows(session, "strategy", sid, md, start=lo, end=hi)
            trade_days: dict[dt.date, int] = {}
            filt = TradeFilter(strategy_id=sid, mode=md, start_date=lo, end_date=hi)
            for trade in iter_trades(session, filt):
                trade_days[trade.trading_date] = trade_days.get(trade.trading_date, 0) + 1
        groups: dict[int, list[DailyPerformance]] = {}
        for r in rows:
            if r.strategy_cell is not None:
                groups.setdefault(r.strategy_cell, []).append(r)
        total = len(rows) or 1
        regimes = []
        for cell in sorted(groups):
            members = groups[cell]
            rets = [float(r.daily_return) for r in members]
            growth = math.prod(1 + x for x in rets)
            regimes.append(
                RegimeStats(
                    cell=cell,
                    trend_state=members[-1].trend_state,
                    vol_state=members[-1].vol_state,
                    days=len(members),
                    pct_of_time=round(len(members) / total, 6),
                    total_return=round(growth - 1, 6),
                    annualized_return=_f(growth ** (_ANNUAL / len(members)) - 1) if growth > 0 else None,
                    avg_daily_return=round(sum(rets) / len(rets), 6),
                    win_rate=round(sum(1 for x in rets if x > 0) / len(rets), 6),
                    trade_count=sum(trade_days.get(r.trading_date, 0) for r in members),
                )
            )
        return RegimeBreakdownPublic(
            strategy_id=sid,
            mode=md,
            start_date=rows[0].trading_date if rows else lo,
            end_date=rows[-1].trading_date if rows else hi,
            regimes=regimes,
        )

    def monthly_returns(
        self, strategy_id: str, mode: str | None, baseline_symbol: str
    ) -> MonthlyReturnsPublic:
        sid, md = self._status.resolve(strategy_id, mode)
        with self._sessions() as session:
            rows = repo.daily_rows(session, "strategy", sid, md)
            base_rows = repo.daily_rows(session, "baseline", baseline_symbol, md)
        if not rows:
            raise NotFound(f"No daily performance for {sid} ({md})")
        first = rows[0].trading_date

        def monthly(series: Sequence[DailyPerformance]) -> dict[tuple[int, int], float]:
            out: dict[tuple[int, int], float] = {}
            for r in series:
                if r.trading_date < first:
                    continue
                key = (r.trading_date.year, r.trading_date.month)
                out[key] = (1 + out.get(key, 0.0)) * (1 + float(r.daily_return)) - 1
            return out

        strat, base = monthly(rows), monthly(base_rows)
        months = [
            MonthlyReturn(year=y, month=m, strategy_return=round(v, 6), baseline_return=_f(base.get((y, m))))
            for (y, m), v in sorted(strat.items())
        ]
        return MonthlyReturnsPublic(strategy_id=sid, mode=md, baseline_symbol=baseline_symbol, months=months)

    def eod_status(self, day: dt.date | None) -> EODStatus:
        target = day or dt.datetime.now(ET).date()
        with self._sessions() as session:
            job = repo.eod_status(session, target)
        return eod_public(target, job)


def eod_public(day: dt.date, job: object | None) -> EODStatus:
    """``EODStatus`` of one date (``pending`` when no job row exists)."""
    from jutsu.data.models import EodJobStatus

    if not isinstance(job, EodJobStatus):
        return EODStatus(
            date=day,
            finalized=False,
            status="pending",
            started_at=None,
            completed_at=None,
            duration_seconds=None,
            error=None,
            progress_pct=0.0,
        )
    totals = (job.strategies_total or 0) + (job.baselines_total or 0)
    done = (job.strategies_processed or 0) + (job.baselines_processed or 0)
    duration = (
        (job.completed_at - job.started_at).total_seconds()
        if job.completed_at is not None and job.started_at is not None
        else None
    )
    return EODStatus(
        date=day,
        finalized=job.status == "completed",
        status=job.status,
        started_at=job.started_at,
        completed_at=job.completed_at,
        duration_seconds=duration,
        error=job.error_message,
        progress_pct=round(done / totals * 100, 2) if totals else 0.0,
    )


def _baseline_summary(symbol: str, row: DailyPerformance | None) -> BaselineSummary | None:
    if row is None:
        return None
    return BaselineSummary(
        symbol=symbol,
        total_equity=_f(row.total_equity),
        daily_return=_f(row.daily_return),
        cumulative_return=_f(row.cumulative_return),
        sharpe_ratio=_f(row.sharpe_ratio),
        max_drawdown=_f(row.max_drawdown),
    )
