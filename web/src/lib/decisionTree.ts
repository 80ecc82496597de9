/**
 * The regime decision path of the hierarchical adaptive strategies (strategy spec §4.4–§7, §13),
 * rebuilt from the values the API reports: the latest run's indicators (`/api/indicators`) and the
 * strategy's thresholds (`/api/config`). The strategy itself is the authority — the page shows
 * its reported trend, volatility state and cell; the rules here only explain which branch each
 * value took, so the reader can check the decision by hand.
 */
import type { Schemas } from "../api/client";

export type Indicators = Schemas["IndicatorsPublic"];
export type ConfigParameter = Schemas["ConfigParameter"];

export type Trend = "BullStrong" | "Sideways" | "BearStrong";

export interface TreeInputs {
  tNorm: number | null;
  smaFast: number | null;
  smaSlow: number | null;
  zScore: number | null;
  volCrush: boolean | null;
  trendState: string | null;
  volState: string | null;
  cell: number | null;
  bondTrend: string | null;
  bondSmaFast: number | null;
  bondSmaSlow: number | null;
  pendingDays: number | null;
  asOf: string | null;
  signalSymbol: string | null;
  targetWeights: Record<string, number>;
}

export interface Thresholds {
  bull: number | null;
  bear: number | null;
  upperZ: number | null;
  lowerZ: number | null;
  crushThreshold: number | null;
  crushLookback: number | null;
  smaFastLength: number | null;
  smaSlowLength: number | null;
  bondFastLength: number | null;
  bondSlowLength: number | null;
  allowTreasury: boolean | null;
  maxBondWeight: number | null;
  exitConfirmationDays: number | null;
  exitConfirmationEnabled: boolean | null;
}

function asNumber(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function asBool(v: unknown): boolean | null {
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") {
    const s = v.trim().toLowerCase();
    if (["true", "1", "yes", "active"].includes(s)) return true;
    if (["false", "0", "no", "inactive"].includes(s)) return false;
  }
  return null;
}

function asText(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}

/** The decision inputs from `/api/indicators` (names of the journal and of the snapshot both accepted). */
export function readIndicators(ind: Indicators | undefined): TreeInputs {
  const values: Record<string, unknown> = {};
  for (const i of ind?.indicators ?? []) values[i.name] = i.value;
  const pick = (...names: string[]) => names.map((n) => values[n]).find((v) => v !== undefined && v !== null);
  return {
    tNorm: asNumber(pick("t_norm")),
    smaFast: asNumber(pick("sma_fast")),
    smaSlow: asNumber(pick("sma_slow")),
    zScore: asNumber(pick("z_score")),
    volCrush: asBool(pick("vol_crush_triggered", "vol_crush")),
    trendState: asText(pick("trend_state")),
    volState: asText(pick("vol_state")),
    cell: asNumber(pick("current_cell", "cell", "strategy_cell")),
    bondTrend: asText(pick("bond_trend")),
    bondSmaFast: asNumber(pick("bond_sma_fast")),
    bondSmaSlow: asNumber(pick("bond_sma_slow")),
    pendingDays: asNumber(pick("cell1_exit_pending_days")),
    asOf: ind?.timestamp ?? null,
    signalSymbol: ind?.symbol ?? null,
    targetWeights: Object.fromEntries(Object.entries(ind?.target_allocation ?? {}).map(([k, v]) => [k, Number(v)])),
  };
}

/** The thresholds from `/api/config` parameters (current values, overrides included). */
export function readThresholds(params: ConfigParameter[] | undefined): Thresholds {
  const byName = new Map((params ?? []).map((p) => [p.name, p.value]));
  const n = (name: string) => asNumber(byName.get(name));
  const b = (name: string) => asBool(byName.get(name));
  return {
    bull: n("t_norm_bull_thresh"),
    bear: n("t_norm_bear_thresh"),
    upperZ: n("upper_thresh_z"),
    lowerZ: n("lower_thresh_z"),
    crushThreshold: n("vol_crush_threshold"),
    crushLookback: n("vol_crush_lookback"),
    smaFastLength: n("sma_fast"),
    smaSlowLength: n("sma_slow"),
    bondFastLength: n("bond_sma_fast"),
    bondSlowLength: n("bond_sma_slow"),
    allowTreasury: b("allow_treasury"),
    maxBondWeight: n("max_bond_weight"),
    exitConfirmationDays: n("cell1_exit_confirmation_days"),
    exitConfirmationEnabled: b("cell1_exit_confirmation_enabled"),
  };
}

/** 1.1 Kalman trend detector: T_norm against the bull and bear thresholds (strict comparisons). */
export function kalmanSignal(tNorm: number | null, bull: number | null, bear: number | null): "Bull" | "Bear" | "Neutral" | null {
  if (tNorm === null || bull === null || bear === null) return null;
  if (tNorm > bull) return "Bull";
  if (tNorm < bear) return "Bear";
  return "Neutral";
}

/** 1.2 SMA structure: structural bull when the fast SMA is strictly above the slow one. */
export function smaStructure(fast: number | null, slow: number | null): "Bull" | "Bear" | null {
  if (fast === null || slow === null) return null;
  return fast > slow ? "Bull" : "Bear";
}

/** 1.3 Combined trend (spec §5) and the rule that produced it, before the vol-crush and v3.5d holds. */
export function combinedTrend(kalman: "Bull" | "Bear" | "Neutral" | null, structure: "Bull" | "Bear" | null): { trend: Trend; rule: string } | null {
  if (kalman === null || structure === null) return null;
  if (kalman === "Bull" && structure === "Bull") return { trend: "BullStrong", rule: "T_norm above the bull threshold and fast SMA above slow SMA" };
  if (kalman === "Bear" && structure === "Bear") return { trend: "BearStrong", rule: "T_norm below the bear threshold and fast SMA at or below slow SMA" };
  return { trend: "Sideways", rule: "T_norm and the SMA structure do not agree on a strong trend" };
}

/** 2.1 Where the z-score sits against the hysteresis band: above → High, below → Low, inside → unchanged. */
export function volZone(z: number | null, upper: number | null, lower: number | null): "High" | "Low" | "Deadband" | null {
  if (z === null || upper === null || lower === null) return null;
  if (z > upper) return "High";
  if (z < lower) return "Low";
  return "Deadband";
}

/** Cell numbering of spec §6: {BullStrong: 1, Sideways: 3, BearStrong: 5} + 1 when volatility is High. */
export function cellOf(trend: string | null, vol: string | null): number | null {
  const base: Record<string, number> = { BullStrong: 1, Sideways: 3, BearStrong: 5 };
  const first = trend === null ? undefined : base[trend];
  if (first === undefined || vol === null) return null;
  return first + (vol === "High" ? 1 : 0);
}

/** Stage 3 grid labels (spec §7.4). */
export const CELL_LABELS: Record<number, string> = {
  1: "Aggressive",
  2: "Cautious Bull",
  3: "Neutral",
  4: "Defensive",
  5: "Caution Bear",
  6: "Maximum Defense",
};

/** Base weights of each cell before the Treasury overlay (strategy spec §6, no inverse hedge). */
export const CELL_BASE_WEIGHTS: Record<number, Record<string, number>> = {
  1: { TQQQ: 0.6, QQQ: 0.4 },
  2: { QQQ: 1.0 },
  3: { TQQQ: 0.2, QQQ: 0.8 },
  4: { Cash: 1.0 },
  5: { QQQ: 0.5, Cash: 0.5 },
  6: { Cash: 1.0 },
};

/** Defensive cells get the Treasury overlay (spec §7.1). */
export function overlayApplies(cell: number | null, allowTreasury: boolean | null): boolean {
  return allowTreasury !== false && (cell === 4 || cell === 5 || cell === 6);
}
