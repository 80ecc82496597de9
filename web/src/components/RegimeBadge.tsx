import { cellInfo } from "../lib/regime";

interface Props {
  cell: number | null | undefined;
  trend?: string | null;
  vol?: string | null;
  compact?: boolean;
}

/** The regime cell (1–6) with its nickname, trend and volatility state; "No regime yet" when unknown. */
export function RegimeBadge({ cell, trend, vol, compact = false }: Props) {
  const info = cellInfo(cell);
  if (!info) {
    return (
      <span
        className="inline-flex items-center rounded-full bg-slate-200 px-2 py-0.5 text-xs text-slate-700 dark:bg-slate-700 dark:text-slate-200"
        aria-label="Regime: not available"
      >
        No regime yet
      </span>
    );
  }
  const t = trend ?? info.trend;
  const v = vol ?? info.vol;
  const label = `Cell ${info.cell} – ${info.nickname}: trend ${t}, volatility ${v}`;
  return (
    <span
      className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-semibold ${info.className}`}
      aria-label={label}
      title={label}
      data-testid="regime-badge"
      data-cell={info.cell}
    >
      <span>Cell {info.cell}</span>
      {!compact && (
        <span className="font-normal">
          · {info.nickname} · {t} / {v} vol
        </span>
      )}
    </span>
  );
}
