/** Backtests (`/api/v1/backtest`): list, start (202 + poll), read results, cancel. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/http";
import { queryKeys } from "../api/queryKeys";

export interface BacktestHistoryItem {
  backtest_id: string;
  strategy_name: string;
  symbol?: string | null;
  status: string;
  created_at: string;
  total_return?: number | null;
  sharpe_ratio?: number | null;
}

export interface BacktestRun {
  backtest_id: string;
  strategy_name: string;
  status: string;
  created_at: string;
  finished_at?: string | null;
  start_date: string;
  end_date: string;
  initial_capital: number;
  config?: Record<string, unknown>;
  metrics?: Record<string, number | string | null> | null;
  baseline_metrics?: Record<string, number | string | null> | null;
  baseline_symbol?: string | null;
  error?: string | null;
  progress?: number | null;
}

export interface EquityPointRow {
  date: string;
  equity: number;
  cash?: number | null;
  baseline_equity?: number | null;
  drawdown?: number | null;
  regime?: number | null;
  strategy_cell?: number | null;
}

export interface BacktestTradeRow {
  date: string;
  symbol: string;
  side: string;
  quantity: number;
  price: number;
  commission?: number;
  reason?: string;
}

const ACTIVE = new Set(["queued", "running", "pending"]);
export const isActive = (status: string | undefined) => !!status && ACTIVE.has(status);

export function useBacktestRuns() {
  return useQuery({
    queryKey: queryKeys.backtestRuns(),
    queryFn: () => api<BacktestHistoryItem[] | { runs?: BacktestHistoryItem[]; data?: BacktestHistoryItem[] }>("/v1/backtest/history", { query: { limit: 50 } }),
    select: (d) => (Array.isArray(d) ? d : (d.runs ?? d.data ?? [])),
    refetchInterval: (q) => {
      const d = q.state.data;
      const list = Array.isArray(d) ? d : (d?.runs ?? d?.data ?? []);
      return list.some((r) => isActive(r.status)) ? 1500 : false;
    },
  });
}

export function useBacktestRun(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.backtestRun(id ?? ""),
    enabled: !!id,
    queryFn: () => api<BacktestRun>(`/v1/backtest/${encodeURIComponent(id!)}`),
    refetchInterval: (q) => (isActive(q.state.data?.status) ? 1000 : false),
  });
}

function unwrap<T>(d: T[] | { data?: T[]; points?: T[]; trades?: T[]; equity?: T[] }): T[] {
  return Array.isArray(d) ? d : (d.data ?? d.points ?? d.equity ?? d.trades ?? []);
}

export function useBacktestEquity(id: string | undefined, done: boolean) {
  return useQuery({
    queryKey: [...queryKeys.backtestRun(id ?? ""), "equity"],
    enabled: !!id && done,
    queryFn: async () => unwrap(await api<EquityPointRow[] | { data?: EquityPointRow[] }>(`/v1/backtest/${encodeURIComponent(id!)}/equity`)),
    retry: false,
  });
}

export function useBacktestTrades(id: string | undefined, done: boolean) {
  return useQuery({
    queryKey: [...queryKeys.backtestRun(id ?? ""), "trades"],
    enabled: !!id && done,
    queryFn: async () => unwrap(await api<BacktestTradeRow[] | { data?: BacktestTradeRow[] }>(`/v1/backtest/${encodeURIComponent(id!)}/trades`)),
    retry: false,
  });
}

export interface StartBacktestBody {
  strategy_name: string;
  start_date: string;
  end_date: string;
  initial_capital: number;
  parameters: Record<string, unknown>;
}

export function useStartBacktest() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: StartBacktestBody) => api<{ backtest_id: string; status: string }>("/v1/backtest/run", { method: "POST", json: body }),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.backtestRuns() }),
  });
}

export function useCancelBacktest() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api(`/v1/backtest/${encodeURIComponent(id)}/cancel`, { method: "POST" }),
    onSettled: () => qc.invalidateQueries({ queryKey: ["backtest-jobs"] }),
  });
}
