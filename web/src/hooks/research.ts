/** Research runs (grid search, walk-forward, Monte Carlo) from `/api/v1/optimization`. */
import { useQuery } from "@tanstack/react-query";
import { api } from "../api/http";
import { queryKeys } from "../api/queryKeys";

export interface ResearchJob {
  job_id: string;
  kind?: string | null;
  strategy_name?: string | null;
  status: string;
  progress?: number | null;
  started_at?: string | null;
  completed_at?: string | null;
  error?: string | null;
}

export interface ResearchResult {
  params: Record<string, unknown>;
  metrics: Record<string, number | string | null> | null;
  status?: string;
  error?: string | null;
}

export interface ResearchResults {
  job_id: string;
  status: string;
  count?: number;
  results: ResearchResult[];
  /** Optional figures a research service may add. */
  oos_equity?: { date: string; value: number }[];
  monte_carlo?: { percentiles?: Record<string, { date?: string; step?: number; value: number }[]> };
  overfitting?: Record<string, number | string | null>;
}

export function useResearchJobs() {
  return useQuery({
    queryKey: queryKeys.researchRuns(),
    queryFn: () => api<ResearchJob[] | { jobs?: ResearchJob[]; data?: ResearchJob[] }>("/v1/optimization/jobs/list", { query: { limit: 100 } }),
    select: (d) => (Array.isArray(d) ? d : (d.jobs ?? d.data ?? [])),
    retry: false,
  });
}

export function useResearchResults(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.researchRun(id ?? ""),
    enabled: !!id,
    queryFn: () => api<ResearchResults>(`/v1/optimization/${encodeURIComponent(id!)}/results`),
    retry: false,
  });
}
