import { useId, useState } from "react";
import { Card, QueryState, Stat } from "../components/States";
import { useToast } from "../components/Toasts";
import { useStrategies } from "../hooks/strategies";
import { exportTradesCsv, type TradesQuery, useTradeStats, useTrades } from "../hooks/trades";
import { formatInstant, formatInt, formatMoney, formatPct, num } from "../lib/format";

const PAGE_SIZE = 20;

export function TradesPage() {
  const strategies = useStrategies();
  const toast = useToast();
  const ids = { strategy: useId(), symbol: useId(), side: useId(), mode: useId(), start: useId(), end: useId() };
  const [filters, setFilters] = useState({ strategy_id: "", symbol: "", action: "", mode: "", start_date: "", end_date: "" });
  const [page, setPage] = useState(1);
  const q: TradesQuery = {
    ...filters,
    symbol: filters.symbol.trim().toUpperCase(),
    action: (filters.action || null) as TradesQuery["action"],
    mode: (filters.mode || null) as TradesQuery["mode"],
    page,
    page_size: PAGE_SIZE,
  };
  const { page: _p, page_size: _s, ...statsQuery } = q;
  void _p;
  void _s;
  const trades = useTrades(q);
  const stats = useTradeStats(statsQuery);
  const set = (k: keyof typeof filters, v: string) => {
    setFilters({ ...filters, [k]: v });
    setPage(1);
  };
  const totalPages = trades.data?.total_pages ?? 1;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-xl font-semibold">Trades</h1>
        <button
          type="button"
          className="btn-secondary"
          onClick={() => exportTradesCsv({ ...statsQuery }).catch((e: unknown) => toast("error", e instanceof Error ? e.message : "Export failed"))}
        >
          Export CSV
        </button>
      </div>
      <div className="grid grid-cols-2 gap-2 sm:grid-cols-5">
        <Stat label="Total trades" value={formatInt(num(stats.data?.total_trades))} />
        <Stat label="Win rate" value={formatPct(num(stats.data?.win_rate), false)} />
        <Stat label="Avg slippage" value={num(stats.data?.avg_slippage_pct) === null ? "—" : `${num(stats.data?.avg_slippage_pct)!.toFixed(3)}%`} />
        <Stat label="Total volume" value={formatMoney(num(stats.data?.total_volume), 0)} />
        <Stat label="Net P&L" value={formatMoney(num(stats.data?.net_pnl))} tone={(num(stats.data?.net_pnl) ?? 0) < 0 ? "neg" : "pos"} />
      </div>
      <Card title="Filters">
        <form className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-6" onSubmit={(e) => e.preventDefault()} aria-label="Trade filters">
          <div>
            <label htmlFor={ids.strategy} className="label">Strategy</label>
            <select id={ids.strategy} className="input" value={filters.strategy_id} onChange={(e) => set("strategy_id", e.target.value)}>
              <option value="">All</option>
              {strategies.data?.strategies.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.display_name ?? s.id}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor={ids.symbol} className="label">Symbol</label>
            <input id={ids.symbol} className="input" value={filters.symbol} onChange={(e) => set("symbol", e.target.value)} placeholder="QQQ" />
          </div>
          <div>
            <label htmlFor={ids.side} className="label">Side</label>
            <select id={ids.side} className="input" value={filters.action} onChange={(e) => set("action", e.target.value)}>
              <option value="">All</option>
              <option value="BUY">Buy</option>
              <option value="SELL">Sell</option>
            </select>
          </div>
          <div>
            <label htmlFor={ids.mode} className="label">Mode</label>
            <select id={ids.mode} className="input" value={filters.mode} onChange={(e) => set("mode", e.target.value)}>
              <option value="">All</option>
              <option value="dry_run">Dry-run</option>
              <option value="paper">Paper</option>
              <option value="live">Live</option>
            </select>
          </div>
          <div>
            <label htmlFor={ids.start} className="label">From</label>
            <input id={ids.start} type="date" className="input" value={filters.start_date} onChange={(e) => set("start_date", e.target.value)} />
          </div>
          <div>
            <label htmlFor={ids.end} className="label">To</label>
            <input id={ids.end} type="date" className="input" value={filters.end_date} onChange={(e) => set("end_date", e.target.value)} />
          </div>
        </form>
      </Card>
      <Card title={`Trade history${trades.data ? ` (${trades.data.total})` : ""}`}>
        <QueryState what="Trades" isLoading={trades.isLoading} error={trades.error}>
          {trades.data && trades.data.trades.length === 0 ? (
            <p className="muted">No trades match these filters.</p>
          ) : (
            <>
              <div className="hidden overflow-x-auto md:block">
                <table className="table-basic" data-testid="trades-table">
                  <thead>
                    <tr>
                      <th scope="col">Time</th>
                      <th scope="col">Symbol</th>
                      <th scope="col">Action</th>
                      <th scope="col">Qty</th>
                      <th scope="col">Fill</th>
                      <th scope="col">Value</th>
                      <th scope="col">Slippage</th>
                      <th scope="col">Status</th>
                      <th scope="col">Cell</th>
                      <th scope="col">Strategy</th>
                      <th scope="col">Mode</th>
                      <th scope="col">Reason</th>
                    </tr>
                  </thead>
                  <tbody>
                    {trades.data?.trades.map((t) => (
                      <tr key={String(t.id)}>
                        <td className="whitespace-nowrap">{formatInstant(t.timestamp)}</td>
                        <td>{t.symbol}</td>
                        <td className={t.action === "BUY" ? "text-emerald-600" : "text-red-600"}>{t.action}</td>
                        <td className="tabular-nums">{String(t.quantity)}</td>
                        <td className="tabular-nums">{formatMoney(num(t.fill_price))}</td>
                        <td className="tabular-nums">{formatMoney(num(t.fill_value))}</td>
                        <td className="tabular-nums">{num(t.slippage_pct) === null ? "—" : `${num(t.slippage_pct)!.toFixed(3)}%`}</td>
                        <td>{t.status}</td>
                        <td>{t.strategy_cell ?? "—"}</td>
                        <td>{t.strategy_id}</td>
                        <td>{t.mode}</td>
                        <td className="max-w-xs truncate text-xs" title={t.reason ?? ""}>
                          {t.reason}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <ul className="space-y-2 md:hidden" aria-label="Trades">
                {trades.data?.trades.map((t) => (
                  <li key={String(t.id)} className="rounded border border-slate-200 p-2 text-sm dark:border-slate-700">
                    <div className="flex justify-between">
                      <span>
                        <strong className={t.action === "BUY" ? "text-emerald-600" : "text-red-600"}>{t.action}</strong> {String(t.quantity)} {t.symbol}
                      </span>
                      <span className="tabular-nums">{formatMoney(num(t.fill_value))}</span>
                    </div>
                    <div className="text-xs text-slate-500">
                      {formatInstant(t.timestamp)} · {t.strategy_id} · {t.mode}
                    </div>
                    {t.reason && <p className="text-xs">{t.reason}</p>}
                  </li>
                ))}
              </ul>
              <nav className="mt-3 flex items-center justify-between text-sm" aria-label="Pagination">
                <button type="button" className="btn-secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
                  Previous
                </button>
                <span>
                  Page {page} of {Math.max(1, totalPages)}
                </span>
                <button type="button" className="btn-secondary" disabled={page >= totalPages} onClick={() => setPage(page + 1)}>
                  Next
                </button>
              </nav>
            </>
          )}
        </QueryState>
      </Card>
    </div>
  );
}
