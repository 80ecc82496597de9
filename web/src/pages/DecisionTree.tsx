/**
 * Decision Tree (`/decision-tree`, spec §7.4): today's regime decision for one strategy, stage by
 * stage — trend (Kalman T_norm, SMA structure, combined), volatility (z-score hysteresis, vol-crush),
 * the 3 × 2 cell grid, v3.5d's Cell 1 exit confirmation, the Treasury overlay and the final weights.
 * Values come from the latest run (`/api/indicators`), thresholds from `/api/config` (viewer-readable).
 */
import type { ReactNode } from "react";
import { useSearchParams } from "react-router-dom";
import { useConfig } from "../hooks/settings";
import { useSelectedStrategy } from "../hooks/strategies";
import { useIndicators } from "../hooks/status";
import { Card, QueryState } from "../components/States";
import { StrategySelect } from "../components/StrategySelect";
import { formatInstant, formatNumber, formatPct } from "../lib/format";
import {
  CELL_BASE_WEIGHTS,
  CELL_LABELS,
  cellOf,
  combinedTrend,
  kalmanSignal,
  overlayApplies,
  readIndicators,
  readThresholds,
  smaStructure,
  volZone,
  type Indicators,
  type ConfigParameter,
} from "../lib/decisionTree";
import { cellInfo } from "../lib/regime";

function Row({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="flex flex-wrap items-baseline justify-between gap-2 border-b border-slate-100 py-1 text-sm dark:border-slate-800" data-testid={testId}>
      <span className="text-slate-500">{label}</span>
      <span className="text-right">{children}</span>
    </div>
  );
}

function Verdict({ value }: { value: string | null }) {
  if (value === null) return <span className="text-slate-400">—</span>;
  const tone = /bull|low/i.test(value) ? "text-emerald-600" : /bear|high/i.test(value) ? "text-red-600" : "text-amber-600";
  return <strong className={tone}>{value}</strong>;
}

const fmt = (v: number | null, d = 3) => (v === null ? "—" : formatNumber(v, d));

/** The whole tree for one strategy's indicators and thresholds (presentational; tested on its own). */
export function DecisionTreeView({ indicators, parameters }: { indicators: Indicators | undefined; parameters: ConfigParameter[] | undefined }) {
  const v = readIndicators(indicators);
  const t = readThresholds(parameters);
  const kalman = kalmanSignal(v.tNorm, t.bull, t.bear);
  const structure = smaStructure(v.smaFast, v.smaSlow);
  const combined = combinedTrend(kalman, structure);
  const zone = volZone(v.zScore, t.upperZ, t.lowerZ);
  const cell = v.cell ?? cellOf(v.trendState, v.volState);
  const trend = v.trendState ?? combined?.trend ?? null;
  const overlay = overlayApplies(cell, t.allowTreasury);
  const hasRegime = cell !== null || v.tNorm !== null;
  const weights = Object.keys(v.targetWeights).length > 0 ? v.targetWeights : cell ? CELL_BASE_WEIGHTS[cell] ?? {} : {};
  const weightsFromRun = Object.keys(v.targetWeights).length > 0;
  const isV35d = t.exitConfirmationDays !== null;

  if (!hasRegime) {
    return <p className="muted">No regime decision recorded for this strategy yet (it has no regime, or no run has happened).</p>;
  }
  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-2" data-testid="decision-tree">
      <Card title="Stage 1 — Trend classification" testId="stage-trend">
        <h3 className="text-sm font-semibold">1.1 Kalman trend detector ({v.signalSymbol ?? "signal symbol"})</h3>
        <Row label="T_norm" testId="t-norm">
          {fmt(v.tNorm)}
        </Row>
        <Row label="Bull threshold (T_norm >)">{fmt(t.bull, 2)}</Row>
        <Row label="Bear threshold (T_norm <)">{fmt(t.bear, 2)}</Row>
        <Row label="Signal" testId="kalman-signal">
          <Verdict value={kalman} />
        </Row>
        <h3 className="mt-3 text-sm font-semibold">1.2 SMA structure</h3>
        <Row label={`Fast SMA${t.smaFastLength ? ` (${t.smaFastLength})` : ""}`}>{fmt(v.smaFast, 2)}</Row>
        <Row label={`Slow SMA${t.smaSlowLength ? ` (${t.smaSlowLength})` : ""}`}>{fmt(v.smaSlow, 2)}</Row>
        <Row label="Structure" testId="sma-structure">
          <Verdict value={structure === null ? null : structure === "Bull" ? "Structural bull" : "Structural bear"} />
        </Row>
        <h3 className="mt-3 text-sm font-semibold">1.3 Combined trend</h3>
        <Row label="Trend state" testId="trend-state">
          <Verdict value={trend} />
        </Row>
        <p className="mt-1 text-xs text-slate-500">{combined ? combined.rule : "Needs T_norm, both SMAs and the thresholds."}</p>
        {combined && v.trendState && combined.trend !== v.trendState && (
          <p className="mt-1 text-xs text-amber-600" data-testid="trend-override">
            The rules give {combined.trend}; the strategy reported {v.trendState}
            {v.volCrush ? " (vol-crush downgrade of BearStrong)" : isV35d ? " (Cell 1 exit confirmation hold)" : ""}.
          </p>
        )}
      </Card>

      <Card title="Stage 2 — Volatility classification" testId="stage-vol">
        <h3 className="text-sm font-semibold">2.1 Volatility z-score (hysteresis)</h3>
        <Row label="z-score" testId="z-score">
          {fmt(v.zScore)}
        </Row>
        <Row label="Upper threshold (→ High above)">{fmt(t.upperZ, 2)}</Row>
        <Row label="Lower threshold (→ Low below)">{fmt(t.lowerZ, 2)}</Row>
        <Row label="Band" testId="vol-zone">
          {zone === "Deadband" ? <span>inside the band: state unchanged</span> : <Verdict value={zone} />}
        </Row>
        <Row label="Volatility state" testId="vol-state">
          <Verdict value={v.volState} />
        </Row>
        <h3 className="mt-3 text-sm font-semibold">2.2 Vol-crush override</h3>
        <Row label="Triggered" testId="vol-crush">
          {v.volCrush === null ? "—" : v.volCrush ? <strong className="text-amber-600">ACTIVE (forces Low)</strong> : "inactive"}
        </Row>
        <Row label="Threshold / look-back">
          {t.crushThreshold === null ? "—" : formatPct(t.crushThreshold, false)} over {t.crushLookback ?? "—"} bars
        </Row>
      </Card>

      <Card title="Stage 3 — Cell assignment" testId="stage-cell">
        <table className="table-basic text-center" data-testid="cell-grid">
          <thead>
            <tr>
              <th scope="col">Trend \ Vol</th>
              <th scope="col">Low Vol</th>
              <th scope="col">High Vol</th>
            </tr>
          </thead>
          <tbody>
            {(["BullStrong", "Sideways", "BearStrong"] as const).map((tr) => (
              <tr key={tr}>
                <th scope="row">{tr}</th>
                {(["Low", "High"] as const).map((vol) => {
                  const c = cellOf(tr, vol)!;
                  const current = c === cell;
                  return (
                    <td
                      key={vol}
                      aria-current={current ? "true" : undefined}
                      data-testid={current ? "current-cell" : undefined}
                      className={current ? "font-semibold text-white" : "text-slate-500"}
                      style={current ? { backgroundColor: cellInfo(c)?.color } : undefined}
                    >
                      Cell {c} · {CELL_LABELS[c]}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
        {isV35d && (
          <div className="mt-3" data-testid="cell1-exit">
            <h3 className="text-sm font-semibold">v3.5d — Cell 1 exit confirmation</h3>
            <Row label="Required days">{t.exitConfirmationEnabled === false ? "disabled" : t.exitConfirmationDays}</Row>
            <Row label="Pending days">{v.pendingDays ?? 0}</Row>
            <progress className="w-full" max={t.exitConfirmationDays ?? 1} value={v.pendingDays ?? 0} aria-label="Cell 1 exit confirmation progress" />
            <p className="text-xs text-slate-500">{(v.pendingDays ?? 0) > 0 ? "Exit from Cell 1 pending confirmation" : "No Cell 1 exit pending"}</p>
          </div>
        )}
      </Card>

      <Card title="Stage 4 — Treasury overlay" testId="stage-overlay">
        <Row label="Applies (cells 4–6)">{overlay ? "yes" : cell === null ? "—" : "no (not a defensive cell)"}</Row>
        <Row label={`Bond trend (TLT fast${t.bondFastLength ? ` ${t.bondFastLength}` : ""} vs slow${t.bondSlowLength ? ` ${t.bondSlowLength}` : ""})`}>
          {fmt(v.bondSmaFast, 2)} vs {fmt(v.bondSmaSlow, 2)} {v.bondTrend ? <Verdict value={v.bondTrend} /> : null}
        </Row>
        {overlay && (
          <Row label="Bond fund">
            {v.bondSmaFast !== null && v.bondSmaSlow !== null ? (v.bondSmaFast > v.bondSmaSlow ? "TMF (bond bull)" : "TMV (bond bear)") : "—"}
            {t.maxBondWeight !== null ? ` · at most ${formatPct(t.maxBondWeight, false)}` : ""}
          </Row>
        )}
      </Card>

      <Card title="Stage 5 — Final allocation" testId="stage-allocation" className="lg:col-span-2">
        <p className="mb-2 text-xs text-slate-500">
          {weightsFromRun ? `Target weights of the latest run${v.asOf ? ` (${formatInstant(v.asOf)})` : ""}` : `Base weights of Cell ${cell ?? "—"} (no run has recorded its targets yet; before the Treasury overlay)`}
        </p>
        <ul className="space-y-1" data-testid="final-weights">
          {Object.entries(weights)
            .filter(([, w]) => w > 0)
            .sort((a, b) => b[1] - a[1])
            .map(([sym, w]) => (
              <li key={sym} className="flex items-center gap-2 text-sm">
                <span className="w-14">{sym}</span>
                <span className="h-2 rounded bg-sky-500" style={{ width: `${Math.max(2, w * 60)}%` }} aria-hidden="true" />
                <span className="tabular-nums">{formatPct(w, false)}</span>
              </li>
            ))}
        </ul>
      </Card>
    </div>
  );
}

export function DecisionTreePage() {
  const [params, setParams] = useSearchParams();
  const [selected, setSelected] = useSelectedStrategy();
  const strategyId = params.get("strategy") ?? selected;
  const indicators = useIndicators(strategyId);
  const config = useConfig(strategyId);
  const choose = (id: string) => {
    setSelected(id);
    setParams({ strategy: id }, { replace: true });
  };
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-xl font-semibold">Decision Tree</h1>
        <StrategySelect value={strategyId} onChange={choose} />
      </div>
      <QueryState what="Indicators" isLoading={indicators.isLoading || config.isLoading} error={indicators.error ?? config.error}>
        <DecisionTreeView indicators={indicators.data} parameters={config.data?.parameters} />
      </QueryState>
    </div>
  );
}
