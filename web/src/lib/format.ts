/**
 * Display formatting. Ratios arrive as decimal fractions (spec §0) and are multiplied by 100 here,
 * and only here. Trading dates are calendar dates: they are never parsed through `new Date(str)`,
 * which would read them as UTC midnight and show the previous day west of UTC (spec §7.1).
 */

export interface CalendarDate {
  year: number;
  month: number; // 1-12
  day: number;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})/;

export function parseTradingDate(value: string): CalendarDate {
  const m = DATE_RE.exec(value);
  if (!m) throw new Error(`not a trading date: ${value}`);
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

export function toIsoDate(d: CalendarDate): string {
  const mm = String(d.month).padStart(2, "0");
  const dd = String(d.day).padStart(2, "0");
  return `${d.year}-${mm}-${dd}`;
}

/** Today's calendar date in the browser's zone, as YYYY-MM-DD. */
export function todayIso(now: Date = new Date()): string {
  return toIsoDate({ year: now.getFullYear(), month: now.getMonth() + 1, day: now.getDate() });
}

export function formatTradingDate(value: string | null | undefined): string {
  if (!value) return "—";
  const d = parseTradingDate(value);
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  return `${months[d.month - 1]} ${d.day}, ${d.year}`;
}

/** An instant (ISO with offset) in the browser's local zone with the zone abbreviation. */
export function formatInstant(value: string | null | undefined): string {
  if (!value) return "—";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return d.toLocaleString(undefined, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  });
}

function isMissing(v: number | null | undefined): v is null | undefined {
  return v === null || v === undefined || Number.isNaN(v);
}

/** A ratio as a signed percentage with 2 decimals: 0.0125 → "+1.25%"; 0 → "0.00%"; null → "—". */
export function formatPct(ratio: number | null | undefined, signed = true): string {
  if (isMissing(ratio)) return "—";
  const pct = ratio * 100;
  const text = Math.abs(pct).toFixed(2);
  if (text === "0.00") return "0.00%";
  const sign = pct < 0 ? "-" : signed ? "+" : "";
  return `${sign}${text}%`;
}

export function formatMoney(value: number | null | undefined, decimals = 2): string {
  if (isMissing(value)) return "—";
  return value.toLocaleString("en-US", {
    style: "currency",
    currency: "USD",
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
}

export function formatNumber(value: number | null | undefined, decimals = 2): string {
  if (isMissing(value)) return "—";
  return value.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

export function formatInt(value: number | null | undefined): string {
  if (isMissing(value)) return "—";
  return Math.round(value).toLocaleString("en-US");
}

/** Coerce API numbers that may arrive as strings (Decimal serialisation) into numbers. */
export function num(v: unknown): number | null {
  if (v === null || v === undefined || v === "") return null;
  const n = typeof v === "number" ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}
