/** Convert API daily rows (newest first) to ascending chart series. */
import type { DailyPerformanceData } from "../api/types";
import { num } from "./format";
import type { EquityPoint } from "./stats";

export function ascending(rows: DailyPerformanceData[] | undefined): DailyPerformanceData[] {
  return [...(rows ?? [])].sort((a, b) => (String(a.trading_date) < String(b.trading_date) ? -1 : 1));
}

export function equitySeries(rows: DailyPerformanceData[]): EquityPoint[] {
  return rows.flatMap((r) => {
    const v = num(r.total_equity);
    return v === null ? [] : [{ date: String(r.trading_date), value: v }];
  });
}

export function baselineSeries(rows: DailyPerformanceData[]): EquityPoint[] {
  return rows.flatMap((r) => {
    const v = num(r.baseline_value);
    return v === null ? [] : [{ date: String(r.trading_date), value: v }];
  });
}
