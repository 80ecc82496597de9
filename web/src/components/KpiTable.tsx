import type { ReactNode } from "react";

export interface KpiRow {
  label: string;
  values: (number | null)[];
  format: (v: number | null) => ReactNode;
  /** Which value is best: highest or lowest (drawdowns are negative, so "highest" there too). */
  better?: "high" | "low";
}

/** KPI table with one column per series; the best value of each row is highlighted. */
export function KpiTable({ columns, rows, caption }: { columns: string[]; rows: KpiRow[]; caption: string }) {
  return (
    <div className="overflow-x-auto">
      <table className="table-basic" data-testid="kpi-table">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Metric</th>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const present = r.values.filter((v): v is number => v !== null);
            const best = present.length > 1 && r.better ? (r.better === "high" ? Math.max(...present) : Math.min(...present)) : null;
            return (
              <tr key={r.label}>
                <th scope="row" className="font-medium">
                  {r.label}
                </th>
                {r.values.map((v, i) => (
                  <td key={i} className={`tabular-nums ${best !== null && v === best ? "font-semibold text-emerald-600" : ""}`}>
                    {r.format(v)}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
