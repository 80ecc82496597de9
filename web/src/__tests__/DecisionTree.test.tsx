import { render, screen, within } from "@testing-library/react";
import { DecisionTreeView } from "../pages/DecisionTree";
import { cellOf, combinedTrend, kalmanSignal, readIndicators, readThresholds, smaStructure, volZone, type ConfigParameter, type Indicators } from "../lib/decisionTree";

const param = (name: string, value: unknown): ConfigParameter => ({ name, value, constraints: {} as ConfigParameter["constraints"], is_overridden: false });

const V35B: ConfigParameter[] = [
  param("t_norm_bull_thresh", "0.2"),
  param("t_norm_bear_thresh", "-0.3"),
  param("upper_thresh_z", "1.0"),
  param("lower_thresh_z", "0.2"),
  param("vol_crush_threshold", "-0.15"),
  param("vol_crush_lookback", 5),
  param("sma_fast", 40),
  param("sma_slow", 140),
  param("allow_treasury", true),
  param("max_bond_weight", "0.4"),
];

function indicators(values: Record<string, number | string | boolean | null>, target: Record<string, number> = {}): Indicators {
  return {
    strategy_id: "v3_5b",
    mode: "dry_run",
    timestamp: "2025-06-27T19:55:00Z",
    symbol: "QQQ",
    source: "scheduler",
    target_allocation: target,
    indicators: Object.entries(values).map(([name, value]) => ({ name, value, signal: null, description: null })),
  } as Indicators;
}

describe("decision rules (strategy spec §4.4, §5, §6)", () => {
  it("classifies T_norm strictly against the thresholds", () => {
    expect(kalmanSignal(0.21, 0.2, -0.3)).toBe("Bull");
    expect(kalmanSignal(0.2, 0.2, -0.3)).toBe("Neutral");
    expect(kalmanSignal(-0.3, 0.2, -0.3)).toBe("Neutral");
    expect(kalmanSignal(-0.31, 0.2, -0.3)).toBe("Bear");
    expect(kalmanSignal(null, 0.2, -0.3)).toBeNull();
  });

  it("needs agreement for a strong trend; a tie of the SMAs is structural bear", () => {
    expect(smaStructure(101, 100)).toBe("Bull");
    expect(smaStructure(100, 100)).toBe("Bear");
    expect(combinedTrend("Bull", "Bull")?.trend).toBe("BullStrong");
    expect(combinedTrend("Bear", "Bear")?.trend).toBe("BearStrong");
    expect(combinedTrend("Bull", "Bear")?.trend).toBe("Sideways");
    expect(combinedTrend("Neutral", "Bull")?.trend).toBe("Sideways");
  });

  it("puts z in the hysteresis band with inclusive bounds", () => {
    expect(volZone(1.01, 1, 0.2)).toBe("High");
    expect(volZone(1, 1, 0.2)).toBe("Deadband");
    expect(volZone(0.2, 1, 0.2)).toBe("Deadband");
    expect(volZone(0.19, 1, 0.2)).toBe("Low");
  });

  it("numbers the cells trend-major with High volatility odd+1", () => {
    expect([cellOf("BullStrong", "Low"), cellOf("BullStrong", "High"), cellOf("Sideways", "Low"), cellOf("Sideways", "High"), cellOf("BearStrong", "Low"), cellOf("BearStrong", "High")]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(cellOf("Unknown", "Low")).toBeNull();
  });

  it("reads decimal-string thresholds and the journal's vol_crush name", () => {
    const t = readThresholds(V35B);
    expect(t.bull).toBe(0.2);
    expect(t.bear).toBe(-0.3);
    expect(t.exitConfirmationDays).toBeNull();
    const v = readIndicators(indicators({ vol_crush: 1, current_cell: 3 }));
    expect(v.volCrush).toBe(true);
    expect(v.cell).toBe(3);
  });
});

describe("DecisionTreeView", () => {
  it("walks a Sideways / Low day to Cell 3 with the run's target weights", () => {
    render(
      <DecisionTreeView
        indicators={indicators(
          { t_norm: 0.35, sma_fast: 480.5, sma_slow: 490.25, z_score: 0.5, vol_crush_triggered: false, trend_state: "Sideways", vol_state: "Low", current_cell: 3 },
          { TQQQ: 0.2, QQQ: 0.8 },
        )}
        parameters={V35B}
      />,
    );
    expect(screen.getByTestId("kalman-signal")).toHaveTextContent("Bull");
    expect(screen.getByTestId("sma-structure")).toHaveTextContent("Structural bear");
    expect(screen.getByTestId("trend-state")).toHaveTextContent("Sideways");
    expect(screen.getByTestId("vol-zone")).toHaveTextContent("inside the band");
    expect(screen.getByTestId("vol-crush")).toHaveTextContent("inactive");
    expect(screen.getByTestId("current-cell")).toHaveTextContent("Cell 3 · Neutral");
    expect(screen.getAllByRole("cell", { current: true })).toHaveLength(1);
    const weights = screen.getByTestId("final-weights");
    expect(within(weights).getByText("QQQ")).toBeInTheDocument();
    expect(weights).toHaveTextContent("80.00%");
    expect(screen.queryByTestId("cell1-exit")).toBeNull();
    expect(screen.queryByTestId("trend-override")).toBeNull();
  });

  it("explains a vol-crush downgrade and falls back to the cell's base weights", () => {
    render(
      <DecisionTreeView
        indicators={indicators({ t_norm: -0.5, sma_fast: 90, sma_slow: 100, z_score: 1.5, vol_crush: true, trend_state: "Sideways", vol_state: "Low", current_cell: 3 })}
        parameters={V35B}
      />,
    );
    expect(screen.getByTestId("vol-zone")).toHaveTextContent("High");
    expect(screen.getByTestId("vol-crush")).toHaveTextContent("ACTIVE");
    expect(screen.getByTestId("trend-override")).toHaveTextContent("The rules give BearStrong; the strategy reported Sideways (vol-crush");
    expect(screen.getByText(/Base weights of Cell 3/)).toBeInTheDocument();
  });

  it("shows the v3.5d exit confirmation and the Treasury overlay of a defensive cell", () => {
    render(
      <DecisionTreeView
        indicators={indicators({ t_norm: 0.1, sma_fast: 100, sma_slow: 101, z_score: 1.2, trend_state: "Sideways", vol_state: "High", current_cell: 4, bond_sma_fast: 91, bond_sma_slow: 92.5, cell1_exit_pending_days: 1 })}
        parameters={[...V35B, param("cell1_exit_confirmation_days", 2), param("cell1_exit_confirmation_enabled", true)]}
      />,
    );
    expect(screen.getByTestId("current-cell")).toHaveTextContent("Cell 4 · Defensive");
    const exit = screen.getByTestId("cell1-exit");
    expect(within(exit).getByRole("progressbar")).toHaveAttribute("value", "1");
    expect(screen.getByTestId("stage-overlay")).toHaveTextContent("TMV (bond bear)");
  });

  it("says so when the strategy has no regime", () => {
    render(<DecisionTreeView indicators={indicators({})} parameters={[]} />);
    expect(screen.getByText(/No regime decision recorded/)).toBeInTheDocument();
  });
});
