import { useMemo, useState } from "react";
import { KpiTable } from "../components/KpiTable";
import { BASELINE_COLOR, LineChart, SERIES_COLORS } from "../components/LineChart";
import { MonthlyHeatmap } from "../components/MonthlyHeatmap";
import { RegimeBadge } from "../components/RegimeBadge";
import { Card, QueryState } from "../components/States";
import { StrategySelect } from "../components/StrategySelect";
import { TimeRangeSelector } from "../components/TimeRangeSelector";
import { useHistory, useMonthlyReturns } from "../hooks/performance";
import { useSelectedStrategy } from "../hooks/strategies";
import { formatMoney, formatNumber, formatPct, formatTradingDate, num } from "../lib/format";
import { ascending, baselineSeries, equitySeries } from "../lib/series";
import { drawdownSeries, monthlyReturns } from "../lib/stats";
import { rangeStart, type TimeRange } from "../lib/timeRange";

export function PerformancePage() {
  const [strategyId, setStrategyId] = useSelectedStrategy();
  const [range, setRange] = useState<TimeRange>("All");
  const full = useHistory(strategyId, { days: 0 });
  const fullRows = useMemo(() => ascending(full.data?.history), [full.data]);
  // Ranges end at the latest data date (the last finalized day), not the browser's clock.
  const anchor = fullRows.length > 0 ? String(fullRows[fullRows.length - 1]!.trading_date) : null;
  const start = anchor ? rangeStart(range, anchor) : null;
  const ranged = useHistory(strategyId && (start || range === "All") ? strategyId : undefined, start ? { days: 0, start_date: start } : { days: 0 });
  const rows = useMemo(() => ascending(ranged.data?.history), [ranged.data]);
  const pm = ranged.data?.period_metrics;
  const eq = useMemo(() => equitySeries(rows), [rows]);
  const base = useMemo(() => baselineSeries(rows), [rows]);
  const chartSeries = useMemo(
    () => [
      { name: strategyId ?? "strategy", color: SERIES_COLORS[0], points: eq },
      { name: `${full.data?.baseline_symbol ?? "QQQ"} baseline`, color: BASELINE_COLOR, points: base, dashed: true },
    ],
    [eq, base, strategyId, full.data?.baseline_symbol],
  );
  const ddSeries = useMemo(() => [{ name: "Drawdown", color: "#CC3311", points: drawdownSeries(eq), area: true }], [eq]);
  const served = useMonthlyReturns(strategyId);
  const months = useMemo(
    () =>
      served.data?.months
        ? served.data.months.map((m) => ({ year: m.year, month: m.month, value: m.strategy_return }))
        : monthlyReturns(equitySeries(fullRows)),
    [served.data, fullRows],
  );
  const last = rows[rows.length - 1];

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-xl font-semibold">Performance</h1>
        <div className="flex flex-wrap items-center gap-2">
          <StrategySelect value={strategyId} onChange={setStrategyId} />
          <TimeRangeSelector value={range} onChange={setRange} />
        </div>
      </div>
      <QueryState what="Performance history" isLoading={full.isLoading} error={full.error}>
        {fullRows.length === 0 ? (
          <p className="muted">No finalized days yet for this strategy.</p>
        ) : (
          <>
            <Card title={`Equity vs ${full.data?.baseline_symbol ?? "QQQ"} baseline`} testId="equity-card">
              <LineChart series={chartSeries} label="Equity curve with baseline" testId="equity-chart" />
            </Card>
            <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
              <Card title="Drawdown">
                <LineChart series={ddSeries} format="percent" height={200} label="Drawdown" testId="drawdown-chart" />
              </Card>
              <Card title="Key figures">
                <KpiTable
                  caption="Key performance indicators for the selected range"
                  columns={[strategyId ?? "Strategy", full.data?.baseline_symbol ?? "QQQ"]}
                  rows={[
                    { label: "Total equity", values: [num(last?.total_equity), num(last?.baseline_value)], format: (v) => formatMoney(v) },
                    { label: "Period return", values: [num(pm?.period_return), num(pm?.baseline_period_return)], format: (v) => formatPct(v), better: "high" },
                    { label: "CAGR", values: [num(pm?.annualized_return), num(pm?.baseline_annualized_return)], format: (v) => formatPct(v), better: "high" },
                    { label: "Sharpe ratio", values: [num(pm?.sharpe_ratio), null], format: (v) => formatNumber(v) },
                    { label: "Max drawdown", values: [num(pm?.max_drawdown), null], format: (v) => formatPct(v) },
                    { label: "Alpha (CAGR diff.)", values: [num(pm?.alpha), null], format: (v) => formatPct(v) },
                  ]}
                />
              </Card>
            </div>
            <Card title="Monthly returns">
              <MonthlyHeatmap data={months} />
            </Card>
            <Card title="Daily performance">
              <div className="max-h-96 overflow-auto">
                <table className="table-basic" data-testid="daily-table">
                  <thead className="sticky top-0 bg-white dark:bg-slate-900">
                    <tr>
                      <th scope="col">Date</th>
                      <th scope="col">Regime</th>
                      <th scope="col">Equity</th>
                      <th scope="col">Day %</th>
                      <th scope="col">Cum %</th>
                      <th scope="col">Baseline (cum)</th>
                      <th scope="col">DD %</th>
                    </tr>
                  </thead>
                  <tbody>
                    {[...rows].reverse().map((r) => (
                      <tr key={String(r.trading_date)}>
                        <td>
                          {formatTradingDate(String(r.trading_date))}
                          {r.is_finalized === false && <span className="ml-1 rounded bg-amber-200 px-1 text-xs text-amber-900">Intraday</span>}
                        </td>
                        <td>{r.strategy_cell ? <RegimeBadge cell={r.strategy_cell} trend={r.trend_state} vol={r.vol_state} compact /> : "—"}</td>
                        <td className="tabular-nums">{formatMoney(num(r.total_equity))}</td>
                        <td className="tabular-nums">{formatPct(num(r.daily_return))}</td>
                        <td className="tabular-nums">{formatPct(num(r.cumulative_return))}</td>
                        <td className="tabular-nums">{formatPct(num(r.baseline_return))}</td>
                        <td className="tabular-nums">{formatPct(num(r.drawdown))}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </Card>
          </>
        )}
      </QueryState>
    </div>
  );
}
