/** Strategy registry and the selected strategy (persisted in localStorage, spec §7.1). */
import { useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useState } from "react";
import { GET } from "../api/client";
import { queryKeys } from "../api/queryKeys";
import type { JsonSchema } from "../api/types";

const SELECTED_KEY = "jutsu_selected_strategy";
const COMPARE_KEY = "jutsu_compare_strategies";

/** The registry; `activeOnly=false` also lists inactive strategies (history can still be compared). */
export function useStrategies(activeOnly = true) {
  return useQuery({
    queryKey: [...queryKeys.strategies(), activeOnly],
    queryFn: () => GET("/api/strategies", { query: { active_only: activeOnly } }),
    staleTime: 60_000,
  });
}

function readStorage(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** The selected strategy id: saved choice if still registered, else the primary, else the first. */
export function useSelectedStrategy(): [string | undefined, (id: string) => void] {
  const { data } = useStrategies();
  const [saved, setSaved] = useState<string | null>(() => readStorage(SELECTED_KEY));
  const ids = data?.strategies.map((s) => s.id) ?? [];
  const selected = saved && ids.includes(saved) ? saved : (data?.primary_id ?? ids[0]);
  const set = useCallback((id: string) => {
    setSaved(id);
    try {
      localStorage.setItem(SELECTED_KEY, id);
    } catch {
      /* ignore */
    }
  }, []);
  return [selected, set];
}

/** Up to three compared strategies, from the URL parameter first, then localStorage. */
export function useCompareSelection(initial: string[] | null): [string[], (ids: string[]) => void] {
  const [ids, setIds] = useState<string[]>(() => {
    if (initial && initial.length > 0) return initial.slice(0, 3);
    try {
      return (JSON.parse(readStorage(COMPARE_KEY) ?? "[]") as string[]).slice(0, 3);
    } catch {
      return [];
    }
  });
  useEffect(() => {
    try {
      localStorage.setItem(COMPARE_KEY, JSON.stringify(ids));
    } catch {
      /* ignore */
    }
  }, [ids]);
  return [ids, (next) => setIds(next.slice(0, 3))];
}

/** The strategy's parameter JSON schema: the `params_schema` of `GET /api/strategies/{id}`. */
export function useStrategyParamsSchema(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.strategyParams(id ?? ""),
    enabled: !!id,
    staleTime: 5 * 60_000,
    queryFn: async (): Promise<JsonSchema | null> => {
      const detail = await GET("/api/strategies/{strategy_id}", { path: { strategy_id: id! } });
      return (detail.params_schema as JsonSchema | null) ?? null;
    },
  });
}
