/** Time ranges of the Performance page and the first date each one covers. */
import { parseTradingDate, toIsoDate } from "./format";

export const TIME_RANGES = ["1M", "3M", "YTD", "1Y", "All"] as const;
export type TimeRange = (typeof TIME_RANGES)[number];

function shiftMonths(iso: string, months: number): string {
  const d = parseTradingDate(iso);
  let month = d.month - months;
  let year = d.year;
  while (month < 1) {
    month += 12;
    year -= 1;
  }
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return toIsoDate({ year, month, day: Math.min(d.day, lastDay) });
}

/** First date (inclusive) of a range ending on `today`; null means "since inception". */
export function rangeStart(range: TimeRange, today: string): string | null {
  switch (range) {
    case "1M":
      return shiftMonths(today, 1);
    case "3M":
      return shiftMonths(today, 3);
    case "YTD":
      return `${parseTradingDate(today).year}-01-01`;
    case "1Y":
      return shiftMonths(today, 12);
    case "All":
      return null;
  }
}

/** Keep the points of a date-sorted series that fall inside the range. */
export function filterByRange<T extends { date: string }>(points: T[], range: TimeRange, today: string): T[] {
  const start = rangeStart(range, today);
  return start === null ? points : points.filter((p) => p.date >= start);
}
