import { useState } from "react";
import { POST } from "../api/client";
import { ApiError } from "../api/http";
import { Can, useAuth } from "../auth/AuthContext";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { PreviewOrders } from "../components/PreviewOrders";
import { RegimeBadge } from "../components/RegimeBadge";
import { Card, NotAvailable, QueryState, Stat } from "../components/States";
import { StrategySelect } from "../components/StrategySelect";
import { useToast } from "../components/Toasts";
import { TokenBanner } from "../components/TokenBanner";
import { useControlAction, useEngineState, useScheduler } from "../hooks/control";
import { useDaily } from "../hooks/performance";
import { useSchwabStatus } from "../hooks/settings";
import { useSelectedStrategy, useStrategies } from "../hooks/strategies";
import { useIndicators, useLatestDecisions, usePositions, usePreview, useRegime, useStatus } from "../hooks/status";
import { formatInstant, formatMoney, formatNumber, formatPct, formatTradingDate, num } from "../lib/format";
import type { StrategyEntry } from "../api/types";

function StrategyEquityRow({ s }: { s: StrategyEntry }) {
  const { data, error, isLoading } = useDaily(s.id);
  const d = data?.data;
  const equity = num(d?.total_equity);
  const r = num(d?.daily_return);
  const pnl = equity !== null && r !== null ? equity - equity / (1 + r) : null;
  return (
    <tr>
      <th scope="row" className="font-medium">
        {s.display_name ?? s.id}
        <span className="ml-1 text-xs text-slate-500">{s.mode}</span>
      </th>
      <td className="tabular-nums">{isLoading ? "…" : error ? "—" : formatMoney(equity)}</td>
      <td className={`tabular-nums ${pnl !== null && pnl < 0 ? "text-red-600" : "text-emerald-600"}`}>{pnl === null ? "—" : formatMoney(pnl)}</td>
      <td className="tabular-nums">{formatPct(r)}</td>
      <td>{d ? formatTradingDate(String(d.trading_date)) : "—"}</td>
    </tr>
  );
}

function EquityPerStrategy() {
  const { data, isLoading, error } = useStrategies();
  return (
    <Card title="Equity and today's P&L" testId="equity-per-strategy">
      <QueryState what="Strategies" isLoading={isLoading} error={error}>
        <div className="overflow-x-auto">
          <table className="table-basic">
            <thead>
              <tr>
                <th scope="col">Strategy</th>
                <th scope="col">Equity</th>
                <th scope="col">Today's P&L</th>
                <th scope="col">Day %</th>
                <th scope="col">As of</th>
              </tr>
            </thead>
            <tbody>{data?.strategies.map((s) => <StrategyEquityRow key={s.id} s={s} />)}</tbody>
          </table>
        </div>
      </QueryState>
    </Card>
  );
}

function RegimeCard({ strategyId }: { strategyId: string | undefined }) {
  const { data, isLoading, error } = useRegime(strategyId);
  return (
    <Card title="Current regime" testId="regime-card">
      {isLoading ? (
        <p className="muted">Loading…</p>
      ) : error ? (
        error instanceof ApiError && error.status === 503 ? (
          <NotAvailable what="Regime">No trading run has happened yet for this strategy.</NotAvailable>
        ) : (
          <QueryState what="Regime" isLoading={false} error={error}>
            {null}
          </QueryState>
        )
      ) : (
        <div className="space-y-2">
          <RegimeBadge cell={data?.cell} trend={data?.trend_state} vol={data?.vol_state} />
          <dl className="grid grid-cols-2 gap-2 text-sm">
            <dt className="text-slate-500">Trend</dt>
            <dd>{data?.trend_state ?? "—"}</dd>
            <dt className="text-slate-500">Volatility</dt>
            <dd>{data?.vol_state ?? "—"}</dd>
            <dt className="text-slate-500">T_norm</dt>
            <dd className="tabular-nums">{formatNumber(num(data?.t_norm), 3)}</dd>
            <dt className="text-slate-500">Vol z-score</dt>
            <dd className="tabular-nums">{formatNumber(num(data?.z_score), 3)}</dd>
            <dt className="text-slate-500">As of</dt>
            <dd>{formatInstant(data?.as_of)}</dd>
          </dl>
        </div>
      )}
    </Card>
  );
}

function PositionsCard({ strategyId }: { strategyId: string | undefined }) {
  const { data, isLoading, error } = usePositions(strategyId);
  const total = num(data?.total_equity);
  return (
    <Card title="Positions" testId="positions-card">
      <QueryState what="Positions" isLoading={isLoading} error={error}>
        <div className="mb-3 grid grid-cols-2 gap-2 sm:grid-cols-3">
          <Stat label="Total equity" value={formatMoney(total)} />
          <Stat label="Cash" value={formatMoney(num(data?.cash))} />
          <Stat label="Positions" value={String(data?.positions.length ?? 0)} />
        </div>
        {data && data.positions.length === 0 ? (
          <p className="muted">No open positions.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="table-basic" data-testid="positions-table">
              <thead>
                <tr>
                  <th scope="col">Symbol</th>
                  <th scope="col">Quantity</th>
                  <th scope="col">Avg cost</th>
                  <th scope="col">Market value</th>
                  <th scope="col">P&L</th>
                  <th scope="col">Weight</th>
                </tr>
              </thead>
              <tbody>
                {data?.positions.map((p) => {
                  const w = num(p.weight) ?? (num(p.weight_pct) !== null ? num(p.weight_pct)! / 100 : null);
                  const pnl = num(p.unrealized_pnl);
                  return (
                    <tr key={p.symbol}>
                      <th scope="row" className="font-medium">{p.symbol}</th>
                      <td className="tabular-nums">{String(p.quantity)}</td>
                      <td className="tabular-nums">{formatMoney(num(p.avg_cost))}</td>
                      <td className="tabular-nums">{formatMoney(num(p.market_value))}</td>
                      <td className={`tabular-nums ${pnl !== null && pnl < 0 ? "text-red-600" : "text-emerald-600"}`}>{formatMoney(pnl)}</td>
                      <td className="tabular-nums">{formatPct(w, false)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
    </Card>
  );
}

function NextRunCard({ strategyId }: { strategyId: string | undefined }) {
  const sched = useScheduler();
  const status = useStatus(strategyId);
  const preview = usePreview(strategyId);
  const indicators = useIndicators(strategyId);
  const next = (sched.data?.next_run as string | undefined) ?? (sched.data?.next_execution as string | undefined) ?? status.data?.next_execution ?? null;
  const target = preview.data?.target_weights ?? indicators.data?.target_allocation;
  return (
    <Card title="Next scheduled run" testId="next-run-card">
      <p className="text-sm">
        <span className="text-slate-500">Next run: </span>
        <strong>{next ? formatInstant(next) : sched.error ? "scheduler not running" : "—"}</strong>
      </p>
      <h3 className="mt-3 text-sm font-semibold">Orders it would place now</h3>
      {preview.isLoading ? (
        <p className="muted">Loading…</p>
      ) : preview.error ? (
        <NotAvailable what="Pre-trade preview">{preview.error instanceof ApiError ? preview.error.detail : "The preview could not be computed."}</NotAvailable>
      ) : preview.data ? (
        <PreviewOrders preview={preview.data} />
      ) : null}
      {target && Object.keys(target).length > 0 && (
        <div className="mt-3">
          <h3 className="text-sm font-semibold">Target allocation</h3>
          <ul className="mt-1 space-y-1">
            {Object.entries(target).map(([sym, w]) => (
              <li key={sym} className="flex items-center gap-2 text-sm">
                <span className="w-12">{sym}</span>
                <span className="h-2 rounded bg-sky-500" style={{ width: `${Math.max(2, (num(w) ?? 0) * 100)}%` }} aria-hidden="true" />
                <span className="tabular-nums">{formatPct(num(w), false)}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </Card>
  );
}

function DecisionsCard({ strategyId }: { strategyId: string | undefined }) {
  const { data, isLoading, error } = useLatestDecisions(strategyId);
  return (
    <Card title="Latest decisions" testId="decisions-card">
      <QueryState what="Decisions" isLoading={isLoading} error={error}>
        {data && data.trades.length === 0 ? (
          <p className="muted">No decisions recorded yet.</p>
        ) : (
          <ul className="space-y-2 text-sm">
            {data?.trades.map((t) => (
              <li key={String(t.id)} className="border-b border-slate-100 pb-1 dark:border-slate-800">
                <div className="flex flex-wrap items-center gap-2">
                  <span className={t.action === "BUY" ? "font-semibold text-emerald-600" : "font-semibold text-red-600"}>{t.action}</span>
                  <span>
                    {String(t.quantity)} {t.symbol}
                  </span>
                  {t.strategy_cell ? <RegimeBadge cell={t.strategy_cell} compact /> : null}
                  <span className="text-xs text-slate-500">{t.trading_date ? formatTradingDate(t.trading_date) : formatInstant(t.timestamp)}</span>
                </div>
                {t.reason && <p className="text-slate-600 dark:text-slate-300">{t.reason}</p>}
              </li>
            ))}
          </ul>
        )}
      </QueryState>
    </Card>
  );
}

export function EngineCard({ strategyId }: { strategyId: string | undefined }) {
  const { data, error } = useEngineState();
  const toast = useToast();
  const [dialog, setDialog] = useState<null | "kill" | "reset" | "mode">(null);
  const [flatten, setFlatten] = useState(false);
  const [mode, setMode] = useState("dry_run");
  const kill = useControlAction("/api/control/kill-switch");
  const reset = useControlAction("/api/control/kill-switch/reset");
  const modeSwitch = useControlAction("/api/control/mode");
  const run = async (p: Promise<unknown>, ok: string) => {
    try {
      await p;
      toast("success", ok);
    } catch (e) {
      toast("error", e instanceof Error ? e.message : "Action failed");
    } finally {
      setDialog(null);
    }
  };
  const halted = data?.state === "halted" || (!!strategyId && (data?.halted_strategies ?? []).includes(strategyId));
  return (
    <Card title="Engine" testId="engine-card">
      {error ? (
        <NotAvailable what="Engine state" />
      ) : (
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <span>
            State:{" "}
            <strong data-testid="engine-state" className={halted ? "text-red-600" : ""}>
              {data?.state ?? (data?.is_running ? "running" : "stopped")}
            </strong>
          </span>
          <span>
            Mode: <strong>{data?.mode ?? "—"}</strong>
          </span>
          <span>Kill switch: {halted ? <strong className="text-red-600">ON</strong> : "off"}</span>
        </div>
      )}
      <Can perm="engine:control">
        <div className="mt-3 flex flex-wrap items-end gap-2" data-testid="admin-engine-controls">
          {halted ? (
            <button type="button" className="btn-secondary" onClick={() => setDialog("reset")}>
              Reset kill switch
            </button>
          ) : (
            <button type="button" className="btn-danger" onClick={() => setDialog("kill")}>
              Kill switch
            </button>
          )}
          <label className="text-sm">
            <span className="label">Mode for {strategyId}</span>
            <select className="input w-auto" value={mode} onChange={(e) => setMode(e.target.value)} aria-label="Trading mode">
              <option value="dry_run">Dry-run</option>
              <option value="paper">Paper</option>
              <option value="live">Live</option>
            </select>
          </label>
          <button type="button" className="btn-secondary" onClick={() => setDialog("mode")} disabled={!strategyId}>
            Switch mode
          </button>
        </div>
        <ConfirmDialog
          open={dialog === "kill"}
          title="Activate the kill switch?"
          danger
          typeToConfirm="HALT"
          confirmLabel="Halt trading"
          busy={kill.isPending}
          onCancel={() => setDialog(null)}
          onConfirm={() => void run(kill.mutateAsync({ flatten, confirm: true }), "Kill switch activated")}
        >
          <p>All trading stops until the switch is reset.</p>
          <label className="mt-2 flex items-center gap-2">
            <input type="checkbox" checked={flatten} onChange={(e) => setFlatten(e.target.checked)} /> Flatten positions (sell everything)
          </label>
        </ConfirmDialog>
        <ConfirmDialog open={dialog === "reset"} title="Reset the kill switch?" busy={reset.isPending} onCancel={() => setDialog(null)} onConfirm={() => void run(reset.mutateAsync({ confirm: true }), "Kill switch reset")}>
          The engine goes from halted to stopped; start it again explicitly.
        </ConfirmDialog>
        <ConfirmDialog
          open={dialog === "mode"}
          title={`Switch ${strategyId ?? ""} to ${mode}?`}
          danger={mode === "live"}
          typeToConfirm={mode === "live" ? "LIVE" : undefined}
          busy={modeSwitch.isPending}
          onCancel={() => setDialog(null)}
          onConfirm={() => void run(modeSwitch.mutateAsync({ strategy_id: strategyId!, mode, confirm: true }), `Mode switched to ${mode}`)}
        >
          {mode === "live" ? <strong className="text-red-600">Live mode places real orders with real money.</strong> : "The change applies from the next run."}
        </ConfirmDialog>
      </Can>
    </Card>
  );
}

export function SchedulerCard() {
  const { data, error } = useScheduler();
  const toast = useToast();
  const [dialog, setDialog] = useState<null | "toggle" | "run">(null);
  const [busy, setBusy] = useState(false);
  const enabled = data?.enabled === true;
  const act = async (call: () => Promise<unknown>, ok: string) => {
    setBusy(true);
    try {
      await call();
      toast("success", ok);
    } catch (e) {
      toast("error", e instanceof Error ? e.message : "Action failed");
    } finally {
      setBusy(false);
      setDialog(null);
    }
  };
  return (
    <Card title="Scheduler" testId="scheduler-card">
      {error ? (
        <NotAvailable what="Scheduler">{error instanceof ApiError ? error.detail : null}</NotAvailable>
      ) : (
        <dl className="grid grid-cols-2 gap-1 text-sm">
          <dt className="text-slate-500">Enabled</dt>
          <dd>{data ? (enabled ? "yes" : "no") : "—"}</dd>
          <dt className="text-slate-500">Execution time</dt>
          <dd>{String(data?.execution_time ?? "—")}</dd>
          <dt className="text-slate-500">Last run</dt>
          <dd>
            {formatInstant(data?.last_run as string | undefined)} {data?.last_run_status ? `(${String(data.last_run_status)})` : ""}
          </dd>
        </dl>
      )}
      <Can perm="scheduler:control">
        <div className="mt-3 flex gap-2" data-testid="admin-scheduler-controls">
          <button type="button" className="btn-secondary" disabled={!!error} onClick={() => setDialog("toggle")}>
            {enabled ? "Disable" : "Enable"} scheduler
          </button>
          <button type="button" className="btn-primary" disabled={!!error} onClick={() => setDialog("run")}>
            Run now
          </button>
        </div>
        <ConfirmDialog
          open={dialog === "toggle"}
          title={`${enabled ? "Disable" : "Enable"} the daily trading job?`}
          busy={busy}
          onCancel={() => setDialog(null)}
          onConfirm={() => void act(() => (enabled ? POST("/api/control/scheduler/disable") : POST("/api/control/scheduler/enable", { body: {} })), `Scheduler ${enabled ? "disabled" : "enabled"}`)}
        />
        <ConfirmDialog open={dialog === "run"} title="Run the trading job now?" busy={busy} onCancel={() => setDialog(null)} onConfirm={() => void act(() => POST("/api/control/scheduler/trigger", { body: { force: false } }), "Trading run started")}>
          Orders are placed according to each strategy's mode.
        </ConfirmDialog>
      </Can>
    </Card>
  );
}

export function DashboardPage() {
  const [strategyId, setStrategyId] = useSelectedStrategy();
  const { can } = useAuth();
  const schwab = useSchwabStatus();
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-xl font-semibold">Dashboard</h1>
        <StrategySelect value={strategyId} onChange={setStrategyId} />
      </div>
      {can("broker:manage") && !schwab.error && <TokenBanner status={schwab.data} />}
      <EquityPerStrategy />
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
        <RegimeCard strategyId={strategyId} />
        <div className="lg:col-span-2">
          <PositionsCard strategyId={strategyId} />
        </div>
      </div>
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        <NextRunCard strategyId={strategyId} />
        <DecisionsCard strategyId={strategyId} />
      </div>
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        <EngineCard strategyId={strategyId} />
        <SchedulerCard />
      </div>
    </div>
  );
}
