/**
 * Payload types of the endpoints the dashboard reads, written from spec §3. Fields the server may
 * omit are optional so a page degrades instead of crashing. When `src/client/schema.d.ts` (generated
 * from the OpenAPI schema by `npm run gen:client`) covers an endpoint, prefer its types.
 */

export type Num = number | string | null | undefined;

export interface AuthStatus {
  auth_required: boolean;
  jwt_available?: boolean;
  message?: string;
}

export interface LoginResponse {
  access_token?: string | null;
  refresh_token?: string | null;
  token_type?: string;
  expires_in?: number | null;
  refresh_expires_in?: number | null;
  requires_2fa?: boolean;
  requires_passkey?: boolean;
  passkey_options?: string | null;
  username?: string | null;
  login_ticket?: string | null;
}

export interface Me {
  username: string;
  email?: string | null;
  is_admin?: boolean;
  role: string;
  last_login?: string | null;
  permissions?: string[];
  auth_method?: string | null;
}

export interface RegimeInfo {
  cell?: number | null;
  trend_state?: string | null;
  vol_state?: string | null;
  t_norm?: Num;
  z_score?: Num;
  as_of?: string | null;
}

export interface PositionRow {
  symbol: string;
  quantity: Num;
  avg_cost?: Num;
  market_value?: Num;
  unrealized_pnl?: Num;
  weight?: Num;
  weight_pct?: Num;
}

export interface SystemStatus {
  mode?: string | null;
  is_running?: boolean;
  engine_state?: string | null;
  last_execution?: string | null;
  next_execution?: string | null;
  regime?: RegimeInfo | null;
  portfolio?: {
    total_equity?: Num;
    cash?: Num;
    positions_value?: Num;
    positions?: PositionRow[];
  } | null;
  uptime_seconds?: Num;
  error?: string | null;
}

export interface PositionsResponse {
  positions: PositionRow[];
  cash?: Num;
  total_equity?: Num;
  as_of?: string | null;
}

export interface IndicatorsResponse {
  timestamp?: string | null;
  symbol?: string | null;
  indicators?: { name: string; value: unknown; signal?: string | null; description?: string | null }[];
  target_allocation?: Record<string, Num>;
  source?: string | null;
}

export interface StrategyEntry {
  id: string;
  display_name?: string | null;
  strategy_class?: string | null;
  is_primary?: boolean;
  is_active?: boolean;
  mode?: string | null;
  description?: string | null;
}

export interface StrategiesResponse {
  strategies: StrategyEntry[];
  primary_id?: string | null;
}

export interface DailyPerformanceData {
  trading_date: string;
  total_equity?: Num;
  cash?: Num;
  positions_value?: Num;
  daily_return?: Num;
  cumulative_return?: Num;
  drawdown?: Num;
  sharpe_ratio?: Num;
  sortino_ratio?: Num;
  calmar_ratio?: Num;
  max_drawdown?: Num;
  volatility?: Num;
  cagr?: Num;
  strategy_cell?: number | null;
  trend_state?: string | null;
  vol_state?: string | null;
  total_trades?: Num;
  winning_trades?: Num;
  losing_trades?: Num;
  win_rate?: Num;
  baseline_value?: Num;
  baseline_return?: Num;
  baseline_daily_return?: Num;
  is_finalized?: boolean;
  holdings?: { symbol: string; quantity: Num; value: Num; weight: Num }[];
}

export interface PeriodMetrics {
  start_date?: string | null;
  end_date?: string | null;
  calendar_days?: Num;
  period_return?: Num;
  annualized_return?: Num;
  sharpe_ratio?: Num;
  max_drawdown?: Num;
  baseline_period_return?: Num;
  baseline_annualized_return?: Num;
  alpha?: Num;
}

export interface DailyResponse {
  strategy_id: string;
  mode?: string | null;
  data: DailyPerformanceData | null;
  baseline?: { symbol: string; total_equity?: Num; daily_return?: Num; cumulative_return?: Num; sharpe_ratio?: Num; max_drawdown?: Num } | null;
  is_finalized?: boolean;
  data_as_of?: string | null;
}

export interface HistoryResponse {
  strategy_id: string;
  mode?: string | null;
  count?: number;
  history: DailyPerformanceData[];
  baseline_symbol?: string | null;
  period_metrics?: PeriodMetrics | null;
}

export interface TradeRecord {
  id: number | string;
  symbol: string;
  timestamp?: string | null;
  trading_date?: string | null;
  action: string;
  quantity: Num;
  target_price?: Num;
  fill_price?: Num;
  fill_value?: Num;
  slippage_pct?: Num;
  status?: string | null;
  strategy_cell?: number | null;
  reason?: string | null;
  mode?: string | null;
  strategy_id?: string | null;
}

export interface TradeListResponse {
  trades: TradeRecord[];
  total: number;
  page: number;
  page_size: number;
  total_pages: number;
}

export interface TradeStats {
  total_trades?: Num;
  total_volume?: Num;
  avg_slippage_pct?: Num;
  win_rate?: Num;
  net_pnl?: Num;
  winning_trades?: Num;
  losing_trades?: Num;
}

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

export interface SchwabStatus {
  authenticated?: boolean;
  token_exists?: boolean;
  token_valid?: boolean;
  token_age_days?: Num;
  expires_in_days?: number | null;
  message?: string | null;
  callback_url?: string | null;
}
