/** Backtests (`/api/v1/backtest`): list, start (202 + poll), read results, cancel. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { GET, POST, type Schemas } from "../api/client";
import { queryKeys } from "../api/queryKeys";

export type BacktestHistoryItem = Schemas["BacktestHistoryItem"];
export type BacktestRun = Schemas["BacktestResponse"];
export type EquityPointRow = Schemas["BacktestEquityPoint"];
export type BacktestTradeRow = Schemas["BacktestTrade"];
export type StartBacktestBody = Schemas["BacktestRequestBody"];

const ACTIVE = new Set(["queued", "running", "pending"]);
export const isActive = (status: string | undefined) => !!status && ACTIVE.has(status);

export function useBacktestRuns() {
  return useQuery({
    queryKey: queryKeys.backtestRuns(),
    queryFn: () => GET("/api/v1/backtest/history", { query: { limit: 50 } }),
    refetchInterval: (q) => ((q.state.data ?? []).some((r) => isActive(r.status)) ? 1500 : false),
  });
}

export function useBacktestRun(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.backtestRun(id ?? ""),
    enabled: !!id,
    queryFn: () => GET("/api/v1/backtest/{backtest_id}", { path: { backtest_id: id! } }),
    refetchInterval: (q) => (isActive(q.state.data?.status) ? 1000 : false),
  });
}

export function useBacktestEquity(id: string | undefined, done: boolean) {
  return useQuery({
    queryKey: [...queryKeys.backtestRun(id ?? ""), "equity"],
    enabled: !!id && done,
    queryFn: () => GET("/api/v1/backtest/{backtest_id}/equity", { path: { backtest_id: id! } }),
    retry: false,
  });
}

export function useBacktestTrades(id: string | undefined, done: boolean) {
  return useQuery({
    queryKey: [...queryKeys.backtestRun(id ?? ""), "trades"],
    enabled: !!id && done,
    queryFn: () => GET("/api/v1/backtest/{backtest_id}/trades", { path: { backtest_id: id! } }),
    retry: false,
  });
}

export function useStartBacktest() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: StartBacktestBody) => POST("/api/v1/backtest/run", { body }),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.backtestRuns() }),
  });
}

export function useCancelBacktest() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => POST("/api/v1/backtest/{backtest_id}/cancel", { path: { backtest_id: id } }),
    onSettled: () => qc.invalidateQueries({ queryKey: ["backtest-jobs"] }),
  });
}
