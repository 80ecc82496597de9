/** Engine, kill switch and scheduler control (`/api/control`). Admin mutations only. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { GET, POST, type JsonBodyOf, type Operation, type PathsWith, type Schemas } from "../api/client";
import { queryKeys } from "../api/queryKeys";
import type { SchedulerStatus } from "../api/types";
import { usePolling } from "./live";

export type EngineState = Schemas["EngineStatePublic"];

export function useEngineState() {
  const refetchInterval = usePolling(5000);
  return useQuery({
    queryKey: queryKeys.engine(),
    queryFn: () => GET("/api/control/state"),
    refetchInterval,
    retry: false,
  });
}

export function useScheduler() {
  const refetchInterval = usePolling(30000);
  return useQuery({
    queryKey: queryKeys.scheduler(),
    queryFn: async (): Promise<SchedulerStatus> => GET("/api/control/scheduler"),
    refetchInterval,
    retry: false,
  });
}

/** One mutation factory for the admin control actions (body typed from the schema); each invalidates the status area. */
export function useControlAction<P extends PathsWith<"post">>(path: P) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: JsonBodyOf<Operation<P, "post">>) => POST(path, { body }),
    onSettled: async () => {
      await qc.invalidateQueries({ queryKey: ["status"] });
      await qc.invalidateQueries({ queryKey: queryKeys.scheduler() });
    },
  });
}
