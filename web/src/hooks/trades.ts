/** Trades: paginated history with filters, stats, CSV export. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { GET, type Operation, type QueryOf } from "../api/client";
import { buildUrl, type Query } from "../api/http";
import { queryKeys } from "../api/queryKeys";
import { getAccessToken } from "../api/session";

/** Filters and page of `GET /api/trades` (from the generated schema). */
export type TradesQuery = NonNullable<QueryOf<Operation<"/api/trades", "get">>>;
/** Filters of `GET /api/trades/summary/stats` and `/api/trades/export`. */
export type TradeStatsQuery = NonNullable<QueryOf<Operation<"/api/trades/summary/stats", "get">>>;

export function useTrades(q: TradesQuery) {
  return useQuery({
    queryKey: queryKeys.trades(q as Query),
    queryFn: () => GET("/api/trades", { query: q }),
    placeholderData: keepPreviousData,
  });
}

export function useTradeStats(q: TradeStatsQuery) {
  return useQuery({
    queryKey: queryKeys.tradeStats(q as Query),
    queryFn: () => GET("/api/trades/summary/stats", { query: q }),
    retry: false,
  });
}

/** Download the CSV of all matching trades (authorised fetch, then a blob link). */
export async function exportTradesCsv(q: TradeStatsQuery): Promise<void> {
  const headers: Record<string, string> = {};
  const token = getAccessToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(buildUrl("/api/trades/export", q as Query), { headers, credentials: "include" });
  if (!res.ok) throw new Error(`Export failed (${res.status})`);
  const blob = await res.blob();
  const cd = res.headers.get("Content-Disposition") ?? "";
  const name = /filename="?([^";]+)"?/.exec(cd)?.[1] ?? "trades_export.csv";
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}
