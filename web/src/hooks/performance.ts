/** Performance V2 (`/api/v2/performance`); every key starts with `performance` (spec §7.1). */
import { keepPreviousData, useQueries, useQuery } from "@tanstack/react-query";
import { api, type Query } from "../api/http";
import { queryKeys } from "../api/queryKeys";
import type { DailyResponse, HistoryResponse } from "../api/types";
import { usePolling } from "./live";

const BASE = "/v2/performance";

export function useDaily(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.performanceDaily(id ?? ""),
    enabled: !!id,
    queryFn: () => api<DailyResponse>(`${BASE}/${encodeURIComponent(id!)}/daily`),
    retry: false,
  });
}

function historyQuery(id: string, q: Query) {
  return {
    queryKey: queryKeys.performanceHistory(id, q),
    queryFn: () => api<HistoryResponse>(`${BASE}/${encodeURIComponent(id)}/daily/history`, { query: q }),
    retry: false,
  };
}

/** Full daily history (days=0: since inception); ranges are cut client-side from it. */
export function useHistory(id: string | undefined, q: Query = { days: 0 }) {
  const refetchInterval = usePolling(30000);
  // Keep the previous range on screen while the next one loads (no blank chart between ranges).
  return useQuery({ ...historyQuery(id ?? "", q), enabled: !!id, refetchInterval, placeholderData: keepPreviousData });
}

export function useHistories(ids: string[], q: Query = { days: 0 }) {
  return useQueries({ queries: ids.map((id) => historyQuery(id, q)) });
}

export interface RegimeBreakdownRow {
  cell: number;
  trend_state?: string | null;
  vol_state?: string | null;
  days: number;
  pct_of_time: number;
  total_return: number;
  annualized_return?: number | null;
}

export function useRegimeBreakdown(id: string | undefined, q: Query) {
  return useQuery({
    queryKey: ["performance", "regime-breakdown", id ?? "", q],
    enabled: !!id,
    queryFn: () => api<{ regimes: RegimeBreakdownRow[] }>(`${BASE}/${encodeURIComponent(id!)}/regime-breakdown`, { query: q }),
    retry: false,
  });
}

export interface MonthlyReturnsResponse {
  strategy_id: string;
  baseline_symbol?: string;
  months: { year: number; month: number; strategy_return: number; baseline_return?: number | null }[];
}

/** Server-computed monthly returns (`/monthly-returns`); the page falls back to its own when absent. */
export function useMonthlyReturns(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.performanceMonthly(id ?? ""),
    enabled: !!id,
    queryFn: () => api<MonthlyReturnsResponse>(`${BASE}/${encodeURIComponent(id!)}/monthly-returns`),
    retry: false,
  });
}
