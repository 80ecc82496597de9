import { useMemo, useState } from "react";
import { LineChart } from "../components/LineChart";
import { heatColor } from "../components/MonthlyHeatmap";
import { Card, NotAvailable, QueryState } from "../components/States";
import { useResearchJobs, useResearchResults, type ResearchResult } from "../hooks/research";
import { formatInstant, formatNumber, num } from "../lib/format";

/** Metric × two parameters as a heat map (the first two parameters that vary across results). */
function GridHeatmap({ results }: { results: ResearchResult[] }) {
  const metricNames = useMemo(() => [...new Set(results.flatMap((r) => Object.keys(r.metrics ?? {})))], [results]);
  const [metric, setMetric] = useState<string>("sharpe_ratio");
  const m = metricNames.includes(metric) ? metric : (metricNames[0] ?? "");
  const varying = useMemo(() => {
    const keys = [...new Set(results.flatMap((r) => Object.keys(r.params)))];
    return keys.filter((k) => new Set(results.map((r) => String(r.params[k]))).size > 1);
  }, [results]);
  if (varying.length < 2 || !m) return <NotAvailable what="Grid heat map">It needs two varying parameters and a metric.</NotAvailable>;
  const [px, py] = [varying[0]!, varying[1]!];
  const xs = [...new Set(results.map((r) => String(r.params[px])))].sort((a, b) => Number(a) - Number(b));
  const ys = [...new Set(results.map((r) => String(r.params[py])))].sort((a, b) => Number(a) - Number(b));
  const cell = new Map(results.map((r) => [`${String(r.params[px])}|${String(r.params[py])}`, num(r.metrics?.[m])]));
  const vals = [...cell.values()].filter((v): v is number => v !== null);
  const mid = vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : 0;
  const spread = vals.length ? Math.max(...vals.map((v) => Math.abs(v - mid))) || 1 : 1;
  return (
    <div>
      <label className="mb-2 flex items-center gap-2 text-sm">
        Metric
        <select className="input w-auto" value={m} onChange={(e) => setMetric(e.target.value)}>
          {metricNames.map((n) => (
            <option key={n}>{n}</option>
          ))}
        </select>
      </label>
      <div className="overflow-x-auto">
        <table className="text-xs" aria-label={`${m} by ${px} and ${py}`} data-testid="grid-heatmap">
          <thead>
            <tr>
              <th scope="col">
                {py} \ {px}
              </th>
              {xs.map((x) => (
                <th key={x} scope="col" className="px-1">
                  {x}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {ys.map((y) => (
              <tr key={y}>
                <th scope="row" className="px-1">
                  {y}
                </th>
                {xs.map((x) => {
                  const v = cell.get(`${x}|${y}`) ?? null;
                  return (
                    <td key={x} className="px-2 py-1 text-center tabular-nums" style={v !== null ? { backgroundColor: heatColor(((v - mid) / spread) * 0.1) } : undefined}>
                      {formatNumber(v)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function JobDetail({ id }: { id: string }) {
  const { data, isLoading, error } = useResearchResults(id);
  const fan = data?.monte_carlo?.percentiles;
  const fanSeries = useMemo(() => {
    if (!fan) return [];
    const colors = ["#94a3b8", "#56B4E9", "#0072B2", "#56B4E9", "#94a3b8"];
    return Object.entries(fan).map(([name, pts], i) => ({
      name: `p${name}`,
      color: colors[i % colors.length]!,
      dashed: name !== "50",
      points: pts.map((p, j) => ({ date: p.date ?? new Date(Date.UTC(2000, 0, 1 + (p.step ?? j))).toISOString().slice(0, 10), value: p.value })),
    }));
  }, [fan]);
  return (
    <QueryState what="Research results" isLoading={isLoading} error={error}>
      <div className="space-y-4">
        <Card title="Grid search">{data && data.results.length > 0 ? <GridHeatmap results={data.results} /> : <NotAvailable what="Grid results" />}</Card>
        <Card title="Walk-forward out-of-sample equity">
          {data?.oos_equity && data.oos_equity.length > 0 ? <LineChart series={[{ name: "OOS equity", color: "#0072B2", points: data.oos_equity }]} label="Walk-forward OOS equity" /> : <NotAvailable what="Walk-forward OOS equity">This job did not produce one.</NotAvailable>}
        </Card>
        <Card title="Monte Carlo fan chart">
          {fanSeries.length > 0 ? <LineChart series={fanSeries} label="Monte Carlo percentile bands" /> : <NotAvailable what="Monte Carlo bands">This job did not produce them.</NotAvailable>}
        </Card>
        <Card title="Overfitting">
          {data?.overfitting ? (
            <dl className="grid grid-cols-2 gap-1 text-sm">
              {Object.entries(data.overfitting).map(([k, v]) => (
                <div key={k} className="contents">
                  <dt className="text-slate-500">{k}</dt>
                  <dd className="tabular-nums">{typeof v === "number" ? formatNumber(v, 4) : String(v)}</dd>
                </div>
              ))}
            </dl>
          ) : (
            <NotAvailable what="Overfitting statistics (PSR, DSR, PBO)">Not served for this job.</NotAvailable>
          )}
        </Card>
      </div>
    </QueryState>
  );
}

export function ResearchPage() {
  const jobs = useResearchJobs();
  const [selected, setSelected] = useState<string | undefined>();
  const id = selected ?? jobs.data?.[0]?.job_id;
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Research</h1>
      <Card title="Research runs">
        <QueryState what="Research runs" isLoading={jobs.isLoading} error={jobs.error}>
          {jobs.data && jobs.data.length === 0 ? (
            <p className="muted">No research runs yet. Start one with <code>jutsu research</code> or the API.</p>
          ) : (
            <table className="table-basic">
              <thead>
                <tr>
                  <th scope="col">Job</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Status</th>
                  <th scope="col">Started</th>
                </tr>
              </thead>
              <tbody>
                {jobs.data?.map((j) => (
                  <tr key={j.job_id} className={id === j.job_id ? "bg-sky-50 dark:bg-sky-900/30" : ""}>
                    <td>
                      <button type="button" className="underline" onClick={() => setSelected(j.job_id)}>
                        {j.job_id.slice(0, 12)}
                      </button>
                    </td>
                    <td>{j.kind ?? "—"}</td>
                    <td>
                      {j.status}
                      {j.progress !== null && j.progress !== undefined && j.status === "running" ? ` ${Math.round(j.progress * 100)}%` : ""}
                    </td>
                    <td>{formatInstant(j.started_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </QueryState>
      </Card>
      {id && <JobDetail id={id} />}
    </div>
  );
}
