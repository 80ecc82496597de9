/** Engine, kill switch and scheduler control (`/api/control`). Admin mutations only. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/http";
import { queryKeys } from "../api/queryKeys";
import type { SchedulerStatus } from "../api/types";
import { usePolling } from "./live";

export interface EngineState {
  is_running?: boolean;
  state?: string | null;
  mode?: string | null;
  uptime_seconds?: number | null;
  error?: string | null;
  kill_switch?: boolean | null;
}

export function useEngineState() {
  const refetchInterval = usePolling(5000);
  return useQuery({
    queryKey: queryKeys.engine(),
    queryFn: () => api<EngineState>("/control/state"),
    refetchInterval,
    retry: false,
  });
}

export function useScheduler() {
  const refetchInterval = usePolling(30000);
  return useQuery({
    queryKey: queryKeys.scheduler(),
    queryFn: () => api<SchedulerStatus>("/control/scheduler"),
    refetchInterval,
    retry: false,
  });
}

/** One mutation factory for the admin control actions; each invalidates the status area. */
export function useControlAction<TBody>(path: string, method: "POST" | "PUT" = "POST") {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: TBody) => api<Record<string, unknown>>(path, { method, json: body }),
    onSettled: async () => {
      await qc.invalidateQueries({ queryKey: ["status"] });
      await qc.invalidateQueries({ queryKey: queryKeys.scheduler() });
    },
  });
}
