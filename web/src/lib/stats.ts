/**
 * Small series helpers computed in the browser from the daily rows the API serves:
 * drawdown, monthly returns (heat map), and the correlation of daily returns (Compare page).
 * The KPIs themselves (Sharpe, CAGR, …) come from the server so every page shows the same numbers.
 */
import { parseTradingDate } from "./format";

export interface EquityPoint {
  date: string; // YYYY-MM-DD
  value: number;
}

export function dailyReturns(points: EquityPoint[]): EquityPoint[] {
  const out: EquityPoint[] = [];
  for (let i = 1; i < points.length; i++) {
    const prev = points[i - 1]!.value;
    const cur = points[i]!.value;
    if (prev !== 0) out.push({ date: points[i]!.date, value: cur / prev - 1 });
  }
  return out;
}

/** Drawdown from the running peak, as a fraction ≤ 0. */
export function drawdownSeries(points: EquityPoint[]): EquityPoint[] {
  let peak = -Infinity;
  return points.map((p) => {
    peak = Math.max(peak, p.value);
    return { date: p.date, value: peak > 0 ? p.value / peak - 1 : 0 };
  });
}

export interface MonthlyReturn {
  year: number;
  month: number; // 1-12
  value: number; // fraction
}

/**
 * Compounded return of each calendar month from an equity series: the month's last value over the
 * previous month's last value (the first month is measured from its first value).
 */
export function monthlyReturns(points: EquityPoint[]): MonthlyReturn[] {
  const out: MonthlyReturn[] = [];
  let base: number | null = null;
  let curKey = "";
  let last: { year: number; month: number; value: number } | null = null;
  for (const p of points) {
    const d = parseTradingDate(p.date);
    const key = `${d.year}-${d.month}`;
    if (key !== curKey) {
      if (last && base !== null && base !== 0) {
        out.push({ year: last.year, month: last.month, value: last.value / base - 1 });
      }
      base = last ? last.value : p.value;
      curKey = key;
    }
    last = { year: d.year, month: d.month, value: p.value };
  }
  if (last && base !== null && base !== 0) out.push({ year: last.year, month: last.month, value: last.value / base - 1 });
  return out;
}

/** Pearson correlation of two return series aligned on their common dates; null below 3 pairs. */
export function correlation(a: EquityPoint[], b: EquityPoint[]): number | null {
  const mb = new Map(b.map((p) => [p.date, p.value]));
  const xs: number[] = [];
  const ys: number[] = [];
  for (const p of a) {
    const y = mb.get(p.date);
    if (y !== undefined) {
      xs.push(p.value);
      ys.push(y);
    }
  }
  const n = xs.length;
  if (n < 3) return null;
  const mx = xs.reduce((s, v) => s + v, 0) / n;
  const my = ys.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  return sxy / Math.sqrt(sxx * syy);
}

/** Re-base a series to a percent return from its first point (for overlaying strategies). */
export function rebase(points: EquityPoint[]): EquityPoint[] {
  const first = points[0]?.value;
  if (!first) return points.map((p) => ({ date: p.date, value: 0 }));
  return points.map((p) => ({ date: p.date, value: p.value / first - 1 }));
}
