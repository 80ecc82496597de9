/**
 * Names the pages use for API payloads. Every payload type is an alias of a generated schema
 * type (`src/client/schema.d.ts`, from the server's OpenAPI schema), so a schema change that
 * breaks a page fails `npm run build`. Only shapes the API does not describe live here:
 * a JSON Schema document (strategy parameters) and the scheduler status, which the server
 * returns as an open object (`dict[str, Any]`) owned by the scheduler.
 */
import type { Schemas } from "./client";

/** A number the server may send as a number, a decimal string or null. */
export type Num = number | string | null | undefined;

export type AuthStatus = Schemas["AuthStatus"];
export type LoginResponse = Schemas["LoginResponse"];
export type Me = Schemas["MePublic"];
export type RegimeInfo = Schemas["RegimeInfo"];
export type PositionRow = Schemas["PositionPublic"];
export type SystemStatus = Schemas["SystemStatus"];
export type PositionsResponse = Schemas["PositionsPublic"];
export type IndicatorsResponse = Schemas["IndicatorsPublic"];
export type StrategyEntry = Schemas["StrategyPublic"];
export type StrategiesResponse = Schemas["StrategiesPublic"];
export type DailyPerformanceData = Schemas["DailyPerformanceData"];
export type PeriodMetrics = Schemas["PeriodMetrics"];
export type DailyResponse = Schemas["DailyPublic"];
export type HistoryResponse = Schemas["HistoryPublic"];
export type TradeRecord = Schemas["TradeRecord"];
export type TradeListResponse = Schemas["TradeListResponse"];
export type TradeStats = Schemas["TradeStats"];
export type SchwabStatus = Schemas["SchwabAuthStatus"];

/** A JSON Schema document (`params_schema` of a strategy); not an API payload of its own. */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  items?: JsonSchema;
}

/**
 * `GET /api/control/scheduler` (spec §6.6): the server declares an open object, so these are the
 * documented keys the page reads, each optional.
 */
export interface SchedulerStatus {
  enabled?: boolean;
  is_running?: boolean;
  execution_time?: string | null;
  next_run?: string | null;
  next_execution?: string | null;
  last_run?: string | null;
  last_run_status?: string | null;
  last_error?: string | null;
  total_runs?: number | null;
  [key: string]: unknown;
}
