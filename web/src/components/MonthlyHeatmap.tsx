import { formatPct } from "../lib/format";
import type { MonthlyReturn } from "../lib/stats";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Background colour: green for gains, red for losses, stronger with size (saturates at ±10 %). */
export function heatColor(value: number): string {
  const strength = Math.min(1, Math.abs(value) / 0.1);
  const alpha = (0.15 + 0.75 * strength).toFixed(2);
  return value >= 0 ? `rgba(16, 150, 72, ${alpha})` : `rgba(210, 40, 40, ${alpha})`;
}

/** Years × months table of compounded monthly returns, with the year's compounded total. */
export function MonthlyHeatmap({ data }: { data: MonthlyReturn[] }) {
  if (data.length === 0) return <p className="muted">No monthly returns yet.</p>;
  const years = [...new Set(data.map((d) => d.year))].sort((a, b) => b - a);
  const byKey = new Map(data.map((d) => [`${d.year}-${d.month}`, d.value]));
  return (
    <div className="overflow-x-auto">
      <table className="min-w-full text-xs" aria-label="Monthly returns">
        <thead>
          <tr>
            <th scope="col" className="px-1 py-1 text-left">Year</th>
            {MONTHS.map((m) => (
              <th key={m} scope="col" className="px-1 py-1">{m}</th>
            ))}
            <th scope="col" className="px-1 py-1">Year</th>
          </tr>
        </thead>
        <tbody>
          {years.map((y) => {
            let total = 1;
            let any = false;
            return (
              <tr key={y}>
                <th scope="row" className="px-1 py-1 text-left">{y}</th>
                {MONTHS.map((m, i) => {
                  const v = byKey.get(`${y}-${i + 1}`);
                  if (v !== undefined) {
                    total *= 1 + v;
                    any = true;
                  }
                  return (
                    <td
                      key={m}
                      className="px-1 py-1 text-center tabular-nums"
                      style={v !== undefined ? { backgroundColor: heatColor(v) } : undefined}
                      data-testid={`heat-${y}-${i + 1}`}
                      aria-label={v !== undefined ? `${m} ${y}: ${formatPct(v)}` : `${m} ${y}: no data`}
                    >
                      {v !== undefined ? formatPct(v, false).replace("%", "") : ""}
                    </td>
                  );
                })}
                <td className="px-1 py-1 text-center font-semibold tabular-nums" data-testid={`heat-${y}-total`}>
                  {any ? formatPct(total - 1) : ""}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
