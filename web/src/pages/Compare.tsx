import { useMemo } from "react";
import { useSearchParams } from "react-router-dom";
import { KpiTable } from "../components/KpiTable";
import { BASELINE_COLOR, LineChart, SERIES_COLORS, type ChartSeries } from "../components/LineChart";
import { Card, Loading, QueryState } from "../components/States";
import { useHistories } from "../hooks/performance";
import { useCompareSelection, useStrategies } from "../hooks/strategies";
import { formatNumber, formatPct, num } from "../lib/format";
import { ascending, baselineSeries, equitySeries } from "../lib/series";
import { correlation, dailyReturns, rebase } from "../lib/stats";

export function ComparePage() {
  const [params, setParams] = useSearchParams();
  const fromUrl = params.get("strategies")?.split(/[+ ,]/).filter(Boolean) ?? null;
  const [ids, setIds] = useCompareSelection(fromUrl);
  const strategies = useStrategies(false);
  const histories = useHistories(ids);

  const toggle = (id: string) => {
    const next = ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id].slice(0, 3);
    setIds(next);
    setParams(next.length ? { strategies: next.join("+") } : {}, { replace: true });
  };

  const rows = histories.map((h) => ascending(h.data?.history));
  const loading = histories.some((h) => h.isLoading);
  const series: ChartSeries[] = useMemo(() => {
    const out: ChartSeries[] = rows.map((r, i) => ({ name: ids[i]!, color: SERIES_COLORS[i % 3]!, points: rebase(equitySeries(r)) }));
    const first = rows.find((r) => r.length > 0);
    if (first) out.push({ name: "QQQ baseline", color: BASELINE_COLOR, points: rebase(baselineSeries(first)), dashed: true });
    return out;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [histories.map((h) => h.dataUpdatedAt).join(","), ids.join(",")]);

  const returns = rows.map((r) => dailyReturns(equitySeries(r)));
  const pms = histories.map((h) => h.data?.period_metrics);

  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Compare strategies</h1>
      <Card title="Strategies (up to 3)">
        <QueryState what="Strategies" isLoading={strategies.isLoading} error={strategies.error}>
          <fieldset className="flex flex-wrap gap-3">
            <legend className="sr-only">Strategies to compare</legend>
            {strategies.data?.strategies.map((s) => {
              const checked = ids.includes(s.id);
              return (
                <label key={s.id} className="flex items-center gap-1 text-sm">
                  <input type="checkbox" checked={checked} disabled={!checked && ids.length >= 3} onChange={() => toggle(s.id)} />
                  {s.display_name ?? s.id}
                </label>
              );
            })}
          </fieldset>
        </QueryState>
      </Card>
      {ids.length === 0 ? (
        <p className="muted">Choose one to three strategies.</p>
      ) : loading ? (
        <Loading />
      ) : (
        <>
          <Card title="Cumulative return (re-based at the first common day)" testId="compare-chart-card">
            <LineChart series={series} format="percent" label="Compared strategies, percent return" testId="compare-chart" />
          </Card>
          <Card title="Key figures (since inception)">
            <KpiTable
              caption="KPIs side by side"
              columns={ids}
              rows={[
                { label: "Period return", values: pms.map((p) => num(p?.period_return)), format: (v) => formatPct(v), better: "high" },
                { label: "CAGR", values: pms.map((p) => num(p?.annualized_return)), format: (v) => formatPct(v), better: "high" },
                { label: "Sharpe ratio", values: pms.map((p) => num(p?.sharpe_ratio)), format: (v) => formatNumber(v), better: "high" },
                { label: "Max drawdown", values: pms.map((p) => num(p?.max_drawdown)), format: (v) => formatPct(v), better: "high" },
                { label: "Alpha vs QQQ", values: pms.map((p) => num(p?.alpha)), format: (v) => formatPct(v), better: "high" },
              ]}
            />
            {histories.some((h) => h.error) && (
              <p className="mt-2 text-sm text-amber-700">
                {ids.filter((_, i) => histories[i]?.error).join(", ")}: no performance data.
              </p>
            )}
          </Card>
          <Card title="Correlation of daily returns">
            <table className="table-basic w-auto" data-testid="correlation-table">
              <thead>
                <tr>
                  <th scope="col" />
                  {ids.map((id) => (
                    <th key={id} scope="col">
                      {id}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {ids.map((a, i) => (
                  <tr key={a}>
                    <th scope="row">{a}</th>
                    {ids.map((b, j) => (
                      <td key={b} className="tabular-nums">
                        {i === j ? "1.00" : formatNumber(correlation(returns[i] ?? [], returns[j] ?? []))}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        </>
      )}
    </div>
  );
}
