/** Performance V2 (`/api/v2/performance`); every key starts with `performance` (spec §7.1). */
import { keepPreviousData, useQueries, useQuery } from "@tanstack/react-query";
import { GET, type Operation, type QueryOf, type Schemas } from "../api/client";
import type { Query } from "../api/http";
import { queryKeys } from "../api/queryKeys";
import { usePolling } from "./live";

export type HistoryQuery = NonNullable<QueryOf<Operation<"/api/v2/performance/{strategy_id}/daily/history", "get">>>;
export type RegimeBreakdownQuery = NonNullable<QueryOf<Operation<"/api/v2/performance/{strategy_id}/regime-breakdown", "get">>>;
export type RegimeBreakdownRow = Schemas["RegimeStats"];
export type MonthlyReturnsResponse = Schemas["MonthlyReturnsPublic"];

export function useDaily(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.performanceDaily(id ?? ""),
    enabled: !!id,
    queryFn: () => GET("/api/v2/performance/{strategy_id}/daily", { path: { strategy_id: id! } }),
    retry: false,
  });
}

function historyQuery(id: string, q: HistoryQuery) {
  return {
    queryKey: queryKeys.performanceHistory(id, q as Query),
    queryFn: () => GET("/api/v2/performance/{strategy_id}/daily/history", { path: { strategy_id: id }, query: q }),
    retry: false,
  };
}

/** Full daily history (days=0: since inception); ranges are cut client-side from it. */
export function useHistory(id: string | undefined, q: HistoryQuery = { days: 0 }) {
  const refetchInterval = usePolling(30000);
  // Keep the previous range on screen while the next one loads (no blank chart between ranges).
  return useQuery({ ...historyQuery(id ?? "", q), enabled: !!id, refetchInterval, placeholderData: keepPreviousData });
}

export function useHistories(ids: string[], q: HistoryQuery = { days: 0 }) {
  return useQueries({ queries: ids.map((id) => historyQuery(id, q)) });
}

export function useRegimeBreakdown(id: string | undefined, q: RegimeBreakdownQuery) {
  return useQuery({
    queryKey: ["performance", "regime-breakdown", id ?? "", q],
    enabled: !!id,
    queryFn: () => GET("/api/v2/performance/{strategy_id}/regime-breakdown", { path: { strategy_id: id! }, query: q }),
    retry: false,
  });
}

/** Server-computed monthly returns (`/monthly-returns`); the page falls back to its own when absent. */
export function useMonthlyReturns(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.performanceMonthly(id ?? ""),
    enabled: !!id,
    queryFn: () => GET("/api/v2/performance/{strategy_id}/monthly-returns", { path: { strategy_id: id! } }),
    retry: false,
  });
}
