/**
 * The one place query keys are built. Each area's key starts with the prefix the WebSocket handler
 * invalidates (spec §7.1: `status`, `regime`, `positions`, `indicators`, `performance`, `trades`,
 * `trade-stats`, `scheduler`, `eod`, `backtest-jobs`), so an event reaches every query of that area.
 */
import type { Query } from "./http";

export const queryKeys = {
  authStatus: () => ["auth", "status"] as const,
  me: () => ["auth", "me"] as const,
  strategies: () => ["strategies"] as const,
  strategyParams: (id: string) => ["strategies", "params", id] as const,
  status: (strategyId?: string) => ["status", strategyId ?? null] as const,
  regime: (strategyId?: string) => ["regime", strategyId ?? null] as const,
  positions: (strategyId?: string) => ["positions", strategyId ?? null] as const,
  indicators: (strategyId?: string) => ["indicators", strategyId ?? null] as const,
  preview: (strategyId?: string) => ["positions", "preview", strategyId ?? null] as const,
  decisions: (strategyId?: string) => ["status", "decisions", strategyId ?? null] as const,
  performanceDaily: (id: string) => ["performance", "daily", id] as const,
  performanceHistory: (id: string, q: Query) => ["performance", "history", id, q] as const,
  performanceMonthly: (id: string) => ["performance", "monthly", id] as const,
  performanceComparison: (ids: string[]) => ["performance", "comparison", ids.join(",")] as const,
  trades: (q: Query) => ["trades", q] as const,
  tradeStats: (q: Query) => ["trade-stats", q] as const,
  scheduler: () => ["scheduler"] as const,
  engine: () => ["status", "engine"] as const,
  backtestRuns: () => ["backtest-jobs", "list"] as const,
  backtestRun: (id: string) => ["backtest-jobs", "run", id] as const,
  researchRuns: () => ["backtest-jobs", "research"] as const,
  researchRun: (id: string) => ["backtest-jobs", "research", id] as const,
  schwab: () => ["schwab"] as const,
  twoFactor: () => ["settings", "2fa"] as const,
  passkeys: () => ["settings", "passkeys"] as const,
  users: () => ["settings", "users"] as const,
  invitations: () => ["settings", "invitations"] as const,
  config: (strategyId?: string) => ["config", strategyId ?? null] as const,
  notifications: () => ["settings", "notifications"] as const,
} as const;

/** WebSocket event type → key prefixes to invalidate (spec §7.1). */
export const INVALIDATIONS: Record<string, string[][]> = {
  status_update: [["status"]],
  trade_executed: [["trades"], ["trade-stats"], ["positions"], ["performance"]],
  regime_change: [["regime"], ["indicators"], ["status"]],
  data_refresh: [["performance"], ["positions"], ["status"], ["indicators"]],
  job_status: [["scheduler"], ["eod"], ["backtest-jobs"]],
};
