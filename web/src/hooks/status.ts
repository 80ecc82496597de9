/** Dashboard status area: status, regime, positions, indicators, decisions, pre-trade preview. */
import { useQuery } from "@tanstack/react-query";
import { GET } from "../api/client";
import { queryKeys } from "../api/queryKeys";
import { usePolling } from "./live";

export function useStatus(strategyId: string | undefined) {
  const refetchInterval = usePolling(5000);
  return useQuery({
    queryKey: queryKeys.status(strategyId),
    enabled: !!strategyId,
    queryFn: () => GET("/api/status", { query: { strategy_id: strategyId } }),
    refetchInterval,
  });
}

export function useRegime(strategyId: string | undefined) {
  const refetchInterval = usePolling(5000);
  return useQuery({
    queryKey: queryKeys.regime(strategyId),
    enabled: !!strategyId,
    queryFn: () => GET("/api/status/regime", { query: { strategy_id: strategyId } }),
    refetchInterval,
    retry: false,
  });
}

export function usePositions(strategyId: string | undefined) {
  return useQuery({
    queryKey: queryKeys.positions(strategyId),
    enabled: !!strategyId,
    queryFn: () => GET("/api/positions", { query: { strategy_id: strategyId } }),
  });
}

export function useIndicators(strategyId: string | undefined) {
  const refetchInterval = usePolling(5000);
  return useQuery({
    queryKey: queryKeys.indicators(strategyId),
    enabled: !!strategyId,
    queryFn: () => GET("/api/indicators", { query: { strategy_id: strategyId } }),
    refetchInterval,
    retry: false,
  });
}

/** Orders the next run would place now (`GET /api/control/preview`, spec §7.3). */
export function usePreview(strategyId: string | undefined) {
  return useQuery({
    queryKey: queryKeys.preview(strategyId),
    enabled: !!strategyId,
    queryFn: () => GET("/api/control/preview", { query: { strategy_id: strategyId } }),
    retry: false,
  });
}

/** Latest decisions with their reasons: the newest trades (each carries the decision's reason). */
export function useLatestDecisions(strategyId: string | undefined) {
  return useQuery({
    queryKey: queryKeys.trades({ strategy_id: strategyId, page: 1, page_size: 5 }),
    enabled: !!strategyId,
    queryFn: () => GET("/api/trades", { query: { strategy_id: strategyId, page: 1, page_size: 5 } }),
    retry: false,
  });
}
