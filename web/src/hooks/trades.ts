/** Trades: paginated history with filters, stats, CSV export. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, buildUrl, type Query } from "../api/http";
import { queryKeys } from "../api/queryKeys";
import { getAccessToken } from "../api/session";
import type { TradeListResponse, TradeStats } from "../api/types";

export function useTrades(q: Query) {
  return useQuery({
    queryKey: queryKeys.trades(q),
    queryFn: () => api<TradeListResponse>("/trades", { query: q }),
    placeholderData: keepPreviousData,
  });
}

export function useTradeStats(q: Query) {
  return useQuery({
    queryKey: queryKeys.tradeStats(q),
    queryFn: () => api<TradeStats>("/trades/summary/stats", { query: q }),
    retry: false,
  });
}

/** Download the CSV of all matching trades (authorised fetch, then a blob link). */
export async function exportTradesCsv(q: Query): Promise<void> {
  const headers: Record<string, string> = {};
  const token = getAccessToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(buildUrl("/trades/export", q), { headers, credentials: "include" });
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
