import { useEffect, useId, useMemo, useState, type FormEvent } from "react";
import { ApiError } from "../api/http";
import { Can } from "../auth/AuthContext";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { BASELINE_COLOR, LineChart, SERIES_COLORS } from "../components/LineChart";
import { ParamForm } from "../components/ParamForm";
import { RegimeTimeline } from "../components/RegimeTimeline";
import { Card, NotAvailable, QueryState, Stat } from "../components/States";
import { StrategySelect } from "../components/StrategySelect";
import { useToast } from "../components/Toasts";
import { isActive, type StartBacktestBody, useBacktestEquity, useBacktestRun, useBacktestRuns, useBacktestTrades, useCancelBacktest, useStartBacktest } from "../hooks/backtests";
import { useSelectedStrategy, useStrategyParamsSchema } from "../hooks/strategies";
import { formatInstant, formatMoney, formatNumber, formatPct, formatTradingDate, num } from "../lib/format";
import { buildParameters, fieldsFromSchema, validateField } from "../lib/paramSchema";
import { drawdownSeries } from "../lib/stats";

function RunForm({ onStarted }: { onStarted: (id: string) => void }) {
  // Any registered strategy can be backtested (inactive ones too), so the choice is local.
  const [selected] = useSelectedStrategy();
  const [picked, setStrategyId] = useState<string | undefined>();
  const strategyId = picked ?? selected;
  const schema = useStrategyParamsSchema(strategyId);
  const fields = useMemo(() => fieldsFromSchema(schema.data), [schema.data]);
  const [values, setValues] = useState<Record<string, string>>({});
  const [start, setStart] = useState("2020-01-02");
  const [end, setEnd] = useState("2024-12-31");
  const [capital, setCapital] = useState("10000");
  const [confirm, setConfirm] = useState(false);
  const start_ = useStartBacktest();
  const toast = useToast();
  const ids = { start: useId(), end: useId(), capital: useId() };
  useEffect(() => setValues({}), [strategyId]);
  const invalid = fields.some((f) => validateField(f, values[f.name] ?? f.defaultValue) !== null) || start >= end || !(Number(capital) > 0);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!invalid) setConfirm(true);
  };
  const run = async () => {
    try {
      const res = await start_.mutateAsync({ strategy_name: strategyId!, start_date: start, end_date: end, initial_capital: Number(capital), timeframe: "1D", parameters: buildParameters(fields, values) as StartBacktestBody["parameters"] });
      toast("info", `Backtest ${res.backtest_id} queued`);
      onStarted(res.backtest_id);
    } catch (err) {
      toast("error", err instanceof ApiError ? err.detail : "Backtest could not start");
    } finally {
      setConfirm(false);
    }
  };

  return (
    <Card title="Run a backtest" testId="backtest-form">
      <form onSubmit={submit} className="space-y-3">
        <div className="flex flex-wrap items-end gap-3">
          <StrategySelect value={strategyId} onChange={setStrategyId} activeOnly={false} />
          <div>
            <label htmlFor={ids.start} className="label">From</label>
            <input id={ids.start} type="date" className="input" value={start} onChange={(e) => setStart(e.target.value)} required />
          </div>
          <div>
            <label htmlFor={ids.end} className="label">To</label>
            <input id={ids.end} type="date" className="input" value={end} onChange={(e) => setEnd(e.target.value)} required />
          </div>
          <div>
            <label htmlFor={ids.capital} className="label">Initial capital ($)</label>
            <input id={ids.capital} type="number" min={1} className="input" value={capital} onChange={(e) => setCapital(e.target.value)} required />
          </div>
        </div>
        {start >= end && <p role="alert" className="text-xs text-red-600">The start date must be before the end date.</p>}
        <details open>
          <summary className="cursor-pointer text-sm font-medium">Parameters</summary>
          <div className="mt-2">
            <QueryState what="Parameter schema" isLoading={schema.isLoading} error={schema.error}>
              <ParamForm fields={fields} values={values} onChange={setValues} />
            </QueryState>
          </div>
        </details>
        <button type="submit" className="btn-primary" disabled={invalid || start_.isPending || !strategyId}>
          Run backtest
        </button>
      </form>
      <ConfirmDialog open={confirm} title={`Run ${strategyId ?? ""} from ${start} to ${end}?`} busy={start_.isPending} onCancel={() => setConfirm(false)} onConfirm={() => void run()}>
        The job runs on the server; progress appears in the list of runs.
      </ConfirmDialog>
    </Card>
  );
}

function Results({ id }: { id: string }) {
  const run = useBacktestRun(id);
  const done = run.data?.status === "completed" || run.data?.status === "succeeded" || run.data?.status === "done";
  const equity = useBacktestEquity(id, done);
  const trades = useBacktestTrades(id, done);
  const cancel = useCancelBacktest();
  const points = useMemo(() => (equity.data ?? []).map((p) => ({ date: String(p.date), value: Number(p.equity) })), [equity.data]);
  const series = useMemo(
    () => [
      { name: run.data?.strategy_name ?? "strategy", color: SERIES_COLORS[0], points },
      {
        name: `${run.data?.baseline_symbol ?? "QQQ"} baseline`,
        color: BASELINE_COLOR,
        dashed: true,
        points: (equity.data ?? []).flatMap((p) => (p.baseline_equity === null || p.baseline_equity === undefined ? [] : [{ date: String(p.date), value: Number(p.baseline_equity) }])),
      },
    ],
    [points, equity.data, run.data?.strategy_name, run.data?.baseline_symbol],
  );
  const dd = useMemo(() => [{ name: "Drawdown", color: "#CC3311", area: true, points: drawdownSeries(points) }], [points]);
  const m = run.data?.metrics ?? {};
  const bm = run.data?.baseline_metrics ?? {};
  return (
    <Card title={`Backtest ${id}`} testId="backtest-results">
      <QueryState what="Backtest" isLoading={run.isLoading} error={run.error}>
        <p className="mb-2 text-sm">
          <strong>{run.data?.strategy_name}</strong> · {formatTradingDate(run.data?.start_date)} → {formatTradingDate(run.data?.end_date)} · status{" "}
          <strong data-testid="backtest-status">{run.data?.status}</strong>
        </p>
        {isActive(run.data?.status) && (
          <div className="mb-3 flex items-center gap-3">
            <progress className="w-48" aria-label="Backtest progress" />
            <Can perm="backtest:run">
              <button type="button" className="btn-secondary" onClick={() => cancel.mutate(id)}>
                Cancel
              </button>
            </Can>
          </div>
        )}
        {run.data?.error && <p role="alert" className="text-sm text-red-600">{run.data.error}</p>}
        {done && (
          <div className="space-y-4">
            <div className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-6">
              <Stat label="Initial capital" value={formatMoney(num(run.data?.initial_capital), 0)} />
              <Stat label="Total return" value={formatPct(num(m.total_return))} />
              <Stat label="CAGR" value={formatPct(num(m.cagr ?? m.annualized_return))} />
              <Stat label="Sharpe" value={formatNumber(num(m.sharpe_ratio ?? m.sharpe))} />
              <Stat label="Max drawdown" value={formatPct(num(m.max_drawdown))} />
              <Stat label={`${run.data?.baseline_symbol ?? "QQQ"} return`} value={formatPct(num(bm.total_return))} />
            </div>
            <QueryState what="Equity curve" isLoading={equity.isLoading} error={equity.error}>
              <LineChart series={series} label="Backtest equity vs baseline" testId="backtest-chart" />
              <LineChart series={dd} height={160} format="percent" label="Backtest drawdown" testId="backtest-drawdown" />
              <h3 className="mt-3 text-sm font-semibold">Regime timeline</h3>
              {(equity.data ?? []).some((p) => p.strategy_cell) ? (
                <RegimeTimeline points={(equity.data ?? []).map((p) => ({ date: p.date, cell: p.strategy_cell }))} />
              ) : (
                <NotAvailable what="Regime timeline">This run's equity series carries no regime cells.</NotAvailable>
              )}
            </QueryState>
            <details>
              <summary className="cursor-pointer text-sm font-semibold">Trades ({trades.data?.length ?? 0})</summary>
              <QueryState what="Trades" isLoading={trades.isLoading} error={trades.error}>
                <div className="max-h-80 overflow-auto">
                  <table className="table-basic" data-testid="backtest-trades">
                    <thead className="sticky top-0 bg-white dark:bg-slate-900">
                      <tr>
                        <th scope="col">Date</th>
                        <th scope="col">Side</th>
                        <th scope="col">Symbol</th>
                        <th scope="col">Qty</th>
                        <th scope="col">Price</th>
                        <th scope="col">Reason</th>
                      </tr>
                    </thead>
                    <tbody>
                      {(trades.data ?? []).map((t, i) => (
                        <tr key={i}>
                          <td>{formatTradingDate(String(t.date))}</td>
                          <td>{t.side}</td>
                          <td>{t.symbol}</td>
                          <td className="tabular-nums">{t.quantity}</td>
                          <td className="tabular-nums">{formatMoney(num(t.price))}</td>
                          <td className="text-xs">{t.reason}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </QueryState>
            </details>
          </div>
        )}
      </QueryState>
    </Card>
  );
}

export function BacktestPage() {
  const runs = useBacktestRuns();
  const [selected, setSelected] = useState<string | undefined>();
  useEffect(() => {
    if (!selected && runs.data && runs.data.length > 0) setSelected(runs.data[0]!.backtest_id);
  }, [runs.data, selected]);
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Backtest</h1>
      <Can perm="backtest:run">
        <RunForm onStarted={setSelected} />
      </Can>
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-3">
        <Card title="Past runs" className="xl:col-span-1" testId="backtest-runs">
          <QueryState what="Backtest runs" isLoading={runs.isLoading} error={runs.error}>
            {runs.data && runs.data.length === 0 ? (
              <p className="muted">No backtests yet.</p>
            ) : (
              <ul className="max-h-[32rem] space-y-1 overflow-auto">
                {runs.data?.map((r) => (
                  <li key={r.backtest_id}>
                    <button
                      type="button"
                      aria-current={selected === r.backtest_id ? "true" : undefined}
                      onClick={() => setSelected(r.backtest_id)}
                      className={`w-full rounded px-2 py-1 text-left text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 ${selected === r.backtest_id ? "bg-sky-100 dark:bg-sky-900/50" : "hover:bg-slate-100 dark:hover:bg-slate-800"}`}
                    >
                      <span className="font-medium">{r.strategy_name}</span> <span className="text-xs text-slate-500">{r.status}</span>
                      <span className="block text-xs text-slate-500">
                        {formatInstant(r.created_at)} · {formatPct(num(r.total_return))}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </QueryState>
        </Card>
        <div className="xl:col-span-2">{selected ? <Results id={selected} /> : <p className="muted">Select a run.</p>}</div>
      </div>
    </div>
  );
}
