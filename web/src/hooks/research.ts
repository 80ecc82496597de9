/** Research runs (grid search, walk-forward, Monte Carlo) from `/api/v1/optimization`. */
import { useQuery } from "@tanstack/react-query";
import { GET, type Schemas } from "../api/client";
import { queryKeys } from "../api/queryKeys";

export type ResearchJob = Schemas["JobStatusPublic"];
export type ResearchResult = Schemas["ResearchResultPublic"];

/**
 * The results payload plus the optional figures a research service may add later; the API
 * does not declare them yet, so the page shows them only when present.
 */
export type ResearchResults = Schemas["ResearchResultsPublic"] & {
  oos_equity?: { date: string; value: number }[];
  monte_carlo?: { percentiles?: Record<string, { date?: string; step?: number; value: number }[]> };
  overfitting?: Record<string, number | string | null>;
};

export function useResearchJobs() {
  return useQuery({
    queryKey: queryKeys.researchRuns(),
    queryFn: () => GET("/api/v1/optimization/jobs/list", { query: { limit: 100 } }),
    retry: false,
  });
}

export function useResearchResults(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.researchRun(id ?? ""),
    enabled: !!id,
    queryFn: (): Promise<ResearchResults> => GET("/api/v1/optimization/{job_id}/results", { path: { job_id: id! } }),
    retry: false,
  });
}
